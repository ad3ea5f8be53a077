"""Preparing in worker processes gives exactly what one sequential reading gives.

The workers cut the file at line ends without knowing whether a quoted field runs over the
cut; the importer must notice and re-read. These tests damage a synthetic extract in every
way a registry file can be damaged — fields running over lines, bad bytes, CRLF endings,
missing columns, blank lines, stray and unclosed quotes, repeated PINs — and compare the
parallel preparation, staged or not, with the sequential one row for row.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.common.csvsource import MAX_LINE_BYTES
from shailoo.law.loader import load_edition
from shailoo.register import prepare_parallel as parallel
from shailoo.register.eligibility import compile_rules
from shailoo.register.prepare import PrepareJob, RepeatedPins, prepare_batches
from shailoo.register.prepare_parallel import (
    RangePlan,
    discard,
    prepare_in_workers,
    read_staged,
)
from shailoo.synth.geography import generate_geography
from shailoo.synth.population import write_population_csv

POLLING_DAY = date(2027, 3, 14)


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[bytes], dict[int, int]]:
    geography = generate_geography(3, 12)
    path = tmp_path_factory.mktemp("extract") / "population.csv"
    write_population_csv(path, 3, 400, geography)
    stations = {int(s.number): i + 1 for i, s in enumerate(geography.stations)}
    return path.read_bytes().splitlines(keepends=True), stations


def _job(path: Path, stations: dict[int, int], batch_size: int) -> PrepareJob:
    return PrepareJob(
        path=path,
        stations=stations,
        rules=compile_rules(load_edition("kg-2025"), POLLING_DAY),
        today=date(2026, 11, 29),
        dates_as_text=True,
        batch_size=batch_size,
    )


def _damage(line: bytes, kind: str) -> bytes:
    if kind == "multiline":  # the quoted address runs over a line end
        return line.replace(b", \xd0\xb4. ", b",\n\xd0\xb4. ", 1)
    if kind == "bad-bytes":
        return line[:20] + b"\xff\xfe" + line[20:]
    if kind == "crlf":
        return line.rstrip(b"\n") + b"\r\n"
    if kind == "short":
        return line.split(b",", 1)[1]
    if kind == "blank":
        return b"\n" + line
    if kind == "stray-quote":
        return line.replace(b",", b',ab"c', 1)
    if kind == "unclosed-quote":
        return line.replace(b",", b',"', 1)
    if kind == "open-at-end":  # the quote stays open over the line end, into the next rows
        head, last = line.rsplit(b",", 1)
        return head + b',"' + last
    if kind == "bad-bytes-quoted":  # bad bytes inside an address that runs over a line end
        return line.replace(b", \xd0\xb4. ", b",\n\xff\xd0\xb4. ", 1)
    if kind == "over-long":
        return line.rstrip(b"\n") + b"x" * (MAX_LINE_BYTES + 10) + b"\n"
    return line


def _collect(batches, staged: bool) -> tuple[list, list, int, tuple[int, int], int]:
    rows: list = []
    rejects: list = []
    read = other = 0
    end = (0, 0)
    for batch in batches:
        rows.extend(read_staged(batch) if staged else batch.rows)
        discard(batch)
        rejects.extend((r.line, r.where, r.why, r.raw) for r in batch.rejects)
        read += batch.read
        other += batch.other
        end = (batch.end_offset, batch.end_line)
    return rows, sorted(rejects), read, end, other


def _with_repeats(job: PrepareJob, batches):
    repeats = RepeatedPins(job)
    for batch in batches:
        repeats.apply(batch)
        yield batch


KINDS = [
    "multiline",
    "bad-bytes",
    "crlf",
    "short",
    "blank",
    "stray-quote",
    "unclosed-quote",
    "open-at-end",
    "bad-bytes-quoted",
    "over-long",
]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    damage=st.lists(
        st.tuples(st.integers(1, 399), st.sampled_from(KINDS + ["multiline"] * 3)), max_size=12
    ),
    repeats=st.lists(st.tuples(st.integers(1, 399), st.integers(1, 399)), max_size=4),
    batch_size=st.integers(5, 60),
    workers=st.integers(2, 3),
    staged=st.booleans(),
)
def test_workers_prepare_exactly_what_a_sequential_reading_prepares(
    extract, tmp_path_factory, damage, repeats, batch_size, workers, staged
) -> None:
    lines, stations = extract
    lines = list(lines)
    for at, kind in damage:  # an open quote no longer swallows the rows after it
        lines[at] = _damage(lines[at], kind)
    for source, target in repeats:  # a PIN repeated later in the file
        lines.insert(max(source, target) + 1, lines[min(source, target)])
    path = tmp_path_factory.mktemp("damaged") / "population.csv"
    path.write_bytes(b"".join(lines))
    job = _job(path, stations, batch_size)

    expected = _collect(_with_repeats(job, prepare_batches(job)), staged=False)
    got = _collect(
        _with_repeats(job, prepare_in_workers(job, workers, stage=staged)), staged=staged
    )
    assert got[0] == expected[0]  # the same rows in the same order
    assert got[1] == expected[1]  # the same rejects, located the same way
    assert got[2:] == expected[2:]  # the same count read, ending at the same place
    assert expected[3][0] == path.stat().st_size
    # Every physical line is the header, a row read, or a blank or continuation line.
    assert 1 + expected[2] + expected[4] == expected[3][1] == path.read_bytes().count(b"\n")


def test_a_quoted_field_over_every_cut_is_still_read_whole(
    extract, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines, stations = extract
    lines = [_damage(line, "multiline") if i else line for i, line in enumerate(lines)]
    path = tmp_path / "population.csv"
    path.write_bytes(b"".join(lines))
    job = _job(path, stations, 10)
    expected = _collect(_with_repeats(job, prepare_batches(job)), staged=False)
    reread = []
    original = parallel.prepare_range

    def counting(*args, **kwargs):  # counts in this process only: the importer's re-reads
        reread.append(args[2])
        return original(*args, **kwargs)

    monkeypatch.setattr(parallel, "prepare_range", counting)
    got = _collect(_with_repeats(job, prepare_in_workers(job, 2)), staged=False)
    assert got == expected
    assert reread  # cuts did fall inside addresses, and those ranges were read again
    assert len(got[0]) == 400 and not got[1]  # every row valid, with its two-line address
    assert all("\n" in row[14] for row in got[0])


def test_a_resumed_job_starts_at_its_resume_point(extract, tmp_path: Path) -> None:
    lines, stations = extract
    path = tmp_path / "population.csv"
    path.write_bytes(b"".join(lines))
    whole = _job(path, stations, 50)
    first = next(iter(prepare_batches(whole)))
    resumed = PrepareJob(
        **{**whole.__dict__, "start_offset": first.end_offset, "start_line": first.end_line}
    )
    assert RangePlan(resumed).base == first.end_offset
    expected = _collect(prepare_batches(resumed), staged=False)
    got = _collect(prepare_in_workers(resumed, 2, stage=True), staged=True)
    assert got == expected and len(got[0]) == 400 - 50


def test_a_repeated_pin_is_refused_wherever_it_was_prepared(extract, tmp_path: Path) -> None:
    lines, stations = extract
    lines = [*lines, lines[5]]  # row of line 6 again, as line 402
    path = tmp_path / "population.csv"
    path.write_bytes(b"".join(lines))
    job = _job(path, stations, 20)
    rows, rejects, read, *_ = _collect(_with_repeats(job, prepare_in_workers(job, 2)), False)
    assert read == 401 and len(rows) == 400
    (reject,) = rejects
    assert reject[:3] == (402, "pin", "repeats the PIN of line 6 of this file")
    assert "*" in reject[3]  # the PIN masked in the stored raw row


def test_an_open_quote_at_every_few_lines_loses_no_row_at_any_cut(extract, tmp_path: Path) -> None:
    lines, stations = extract
    broken = set(range(3, 400, 7))  # quotes left open on line ends, across the ranges' cuts
    lines = [_damage(line, "open-at-end") if i in broken else line for i, line in enumerate(lines)]
    path = tmp_path / "population.csv"
    path.write_bytes(b"".join(lines))
    job = _job(path, stations, 10)
    expected = _collect(_with_repeats(job, prepare_batches(job)), staged=False)
    got = _collect(_with_repeats(job, prepare_in_workers(job, 3)), staged=False)
    assert got == expected
    rows, rejects, read, _end, other = got
    assert [(line, where) for line, where, *_ in rejects] == [
        (i + 1, "station") for i in sorted(broken)
    ]
    assert len(rows) == 400 - len(broken) and read == 400 and other == 0
