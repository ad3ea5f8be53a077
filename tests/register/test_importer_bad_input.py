"""The register import on hostile input: nothing lost without a word, nothing injected.

Synthetic extracts (``shailoo.synth``) damaged the way an outsider's file is: a quote left
open, markup and formulas for names, a rejects file meant to be opened in a spreadsheet.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from shailoo.register.importer import RegisterImporter
from shailoo.register.models import ImportRun, Person

pytestmark = pytest.mark.django_db


def _lines(world, rows: int) -> list[bytes]:
    return world.population_csv.read_bytes().splitlines(keepends=True)[: rows + 1]


def _open_quote_at_end(line: bytes) -> bytes:
    head, last = line.rsplit(b",", 1)
    return head + b',"' + last


def _pins(lines: list[bytes]) -> set[str]:
    return {line.split(b",", 1)[0].decode() for line in lines[1:]}


def _rejects(path: Path) -> dict[int, dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {int(row["line"]): row for row in csv.DictReader(fh)}


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "worker"])
def test_an_open_quote_refuses_exactly_its_row_and_every_other_row_is_stored(
    world, parallel: bool
) -> None:
    lines = _lines(world, 1000)
    broken = lines[500]  # line 501
    lines[500] = _open_quote_at_end(broken)
    path = world.tmp / "open-quote.csv"
    path.write_bytes(b"".join(lines))
    rejects = world.tmp / "open-quote-rejects.csv"
    summary = RegisterImporter(path, batch_size=97, parallel=parallel).run(rejects)
    assert (summary.read, summary.accepted, summary.rejected) == (1000, 999, 1)
    assert (summary.lines, summary.other) == (1001, 0)
    assert "1001 lines: 1 header, 1000 rows read, 0 blank or continuation" in summary.line()
    assert set(Person.objects.values_list("pin", flat=True)) == _pins(lines) - _pins([b"", broken])
    (reject,) = _rejects(rejects).values()
    assert (reject["line"], reject["field"]) == ("501", "station")
    assert "not closed" in reject["reason"] and "resumes on line 502" in reject["reason"]


def test_the_summary_accounts_for_blank_and_continuation_lines_also_after_a_resume(
    world,
) -> None:
    lines = _lines(world, 600)
    lines[100] = lines[100].replace(b", \xd0\xb4. ", b",\n\xd0\xb4. ", 1)  # an address on 2 lines
    lines[400] = b"\n" + lines[400]
    lines[450] = _open_quote_at_end(lines[450])
    path = world.tmp / "resume.csv"
    path.write_bytes(b"".join(lines))
    physical = path.read_bytes().count(b"\n")

    class Crash(Exception):
        pass

    def crash(line: int) -> None:
        if line > 300:
            raise Crash

    with pytest.raises(Crash):
        RegisterImporter(path, batch_size=50, after_batch=crash).run()
    summary = RegisterImporter(path, batch_size=50).run()
    assert summary.resumed_from_line is not None
    assert (summary.read, summary.rejected, summary.lines) == (600, 1, physical)
    assert summary.lines == 1 + summary.read + summary.other and summary.other == 2
    assert summary.accepted + summary.rejected == summary.read
    assert Person.objects.count() == 599


HOSTILE_NAMES = [
    ("surname", '=HYPERLINK("http://evil.example","Асанов")'),
    ("surname", "<script>alert(1)</script>"),
    ("given_name", "Асан<b>"),
    ("given_name", "@SUM(1+1)"),
    ("patronymic", "+Бакытович"),
    ("patronymic", "-Бакытович"),
    ("surname", "Асанов1"),
    ("given_name", "Асан\tбек"),
    ("surname", "Асанов;DROP"),
]


def test_names_with_markup_formula_or_digits_are_refused_with_their_field(world) -> None:
    with world.population_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))[: len(HOSTILE_NAMES) + 5]
    fieldnames = list(rows[0])
    for row, (field, name) in zip(rows, HOSTILE_NAMES, strict=False):
        row[field] = name
    real = rows[len(HOSTILE_NAMES) :]
    real[0]["surname"], real[0]["given_name"] = "Салтыков-Щедрин", "Gʻulom"  # real names pass
    real[1]["surname"], real[1]["patronymic"] = "Д'Артаньян", "Асанбек уулу"
    real[2]["surname"] = "Oмypoв"  # Latin look-alike letters typed in a Cyrillic name
    path = world.tmp / "names.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fieldnames)
        writer.writeheader()
        writer.writerows(rows)
    rejects = world.tmp / "names-rejects.csv"
    summary = RegisterImporter(path).run(rejects)
    assert (summary.accepted, summary.rejected) == (5, len(HOSTILE_NAMES))
    found = _rejects(rejects)
    assert [(found[i + 2]["field"]) for i in range(len(HOSTILE_NAMES))] == [
        field for field, _ in HOSTILE_NAMES
    ]
    assert "not allowed in a name" in found[8]["reason"]
    assert "begin with" in found[2]["reason"]
    assert not Person.objects.filter(surname__contains="<").exists()


def test_the_rejects_file_neutralises_cells_a_spreadsheet_would_run(world) -> None:
    lines = _lines(world, 3)
    lines.append(b"=cmd|' /C calc'!A0\n")  # line 5: a formula as the whole row
    lines.append(b"@SUM(1+1),x\n")  # line 6
    path = world.tmp / "formula.csv"
    path.write_bytes(b"".join(lines))
    rejects = world.tmp / "formula-rejects.csv"
    RegisterImporter(path).run(rejects)
    text = rejects.read_text(encoding="utf-8")
    assert "\"'=cmd|' /C calc'!A0\"" in text and '"\'@SUM(1+1),x"' in text
    found = _rejects(rejects)
    assert {found[5]["row"], found[6]["row"]} == {"'=cmd|' /C calc'!A0", "'@SUM(1+1),x"}


def test_the_command_prints_a_summary_that_accounts_for_every_line(world, monkeypatch) -> None:
    from shailoo.cli import app

    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    lines = _lines(world, 20)
    lines[10] = _open_quote_at_end(lines[10])
    path = world.tmp / "cli.csv"
    path.write_bytes(b"".join(lines))
    result = CliRunner().invoke(app, ["register", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "read 20, accepted 19" in result.output and "rejected 1" in result.output
    assert "21 lines: 1 header, 20 rows read, 0 blank or continuation" in result.output
    assert ImportRun.objects.get().rejected == 1


def test_digits_that_are_not_ascii_are_refused_not_a_crash(world) -> None:
    lines = _lines(world, 3)
    head, _ = lines[2].rsplit(b",", 1)
    lines[2] = head + ",²\n".encode()  # str.isdigit() says yes, int() says no
    path = world.tmp / "superscript.csv"
    path.write_bytes(b"".join(lines))
    rejects = world.tmp / "superscript-rejects.csv"
    summary = RegisterImporter(path).run(rejects)
    assert (summary.accepted, summary.rejected) == (2, 1)
    assert _rejects(rejects)[3]["field"] == "station"
