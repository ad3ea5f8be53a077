"""The stated-facts file of ``shailoo candidates explain``: good rows decided, every bad cell
located by column and line while the other rows are still decided, a wrong header refused
before anything is written, repeated refs, and hostile cells neutralised in the output."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.candidates.facts_file import (
    FACT_COLUMNS,
    ExplainSummary,
    FactsRow,
    explain_file,
    read_facts,
)
from shailoo.common.csvout import neutralise
from shailoo.common.csvsource import CsvSource, HeaderError
from shailoo.law.loader import load_edition

LAW = load_edition("kg-2025")
CANDIDATES = LAW.candidates
POLLING_DAY = date(2025, 11, 30)
HEADER = ",".join(FACT_COLUMNS)
#: A president who meets every rule, a deputy with an expunged record (barred in 2025), and a
#: local deputy whose facts are partly unknown.
GOOD_ROWS = [
    "p1,president,1970-05-17,KG,20,passed,higher,none,0",
    "d1,jk_deputy,1990-01-01,KG,5,passed,higher,expunged,",
    "l1,local_deputy,2000-01-01,KG,,,secondary,,",
]
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "facts.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def explain(path: Path, candidates: object = CANDIDATES) -> tuple[list[list[str]], ExplainSummary]:
    out = io.StringIO(newline="")
    summary = explain_file(path, out, candidates, POLLING_DAY, "march_1")
    return list(csv.reader(io.StringIO(out.getvalue()))), summary


def test_good_rows_give_ref_verdict_and_rules(tmp_path: Path) -> None:
    rows, summary = explain(write(tmp_path, *GOOD_ROWS))
    assert rows == [
        ["ref", "verdict", "rules"],
        ["p1", "eligible", ""],
        ["d1", "ineligible", "CRIMINAL_RECORD"],
        ["l1", "undecided", "LANGUAGE;CRIMINAL_RECORD"],
    ]
    assert (summary.eligible, summary.ineligible, summary.undecided, summary.rejected) == (
        1,
        1,
        1,
        0,
    )
    assert summary.problems == []
    assert summary.lines == 1 + summary.decided + summary.rejected + summary.other


def test_failing_codes_come_before_undecided_ones(tmp_path: Path) -> None:
    # too young by one day (the 35th birthday is the day after polling day), language unknown
    rows, _ = explain(write(tmp_path, "x,president,1990-12-01,KG;RU,15,,higher,none,2"))
    assert rows[1] == ["x", "ineligible", "AGE;OTHER_CITIZENSHIP;TERMS"]
    rows, _ = explain(write(tmp_path, "y,president,1990-11-30,KG,15,passed,higher,none,1"))
    assert rows[1] == ["y", "eligible", ""]


def test_stateless_and_unknown_citizenship_differ(tmp_path: Path) -> None:
    rows, summary = explain(
        write(
            tmp_path,
            "s,jk_deputy,1990-01-01,stateless,5,passed,higher,none,",
            "u,jk_deputy,1990-01-01,,5,passed,higher,none,",
            "c,jk_deputy,1990-01-01, kg ; ru ,5,passed,higher,none,",
        )
    )
    assert rows[1:] == [
        ["s", "ineligible", "CITIZENSHIP"],
        ["u", "undecided", "CITIZENSHIP;OTHER_CITIZENSHIP"],
        ["c", "ineligible", "OTHER_CITIZENSHIP"],
    ]
    assert summary.problems == []


def test_a_row_with_nothing_known_is_undecided_not_eligible(tmp_path: Path) -> None:
    rows, _ = explain(write(tmp_path, "empty,president,,,,,,,"))
    assert rows[1] == [
        "empty",
        "undecided",
        "AGE;CITIZENSHIP;OTHER_CITIZENSHIP;RESIDENCE;LANGUAGE;EDUCATION;CRIMINAL_RECORD;TERMS",
    ]


def test_stated_facts_are_the_evidence(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_ROWS[0])
    (row,) = read_facts(CsvSource(path, FACT_COLUMNS), CANDIDATES, POLLING_DAY)
    assert isinstance(row, FactsRow)
    said = row.facts.evidence["citizenships"]
    assert (said.source, said.said, said.reference) == ("stated", "KG", f"{path}:2")
    assert "state_language" in row.facts.evidence
    assert row.rules == CANDIDATES.offices.president


BAD_CELLS = [
    ("ref", ""),
    ("ref", "x" * 65),
    ("office", "mayor"),
    ("office", ""),
    ("office", "President"),
    ("birth_date", "17.05.1970"),
    ("birth_date", "1970-02-30"),
    ("birth_date", "1970-5-17"),
    ("birth_date", "２０００-01-01"),
    ("birth_date", "2030-01-01"),
    ("citizenships", "Kyrgyzstan"),
    ("citizenships", "KG;"),
    ("citizenships", "KG,RU"),
    ("citizenships", "KG;stateless"),
    ("citizenships", "KGZ"),
    ("residence_years", "-1"),
    ("residence_years", "15,5"),
    ("residence_years", "1e2"),
    ("residence_years", "NaN"),
    ("residence_years", "151"),
    ("residence_years", "٣"),
    ("state_language", "yes"),
    ("education", "phd"),
    ("criminal_record", "spent"),
    ("terms_served", "-1"),
    ("terms_served", "1.5"),
    ("terms_served", "100"),
    ("terms_served", "two"),
]


def _row(ref: str = "bad", **cells: str) -> str:
    values = dict(zip(FACT_COLUMNS, GOOD_ROWS[0].split(","), strict=True))
    values.update(ref=ref, **cells)
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([values[c] for c in FACT_COLUMNS])
    return out.getvalue()


@pytest.mark.parametrize(("column", "value"), BAD_CELLS)
def test_a_bad_cell_is_located_and_the_other_rows_are_decided(
    tmp_path: Path, column: str, value: str
) -> None:
    path = write(tmp_path, GOOD_ROWS[0], _row(**{column: value}), GOOD_ROWS[1])
    rows, summary = explain(path)
    assert [r[0] for r in rows[1:]] == ["p1", "d1"]
    assert summary.rejected == 1 and summary.decided == 2
    (problem,) = summary.problems
    assert (problem.where, problem.line, problem.source) == (column, 3, str(path))
    assert str(problem).startswith(f"{path}:3: {column}: ")


def test_every_bad_cell_of_a_row_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, _row(birth_date="1970-13-01", education="phd", terms_served="x"))
    _, summary = explain(path)
    assert [(p.where, p.line) for p in summary.problems] == [
        ("birth_date", 2),
        ("education", 2),
        ("terms_served", 2),
    ]
    assert summary.rejected == 1


def test_an_office_the_edition_does_not_cover_is_located(tmp_path: Path) -> None:
    offices = CANDIDATES.offices.model_copy(update={"local_deputy": None})
    narrower = CANDIDATES.model_copy(update={"offices": offices})
    rows, summary = explain(write(tmp_path, *GOOD_ROWS), narrower)
    assert [r[0] for r in rows[1:]] == ["p1", "d1"]
    (problem,) = summary.problems
    assert (problem.where, problem.line) == ("office", 4)
    assert "local_deputy" in problem.why


def test_a_repeated_ref_is_located_and_the_first_row_stands(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD_ROWS[0],
        "p1,jk_deputy,1990-01-01,KG,5,passed,higher,none,",
        _row(ref="z", office="mayor"),
        _row(ref="z"),
    )
    rows, summary = explain(path)
    assert rows[1:] == [["p1", "eligible", ""]]
    assert [(p.where, p.line) for p in summary.problems] == [("ref", 3), ("office", 4), ("ref", 5)]
    assert "line 2" in summary.problems[0].why and "line 4" in summary.problems[2].why


def test_a_wrong_header_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    for header in (
        "ref,office,birth_date",
        HEADER + ",sex",
        HEADER.replace("citizenships", "citizenship"),
    ):
        out = io.StringIO()
        path = write(tmp_path, *GOOD_ROWS, header=header)
        with pytest.raises(HeaderError) as refused:
            explain_file(path, out, CANDIDATES, POLLING_DAY, "march_1")
        assert out.getvalue() == ""
        (problem,) = refused.value.problems
        assert problem.line == 1


def test_an_empty_file_after_the_header_writes_only_the_header(tmp_path: Path) -> None:
    rows, summary = explain(write(tmp_path))
    assert rows == [["ref", "verdict", "rules"]]
    assert summary.decided == 0 and summary.lines == 1


def test_broken_csv_is_located_and_reading_resumes(tmp_path: Path) -> None:
    path = tmp_path / "broken.csv"
    path.write_bytes(
        (
            HEADER
            + "\n"
            + GOOD_ROWS[0]
            + '\n"open,president,1970-01-01,KG,20,passed,higher,none,0\n'
            + GOOD_ROWS[1]
            + "\nshort,row\n"
            + GOOD_ROWS[2]
            + "\n"
        ).encode()
        + b"bytes,president,1970-01-01,K\xff,20,passed,higher,none,0\n"
    )
    rows, summary = explain(path)
    assert [r[0] for r in rows[1:]] == ["p1", "d1", "l1"]
    assert [p.line for p in summary.problems] == [3, 5, 7]
    assert summary.problems[2].where == "citizenships"
    assert summary.lines == 1 + summary.decided + summary.rejected + summary.other


def test_the_problems_kept_are_bounded_but_every_rejected_row_is_counted(tmp_path: Path) -> None:
    path = write(tmp_path, *(_row(ref=f"r{i}", office="mayor") for i in range(1005)))
    _, summary = explain(path)
    assert summary.rejected == 1005
    assert len(summary.problems) == 1000
    assert summary.problems[-1].line == 1001


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(sx.hostile_cells, min_size=1, max_size=6))
def test_hostile_refs_are_neutralised_in_the_output(tmp_path: Path, refs: list[str]) -> None:
    path = tmp_path / "hostile.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FACT_COLUMNS)
        for ref in refs:
            writer.writerow([ref, *GOOD_ROWS[0].split(",")[1:]])
    rows, summary = explain(path)
    written = [row[0] for row in rows[1:]]
    refused = {p.line for p in summary.problems}
    assert len(written) + len(refused) == len(refs)
    assert all(p.where == "ref" for p in summary.problems)
    for cell in written:
        # no cell starts a formula: a leading formula character only on a plain number
        if cell and cell[0] in sx.FORMULA_STARTS:
            assert _PLAIN_NUMBER.fullmatch(cell), cell
        assert cell in {neutralise(ref.strip()) for ref in refs}
    for row in rows[1:]:
        assert row[1:] == ["eligible", ""]


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(FACT_COLUMNS[1:]), sx.hostile_cells)
def test_a_hostile_cell_is_decided_or_located_never_a_crash(
    tmp_path: Path, column: str, cell: str
) -> None:
    path = tmp_path / "cell.csv"
    row = dict(zip(FACT_COLUMNS, GOOD_ROWS[0].split(","), strict=True))
    row.update(ref="h", **{column: cell})
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(FACT_COLUMNS)
        writer.writerow([row[c] for c in FACT_COLUMNS])
        writer.writerow(GOOD_ROWS[1].split(","))
    rows, summary = explain(path)
    assert rows[-1][0] == "d1"
    if len(rows) == 3:
        assert rows[1][0] == "h" and rows[1][1] in ("eligible", "ineligible", "undecided")
    else:
        assert summary.problems and {p.where for p in summary.problems} == {column}
        assert {p.line for p in summary.problems} == {2}
