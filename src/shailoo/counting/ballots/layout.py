"""The ballot sheet layout: one model that both the printer and the reader use.

Everything on a sheet sits on a grid whose unit is the pitch of the timing marks printed around
the edge (a quarter inch). The reader finds those marks, fits the grid to the image and then
knows where every oval is, so printing and reading can never disagree about a position.

Geometry rules (all lengths in PDF points, origin at the top-left corner, y downwards):

* The sheet is A4 portrait (31 x 44 timing marks). Contests flow down one column; when they do
  not fit, down two, then three columns. When even three columns do not fit, the sheet grows by
  whole grid rows beyond A4 (a "long ballot", as printers cut from roll paper) up to
  :data:`MAX_ROWS` rows, about twice A4; a definition needing more is refused with
  :class:`LayoutError` rather than printed unreadably small.
* Timing marks are solid rectangles at every grid position of the frame's perimeter. Marks on
  the left edge are twice as wide as those on the right edge, so the sheet's orientation is
  known from a whole edge of marks (not from one corner that could be torn off).
* The QR code sits at the top right, in grid cells 23..27 x 1..5: two units in from the
  right edge, so that a torn-off corner (three to four centimetres) leaves it whole.
* Each option has one oval centred on a grid point, two grid rows per option.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from shailoo.common.refusals import InvalidInput
from shailoo.counting.definition import Contest, ElectionDefinition

#: Pitch of the timing marks, points (a quarter inch).
UNIT = 18.0
PAGE_WIDTH = 595.276  # A4
A4_HEIGHT = 841.890
COLUMNS = 31  # timing-mark columns 0..30
A4_ROWS = 44  # timing-mark rows 0..43 on an A4 sheet
MAX_ROWS = 88
ORIGIN_X = (PAGE_WIDTH - (COLUMNS - 1) * UNIT) / 2
ORIGIN_Y = (A4_HEIGHT - (A4_ROWS - 1) * UNIT) / 2

#: Mark sizes (width, height) in points by edge; the left/right difference gives orientation.
MARK_SIZE: dict[str, tuple[float, float]] = {
    "top": (9.0, 5.0),
    "bottom": (9.0, 5.0),
    "left": (12.0, 7.0),
    "right": (6.0, 7.0),
}
OVAL_WIDTH = 16.0
OVAL_HEIGHT = 11.0
OVAL_STROKE = 0.8

#: QR code square: top-left grid point and side in grid units.
QR_COL = 23.0
QR_ROW = 1.0
QR_SIDE = 4.0

HEADER_WIDTH = (QR_COL - 1.6) * UNIT  # heading text stops short of the QR code
HEADER_ROWS = 6  # grid rows 1..5 hold the heading and the QR code
CONTEST_HEAD = 3  # rows of a contest block before its first option (title, instruction)
OPTION_ROWS = 2  # rows per option
CONTEST_GAP = 1

Edge = Literal["top", "bottom", "left", "right"]


class LayoutError(InvalidInput):
    """The contests of a ballot style cannot be set on a readable sheet."""

    default_code = "layout_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


@dataclass(frozen=True, slots=True)
class TimingMark:
    """One solid rectangle of the frame; ``col``/``row`` are its grid position."""

    col: int
    row: int
    edge: Edge
    width: float
    height: float


@dataclass(frozen=True, slots=True)
class OvalSlot:
    """Where one option's oval is, in grid units (centre)."""

    contest_id: str
    option_id: str
    col: float
    row: float


@dataclass(frozen=True, slots=True)
class TextItem:
    """A line of text: left baseline point (grid units), width available (points), style."""

    col: float
    row: float
    max_width: float
    text: str
    size: float
    bold: bool = False


@dataclass(frozen=True, slots=True)
class ContestBlock:
    """The grid box a contest occupies (inclusive top-left, exclusive bottom-right)."""

    contest_id: str
    col0: float
    row0: float
    col1: float
    row1: float


