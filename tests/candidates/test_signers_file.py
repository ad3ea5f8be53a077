"""The signer-list reader: good rows become columns, bad rows are kept, located and counted.

Every malformed row — a bad PIN, a date that is no date or lies ahead, a missing name, broken
CSV, bytes that are not UTF-8 — is one MALFORMED signature with its line, and the rows around
it are read as if it were not there.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.candidates.signers_file import (
    COLUMNS,
    MAX_PROBLEMS,
    PROBLEM_NOT_KEPT,
    SignersBuilder,
    key_hash,
    key_hashes,
    name_hash,
    read_signers,
)
from shailoo.common.csvsource import HeaderError
from shailoo.common.problems import Problem
from shailoo.register.names import name_key

TODAY = date(2025, 7, 20)
PIN = sx.format_pin("M", date(1980, 5, 17), 42)
GOOD = ["1", "1", "C-1", PIN, "Маматов", "Асан", "Бакытович", "2025-06-10"]


def text(rows: list[list[str]], header: tuple[str, ...] | list[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def read(tmp_path: Path, data: bytes, name: str = "sheets.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return read_signers(path, TODAY)


def row(**changes: str) -> list[str]:
    cells = dict(zip(COLUMNS, GOOD, strict=True))
    cells.update(changes)
    return [cells[column] for column in COLUMNS]


def test_a_good_list_becomes_columns(tmp_path: Path) -> None:
    rows = [
        GOOD,
        row(sheet="2", line="7", collector="C-2", surname="Mamatov", signed_on="2025-07-20"),
        row(sheet="3", collector="C-1", patronymic=""),
    ]
    signers = read(tmp_path, text(rows))
    assert len(signers) == 3
    assert signers.file_line.tolist() == [2, 3, 4]
    assert signers.sheet.tolist() == [1, 2, 3]
    assert signers.line.tolist() == [1, 7, 1]
    assert [signers.collectors[i] for i in signers.collector] == ["C-1", "C-2", "C-1"]
    assert signers.pin.tolist() == [int(PIN)] * 3
    assert signers.signed_on.tolist() == [
        date(2025, 6, 10).toordinal(),
        TODAY.toordinal(),  # today itself is no future date
        date(2025, 6, 10).toordinal(),
    ]
    assert signers.malformed.tolist() == [False] * 3
    assert signers.problems == ()
    # The written name is kept as the hash of the register's key: Cyrillic and Latin meet.
    register_key = key_hash(name_key("Маматов", "Асан", "Бакытович"))
    assert signers.name_hash.tolist()[:2] == [register_key, register_key]
    assert signers.name_hash[2] == name_hash("Маматов", "Асан") != register_key
    assert signers.source == "sheets.csv"
    for column in (signers.pin, signers.sheet, signers.name_hash, signers.problem):
        assert isinstance(column, np.ndarray)
    assert signers.nbytes == 3 * (4 + 4 + 4 + 4 + 8 + 4 + 8 + 4)


def test_the_columns_may_come_in_any_order(tmp_path: Path) -> None:
    order = list(reversed(COLUMNS))
    data = text([list(reversed(GOOD))], header=order)
    signers = read(tmp_path, data)
    assert (signers.sheet[0], signers.pin[0], signers.malformed[0]) == (1, int(PIN), False)


def test_key_hashes_match_one_by_one() -> None:
    keys = ["mamatov asan bakitovich", "", "omurov"]
    assert key_hashes(keys).tolist() == [key_hash(k) for k in keys]
    assert key_hashes([]).dtype == np.uint64


@pytest.mark.parametrize(
    "header",
    [
        ["sheet", "line", "collector", "pin", "surname", "given_name", "signed_on"],
        [*COLUMNS, "comment"],
        ["sheet", "line", "collector", "pin", "surname", "given_name", "patronymic", "date"],
    ],
    ids=["a column missing", "a column too many", "a column misnamed"],
)
def test_a_wrong_header_refuses_the_file_at_line_1(tmp_path: Path, header: list[str]) -> None:
    with pytest.raises(HeaderError) as refused:
        read(tmp_path, text([GOOD], header=header))
    (problem,) = refused.value.problems
    assert (problem.line, problem.source) == (1, str(tmp_path / "sheets.csv"))
    assert "column" in problem.why


def test_a_header_in_another_encoding_is_refused(tmp_path: Path) -> None:
    data = "фамилия,pin\n".encode("cp1251")
    with pytest.raises(HeaderError, match="header"):
        read(tmp_path, data)


def _only_problem(tmp_path: Path, bad: list[str] | bytes) -> Problem:
    """Read GOOD, the bad row, GOOD: the bad row is the one malformed, at line 3."""
    if isinstance(bad, bytes):
        lines = text([GOOD]).splitlines(keepends=True)
        data = b"".join([*lines, bad, lines[1]])
    else:
        data = text([GOOD, bad, GOOD])
    signers = read(tmp_path, data)
    assert len(signers) == 3
    assert signers.malformed.tolist() == [False, True, False]
    # a cell holding a line end is quoted and spans lines: the next row starts that much later
    spanned = bad.count(b"\n") - 1 if isinstance(bad, bytes) else sum(c.count("\n") for c in bad)
    assert signers.file_line.tolist() == [2, 3, 4 + max(spanned, 0)]
    assert signers.pin[0] == signers.pin[2] == int(PIN)
    problems = signers.row_problems(1)
    assert problems and all(p.line == 3 and p.source == "sheets.csv" for p in problems)
    assert not any(re.search(r"\d{14}", str(p)) for p in signers.problems)  # no PIN in clear
    return problems[0]


@pytest.mark.parametrize(
    ("bad", "where", "why"),
    [
        ("NaN", "signed_on", "YYYY-MM-DD"),
        ("", "signed_on", "YYYY-MM-DD"),
        ("2025-02-30", "signed_on", "not a date"),
        ("20250610", "signed_on", "YYYY-MM-DD"),
        ("2025-6-10", "signed_on", "YYYY-MM-DD"),
        ("10.06.2025", "signed_on", "YYYY-MM-DD"),
        ("２０２５-06-10", "signed_on", "YYYY-MM-DD"),
        ("2025-07-21", "signed_on", "after today"),
    ],
)
def test_a_bad_signing_date_is_located(tmp_path: Path, bad: str, where: str, why: str) -> None:
    problem = _only_problem(tmp_path, row(signed_on=bad))
    assert problem.where == where and why in problem.why


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sx.malformed_pins)
def test_a_malformed_pin_is_located(tmp_path: Path, bad: str) -> None:
    if bad.strip() != bad:  # surrounding spaces are trimmed, like any cell's
        bad = f"x{bad}"
    problem = _only_problem(tmp_path, row(pin=bad))
    assert problem.where == "pin"


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"surname": ""}, "surname"),
        ({"given_name": "  "}, "given_name"),
        ({"surname": "Маматов2"}, "surname"),
        ({"given_name": "<b>Асан</b>"}, "given_name"),
        ({"patronymic": "=HYPERLINK(1)"}, "patronymic"),
        ({"surname": "М" * 101}, "surname"),
        ({"sheet": "0"}, "sheet"),
        ({"sheet": "-1"}, "sheet"),
        ({"line": "1.5"}, "line"),
        ({"line": "1234567890"}, "line"),
        ({"line": "٣"}, "line"),
        ({"collector": ""}, "collector"),
        ({"collector": "C\x01"}, "collector"),
        ({"collector": "C" * 41}, "collector"),
    ],
)
def test_a_bad_cell_is_located(tmp_path: Path, changes: dict[str, str], where: str) -> None:
    assert _only_problem(tmp_path, row(**changes)).where == where


def test_a_row_keeps_all_its_problems(tmp_path: Path) -> None:
    signers = read(tmp_path, text([row(sheet="x", pin="123", surname="", signed_on="NaN")]))
    assert [p.where for p in signers.row_problems(0)] == ["sheet", "pin", "surname", "signed_on"]
    assert (signers.sheet[0], signers.pin[0], signers.signed_on[0]) == (0, 0, 0)
    assert signers.collectors[signers.collector[0]] == "C-1"  # what could be read is kept


def test_a_row_of_the_wrong_width_is_located(tmp_path: Path) -> None:
    problem = _only_problem(tmp_path, GOOD[:6])
    assert "expected 8 columns, found 6" in problem.why


def test_bad_utf8_is_one_malformed_row(tmp_path: Path) -> None:
    bad = text([row(surname="Маматов")]).splitlines(keepends=True)[1]
    bad = bad.replace("Маматов".encode(), "Маматов".encode("cp1251"))
    problem = _only_problem(tmp_path, bad)
    assert problem.where == "surname" and "UTF-8" in problem.why


def test_an_unclosed_quote_refuses_its_row_and_reading_resumes(tmp_path: Path) -> None:
    bad = f'1,2,C-1,{PIN},"Маматов,Асан,Бакытович,2025-06-10\n'.encode()
    problem = _only_problem(tmp_path, bad)
    assert "not closed" in problem.why and problem.where == "surname"


def test_blank_lines_are_not_signatures(tmp_path: Path) -> None:
    lines = text([GOOD, GOOD]).splitlines(keepends=True)
    signers = read(tmp_path, b"".join([lines[0], lines[1], b"\n", lines[2]]))
    assert signers.file_line.tolist() == [2, 4]


def test_problems_past_the_limit_keep_their_row_and_line() -> None:
    builder = SignersBuilder(TODAY, "big.csv")
    for line in range(2, MAX_PROBLEMS + 4):
        builder.add(line, row(signed_on="NaN"))
    signers = builder.build()
    assert len(signers.problems) == MAX_PROBLEMS
    assert signers.problem[-1] == PROBLEM_NOT_KEPT
    assert bool(signers.malformed.all())
    assert signers.file_line[-1] == MAX_PROBLEMS + 3


VALID_FILE = text([GOOD, row(sheet="2"), row(sheet="3"), row(sheet="4")])


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sx.mutated_csv_row(VALID_FILE))
def test_a_damaged_row_never_disturbs_the_others(
    tmp_path: Path, damaged: tuple[int, bytes]
) -> None:
    index, data = damaged
    signers = read(tmp_path, data)
    lines = VALID_FILE.splitlines(keepends=True)
    before, after = b"".join(lines[:index]), b"".join(lines[index + 1 :])
    replaced = data[len(before) : len(data) - len(after)]
    # Physical lines the damaged line now takes, when the lines after it still start a line.
    taken = replaced.count(b"\n") if replaced.endswith(b"\n") or not replaced else None
    read_at = dict(zip(signers.file_line.tolist(), range(len(signers)), strict=True))
    for intact in range(1, len(lines)):
        if intact == index or (intact > index and taken is None):
            continue
        if intact < index:
            number = intact + 1
        else:
            assert taken is not None
            number = intact + taken
        at = read_at[number]
        assert not signers.malformed[at], signers.row_problems(at)
        assert (signers.sheet[at], signers.pin[at]) == (intact, int(PIN))
    for at in np.flatnonzero(signers.malformed):
        problems = signers.row_problems(int(at))
        assert problems and all(p.line == signers.file_line[at] >= 2 for p in problems)


@given(st.text(max_size=30), st.text(max_size=30), st.text(max_size=30))
def test_any_cells_are_read_or_located_never_raised(surname: str, given: str, patr: str) -> None:
    builder = SignersBuilder(TODAY)
    builder.add(2, row(surname=surname, given_name=given, patronymic=patr))
    signers = builder.build()
    assert len(signers) == 1
    if signers.malformed[0]:
        assert {p.where for p in signers.row_problems(0)} <= {"surname", "given_name", "patronymic"}
    else:
        assert signers.name_hash[0] == name_hash(surname.strip(), given.strip(), patr.strip())
