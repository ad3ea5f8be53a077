"""Fuzzing the commission's small CSV files, read whole: seat counts (``shailoo seats``) and
the audit's manifest, reported tallies and cast vote records.

These readers take a file or refuse it whole, with every problem located
(``FILE:LINE: column: reason``). Valid files are written here from a seeded draw (no product
writer makes them: people do, in spreadsheets), then damaged in their bytes or in one row.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

import pytest
from fuzzing import assert_located, assert_no_traceback, fuzz_settings
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import strategies as sx
from shailoo.common.refusals import Refusal
from shailoo.counting.audits.files import read_cvrs, read_manifest, read_reported
from shailoo.counting.seats.cli import read_votes
from shailoo.counting.seats.district_file import read_candidates
from shailoo.counting.seats.law import district_rules, list_rules
from shailoo.law.loader import load_edition

_rng = random.Random("fuzz/commission-files")


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _damaged(valid: bytes) -> st.SearchStrategy[bytes]:
    """The file damaged in its bytes, or in one row only (the header spared)."""
    return sx.mutated_bytes(valid) | sx.mutated_csv_row(valid).map(lambda case: case[1])


# -- seats -------------------------------------------------------------------------------------

LIST_LAW = "kg-2020"
DISTRICT_LAW = "kg-2025"
LIST_RULES = list_rules(load_edition(LIST_LAW))
DISTRICT_RULES = district_rules(load_edition(DISTRICT_LAW))
PARTIES = ("Ата-Журт", "Ишеним", "Ынтымак", "Бир Бол", "Reform Party", "Yntymak-2")
VOTES_CSV = _csv(
    [
        ["party", "votes", "region"],
        *(
            [party, str(_rng.randint(0, 90_000)), region]
            for region in LIST_RULES.regions
            for party in (*PARTIES, "AGAINST_ALL", "INVALID")
        ),
    ]
)
CANDIDATES_CSV = _csv(
    [
        ["district", "candidate", "votes", "sex", "party"],
        *(
            [f"Округ {d}", f"Кандидат {d}-{c}", str(_rng.randint(0, 20_000)), sex, party]
            for d in range(1, 4)
            for c, (sex, party) in enumerate(
                [("f", PARTIES[0]), ("m", ""), ("female", PARTIES[1]), ("male", ""), ("m", "")]
            )
        ),
        *([f"Округ {d}", "AGAINST_ALL", "700", "", ""] for d in range(1, 4)),
        *([f"Округ {d}", "INVALID", "90", "", ""] for d in range(1, 4)),
    ]
)


def _seats(*args: str):
    from shailoo.cli import app

    return CliRunner().invoke(app, ["seats", *args])


def test_the_valid_seat_files_allocate(tmp_path: Path) -> None:
    assert len(read_votes(_write(tmp_path, "v.csv", VOTES_CSV), LIST_RULES).order) == 6
    assert len(read_candidates(_write(tmp_path, "c.csv", CANDIDATES_CSV), DISTRICT_RULES)) == 3
    for option, path in (("--votes", "v.csv"), ("--candidates", "c.csv")):
        law = LIST_LAW if option == "--votes" else DISTRICT_LAW
        result = _seats("--law", law, option, str(tmp_path / path))
        assert result.exit_code == 0, result.output


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


@fuzz_settings(30)
@given(data=_damaged(VOTES_CSV))
def test_a_damaged_party_votes_file_is_refused_located_or_allocated(
    tmp_path: Path, data: bytes
) -> None:
    path = _write(tmp_path, "votes.csv", data)
    try:
        read_votes(path, LIST_RULES)
    except Refusal as refusal:
        assert_located(refusal, str(path))
        assert all(problem.source == str(path) for problem in refusal.problems)
    result = _seats("--law", LIST_LAW, "--votes", str(path))
    assert_no_traceback(result)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code:
        assert str(path) in result.output, result.output


@fuzz_settings(30)
@given(data=_damaged(CANDIDATES_CSV))
def test_a_damaged_district_candidates_file_is_refused_located_or_allocated(
    tmp_path: Path, data: bytes
) -> None:
    path = _write(tmp_path, "candidates.csv", data)
    try:
        read_candidates(path, DISTRICT_RULES)
    except Refusal as refusal:
        assert_located(refusal, str(path))
        assert all(problem.source == str(path) for problem in refusal.problems)
    result = _seats("--law", DISTRICT_LAW, "--candidates", str(path))
    assert_no_traceback(result)
    assert result.exit_code in (0, 2), result.output
    if result.exit_code:
        assert str(path) in result.output, result.output


# -- audits ------------------------------------------------------------------------------------

BATCHES = [f"box-{n}" for n in range(1, 9)]
MANIFEST_CSV = _csv([["batch", "ballots"], *([b, str(_rng.randint(50, 900))] for b in BATCHES)])
OPTIONS = ("a", "b", "c")
REPORTED_CSV = _csv([["option", "votes"], ["a", "4100"], ["b", "2300"], ["c", "0"]])
CVRS_CSV = _csv(
    [
        ["batch", "position", "vote"],
        *(
            [batch, str(position), _rng.choice([*OPTIONS, "blank", "overvote", "invalid"])]
            for batch in BATCHES[:3]
            for position in range(1, 9)
        ),
    ]
)


def test_the_valid_audit_files_read(tmp_path: Path) -> None:
    folder = tmp_path
    assert len(read_manifest(_write(folder, "m.csv", MANIFEST_CSV))) == len(BATCHES)
    assert set(read_reported(_write(folder, "r.csv", REPORTED_CSV))) == set(OPTIONS)
    assert len(read_cvrs(_write(folder, "c.csv", CVRS_CSV), set(OPTIONS))) == 24


AUDIT_FILES = {
    "manifest": (MANIFEST_CSV, read_manifest),
    "reported": (REPORTED_CSV, read_reported),
    "cvrs": (CVRS_CSV, lambda path: read_cvrs(path, set(OPTIONS))),
}


@pytest.mark.parametrize("kind", list(AUDIT_FILES))
@fuzz_settings(30)
@given(data=st.data())
def test_a_damaged_audit_file_is_refused_located_or_read(
    tmp_path: Path, kind: str, data: st.DataObject
) -> None:
    valid, read = AUDIT_FILES[kind]
    path = _write(tmp_path, f"{kind}.csv", data.draw(_damaged(valid), label="file"))
    try:
        read(path)
    except Refusal as refusal:
        assert_located(refusal, str(path))
        assert all(problem.source == str(path) for problem in refusal.problems)
