"""Precinct voter lists: who is on a station's list, as rows, CSV and printable PDF.

A station's list holds the voters on the lists (eligible persons) whose *voting* station it
is: a voter registered for remote voting appears on the remote station's list and not at
home. Rows are sorted in Kyrgyz alphabetical order (ң after н, ө after о, ү after у), which
no database collation on SQLite gives, so the sort happens here; a list is a few thousand
rows at most.

The PDF is drawn straight onto the canvas, page by page, with fixed row heights: no layout
engine holds the whole table, so 3,000 voters take well under a second and constant memory.
The font must carry Kyrgyz letters; it is DejaVu Sans shipped inside the matplotlib package
(a declared dependency), never a font of the operating system.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.db.models import Q, QuerySet
from django.utils import timezone
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from shailoo.common import csvout
from shailoo.common.pdf_fonts import FONT, FONT_BOLD, register_fonts
from shailoo.common.refusals import NotFound
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.register.models import Person
from shailoo.register.pin import mask_pin

__all__ = [
    "FORMATS",
    "ListRow",
    "StationNotFound",
    "iter_csv_lines",
    "kyrgyz_sort_key",
    "precinct_rows",
    "precinct_voters",
    "station_by_number",
    "write_precinct_list",
]

FORMATS = ("csv", "pdf")
CSV_COLUMNS = ("no", "pin", "surname", "given_name", "patronymic", "birth_date", "address")
CSV_COLUMNS_PUBLIC = ("no", "pin", "surname", "given_name", "patronymic", "birth_year", "address")


class StationNotFound(NotFound, LookupError):
    """No polling station has the number asked for."""

    def __init__(self, message: str) -> None:
        super().__init__("station_not_found", message)


# -- who is on the list --------------------------------------------------------------------


def station_by_number(number: int) -> PollingStation:
    """The station numbered ``number``, with what a list heading shows."""
    station = (
        PollingStation.objects.select_related("tec", "region", "district")
        .filter(number=number)
        .first()
    )
    if station is None:
        raise StationNotFound(f"no polling station №{number}")
    return station


def precinct_voters(station: PollingStation) -> QuerySet[Person]:
    """Voters whose voting station is ``station`` (remote voters at their remote station)."""
    return Person.objects.filter(eligible=True).filter(
        Q(remote_station=station) | Q(remote_station__isnull=True, station=station)
    )


_KYRGYZ_ALPHABET = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя"
_COLLATION = {ord(ch): chr(0x2000 + i) for i, ch in enumerate(_KYRGYZ_ALPHABET)}


def kyrgyz_sort_key(text: str) -> str:
    """A key that sorts Cyrillic names in Kyrgyz alphabetical order, ignoring case."""
    return text.lower().translate(_COLLATION)


@dataclass(frozen=True, slots=True)
class ListRow:
    """One line of a precinct list; ``pin`` is masked and ``birth`` a year on public lists."""

    number: int
    pin: str
    surname: str
    given_name: str
    patronymic: str
    birth: str
    address: str


_ROW_FIELDS = ("pin", "surname", "given_name", "patronymic", "birth_date", "address")


def precinct_rows(station: PollingStation, public: bool = False) -> list[ListRow]:
    """The numbered rows of ``station``'s list in Kyrgyz alphabetical order (one query)."""
    raw = list(precinct_voters(station).values_list(*_ROW_FIELDS))
    raw.sort(
        key=lambda r: (
            kyrgyz_sort_key(r[1]),
            kyrgyz_sort_key(r[2]),
            kyrgyz_sort_key(r[3]),
            r[0],
        )
    )
    return [
        ListRow(
            number=i,
            pin=mask_pin(pin) if public else pin,
            surname=surname,
            given_name=given,
            patronymic=patronymic,
            birth=str(birth.year) if public else birth.strftime("%d.%m.%Y"),
            address=address,
        )
        for i, (pin, surname, given, patronymic, birth, address) in enumerate(raw, start=1)
    ]


