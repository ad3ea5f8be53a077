"""Hostile scan and definition files: refused with their place, never a traceback.

``shailoo ballots load-scan`` with NaN, infinite or negative fill levels (once stored, or
refused as "another batch stored these sheets: run again", which never helps), and
``shailoo elections load-definition`` with seat counts of 2^63, a 5,000-digit number or
200,000 levels of nesting (once tracebacks).
"""

from __future__ import annotations

import datetime
import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from test_counting_cvr_store import counting_world, first_contest, sheet_read
from typer.testing import CliRunner, Result

from shailoo.cli import app as shailoo_app
from shailoo.common.refusals import Conflict, InvalidInput
from shailoo.counting import services
from shailoo.counting.definition import DefinitionError, dump_definition, load_definition
from shailoo.counting.formats import nist_cvr
from shailoo.counting.models import Definition, ScannedSheet
from shailoo.counting.reads import SheetRead
from shailoo.synth.definition import make_definition

pytestmark = pytest.mark.django_db
DAY = datetime.date(2025, 11, 30)
BAD_FILLS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0.5": -0.5}


@pytest.fixture(autouse=True)
def _django_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    import shailoo.common.cli

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)  # the test database is set up


def _scan(path: Path, station: int) -> Result:
    """``shailoo ballots load-scan PATH --station N`` (the current election)."""
    return CliRunner().invoke(
        shailoo_app, ["ballots", "load-scan", str(path), "--station", str(station)]
    )


def _with_fill(read: SheetRead, fill: float) -> SheetRead:
    """``read`` with its first oval's fill replaced (the dataclasses are frozen)."""
    contest = read.contests[0]
    first = replace(contest.selections[0], fill=fill)
    contest = replace(contest, selections=(first, *contest.selections[1:]))
    return replace(read, contests=(contest, *read.contests[1:]))


@pytest.mark.parametrize("text", list(BAD_FILLS))
def test_load_scan_refuses_a_bad_fill_with_its_place(tmp_path: Path, text: str) -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    good = sheet_read(w.definition, station, "H1", {contest: {options[0]: 0.9}}).to_json()
    bad = sheet_read(w.definition, station, "H2").to_json()
    bad["contests"][0]["selections"][0]["fill"] = BAD_FILLS[text]
    path = tmp_path / "reads.json"
    path.write_text(json.dumps([good, bad], indent=1))  # json.dumps writes NaN, Infinity
    result = _scan(path, station.number)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "another batch" not in result.output and "run this one again" not in result.output
    if text == "-0.5":
        assert "[1]: contests.0.selections.0.fill: -0.5 is not a fill ratio in [0, 1]" in (
            result.output
        )
    else:
        line = next(n for n, ln in enumerate(path.read_text().splitlines(), 1) if text in ln)
        assert f"{text} is not a number JSON allows at line {line} column" in result.output
    assert not ScannedSheet.objects.exists()


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-0.5", "1.5", "lots"])
def test_load_scan_refuses_a_bad_mark_in_a_nist_report(tmp_path: Path, text: str) -> None:
    w = counting_world()
    station = w.stations[0]
    generated = datetime.datetime(2025, 11, 30, 20, 0, tzinfo=datetime.UTC)
    doc = nist_cvr.build_cvr_report(
        w.definition, [sheet_read(w.definition, station, "N1")], generated=generated
    )
    position = doc["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][1]
    position["SelectionPosition"][0]["MarkMetricValue"] = [text]
    path = tmp_path / "nist.json"
    path.write_text(json.dumps(doc))
    result = _scan(path, station.number)
    assert result.exit_code == 2, result.output
    where = "$.CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[1].SelectionPosition[0]"
    assert f"{where}: MarkMetricValue[0]: {text!r} is not a" in result.output
    assert not ScannedSheet.objects.exists()


def test_a_nist_report_of_the_wrong_shape_is_located(tmp_path: Path) -> None:
    w = counting_world()
    station = w.stations[0]
    generated = datetime.datetime(2025, 11, 30, 20, 0, tzinfo=datetime.UTC)
    doc = nist_cvr.build_cvr_report(
        w.definition, [sheet_read(w.definition, station, "N1")] * 2, generated=generated
    )
    doc["CVR"][1]["CVRSnapshot"][0]["CVRContest"] = [7]
    geometry = 'shailoo:geometry={"skew": NaN}'
    doc["CVR"][0]["CVRSnapshot"][0]["Annotation"][0]["Message"].append(geometry)
    with pytest.raises(nist_cvr.CvrFormatError) as caught:
        nist_cvr.read_cvr_entries(doc, w.definition)
    assert caught.value.where == "$.CVR[0].CVRSnapshot[0].Annotation[0].Message[5]"
    assert "NaN is not a number JSON allows" in caught.value.reason
    doc["CVR"][0]["CVRSnapshot"][0]["Annotation"][0]["Message"].pop()
    with pytest.raises(nist_cvr.CvrFormatError) as caught:
        nist_cvr.read_cvr_entries(doc, w.definition)
    assert caught.value.where.startswith("$.CVR[1]")
    doc["Election"] = 5
    with pytest.raises(nist_cvr.CvrFormatError, match=r"\$\.Election"):
        nist_cvr.read_cvr_entries(doc, w.definition)


@pytest.mark.parametrize("fill", [math.nan, math.inf, -0.01, 1.01])
def test_record_scan_refuses_bad_values_as_bad_input_not_as_a_race(fill: float) -> None:
    """Whatever made the read (an API, a faulty scanner), the service refuses the value."""
    w = counting_world()
    station = w.stations[0]
    read = _with_fill(sheet_read(w.definition, station, "S1"), fill)
    with pytest.raises(InvalidInput) as caught:
        services.record_scan(w.election, station, [read], None, "cli")
    assert caught.value.code == "scan_refused"
    [problem] = caught.value.problems
    assert problem.where == "sheet 0 (S1.png): contests.0.selections.0.fill"
    assert "is not a fill ratio in [0, 1]" in problem.why
    assert not ScannedSheet.objects.exists()


def test_a_real_race_is_still_a_conflict(monkeypatch: pytest.MonkeyPatch) -> None:
    """Another batch storing the same serial between planning and storing: run again."""
    w = counting_world()
    station = w.stations[0]
    read = sheet_read(w.definition, station, "R1")
    original = services._store_image

    def racing(*args: Any) -> tuple[str, str]:
        monkeypatch.setattr(services, "_store_image", original)
        services.record_scan(w.election, station, [read], None, "cli")  # the other batch
        return original(*args)

    monkeypatch.setattr(services, "_store_image", racing)
    with pytest.raises(Conflict, match="another batch") as caught:
        services.record_scan(w.election, station, [read], None, "cli")
    assert caught.value.code == "scan_conflict"
    assert ScannedSheet.objects.count() == 1
    again = services.record_scan(w.election, station, [read], None, "cli")
    assert (again.created, again.unchanged) == (0, 1)


# -- the election definition ------------------------------------------------------------------


def _definition_doc() -> dict[str, Any]:
    stations = [("4242", "KG-N", "T1")]
    definition = make_definition(stations, seed=1, election_date=DAY, election_id="jk-2025")
    return json.loads(dump_definition(definition))


def _load(path: Path) -> Result:
    return CliRunner().invoke(shailoo_app, ["elections", "load-definition", str(path)])


@pytest.mark.parametrize("seats", [2**63, 2**31, 501, 0])
def test_seat_counts_beyond_the_law_are_refused_at_their_key(tmp_path: Path, seats: int) -> None:
    import factories

    factories.election("kg-2025", code="jk-2025")
    doc = _definition_doc()
    doc["contests"][1]["seats"] = seats
    doc["contests"][2]["votes_allowed"] = seats
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(doc))
    result = _load(path)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{path}: contests.1.seats: Input should be" in result.output
    assert f"{path}: contests.2.votes_allowed: Input should be" in result.output
    assert not Definition.objects.exists()


