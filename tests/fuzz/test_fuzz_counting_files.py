"""Fuzzing the counting room's files: election definitions, scan files (NIST CVR and the list of
sheet reads) through ``shailoo ballots load-scan``.

Valid files come from the product's own writers (``synth.definition.make_definition`` and
``dump_definition``; ``SheetRead.to_json``; ``nist_cvr.build_cvr_report``) and are damaged in
their bytes (``strategies.mutated_bytes``) or value by value (``strategies.mutated_json``).
Each is read, validated or refused with its place; a refused scan file stores no sheet.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from fuzzing import (
    assert_located,
    assert_no_traceback,
    fuzz_settings,
    known_defects,
    rolled_back,
)
from hypothesis import given
from typer.testing import CliRunner

import strategies as sx
from shailoo.common import safe_json
from shailoo.common.refusals import Refusal
from shailoo.counting.definition import (
    ElectionDefinition,
    dump_definition,
    load_definition,
    parse_definition,
)
from shailoo.counting.formats import nist_cvr
from shailoo.counting.reads import SheetRead, SheetStatus, Thresholds, classify_contest
from shailoo.synth.definition import make_definition

ELECTION = "jk-2025"
REGION = "KG-C"
#: Station number and TEC: the counting world of the tests (two TECs, three stations).
STATIONS = ((7101, "T-A"), (7102, "T-A"), (7201, "T-B"))
THRESHOLDS = Thresholds(0.12, 0.30)
DEFINITION = make_definition(
    [(str(number), REGION, tec) for number, tec in STATIONS],
    seed=5,
    election_date=datetime.date(2025, 11, 30),
    election_id=ELECTION,
)
DEFINITION_TEXT = dump_definition(DEFINITION).encode("utf-8")
DEFINITION_DOC = json.loads(DEFINITION_TEXT)


def _read(station: str, serial: str, marked: int) -> SheetRead:
    """A read of ``station``'s first style with option ``marked`` of each contest filled."""
    style = DEFINITION.styles_for_station(station)[0]
    contests = []
    for contest in DEFINITION.style_contests(style.id):
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        fills = [
            (o.id, 0.9 if i == marked % len(contest.options) else 0.02)
            for i, o in enumerate(contest.options)
        ]
        contests.append(
            classify_contest(contest.id, fills, contest.votes_allowed, THRESHOLDS, against)
        )
    return SheetRead(
        source=f"{serial}.png",
        status=SheetStatus.READABLE,
        thresholds=THRESHOLDS,
        election_id=ELECTION,
        style_id=style.id,
        station=station,
        serial=serial,
        contests=tuple(contests),
    )


READS = [_read("7101", f"S{n}", n) for n in range(3)]
_DECIDED = nist_cvr.AdjudicatedSheet(
    original=_read("7101", "A1", 0),
    interpreted=_read("7101", "A1", 1),
    adjudicator="clerk",
    decided=datetime.datetime(2025, 11, 30, 21, 0, tzinfo=datetime.UTC),
    note="mark read again",
)
NIST_DOC = nist_cvr.build_cvr_report(
    DEFINITION,
    [*READS, _DECIDED],
    generated=datetime.datetime(2025, 11, 30, 20, 0, tzinfo=datetime.UTC),
)
NIST_TEXT = json.dumps(NIST_DOC, indent=1).encode("utf-8")
READS_DOC = [read.to_json() for read in READS]
READS_TEXT = json.dumps(READS_DOC, indent=1).encode("utf-8")


def test_the_valid_files_are_read_whole() -> None:
    """The fuzzed files start valid: the definition loads, the reports read every sheet."""
    assert parse_definition(DEFINITION_DOC) == DEFINITION
    entries = nist_cvr.read_cvr_entries(safe_json.loads(NIST_TEXT), DEFINITION)
    assert len(entries) == 4 and isinstance(entries[-1], nist_cvr.AdjudicatedSheet)
    assert [SheetRead.from_json(item) for item in READS_DOC] == READS


# -- definitions (pure) ------------------------------------------------------------------------


@fuzz_settings(40)
@given(data=sx.mutated_bytes(DEFINITION_TEXT) | sx.mutated_json(DEFINITION_DOC))
def test_a_damaged_definition_is_refused_located_or_valid(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "definition.json"
    path.write_bytes(data)
    try:
        with known_defects():
            definition = load_definition(path)
    except Refusal as refusal:
        assert_located(refusal, str(path))
        assert all(problem.source == str(path) for problem in refusal.problems)
        return
    assert isinstance(definition, ElectionDefinition)
    # What loads is stable: written again, it reads back the same.
    assert parse_definition(json.loads(dump_definition(definition))) == definition


# -- scan files (pure) -------------------------------------------------------------------------


@fuzz_settings(40)
@given(data=sx.mutated_bytes(NIST_TEXT) | sx.mutated_json(NIST_DOC))
def test_a_damaged_nist_report_is_refused_at_its_json_path_or_read(data: bytes) -> None:
    try:
        with known_defects():
            doc = safe_json.loads(data, source="scan.json")
            entries = nist_cvr.read_cvr_entries(doc, DEFINITION)
    except Refusal as refusal:
        assert_located(refusal, "scan.json")
        return
    for entry in entries:
        assert isinstance(entry, SheetRead | nist_cvr.AdjudicatedSheet)


# -- ballots load-scan (database) --------------------------------------------------------------


@pytest.fixture
def _django_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    import shailoo.common.cli

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)  # the test database is set up


def _counting_world() -> None:
    """The three stations, the election and its definition: once per test."""
    import factories
    from shailoo.counting import services
    from shailoo.elections.models import Election

    if Election.objects.filter(code=ELECTION).exists():
        return
    region = factories.region(REGION)
    district = factories.district(region)
    tecs = {code: factories.tec(region, code) for code in {tec for _, tec in STATIONS}}
    for number, tec in STATIONS:
        factories.station(number, district_=district, tec_=tecs[tec])
    election = factories.election("kg-2025", code=ELECTION)
    services.import_definition(election, DEFINITION, "cli")


@pytest.mark.django_db
@pytest.mark.usefixtures("_django_ready")
@fuzz_settings(30)
@given(
    data=sx.mutated_bytes(NIST_TEXT)
    | sx.mutated_json(NIST_DOC)
    | sx.mutated_bytes(READS_TEXT)
    | sx.mutated_json(READS_DOC)
)
def test_load_scan_refuses_a_damaged_file_located_and_stores_nothing(
    tmp_path: Path, data: bytes
) -> None:
    from shailoo.cli import app
    from shailoo.counting.models import ScannedSheet

    _counting_world()
    path = tmp_path / "scan.json"
    path.write_bytes(data)
    with rolled_back():
        result = CliRunner().invoke(app, ["ballots", "load-scan", str(path), "--station", "7101"])
        assert_no_traceback(result)
        assert result.exit_code in (0, 1, 2), result.output
        if result.exit_code:
            assert not ScannedSheet.objects.exists()
            lines = [line for line in result.output.splitlines() if line.strip()]
            assert lines and "scan.json" in result.output, result.output
        else:
            assert "load-scan: station 7101" in result.output