# -- files ---------------------------------------------------------------------------------


def write_precinct_list(
    station_number: int, out_path: Path | str, fmt: str = "csv", public: bool = False
) -> int:
    """Write station ``station_number``'s list to ``out_path``; return the number of voters.

    ``public`` masks PINs and shows birth years only. The file appears complete or not at
    all (written beside, then renamed). Raises :class:`StationNotFound` for an unknown
    station and ValueError for an unknown format.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    station = station_by_number(station_number)
    rows = precinct_rows(station, public)
    out_path = Path(out_path)
    partial = out_path.with_name(out_path.name + ".part")
    try:
        if fmt == "csv":
            _write_csv(rows, partial, public)
        else:
            election = Election.objects.filter(is_current=True).order_by("-polling_day").first()
            _write_pdf(rows, partial, station, election, public)
        os.replace(partial, out_path)
    finally:
        partial.unlink(missing_ok=True)
    return len(rows)


def _write_csv(rows: list[ListRow], path: Path, public: bool) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csvout.Writer(fh).writerows(iter_csv_lines(rows, public))


# -- PDF -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Column:
    ky: str
    ru: str
    width: float


_COLUMNS = (
    _Column("№", "№", 30),
    _Column("ПИН", "ПИН", 88),
    _Column("Фамилиясы", "Фамилия", 112),
    _Column("Аты", "Имя", 92),
    _Column("Атасынын аты", "Отчество", 112),
    _Column("Туулган күнү", "Дата рождения", 68),
    _Column("Дареги", "Адрес", 204),
    _Column("Кол тамгасы", "Подпись", 80),
)
_PUBLIC_BIRTH = _Column("Туулган жылы", "Год рождения", 68)

_MARGIN = 28.0
_ROW = 14.0
_HEAD_ROW = 24.0
_BODY_SIZE = 8.5
_HEADER_LINES = 5
_LINE = 13.0


def _columns(public: bool) -> list[_Column]:
    columns = list(_COLUMNS)
    if public:
        signature = columns.pop()
        columns[5] = _PUBLIC_BIRTH
        address = columns[6]
        columns[6] = _Column(address.ky, address.ru, address.width + signature.width)
    return columns


def _fit(text: str, width: float, font: str, size: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points."""
    width_of = pdfmetrics.stringWidth
    if width_of(text, font, size) <= width:
        return text
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if width_of(text[:mid] + "…", font, size) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…"


def _heading(
    station: PollingStation, election: Election | None, public: bool
) -> list[tuple[str, str]]:
    """The heading lines (font, text), Kyrgyz first and Russian after the slash."""
    tec = station.tec
    lines = [
        (FONT_BOLD, "Шайлоочулардын тизмеси / Список избирателей"),
        (
            FONT,
            f"Шайлоо участогу / Избирательный участок № {station.number} — {station.name}",
        ),
        (FONT, f"Дареги / Адрес: {station.address}"),
        (FONT, f"ТШК / ТИК: {tec.code} {tec.name}"),
    ]
    if election is not None:
        day = election.polling_day.strftime("%d.%m.%Y")
        lines.append(
            (FONT, f"Шайлоо / Выборы: {election.name} — Добуш берүү күнү / День голосования: {day}")
        )
    else:
        lines.append((FONT, "Шайлоо белгиленген эмес / Выборы не назначены"))
    if public:
        lines[0] = (
            FONT_BOLD,
            lines[0][1] + " (ачык нуска, ПИН жашырылган / публичная версия, ПИН скрыт)",
        )
    return lines


