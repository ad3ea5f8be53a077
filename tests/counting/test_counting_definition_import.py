"""Importing the election definition, and the commands that load it and scanned sheets.

``shailoo elections load-definition`` and ``shailoo ballots load-scan``; their old names
under ``shailoo results`` still work, hidden, for one release.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from test_counting_cvr_store import counting_world, first_contest, sheet_read
from typer.testing import CliRunner, Result

import factories
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.cli import app as shailoo_app
from shailoo.common.refusals import PermissionRefused, Refusal
from shailoo.counting import services
from shailoo.counting.definition import dump_definition, load_definition
from shailoo.counting.models import BallotStyle, Contest, ContestOption, Definition, ScannedSheet
from shailoo.integrity.models import LedgerEntry
from shailoo.synth.definition import make_definition

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 11, 30)
#: ``shailoo synth definition``, and its older name kept in the ``results`` group.
SYNTH_DEFINITION = ["synth", "definition"]
OLD_NAME = ["results", "synth-definition"]


@pytest.fixture(autouse=True)
def _django_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    import shailoo.common.cli

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)  # the test database is set up


def _stations() -> list[tuple[str, str, str]]:
    region = factories.region("KG-N")
    district = factories.district(region)
    tec = factories.tec(region)
    made = [factories.station(3000 + i, district_=district, tec_=tec) for i in range(1, 5)]
    return [(str(s.number), region.code, tec.code) for s in made]


def test_import_mirrors_rows_and_is_idempotent() -> None:
    stations = _stations()
    election = factories.election("kg-2021", code="jk-2021")
    definition = make_definition(
        stations, seed=2, law_edition="kg-2021", election_date=DAY, election_id="jk-2021"
    )
    before = LedgerEntry.objects.count()
    first = services.import_definition(election, definition, "cli")
    assert first.action == "created" and first.ledger_sequence is not None
    assert LedgerEntry.objects.count() == before + 1
    assert (
        LedgerEntry.objects.get(sequence=first.ledger_sequence).kind == "counting.definition_import"
    )
    assert Contest.objects.filter(election=election).count() == 37
    assert ContestOption.objects.filter(contest__election=election).count() == first.options
    style = BallotStyle.objects.get(election=election, code="list")
    assert sorted(s.number for s in style.stations.all()) == [3001, 3002, 3003, 3004]
    assert Definition.objects.get(election=election).sha256 == first.sha256

    again = services.import_definition(election, definition, "cli")
    assert again.action == "unchanged" and again.ledger_sequence is None
    assert LedgerEntry.objects.count() == before + 1
    assert services.current_definition(election) == definition

    changed = make_definition(
        stations, seed=3, law_edition="kg-2021", election_date=DAY, election_id="jk-2021"
    )
    replaced = services.import_definition(election, changed, "cli")
    assert replaced.action == "replaced" and LedgerEntry.objects.count() == before + 2
    assert services.current_definition(election) == changed
    assert Contest.objects.filter(election=election).count() == 37


def test_definition_is_frozen_once_ballots_are_recorded() -> None:
    w = counting_world()
    station = w.stations[0]
    services.record_scan(w.election, station, [sheet_read(w.definition, station, "F")], None, "cli")
    stations = [(str(s.number), "KG-C", s.tec.code) for s in w.stations]
    other = make_definition(stations, seed=99, election_date=DAY, election_id="jk-2025")
    with pytest.raises(Refusal, match="ballots are already recorded"):
        services.import_definition(w.election, other, "cli")
    assert services.current_definition(w.election) == w.definition
    assert services.import_definition(w.election, w.definition, "cli").action == "unchanged"
    assert ScannedSheet.objects.count() == 1


def test_unknown_stations_and_mismatches_are_located() -> None:
    stations = _stations()
    election = factories.election("kg-2025", code="jk-2025")
    definition = make_definition(
        [*stations, ("9999", "KG-N", "x")],
        seed=1,
        law_edition="kg-2021",
        election_date=DAY,
        election_id="other",
    )
    with pytest.raises(Refusal) as caught:
        services.import_definition(election, definition, "cli")
    problems = dict(caught.value.problems)
    assert "election_id" in problems and "law_edition" in problems
    unknown = [w for w, why in caught.value.problems if "9999 does not exist" in why]
    assert unknown and all(w.startswith("ballot_styles.") and ".stations." in w for w in unknown)
    assert not Definition.objects.exists() and not Contest.objects.exists()


def test_import_needs_the_define_permission() -> None:
    stations = _stations()
    election = factories.election("kg-2025", code="jk-2025")
    definition = make_definition(stations, seed=1, election_date=DAY, election_id="jk-2025")
    with pytest.raises(PermissionRefused):
        services.import_definition(election, definition, make_user("m", Role.CEC_MEMBER))
    admin = make_user("a", Role.CEC_ADMIN)
    assert services.import_definition(election, definition, admin).action == "created"
    assert Definition.objects.get().imported_by == "a"


# -- the commands -------------------------------------------------------------------------------


def _load(path: str | Path, *election: str) -> Result:
    """``shailoo elections load-definition PATH [--election CODE]``."""
    return CliRunner().invoke(shailoo_app, ["elections", "load-definition", str(path), *election])


def _scan(*args: str) -> Result:
    """``shailoo ballots load-scan ...``."""
    return CliRunner().invoke(shailoo_app, ["ballots", "load-scan", *args])


def test_synth_then_load_definition_commands(tmp_path: Path) -> None:
    _stations()
    factories.election("kg-2025", code="jk-2025", polling_day=DAY)
    runner = CliRunner()
    out = tmp_path / "definition.json"
    made = runner.invoke(shailoo_app, [*SYNTH_DEFINITION, "--out", str(out), "--seed", "4"])
    assert made.exit_code == 0, made.output
    definition = load_definition(out)
    assert definition.election_id == "jk-2025" and len(definition.contests) == 30
    again = tmp_path / "again.json"
    runner.invoke(shailoo_app, [*OLD_NAME, "--out", str(again), "--seed", "4"])
    assert again.read_bytes() == out.read_bytes()

    loaded = _load(out, "--election", "jk-2025")
    assert loaded.exit_code == 0 and "created" in loaded.output
    repeat = _load(out, "--election", "jk-2025")
    assert repeat.exit_code == 0 and "unchanged" in repeat.output
    old_name = ["results", "load-definition", str(out), "--election", "jk-2025"]
    alias = runner.invoke(shailoo_app, old_name)
    assert alias.exit_code == 0 and "unchanged" in alias.output  # the old name, hidden


def test_load_definition_defaults_to_the_current_election_and_shows_in_elections_show(
    tmp_path: Path,
) -> None:
    stations = _stations()
    factories.election("kg-2025", code="old", is_current=False)
    factories.election("kg-2025", code="jk-2025", polling_day=DAY)
    path = tmp_path / "definition.json"
    definition = make_definition(stations, seed=1, election_date=DAY, election_id="jk-2025")
    path.write_text(dump_definition(definition))
    runner = CliRunner()
    before = runner.invoke(shailoo_app, ["elections", "show"])
    assert before.exit_code == 0 and "not loaded" in before.output
    loaded = _load(path)
    assert loaded.exit_code == 0 and "created" in loaded.output, loaded.output
    assert Definition.objects.get().election.code == "jk-2025"
    shown = runner.invoke(shailoo_app, ["elections", "show"])
    assert shown.exit_code == 0, shown.output
    assert "jk-2025" in shown.output and "sha256 " in shown.output
    assert f"contests       {len(definition.contests)}" in shown.output
    assert f"ballot styles  {len(definition.ballot_styles)}" in shown.output
    assert "stations       4" in shown.output
    other = runner.invoke(shailoo_app, ["elections", "show", "old"])
    assert other.exit_code == 0 and "not loaded" in other.output


def test_load_definition_bad_input(tmp_path: Path) -> None:
    factories.election("kg-2025", code="jk-2025")
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "shailoo-election-definition/1",\n  "contests": [,]}')
    result = _load(broken, "--election", "jk-2025")
    assert result.exit_code == 2 and "line 2 column" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"format": "shailoo-election-definition/1", "contests": []}))
    result = _load(wrong, "--election", "jk-2025")
    assert result.exit_code == 2 and "contests" in result.output and "election_id" in result.output

    absent = _load(wrong, "--election", "nope")
    assert absent.exit_code == 2 and "--election: " in absent.output and "nope" in absent.output
    assert "jk-2025 (shailoo elections list)" in absent.output
    missing = _load(tmp_path / "x.json", "--election", "jk-2025")
    assert missing.exit_code == 2 and "no such file" in missing.output

    stations = [("4242", "KG-N", "T1")]
    unknown = tmp_path / "unknown.json"
    unknown.write_text(
        dump_definition(make_definition(stations, seed=1, election_date=DAY, election_id="jk-2025"))
    )
    result = _load(unknown)  # the current election
    assert result.exit_code == 1
    assert "ballot_styles.0.stations.0: polling station 4242 does not exist" in result.output
    assert not Definition.objects.exists()


def test_load_scan_command_and_bad_input(tmp_path: Path) -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    reads = [
        sheet_read(w.definition, station, "L1", {contest: {options[0]: 0.9}}).to_json(),
        sheet_read(w.definition, station, "L2", {contest: {options[1]: 0.2}}).to_json(),
    ]
    cvr = tmp_path / "cvr.json"
    cvr.write_text(json.dumps(reads))
    args = [str(cvr), "--election", "jk-2025", "--station", str(station.number)]
    done = _scan(*args)
    assert done.exit_code == 0 and "2 new, 0 already stored, 1 for adjudication" in done.output
    again = _scan(str(cvr), "--station", str(station.number))  # the current election
    assert again.exit_code == 0 and "0 new, 2 already stored" in again.output
    alias = CliRunner().invoke(shailoo_app, ["results", "load-scan", *args])  # the old name, hidden
    assert alias.exit_code == 0 and "0 new, 2 already stored" in alias.output

    other = ["--election", "jk-2025", "--station", str(w.stations[2].number)]
    refused = _scan(str(cvr), *other)
    assert refused.exit_code == 1 and "sheet 0 (L1.png): station" in refused.output

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([reads[0], {"source": "x.png"}, 7]))
    result = _scan(str(bad), *args[1:])
    assert result.exit_code == 2
    assert (
        "[1]: missing key 'status'" in result.output
        and "[2]: a sheet read is a JSON" in result.output
    )
    garbage = tmp_path / "garbage.json"
    garbage.write_text("[{")
    result = _scan(str(garbage), *args[1:])
    assert result.exit_code == 2 and "invalid JSON at line 1" in result.output
    nist = tmp_path / "nist.json"
    nist.write_text(json.dumps({"@type": "CVR.CastVoteRecordReport", "Election": []}))
    result = _scan(str(nist), *args[1:])
    assert result.exit_code == 2 and "$.Election" in result.output
    no_station = _scan(str(cvr), "--election", "jk-2025", "--station", "1")
    assert no_station.exit_code == 2 and "polling station 1 does not exist" in no_station.output
    assert ScannedSheet.objects.count() == 2


def test_load_scan_reads_nist_cvr_reports(tmp_path: Path) -> None:
    from shailoo.counting.formats import nist_cvr

    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    reads = [sheet_read(w.definition, station, "N1", {contest: {options[2]: 0.8}})]
    generated = datetime.datetime(2025, 11, 30, 20, 0, tzinfo=datetime.UTC)
    doc = nist_cvr.build_cvr_report(w.definition, reads, generated=generated)
    path = tmp_path / "nist.json"
    path.write_text(json.dumps(doc))
    result = _scan(str(path), "--election", "jk-2025", "--station", str(station.number))
    assert result.exit_code == 0, result.output
    assert services.automatic_count(w.election, station)[contest][options[2]] == 1


def test_synth_definition_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "d.json"
    none = runner.invoke(shailoo_app, [*SYNTH_DEFINITION, "--out", str(out)])
    assert none.exit_code == 2 and "shailoo elections create" in none.output
    factories.election("kg-2025", code="jk-2025")
    empty = runner.invoke(shailoo_app, [*SYNTH_DEFINITION, "--out", str(out)])
    assert empty.exit_code == 2 and "no polling stations" in empty.output
    kind = runner.invoke(shailoo_app, [*SYNTH_DEFINITION, "--out", str(out), "--kind", "x"])
    assert kind.exit_code == 2 and "--kind" in kind.output
    factories.election("kg-2099", code="future")
    _stations()
    edition = runner.invoke(
        shailoo_app, [*SYNTH_DEFINITION, "--out", str(out), "--election", "future"]
    )
    assert edition.exit_code == 2 and "law edition 'kg-2099' cannot be used" in edition.output
    assert not out.exists()
