"""Fuzzing the row importers: geography CSV and register CSV (in process, small files).

One row of a valid synthetic file is damaged (``strategies.mutated_csv_row``): the import
never raises, refuses each bad row with its line, accounts for every physical line, and
stores every row the damage did not touch (compared with importing the valid file). The
whole file damaged (``strategies.mutated_bytes``, the header included): a shared refusal
located at its line, or located rejects.
"""

from __future__ import annotations

import csv
import datetime
import re
import tempfile
from pathlib import Path

import pytest
from fuzzing import (
    assert_located,
    fuzz_settings,
    physical_lines,
    rolled_back,
    untouched_rows,
)
from hypothesis import given

import strategies as sx
from shailoo.common.csvsource import Reject
from shailoo.common.refusals import Refusal
from shailoo.geo.importer import COLUMNS as GEO_COLUMNS
from shailoo.geo.importer import import_geography
from shailoo.synth.geography import generate_geography, write_geography_csv
from shailoo.synth.population import write_population_csv

pytestmark = pytest.mark.django_db

GEOGRAPHY = generate_geography(7, 16)


def _written(write) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.csv"
        write(path)
        return path.read_bytes()


GEO_CSV = _written(lambda path: write_geography_csv(GEOGRAPHY, path))
POPULATION_CSV = _written(lambda path: write_population_csv(path, 7, 24, GEOGRAPHY))


def _cells(line: bytes) -> list[str]:
    return next(csv.reader([line.decode("utf-8")]))


def _check_rejects(rejects: list[Reject], data: bytes) -> None:
    for reject in rejects:
        assert reject.why, reject
        assert reject.line is not None and 2 <= reject.line <= physical_lines(data), reject


def _conflict_with(reject: Reject, dirty: set[int]) -> bool:
    """A reject that names an earlier line, one the damage wrote (a number or PIN it copied)."""
    named = re.search(r"(?:already on|PIN of) line (\d+)", reject.why)
    return named is not None and int(named.group(1)) in dirty


# -- geography ---------------------------------------------------------------------------------


@fuzz_settings(30)
@given(case=sx.mutated_csv_row(GEO_CSV))
def test_geography_import_keeps_every_row_the_damage_did_not_touch(
    tmp_path: Path, case: tuple[int, bytes]
) -> None:
    from shailoo.geo.models import PollingStation

    index, data = case
    path = tmp_path / "geography.csv"
    path.write_bytes(data)
    lines = GEO_CSV.splitlines(keepends=True)
    untouched = untouched_rows(path, GEO_COLUMNS, GEO_CSV, index)
    with rolled_back():
        summary = import_geography(path)
        _check_rejects(summary.rejects, data)
        assert summary.lines == physical_lines(data)
        assert summary.lines == 1 + summary.read + summary.other
        rejected = {r.line: r for r in summary.rejects}
        stored = {s.number: s for s in PollingStation.objects.select_related("tec")}
        shift = physical_lines(data) - physical_lines(GEO_CSV)
        dirty = set(range(index + 1, index + 2 + max(shift, 0)))
        for original in sorted(untouched):
            cells = _cells(lines[original])
            line = original + 1 + (shift if original > index else 0)
            if line in rejected:
                # Only a conflict with the damaged row: its number, or a district or TEC it
                # placed in another region first.
                reject = rejected[line]
                assert _conflict_with(reject, dirty) or "lies in region" in reject.why, (
                    f"untouched line {line} refused: {reject}"
                )
                continue
            station = stored.get(int(cells[0]))
            assert station is not None, f"untouched line {line} (station {cells[0]}) not stored"
            assert (station.name, station.capacity, station.tec.code) == (
                cells[1],
                int(cells[14]),
                cells[10],
            )


