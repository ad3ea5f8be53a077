"""Fuzzing the candidates' readers: stated facts (``candidates explain``) and signer lists.

One row of a valid file damaged (``strategies.mutated_csv_row``): no traceback, every problem
located at a line of the file, every physical line accounted for, and every row the damage did
not touch decided as in the valid file. The whole file damaged (``strategies.mutated_bytes``):
a located refusal of the header, or located problems — never a crash.
"""

from __future__ import annotations

import csv
import io
import tempfile
from datetime import date
from pathlib import Path

from fuzzing import fuzz_settings, physical_lines, untouched_rows
from hypothesis import given

import strategies as sx
from shailoo.candidates.facts_file import FACT_COLUMNS, explain_file
from shailoo.candidates.signers_file import COLUMNS as SIGNER_COLUMNS
from shailoo.candidates.signers_file import read_signers
from shailoo.common.refusals import InvalidInput
from shailoo.law.loader import load_edition
from shailoo.register.pin import build_pin

EDITION = load_edition("kg-2025")
POLLING_DAY = date(2027, 3, 14)
TODAY = date(2027, 2, 1)


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


FACTS = _csv(
    FACT_COLUMNS,
    [
        [f"N-{n}", office, f"19{60 + n}-0{1 + n % 9}-1{n % 9}", cit, years, lang, edu, rec, terms]
        for n, (office, cit, years, lang, edu, rec, terms) in enumerate(
            [
                ("president", "KG", "20", "passed", "higher", "none", "0"),
                ("president", "KG;RU", "30", "passed", "higher", "none", "1"),
                ("jk_deputy", "KG", "5", "passed", "higher", "expunged", ""),
                ("jk_deputy", "stateless", "3", "failed", "secondary", "none", ""),
                ("local_deputy", "", "", "not_taken", "", "", ""),
                ("president", "KG", "14.5", "passed", "higher", "unexpunged", "2"),
                ("jk_deputy", "KG", "10", "passed", "higher", "none", "0"),
                ("local_deputy", "KG", "0", "passed", "secondary", "none", "0"),
            ]
        )
    ],
)
SIGNERS = _csv(
    SIGNER_COLUMNS,
    [
        [str(1 + n // 5), str(1 + n % 5), f"K-{n % 3}",
         build_pin("F" if n % 2 else "M", date(1970 + n, 1 + n % 12, 1 + n % 27), n),
         "Асанова" if n % 2 else "Асанов", "Айгүл" if n % 2 else "Бакыт", "", "2027-01-20"]
        for n in range(12)
    ],
)  # fmt: skip


def _explain(path: Path) -> tuple[dict[str, str], object]:
    out = io.StringIO()
    summary = explain_file(path, out, EDITION.candidates, POLLING_DAY, "march_1")
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    return {row[0]: row[1] + "|" + row[2] for row in rows[1:]}, summary


def _valid_decisions() -> dict[str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "facts.csv"
        path.write_bytes(FACTS)
        return _explain(path)[0]


VALID = _valid_decisions()


@fuzz_settings(40)
@given(case=sx.mutated_csv_row(FACTS))
def test_stated_facts_keep_every_untouched_row_decided(
    tmp_path: Path, case: tuple[int, bytes]
) -> None:
    index, data = case
    path = tmp_path / "facts.csv"
    path.write_bytes(data)
    decided, summary = _explain(path)
    lines = physical_lines(data)
    assert summary.lines == lines  # type: ignore[attr-defined]
    for problem in summary.problems:  # type: ignore[attr-defined]
        assert problem.why and problem.line is not None and 2 <= problem.line <= lines, problem
    for original in untouched_rows(path, FACT_COLUMNS, FACTS, index):
        ref = FACTS.splitlines()[original].decode().split(",")[0]
        if data.count(f"\n{ref},".encode()) > 1:
            continue  # the damaged row took this ref first: the untouched one is a repeat
        assert decided.get(ref) == VALID[ref], ref


@fuzz_settings(30)
@given(data=sx.mutated_bytes(FACTS))
def test_a_damaged_facts_file_is_refused_located_or_decided(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "facts.csv"
    path.write_bytes(data)
    try:
        _, summary = _explain(path)
    except InvalidInput as refused:
        assert refused.problems and refused.problems[0].line == 1
        return
    for problem in summary.problems:  # type: ignore[attr-defined]
        assert problem.line is not None and 2 <= problem.line <= physical_lines(data)


@fuzz_settings(40)
@given(case=sx.mutated_csv_row(SIGNERS))
def test_signer_lists_keep_every_untouched_row(tmp_path: Path, case: tuple[int, bytes]) -> None:
    index, data = case
    path = tmp_path / "signers.csv"
    path.write_bytes(data)
    signers = read_signers(path, TODAY)
    lines = physical_lines(data)
    for problem in signers.problems:
        assert problem.why and problem.line is not None and 2 <= problem.line <= lines, problem
    kept = {
        int(line): bool(bad) for line, bad in zip(signers.file_line, signers.malformed, strict=True)
    }
    shift = lines - physical_lines(SIGNERS)
    for original in untouched_rows(path, SIGNER_COLUMNS, SIGNERS, index):
        line = original + 1 + (shift if original > index else 0)
        assert kept.get(line) is False, f"untouched line {line} not read as a signature"


@fuzz_settings(30)
@given(data=sx.mutated_bytes(SIGNERS))
def test_a_damaged_signer_list_is_refused_located_or_read(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "signers.csv"
    path.write_bytes(data)
    try:
        signers = read_signers(path, TODAY)
    except InvalidInput as refused:
        assert refused.problems and refused.problems[0].line == 1
        return
    for problem in signers.problems:
        assert problem.line is not None and 1 <= problem.line <= physical_lines(data)
