"""Precinct lists: who is on them, Kyrgyz order, CSV and PDF content, speed, bad input."""

from __future__ import annotations

import csv
import datetime
import time
from pathlib import Path

import pypdfium2 as pdfium
import pytest

import factories as f
from shailoo.common.pdf_fonts import FontMissing, font_files
from shailoo.register.lists import (
    StationNotFound,
    kyrgyz_sort_key,
    precinct_rows,
    write_precinct_list,
)
from shailoo.register.models import Person
from shailoo.register.names import name_key, transliterate
from shailoo.register.pin import build_pin, mask_pin

pytestmark = pytest.mark.django_db


def pdf_text(path: Path) -> str:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in pdf)
    finally:
        pdf.close()


@pytest.fixture
def precinct():
    f.election()
    home = f.station(101)
    remote = f.station(901, is_remote_voting=True)
    voters = {
        "Өмүрова": f.person(home, surname="Өмүрова", given_name="Айгүл"),
        "Орозов": f.person(home, surname="Орозов", given_name="Нурлан", sex="M"),
        "Ясинов": f.person(home, surname="Ясинов", given_name="Бакыт", sex="M"),
        "Абдыкадыров": f.person(home, surname="Абдыкадыров", given_name="Үмүт", sex="M"),
    }
    away = f.person(home, surname="Жумабаев", given_name="Эрлан", sex="M", remote_station=remote)
    f.person(home, surname="Кожоев", given_name="Улан", sex="M", eligible=False)
    return home, remote, voters, away


def test_list_holds_eligible_voters_of_the_station_in_kyrgyz_order(precinct) -> None:
    home, remote, _, away = precinct
    rows = precinct_rows(home)
    # Абдыкадыров, Орозов, Өмүрова (ө after о), Ясинов; no ineligible, no remote voter
    assert [r.surname for r in rows] == ["Абдыкадыров", "Орозов", "Өмүрова", "Ясинов"]
    assert [r.number for r in rows] == [1, 2, 3, 4]
    assert [r.surname for r in precinct_rows(remote)] == [away.surname]


def test_kyrgyz_sort_key_puts_kyrgyz_letters_after_their_russian_neighbours() -> None:
    words = ["үй", "уй", "фа", "өз", "оз", "па", "ңа", "на", "оа"]
    assert sorted(words, key=kyrgyz_sort_key) == [
        "на", "ңа", "оа", "оз", "өз", "па", "уй", "үй", "фа",
    ]  # fmt: skip


def test_csv_has_header_all_columns_and_full_pins(precinct, tmp_path: Path) -> None:
    home, _, voters, _ = precinct
    out = tmp_path / "list.csv"
    assert write_precinct_list(home.number, out) == 4
    with out.open(encoding="utf-8", newline="") as fh:
        lines = list(csv.reader(fh))
    assert lines[0] == [
        "no", "pin", "surname", "given_name", "patronymic", "birth_date", "address",
    ]  # fmt: skip
    omurova = voters["Өмүрова"]
    assert lines[3] == [
        "3",
        omurova.pin,
        "Өмүрова",
        "Айгүл",
        "Талантовна",
        omurova.birth_date.strftime("%d.%m.%Y"),
        omurova.address,
    ]


def test_public_csv_masks_pins_and_shows_birth_year_only(precinct, tmp_path: Path) -> None:
    home, _, voters, _ = precinct
    out = tmp_path / "public.csv"
    write_precinct_list(home.number, out, public=True)
    text = out.read_text(encoding="utf-8")
    for person in voters.values():
        assert person.pin not in text
        assert mask_pin(person.pin) in text
        assert person.birth_date.strftime("%d.%m.%Y") not in text
    assert text.splitlines()[0].split(",")[5] == "birth_year"
    assert ",1990," in text


def test_pdf_is_a_pdf_with_kyrgyz_and_russian_text(precinct, tmp_path: Path) -> None:
    home, _, voters, _ = precinct
    out = tmp_path / "list.pdf"
    assert write_precinct_list(home.number, out, fmt="pdf") == 4
    assert out.read_bytes().startswith(b"%PDF")
    text = pdf_text(out)
    assert "Шайлоочулардын тизмеси" in text
    assert "Туулган күнү" in text
    assert "Список избирателей" in text
    assert "Өмүрова" in text and "Айгүл" in text
    assert f"№ {home.number}" in text
    assert voters["Ясинов"].pin in text
    assert "Страница 1 из 1" in text