@fuzz_settings(25)
@given(data=sx.mutated_bytes(GEO_CSV))
def test_a_damaged_geography_file_is_refused_located_or_imported(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "geography.csv"
    path.write_bytes(data)
    with rolled_back():
        try:
            summary = import_geography(path)
        except Refusal as refusal:
            assert_located(refusal, str(path))
            return
        _check_rejects(summary.rejects, data)
        assert summary.lines == physical_lines(data) == 1 + summary.read + summary.other


# -- register ----------------------------------------------------------------------------------

_BASELINE: dict[str, set[str]] = {}


def _register_world() -> None:
    """The geography imported and a current election: once per test (kept by its transaction)."""
    from shailoo.elections.models import Election

    if Election.objects.filter(code="fuzz").exists():
        return
    import_geography(_write(Path(tempfile.mkdtemp()) / "geo.csv", GEO_CSV))
    Election.objects.create(
        code="fuzz",
        name="Fuzz election",
        polling_day=datetime.date(2027, 3, 14),
        law_edition="kg-2025",
        is_current=True,
    )


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _import_register(path: Path):
    from shailoo.register.importer import RegisterImporter

    return RegisterImporter(path, parallel=False, batch_size=7).run()


def _rejects(run_id: int) -> list[Reject]:
    from shailoo.register.models import ImportReject

    return [Reject(r.field, r.reason, r.line) for r in ImportReject.objects.filter(run=run_id)]


def _stored_pins() -> set[str]:
    from shailoo.register.models import Person

    return set(Person.objects.values_list("pin", flat=True))


def _baseline(tmp_path: Path) -> set[str]:
    """The PINs an import of the valid file stores (the synthetic file may hold bad rows)."""
    if "pins" not in _BASELINE:
        with rolled_back():
            _import_register(_write(tmp_path / "valid.csv", POPULATION_CSV))
            _BASELINE["pins"] = _stored_pins()
    return _BASELINE["pins"]


@fuzz_settings(30)
@given(case=sx.mutated_csv_row(POPULATION_CSV))
def test_register_import_keeps_every_row_the_damage_did_not_touch(
    tmp_path: Path, case: tuple[int, bytes]
) -> None:
    from shailoo.register.rows import COLUMNS

    _register_world()
    valid = _baseline(tmp_path)
    assert len(valid) >= 20
    index, data = case
    path = _write(tmp_path / "population.csv", data)
    lines = POPULATION_CSV.splitlines(keepends=True)
    untouched = untouched_rows(path, COLUMNS, POPULATION_CSV, index)
    with rolled_back():
        summary = _import_register(path)
        assert summary.lines == physical_lines(data) == 1 + summary.read + summary.other
        rejects = _rejects(summary.run_id)
        assert len(rejects) == summary.rejected
        _check_rejects(rejects, data)
        rejected = {r.line: r for r in rejects}
        stored = _stored_pins()
        shift = physical_lines(data) - physical_lines(POPULATION_CSV)
        dirty = set(range(index + 1, index + 2 + max(shift, 0)))
        for original in sorted(untouched):
            pin = _cells(lines[original])[0]
            if pin not in valid:
                continue
            line = original + 1 + (shift if original > index else 0)
            if line in rejected:
                assert _conflict_with(rejected[line], dirty), (
                    f"untouched line {line} refused: {rejected[line]}"
                )
                continue
            assert pin in stored, f"untouched line {line} not stored"


@fuzz_settings(20)
@given(data=sx.mutated_bytes(POPULATION_CSV))
def test_a_damaged_register_file_is_refused_located_or_imported(
    tmp_path: Path, data: bytes
) -> None:
    _register_world()
    path = _write(tmp_path / "population.csv", data)
    with rolled_back():
        try:
            summary = _import_register(path)
        except Refusal as refusal:
            assert_located(refusal, str(path))
            assert not _stored_pins()
            return
        assert summary.lines == physical_lines(data) == 1 + summary.read + summary.other
        rejects = _rejects(summary.run_id)
        _check_rejects(rejects, data)