@dataclass(frozen=True, slots=True)
class SheetLayout:
    """Everything needed to print or read one ballot style."""

    election_id: str
    style_id: str
    columns: int
    rows: int
    page_width: float
    page_height: float
    marks: tuple[TimingMark, ...]
    ovals: tuple[OvalSlot, ...]
    blocks: tuple[ContestBlock, ...]
    texts: tuple[TextItem, ...]
    #: Grid point where the station line of the heading starts (the renderer writes it).
    station_text: tuple[float, float]

    def point(self, col: float, row: float) -> tuple[float, float]:
        """Page coordinates (points, y down) of a grid point."""
        return ORIGIN_X + col * UNIT, ORIGIN_Y + row * UNIT

    @property
    def qr_box(self) -> tuple[float, float, float, float]:
        """QR square in page points: x0, y0, x1, y1."""
        x0, y0 = self.point(QR_COL, QR_ROW)
        return x0, y0, x0 + QR_SIDE * UNIT, y0 + QR_SIDE * UNIT

    def contest_ovals(self, contest_id: str) -> tuple[OvalSlot, ...]:
        return tuple(o for o in self.ovals if o.contest_id == contest_id)

    def block(self, contest_id: str) -> ContestBlock:
        for block in self.blocks:
            if block.contest_id == contest_id:
                return block
        raise KeyError(contest_id)


def frame_marks(rows: int) -> tuple[TimingMark, ...]:
    """Every mark of the frame, corners counted once (on the left/right edges)."""
    marks: list[TimingMark] = []
    for row in range(rows):
        for col, edge in ((0, "left"), (COLUMNS - 1, "right")):
            w, h = MARK_SIZE[edge]
            marks.append(TimingMark(col, row, edge, w, h))  # type: ignore[arg-type]
    for col in range(1, COLUMNS - 1):
        for row, edge in ((0, "top"), (rows - 1, "bottom")):
            w, h = MARK_SIZE[edge]
            marks.append(TimingMark(col, row, edge, w, h))  # type: ignore[arg-type]
    return tuple(marks)


def _contest_height(contest: Contest) -> int:
    return CONTEST_HEAD + OPTION_ROWS * len(contest.options)


def _flow(heights: list[int], n_columns: int, rows: int) -> list[tuple[int, int]] | None:
    """Greedy placement of blocks (column index, first row) in order, or None if they overflow."""
    first, last = HEADER_ROWS, rows - 2  # usable rows, inclusive
    placed: list[tuple[int, int]] = []
    column, row = 0, first
    for height in heights:
        if row + height - 1 > last and row > first:
            column, row = column + 1, first
        if column >= n_columns or row + height - 1 > last:
            return None
        placed.append((column, row))
        row += height + CONTEST_GAP
    return placed


def _instruction(contest: Contest) -> tuple[str, str]:
    if contest.votes_allowed == 1:
        return "Бир гана вариантты белгилеңиз", "Отметьте только один вариант"
    n = contest.votes_allowed
    return f"{n} вариантка чейин белгилеңиз", f"Отметьте не более {n} вариантов"


def _bilingual(ky: str, ru: str) -> str:
    return ky if ky == ru else f"{ky} / {ru}"


