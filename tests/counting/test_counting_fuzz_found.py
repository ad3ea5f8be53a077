"""Defects the fuzz suite (``tests/fuzz``) found in the commission's small CSV readers.

A count cell that passed ``str.isdigit`` but not ``int()`` was a traceback, not a located
refusal: superscript and other non-ASCII digits (``"²".isdigit()`` is true), a number of more
than 4,300 digits (Python's limit on ``int()`` of text) and, in the seat files, ``--5`` (the
check stripped every leading minus). Counts are now 1 to 12 ASCII digits.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shailoo.counting.audits.files import AuditFileError, read_cvrs, read_manifest, read_reported
from shailoo.counting.seats.cli import read_votes
from shailoo.counting.seats.district_file import read_candidates
from shailoo.counting.seats.files import VotesFileError
from shailoo.counting.seats.law import district_rules, list_rules
from shailoo.law.loader import load_edition

HUGE = "9" * 5000


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("²", "'²' is not a count >= 1"),
        ("٣", "'٣' is not a count >= 1"),
        (HUGE, f"{HUGE[:40] + '…'!r} is not a count >= 1"),
        ("9" * 13, f"{'9' * 13!r} is not a count >= 1"),
    ],
)
def test_audit_manifest_counts_of_unicode_digits_or_5000_digits_are_refused_located(
    tmp_path: Path, cell: str, reason: str
) -> None:
    path = tmp_path / "manifest.csv"
    path.write_text(f"batch,ballots\nbox1,600\nbox2,{cell}\n", encoding="utf-8")
    with pytest.raises(AuditFileError) as caught:
        read_manifest(path)
    assert [str(p) for p in caught.value.problems] == [f"{path}:3: ballots: {reason}"]


def test_audit_votes_and_positions_of_unicode_digits_or_5000_digits_are_refused(
    tmp_path: Path,
) -> None:
    reported = tmp_path / "reported.csv"
    reported.write_text(f"option,votes\na,²\nb,{HUGE}\n", encoding="utf-8")
    with pytest.raises(AuditFileError) as caught:
        read_reported(reported)
    assert [(p.line, p.where) for p in caught.value.problems] == [(2, "votes"), (3, "votes")]
    cvrs = tmp_path / "cvrs.csv"
    cvrs.write_text(f"batch,position,vote\nb1,1,a\nb1,{HUGE},a\nb2,²,a\n", encoding="utf-8")
    with pytest.raises(AuditFileError) as caught:
        read_cvrs(cvrs, {"a", "b"})
    assert [(p.line, p.where) for p in caught.value.problems] == [(3, "position"), (4, "position")]


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("--5", "not a whole number: '--5'"),
        ("²", "not a whole number: '²'"),
        ("-٣", "not a whole number: '-٣'"),
        (HUGE, "a number of 5000 digits (at most 12)"),
        ("-" + HUGE, "a number of 5000 digits (at most 12)"),
    ],
)
def test_seat_vote_counts_that_int_cannot_read_are_refused_located(
    tmp_path: Path, cell: str, reason: str
) -> None:
    votes = tmp_path / "votes.csv"
    votes.write_text(f"party,votes\nA,100\nB,{cell}\n", encoding="utf-8")
    with pytest.raises(VotesFileError) as caught:
        read_votes(votes, list_rules(load_edition("kg-2021")))
    assert [str(p) for p in caught.value.problems] == [f"{votes}:3: votes: {reason}"]
    candidates = tmp_path / "candidates.csv"
    candidates.write_text(f"district,candidate,votes\n1,A,100\n1,B,{cell}\n", encoding="utf-8")
    with pytest.raises(VotesFileError) as caught:
        read_candidates(candidates, district_rules(load_edition("kg-2021")))
    assert [str(p) for p in caught.value.problems] == [f"{candidates}:3: votes: {reason}"]
