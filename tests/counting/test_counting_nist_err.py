"""NIST SP 1500-100 v2 results: schema-valid, and every level adds up to its stations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from counting_nist_sample import DEFINITION, schema_errors
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.counting.definition import LocalText
from shailoo.counting.formats.nist_err import (
    Geography,
    ResultsInputError,
    StationTotals,
    build_results_report,
)

WHEN = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
SCHEMA = "NIST_V2_election_results_reporting.json"
PLACES = {"1001": ("KG-C", "tec-1"), "1002": ("KG-C", "tec-2"), "1003": ("KG-Y", "tec-3")}


def _totals(station: str, votes: dict[str, dict[str, int]], **extra: Any) -> StationTotals:
    region, tec = PLACES[station]
    fields: dict[str, Any] = {
        "station": station,
        "region": region,
        "tec": tec,
        "registered": 1000,
        "ballots_cast": 600,
        "votes": votes,
    }
    fields.update(extra)
    return StationTotals(**fields)


TOTALS = [
    _totals(
        "1001",
        {"president": {"c1": 300, "c2": 200, "aa": 50}, "jk-list": {"p1": 400, "p2": 150}},
        invalid={"president": 50, "jk-list": 50},
    ),
    _totals(
        "1002",
        {"president": {"c1": 100, "c2": 350, "aa": 20}, "jk-list": {"p1": 200, "p2": 290}},
        registered=800,
        ballots_cast=500,
    ),
    _totals(
        "1003",
        {
            "president": {"c1": 10, "c2": 20, "aa": 0},
            "jk-list": {"p1": 5, "p2": 25},
            "d7": {"x1": 12, "x2": 9, "x3": 4},
        },
        registered=100,
        ballots_cast=30,
    ),
]
GEOGRAPHY = Geography(
    country=LocalText(ky="Кыргыз Республикасы", ru="Кыргызская Республика"),
    regions={"KG-C": LocalText(ky="Чүй облусу", ru="Чуйская область")},
)


def _counts(doc: dict[str, Any], contest: str, option: str) -> dict[str, float]:
    contests = {c["@id"]: c for c in doc["Election"][0]["Contest"]}
    selections = {s["@id"]: s for s in contests[f"contest:{contest}"]["ContestSelection"]}
    return {
        v["GpUnitId"]: v["Count"] for v in selections[f"option:{contest}:{option}"]["VoteCounts"]
    }


def test_report_is_valid_and_aggregates() -> None:
    doc = build_results_report(DEFINITION, TOTALS, generated=WHEN, geography=GEOGRAPHY)
    assert schema_errors(SCHEMA, doc) == []
    counts = _counts(doc, "president", "c1")
    assert counts["station:1001"] == 300
    assert counts["tec:tec-1"] == 300
    assert counts["region:KG-C"] == 400
    assert counts["region:KG-Y"] == 10
    assert counts["country"] == 410
    # A district contest is counted only where its ballot is issued.
    assert _counts(doc, "d7", "x1") == {
        "station:1003": 12,
        "tec:tec-3": 12,
        "region:KG-Y": 12,
        "district:d7": 12,
        "country": 12,
    }
    units = {u["@id"]: u for u in doc["GpUnit"]}
    assert units["country"]["Type"] == "country"
    assert units["country"]["ComposingGpUnitIds"] == ["region:KG-C", "region:KG-Y"]
    assert units["region:KG-C"]["ComposingGpUnitIds"] == ["tec:tec-1", "tec:tec-2"]
    assert units["tec:tec-1"]["ComposingGpUnitIds"] == ["station:1001"]
    assert units["station:1001"]["Type"] == "precinct"
    assert (units["country"]["VotersRegistered"], units["country"]["VotersParticipated"]) == (
        1900,
        1130,
    )
    assert units["region:KG-C"]["Name"]["Text"][0] == {
        "@type": "ElectionResults.LanguageString",
        "Content": "Чүй облусу",
        "Language": "ky",
    }
    ballots = {
        (b["GpUnitId"], b.get("OtherType", b["Type"])): b
        for b in doc["Election"][0]["BallotCounts"]
    }
    assert ballots[("country", "total")]["BallotsCast"] == 1130
    assert ballots[("region:KG-C", "invalid:president")]["BallotsRejected"] == 50
    contests = {c["@id"]: c for c in doc["Election"][0]["Contest"]}
    assert contests["contest:jk-list"]["@type"] == "ElectionResults.PartyContest"
    assert contests["contest:d7"]["ElectionDistrictId"] == "district:d7"
    against = contests["contest:president"]["ContestSelection"][2]
    assert against["@type"] == "ElectionResults.BallotMeasureSelection"


def test_partial_report_counts_reporting_stations() -> None:
    doc = build_results_report(DEFINITION, TOTALS[:1], generated=WHEN, status="unofficial-partial")
    assert schema_errors(SCHEMA, doc) == []
    president = doc["Election"][0]["Contest"][0]
    assert (president["SubUnitsReported"], president["TotalSubUnits"]) == (1, 3)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500)),
        min_size=3,
        max_size=3,
    )
)
def test_every_level_sums_its_stations(votes: list[tuple[int, int, int]]) -> None:
    totals = [
        _totals(s, {"president": {"c1": a, "c2": b, "aa": c}})
        for s, (a, b, c) in zip(PLACES, votes, strict=True)
    ]
    doc = json.loads(json.dumps(build_results_report(DEFINITION, totals, generated=WHEN)))
    assert schema_errors(SCHEMA, doc) == []
    units = {u["@id"]: u for u in doc["GpUnit"]}
    for option in ("c1", "c2", "aa"):
        counts = _counts(doc, "president", option)
        for ref, unit in units.items():
            parts = unit.get("ComposingGpUnitIds")
            if parts and ref in counts:
                assert counts[ref] == sum(counts[p] for p in parts if p in counts), ref


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([TOTALS[0], TOTALS[0]], "station 1001: reported twice"),
        ([_totals("1001", {"mayor": {}})], "station 1001: unknown contest 'mayor'"),
        (
            [_totals("1001", {"president": {"c9": 1}})],
            "station 1001: contest president: unknown option 'c9'",
        ),
        (
            [_totals("1001", {"president": {"c1": -1}})],
            "station 1001: contest president: option c1: negative votes",
        ),
        ([_totals("1001", {}, registered=-5)], "station 1001: registered is negative"),
        (
            [_totals("1001", {}), _totals("1002", {}, tec="tec-1", region="KG-Y")],
            "station 1002: TEC tec-1 lies in region KG-C, not KG-Y",
        ),
    ],
)
def test_bad_totals_are_located(rows: list[StationTotals], message: str) -> None:
    with pytest.raises(ResultsInputError) as caught:
        build_results_report(DEFINITION, rows, generated=WHEN)
    assert str(caught.value) == message