def test_a_five_thousand_digit_number_is_refused_with_its_line(tmp_path: Path) -> None:
    import factories

    factories.election("kg-2025", code="jk-2025")
    text = json.dumps(_definition_doc(), indent=1).replace(
        '"seats": 3', '"seats": ' + "9" * 5000, 1
    )
    path = tmp_path / "definition.json"
    path.write_text(text)
    line = next(n for n, ln in enumerate(text.splitlines(), 1) if "9" * 5000 in ln)
    result = _load(path)
    assert result.exit_code == 2, result.output
    assert f"{path}:{line}: an integer of 5000 digits (at most 20) at line {line}" in result.output
    with pytest.raises(DefinitionError) as caught:
        load_definition(path)
    assert caught.value.problems[0].line == line


@pytest.mark.parametrize("depth", [65, 200_000])
def test_deeply_nested_json_is_refused_with_its_place(tmp_path: Path, depth: int) -> None:
    import factories

    factories.election("kg-2025", code="jk-2025")
    doc = _definition_doc()
    doc["contests"][0]["options"][0]["name"]["ky"] = "[[[[ not nesting, text ]]]]"
    text = json.dumps(doc)[:-1] + ', "x": ' + "[" * depth + "]" * depth + "}"
    path = tmp_path / "definition.json"
    path.write_text(text)
    result = _load(path)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    column = text.index("[" * 64) + 63  # the 64th bracket opens level 65
    assert f"nested deeper than 64 levels at line 1 column {column + 1}" in result.output


def test_station_numbers_that_are_no_numbers_are_refused(tmp_path: Path) -> None:
    import factories

    factories.election("kg-2025", code="jk-2025")
    doc = _definition_doc()
    doc["ballot_styles"][0]["stations"] = ["²", "9" * 30, "4242"]
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(doc))
    result = _load(path)
    assert result.exit_code == 1, result.output
    assert "ballot_styles.0.stations.0: station '²' is not a station number" in result.output
    assert "ballot_styles.0.stations.1: station '99999999999999999999…'" in result.output
