"""NIST SP 1500-103 cast vote records: schema-valid, and read back exactly as written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from counting_nist_sample import DEFINITION, schema_errors
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.counting.formats.nist_cvr import (
    AdjudicatedSheet,
    CvrFormatError,
    build_cvr_report,
    read_cvr_entries,
    read_cvr_report,
)
from shailoo.counting.reads import (
    ContestOutcome,
    Reason,
    SheetRead,
    SheetStatus,
    Thresholds,
    classify_contest,
)

WHEN = datetime(2026, 11, 30, 20, 15, tzinfo=UTC)


def assert_valid(doc: dict[str, Any]) -> None:
    errors = schema_errors("NIST_V0_cast_vote_records.json", doc)
    assert not errors, errors


fills = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@st.composite
def sheets(draw: st.DrawFn) -> SheetRead:
    thresholds = Thresholds(
        marginal=draw(st.sampled_from([0.1, 0.12, 0.15])),
        definite=draw(st.sampled_from([0.3, 0.35, 0.5])),
    )
    style = draw(st.sampled_from(DEFINITION.ballot_styles))
    status = draw(st.sampled_from(list(SheetStatus)))
    if status is SheetStatus.UNREADABLE:
        return SheetRead(
            source=draw(st.text(min_size=1, max_size=12)),
            status=status,
            thresholds=thresholds,
            reasons=(draw(st.sampled_from([Reason.QR_UNREADABLE, Reason.TIMING_MARKS_NOT_FOUND])),),
            geometry=draw(st.dictionaries(st.sampled_from(["skew", "rotation"]), fills)),
        )
    contests = []
    for contest in DEFINITION.style_contests(style.id):
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        measured = [(o.id, draw(fills)) for o in contest.options]
        contests.append(
            classify_contest(contest.id, measured, contest.votes_allowed, thresholds, against)
        )
    reasons = tuple(
        Reason.MARGINAL_MARK for c in contests[:1] if c.outcome is ContestOutcome.MARGINAL
    )
    return SheetRead(
        source=f"scan/{draw(st.integers(0, 9999)):04d}.png",
        status=status,
        thresholds=thresholds,
        election_id=draw(st.sampled_from([DEFINITION.election_id, "other-election", None])),
        style_id=style.id,
        station=draw(st.sampled_from([*style.stations, "9999"])),
        serial=draw(st.one_of(st.none(), st.from_regex(r"[A-Z0-9]{8}", fullmatch=True))),
        contests=tuple(contests),
        reasons=reasons,
        geometry={"rotation": float(draw(st.sampled_from([0, 90, 180, 270])))},
    )


@st.composite
def entries(draw: st.DrawFn) -> SheetRead | AdjudicatedSheet:
    original = draw(sheets())
    if not draw(st.booleans()):
        return original
    return AdjudicatedSheet(
        original=original,
        interpreted=draw(sheets()),
        adjudicator=draw(st.sampled_from(["aigul", "bakyt"])),
        decided=WHEN,
        note=draw(st.sampled_from(["", "faint tick read as a vote"])),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entries(), max_size=6))
def test_round_trip_and_schema(written: list[SheetRead | AdjudicatedSheet]) -> None:
    doc = build_cvr_report(DEFINITION, written, generated=WHEN, report_id="batch-1")
    assert_valid(doc)
    # Through JSON text, as a file would carry it.
    doc = json.loads(json.dumps(doc))
    assert read_cvr_entries(doc, DEFINITION) == written
    current = [w.interpreted if isinstance(w, AdjudicatedSheet) else w for w in written]
    assert read_cvr_report(doc, DEFINITION) == current


def _sheet(fills_by_contest: dict[str, list[float]], **extra: Any) -> SheetRead:
    thresholds = Thresholds(0.12, 0.30)
    contests = []
    for contest_id, values in fills_by_contest.items():
        contest = DEFINITION.contest(contest_id)
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        measured = [(o.id, f) for o, f in zip(contest.options, values, strict=True)]
        contests.append(
            classify_contest(contest_id, measured, contest.votes_allowed, thresholds, against)
        )
    fields: dict[str, Any] = {
        "source": "a.png",
        "status": SheetStatus.READABLE,
        "thresholds": thresholds,
        "election_id": DEFINITION.election_id,
        "style_id": "s1",
        "station": "1001",
        "serial": "SER00001",
        "contests": tuple(contests),
    }
    fields.update(extra)
    return SheetRead(**fields)


def test_mapping_of_a_plain_vote() -> None:
    sheet = _sheet({"president": [0.9, 0.01, 0.0], "jk-list": [0.02, 0.8]})
    doc = build_cvr_report(DEFINITION, [sheet], generated=WHEN, device_id="scanner-17")
    assert_valid(doc)
    cvr = doc["CVR"][0]
    assert cvr["BallotStyleId"] == "s1"
    assert cvr["BallotStyleUnitId"] == "station:1001"
    assert cvr["BallotSheetId"] == cvr["UniqueId"] == "SER00001"
    assert cvr["CreatingDeviceId"] == "device:scanner-17"
    (snapshot,) = cvr["CVRSnapshot"]
    assert snapshot["Type"] == "original" and snapshot["Status"] == []
    assert (
        'shailoo:thresholds={"definite": 0.3, "marginal": 0.12}'
        in (snapshot["Annotation"][0]["Message"])
    )
    president = snapshot["CVRContest"][0]
    first = president["CVRContestSelection"][0]
    assert first["ContestSelectionId"] == "option:president:c1"
    position = first["SelectionPosition"][0]
    assert position["MarkMetricValue"] == ["0.9"]
    assert (position["HasIndication"], position["IsAllocable"], position["NumberVotes"]) == (
        "yes",
        "yes",
        1,
    )
    contests = {c["@id"]: c for c in doc["Election"][0]["Contest"]}
    assert contests["contest:jk-list"]["@type"] == "CVR.PartyContest"
    assert contests["contest:president"]["@type"] == "CVR.CandidateContest"
    # Ata is one party whether it stands as a list or backs a candidate.
    names = [p["Name"] for p in doc["Party"]]
    assert names == ["Ata (ky) / Ata (ru)", "Yntymak (ky) / Yntymak (ru)"]


def test_marginal_and_overvote_statuses() -> None:
    sheet = _sheet(
        {"president": [0.9, 0.2, 0.0], "jk-list": [0.9, 0.8]},
        reasons=(Reason.MARGINAL_MARK,),
    )
    doc = build_cvr_report(DEFINITION, [sheet], generated=WHEN)
    assert_valid(doc)
    snapshot = doc["CVR"][0]["CVRSnapshot"][0]
    assert snapshot["Status"] == ["needs-adjudication"]
    president, party = snapshot["CVRContest"]
    assert (president["Status"], president["OtherStatus"]) == (["other"], "marginal")
    assert president["CVRContestSelection"][1]["Status"] == ["needs-adjudication"]
    assert president["CVRContestSelection"][1]["SelectionPosition"][0]["IsAllocable"] == "unknown"
    assert party["Status"] == ["overvoted"] and party["Overvotes"] == 2
    assert all(
        s["SelectionPosition"][0]["IsAllocable"] == "no" for s in party["CVRContestSelection"]
    )


def test_adjudicated_sheet_has_interpreted_snapshot_as_current() -> None:
    original = _sheet({"president": [0.2, 0.0, 0.0], "jk-list": [0.0, 0.9]})
    interpreted = _sheet({"president": [0.9, 0.0, 0.0], "jk-list": [0.0, 0.9]})
    entry = AdjudicatedSheet(original, interpreted, "aigul", WHEN, "pencil tick")
    doc = build_cvr_report(DEFINITION, [entry], generated=WHEN)
    assert_valid(doc)
    cvr = doc["CVR"][0]
    assert [s["Type"] for s in cvr["CVRSnapshot"]] == ["original", "interpreted"]
    assert cvr["CurrentSnapshotId"] == cvr["CVRSnapshot"][1]["@id"]
    assert cvr["CVRSnapshot"][1]["Annotation"][0]["AdjudicatorName"] == ["aigul"]
    assert "adjudicated" in doc["ReportType"]
    assert read_cvr_report(doc, DEFINITION) == [interpreted]


def test_naive_time_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        build_cvr_report(DEFINITION, [], generated=datetime(2026, 1, 1))


def test_bad_documents_are_located() -> None:
    doc = build_cvr_report(DEFINITION, [_sheet({"president": [0.9, 0, 0]})], generated=WHEN)
    doc["CVR"][0]["CVRSnapshot"][0]["CVRContest"][0]["CVRContestSelection"][1]["SelectionPosition"][
        0
    ]["MarkMetricValue"] = ["lots"]
    with pytest.raises(CvrFormatError) as caught:
        read_cvr_report(doc, DEFINITION)
    assert caught.value.where == (
        "$.CVR[0].CVRSnapshot[0].CVRContest[0].CVRContestSelection[1].SelectionPosition[0]"
    )
    assert "MarkMetricValue" in str(caught.value)
    with pytest.raises(CvrFormatError, match="no election"):
        read_cvr_report({**doc, "Election": []}, DEFINITION)
    with pytest.raises(CvrFormatError, match="CastVoteRecordReport"):
        read_cvr_report({"@type": "x"}, DEFINITION)