def test_public_pdf_has_no_full_pin(precinct, tmp_path: Path) -> None:
    home, _, voters, _ = precinct
    out = tmp_path / "public.pdf"
    write_precinct_list(home.number, out, fmt="pdf", public=True)
    text = pdf_text(out)
    for person in voters.values():
        assert person.pin not in text
        assert mask_pin(person.pin) in text
    assert "Туулган жылы" in text


def test_empty_list_still_renders_a_page(tmp_path: Path) -> None:
    f.election()
    station = f.station(55)
    out = tmp_path / "empty.pdf"
    assert write_precinct_list(55, out, fmt="pdf") == 0
    assert "Список пуст" in pdf_text(out)
    assert write_precinct_list(station.number, tmp_path / "empty.csv") == 0
    assert (tmp_path / "empty.csv").read_text(encoding="utf-8").count("\n") == 1


def test_unknown_station_and_format_are_refused_without_a_file(tmp_path: Path) -> None:
    f.station(7)
    with pytest.raises(StationNotFound, match="№404"):
        write_precinct_list(404, tmp_path / "x.csv")
    with pytest.raises(ValueError, match="csv, pdf"):
        write_precinct_list(7, tmp_path / "x.xlsx", fmt="xlsx")
    assert list(tmp_path.iterdir()) == []


def test_3000_voters_render_to_pdf_in_seconds_with_repeated_headers(tmp_path: Path) -> None:
    f.election()
    station = f.station(3000)
    surnames = ["Өмүрова", "Үсөнов", "Ңайзабеков", "Иванова", "Токтогулов"]
    people = []
    for i in range(3000):
        surname = surnames[i % len(surnames)]
        born = datetime.date(1950 + i % 50, 1 + i % 12, 1 + i % 28)
        sex = "F" if surname.endswith("а") else "M"
        people.append(
            Person(
                pin=build_pin(sex, born, 50000 + i),
                surname=surname,
                given_name=f"Аты{i}",
                patronymic="",
                name_key=name_key(surname, f"Аты{i}"),
                name_latin=transliterate(surname),
                sex=sex,
                birth_date=born,
                citizenship="KG",
                address=f"Ош ш., Ленин көч., {i} — узун дарек " * 3,
                dwelling_id=f"DW{i}",
                station=station,
                eligible=True,
                biometric_registered=True,
                row_hash="0" * 32,
            )
        )
    Person.objects.bulk_create(people, batch_size=1000)
    out = tmp_path / "big.pdf"
    started = time.perf_counter()
    assert write_precinct_list(3000, out, fmt="pdf") == 3000
    elapsed = time.perf_counter() - started
    assert elapsed < 5.0, f"3,000 rows took {elapsed:.1f}s"
    pdf = pdfium.PdfDocument(str(out))
    try:
        pages = len(pdf)
        assert pages > 50
        last = pdf[pages - 1].get_textpage().get_text_range()
        assert "Фамилия" in last  # the column header repeats on every page
        assert f"Страница {pages} из {pages}" in last
    finally:
        pdf.close()


def test_missing_font_package_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from shailoo.common import pdf_fonts as lists

    assert font_files()[0].is_file()
    monkeypatch.setattr(lists, "FONT_PACKAGES", (("no_such_font_package", "a.ttf", "b.ttf"),))
    with pytest.raises(FontMissing, match="no-such-font-package"):
        lists.font_files()


def test_csv_neutralises_cells_a_spreadsheet_would_run(tmp_path: Path) -> None:
    f.election()
    home = f.station(7001)
    f.person(home, surname='=HYPERLINK("http://evil","x")', address="-2+3+cmd|' /C calc'!A0")
    out = tmp_path / "list.csv"
    assert write_precinct_list(home.number, out) == 1
    text = out.read_text(encoding="utf-8")
    assert '"\'=HYPERLINK(""http://evil"",""x"")"' in text
    with out.open(encoding="utf-8", newline="") as fh:
        _header, row = list(csv.reader(fh))
    assert row[0] == "1" and row[2].startswith("'=") and row[6] == "'-2+3+cmd|' /C calc'!A0"