@cache
def _layout_cached(definition: ElectionDefinition, style_id: str) -> SheetLayout:
    contests = definition.style_contests(style_id)
    heights = [_contest_height(c) for c in contests]
    chosen: tuple[int, int, list[tuple[int, int]]] | None = None
    for n_columns in (1, 2, 3):
        placed = _flow(heights, n_columns, A4_ROWS)
        if placed is not None:
            chosen = (n_columns, A4_ROWS, placed)
            break
    if chosen is None:
        for rows in range(A4_ROWS + 1, MAX_ROWS + 1):
            placed = _flow(heights, 3, rows)
            if placed is not None:
                chosen = (3, rows, placed)
                break
    if chosen is None:
        raise LayoutError(
            f"ballot style {style_id!r}: {sum(heights)} grid rows of contests do not fit "
            f"three columns of a {MAX_ROWS}-row sheet; split the style"
        )
    n_columns, rows, placed = chosen
    width = (COLUMNS - 2) // n_columns
    ovals: list[OvalSlot] = []
    blocks: list[ContestBlock] = []
    texts: list[TextItem] = [
        TextItem(1.0, 1.6, HEADER_WIDTH, "ШАЙЛОО БЮЛЛЕТЕНИ / ИЗБИРАТЕЛЬНЫЙ БЮЛЛЕТЕНЬ", 11.0, True),
        TextItem(1.0, 2.6, HEADER_WIDTH, definition.name.ky, 9.0, True),
        TextItem(1.0, 3.4, HEADER_WIDTH, definition.name.ru, 9.0, True),
        TextItem(
            1.0, 4.2, HEADER_WIDTH, f"{definition.election_date.isoformat()} · {style_id}", 8.0
        ),
    ]
    for contest, (column, row0) in zip(contests, placed, strict=True):
        col0 = 1.0 + column * width
        col1 = col0 + width
        row1 = row0 + _contest_height(contest)
        blocks.append(ContestBlock(contest.id, col0, float(row0), col1, float(row1)))
        text_width = (width - 0.6) * UNIT
        ky_rule, ru_rule = _instruction(contest)
        texts.append(TextItem(col0 + 0.2, row0 + 0.65, text_width, contest.title.ky, 9.0, True))
        texts.append(TextItem(col0 + 0.2, row0 + 1.3, text_width, contest.title.ru, 9.0, True))
        texts.append(TextItem(col0 + 0.2, row0 + 1.9, text_width, ky_rule, 6.5))
        texts.append(TextItem(col0 + 0.2, row0 + 2.35, text_width, ru_rule, 6.5))
        name_width = (width - 2.4) * UNIT
        for index, option in enumerate(contest.options):
            row = float(row0 + CONTEST_HEAD + OPTION_ROWS * index) + 0.5
            ovals.append(OvalSlot(contest.id, option.id, col0 + 1.0, row))
            lines = [(option.name.ky, 9.0, True)]
            if option.name.ru != option.name.ky:
                lines.append((option.name.ru, 7.0, False))
            if option.party is not None:
                lines.append((_bilingual(option.party.ky, option.party.ru), 6.0, False))
            baselines = (0.15, 0.6, 1.0) if len(lines) > 1 else (0.2,)
            for (text, size, bold), offset in zip(lines, baselines, strict=False):
                texts.append(TextItem(col0 + 2.0, row + offset, name_width, text, size, bold))
    height = 2 * ORIGIN_Y + (rows - 1) * UNIT
    return SheetLayout(
        election_id=definition.election_id,
        style_id=style_id,
        columns=COLUMNS,
        rows=rows,
        page_width=PAGE_WIDTH,
        page_height=height,
        marks=frame_marks(rows),
        ovals=tuple(ovals),
        blocks=tuple(blocks),
        texts=tuple(texts),
        station_text=(1.0, 5.0),
    )


_RECENT: dict[tuple[int, str], tuple[ElectionDefinition, SheetLayout]] = {}


def sheet_layout(definition: ElectionDefinition, style_id: str) -> SheetLayout:
    """The layout of one ballot style (deterministic; cached because it is pure).

    A reader asks for the same layout thousands of times; the identity look-up in front of the
    value cache spares hashing the whole definition each time.
    """
    key = (id(definition), style_id)
    hit = _RECENT.get(key)
    if hit is not None and hit[0] is definition:
        return hit[1]
    definition.style(style_id)  # KeyError for an unknown style, before the cache
    sheet = _layout_cached(definition, style_id)
    if len(_RECENT) >= 64:
        _RECENT.clear()
    _RECENT[key] = (definition, sheet)
    return sheet