def _write_pdf(
    rows: list[ListRow],
    path: Path,
    station: PollingStation,
    election: Election | None,
    public: bool,
) -> None:
    register_fonts()
    page_w, page_h = landscape(A4)
    columns = _columns(public)
    heading = _heading(station, election, public)
    top_of_table = page_h - _MARGIN - _HEADER_LINES * _LINE - 8
    per_page = int((top_of_table - _HEAD_ROW - _MARGIN - 18) // _ROW)
    pages = max(1, math.ceil(len(rows) / per_page))
    printed = timezone.localtime().strftime("%d.%m.%Y %H:%M")
    canvas = Canvas(str(path), pagesize=(page_w, page_h), pageCompression=1)
    canvas.setTitle(f"Список избирателей, участок № {station.number}")
    canvas.setAuthor("Shailoo")
    for page in range(pages):
        chunk = rows[page * per_page : (page + 1) * per_page]
        _draw_page(canvas, page_w, page_h, heading, columns, chunk, top_of_table)
        canvas.setFont(FONT, 8)
        canvas.drawString(_MARGIN, _MARGIN - 10, f"{printed}")
        canvas.drawRightString(
            page_w - _MARGIN,
            _MARGIN - 10,
            f"Бет {page + 1} / {pages} · Страница {page + 1} из {pages}",
        )
        if not rows:
            canvas.setFont(FONT, 10)
            canvas.drawString(_MARGIN, top_of_table - _HEAD_ROW - _ROW, "Тизме бош / Список пуст")
        canvas.showPage()
    canvas.save()


def _draw_page(
    canvas: Canvas,
    page_w: float,
    page_h: float,
    heading: list[tuple[str, str]],
    columns: list[_Column],
    rows: list[ListRow],
    top: float,
) -> None:
    y = page_h - _MARGIN - 4
    for i, (font, text) in enumerate(heading):
        canvas.setFont(font, 12 if i == 0 else 9.5)
        canvas.drawString(_MARGIN, y, _fit(text, page_w - 2 * _MARGIN, font, 12 if i == 0 else 9.5))
        y -= _LINE
    width = sum(c.width for c in columns)
    # header row: grey band, Kyrgyz above Russian
    canvas.setFillGray(0.9)
    canvas.rect(_MARGIN, top - _HEAD_ROW, width, _HEAD_ROW, stroke=0, fill=1)
    canvas.setFillGray(0)
    canvas.setFont(FONT_BOLD, 7.5)
    x = _MARGIN
    for column in columns:
        canvas.drawString(x + 2, top - 10, _fit(column.ky, column.width - 4, FONT_BOLD, 7.5))
        if column.ru != column.ky:
            canvas.drawString(x + 2, top - 20, _fit(column.ru, column.width - 4, FONT_BOLD, 7.5))
        x += column.width
    # body rows
    canvas.setFont(FONT, _BODY_SIZE)
    y = top - _HEAD_ROW
    for row in rows:
        cells = (
            str(row.number),
            row.pin,
            row.surname,
            row.given_name,
            row.patronymic,
            row.birth,
            row.address,
        )
        x = _MARGIN
        baseline = y - _ROW + 4
        for column, cell in zip(columns, cells, strict=False):
            canvas.drawString(x + 2, baseline, _fit(cell, column.width - 4, FONT, _BODY_SIZE))
            x += column.width
        y -= _ROW
    # grid
    canvas.setLineWidth(0.3)
    bottom = y
    x = _MARGIN
    for column in columns:
        canvas.line(x, top, x, bottom)
        x += column.width
    canvas.line(x, top, x, bottom)
    canvas.line(_MARGIN, top, _MARGIN + width, top)
    line_y = top - _HEAD_ROW
    while line_y >= bottom - 0.01:
        canvas.line(_MARGIN, line_y, _MARGIN + width, line_y)
        line_y -= _ROW


def iter_csv_lines(rows: list[ListRow], public: bool) -> Iterator[list[str]]:
    """The CSV lines of ``rows``, header first (for streamed downloads).

    Cells as data: write them with :mod:`shailoo.common.csvout`, which neutralises a name or
    an address that a spreadsheet would run as a formula.
    """
    yield list(CSV_COLUMNS_PUBLIC if public else CSV_COLUMNS)
    for r in rows:
        yield [str(r.number), r.pin, r.surname, r.given_name, r.patronymic, r.birth, r.address]
