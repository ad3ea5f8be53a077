"""Cast vote records in the database: record_scan refusals, idempotency, ledger, counting.

The builders at the top (``counting_world``, ``sheet_read``) are shared with the
adjudication tests, which import them from here.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

import factories
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.common.refusals import PermissionRefused, Refusal
from shailoo.counting import services
from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.models import ContestInterpretation, ScannedSheet
from shailoo.counting.reads import (
    Reason,
    SheetRead,
    SheetStatus,
    Thresholds,
    classify_contest,
)
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, TerritorialCommission
from shailoo.integrity.models import LedgerEntry
from shailoo.synth.definition import make_definition

pytestmark = pytest.mark.django_db
THRESHOLDS = Thresholds(0.12, 0.30)


@dataclass
class World:
    election: Election
    definition: ElectionDefinition
    tec_a: TerritorialCommission
    tec_b: TerritorialCommission
    stations: list[PollingStation]  # two in TEC A, one in TEC B


def counting_world(edition: str = "kg-2025") -> World:
    """Three stations, an election and its synthetic definition, imported."""
    region = factories.region("KG-C")
    district = factories.district(region)
    tec_a, tec_b = factories.tec(region), factories.tec(region)
    stations = [
        factories.station(7101, district_=district, tec_=tec_a),
        factories.station(7102, district_=district, tec_=tec_a),
        factories.station(7201, district_=district, tec_=tec_b),
    ]
    election = factories.election(edition, code="jk-2025")
    definition = make_definition(
        [
            (str(s.number), region.code, tec_a.code if s.tec == tec_a else tec_b.code)
            for s in stations
        ],
        seed=5,
        law_edition=edition,
        election_date=datetime.date(2025, 11, 30),
        election_id="jk-2025",
    )
    services.import_definition(election, definition, "cli")
    return World(election, definition, tec_a, tec_b, stations)


def sheet_read(
    definition: ElectionDefinition,
    station: PollingStation,
    serial: str,
    marks: dict[str, dict[str, float]] | None = None,
    *,
    style_id: str | None = None,
    status: SheetStatus = SheetStatus.READABLE,
    reasons: tuple[Reason, ...] = (),
) -> SheetRead:
    """A read of ``station``'s (first) style; ``marks`` gives contest -> option -> fill."""
    style = (
        definition.style(style_id)
        if style_id
        else definition.styles_for_station(str(station.number))[0]
    )
    contests = []
    for contest in definition.style_contests(style.id):
        fills = (marks or {}).get(contest.id, {})
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        contests.append(
            classify_contest(
                contest.id,
                [(o.id, fills.get(o.id, 0.02)) for o in contest.options],
                contest.votes_allowed,
                THRESHOLDS,
                against,
            )
        )
    extra = tuple(Reason.MARGINAL_MARK for c in contests if c.outcome == "marginal")
    return SheetRead(
        source=f"{serial}.png",
        status=status,
        thresholds=THRESHOLDS,
        election_id=definition.election_id,
        style_id=style.id,
        station=str(station.number),
        serial=serial,
        contests=tuple(contests),
        reasons=reasons + extra[:1],
    )


def first_contest(definition: ElectionDefinition, station: PollingStation) -> tuple[str, list[str]]:
    style = definition.styles_for_station(str(station.number))[0]
    contest = definition.style_contests(style.id)[0]
    return contest.id, [o.id for o in contest.options]


# -- tests ------------------------------------------------------------------------------------


def test_scan_stores_counts_and_is_idempotent() -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    reads = [
        sheet_read(w.definition, station, "S1", {contest: {options[0]: 0.8}}),
        sheet_read(w.definition, station, "S2", {contest: {options[0]: 0.7}}),
        sheet_read(w.definition, station, "S3", {contest: {options[1]: 0.9}}),
        sheet_read(w.definition, station, "S4", {contest: {options[0]: 0.9, options[1]: 0.9}}),
        sheet_read(w.definition, station, "S5"),
        sheet_read(w.definition, station, "S6", {contest: {options[2]: 0.2}}),  # marginal
    ]
    before = LedgerEntry.objects.count()
    batch = services.record_scan(w.election, station, reads, None, "cli")
    assert (batch.created, batch.unchanged, batch.needs_adjudication) == (6, 0, 1)
    entries = LedgerEntry.objects.filter(kind=services.SCAN_BATCH)
    # the batch entry, then its sheets bound one by one (counting.scan_state)
    assert LedgerEntry.objects.count() == before + 2 and entries.count() == 1
    assert b'"sheets":6' in bytes(entries.get().data)
    assert LedgerEntry.objects.filter(kind="counting.scan_state").count() == 1

    again = services.record_scan(w.election, station, reads, None, "cli")
    assert (again.created, again.unchanged, again.ledger_sequence) == (0, 6, None)
    assert LedgerEntry.objects.count() == before + 2

    counts = services.automatic_count(w.election, station)
    tally = counts[contest]
    assert tally[options[0]] == 2 and tally[options[1]] == 1 and tally[options[2]] == 0
    assert tally[services.OVERVOTE] == 1 and tally[services.BLANK] == 1
    assert tally[services.PENDING] == 1 and tally[services.INVALID] == 0
    assert counts[services.SHEETS] == {"total": 6, "counted": 5, "invalid": 0, "pending": 1}
    sheet = ScannedSheet.objects.get(serial="S6")
    assert sheet.state == ScannedSheet.State.PENDING and sheet.needs_adjudication
    assert sheet.read["thresholds"] == {"marginal": 0.12, "definite": 0.30}
    assert sheet.marginal_threshold == 0.12 and sheet.definite_threshold == 0.30
    assert ContestInterpretation.objects.get(sheet=sheet).needs_decision


def test_other_stations_count_is_separate() -> None:
    w = counting_world()
    station, other = w.stations[0], w.stations[2]
    contest, options = first_contest(w.definition, station)
    services.record_scan(
        w.election, station, [sheet_read(w.definition, station, "A", {contest: {options[0]: 1}})],
        None, "cli",
    )  # fmt: skip
    counts = services.automatic_count(w.election, other)
    assert counts[services.SHEETS]["total"] == 0
    assert all(v == 0 for c, t in counts.items() if c != services.SHEETS for v in t.values())


def test_scan_of_another_station_or_style_is_refused_whole() -> None:
    w = counting_world()
    station, other = w.stations[0], w.stations[2]
    good = sheet_read(w.definition, station, "G1")
    foreign = sheet_read(w.definition, other, "F1")
    with pytest.raises(Refusal) as caught:
        services.record_scan(w.election, station, [good, foreign], None, "cli")
    assert any("station" in where and "sheet 1" in where for where, _ in caught.value.problems)
    assert not ScannedSheet.objects.exists()  # nothing of a refused batch is stored

    other_style = next(
        s.id for s in w.definition.ballot_styles if str(station.number) not in s.stations
    )
    wrong = sheet_read(w.definition, station, "W1", style_id=other_style)
    with pytest.raises(Refusal, match="does not issue style"):
        services.record_scan(w.election, station, [wrong], None, "cli")


def test_reader_flagged_foreign_sheet_is_kept_for_a_person() -> None:
    w = counting_world()
    station, other = w.stations[0], w.stations[2]
    flagged = SheetRead(
        source="x.png",
        status=SheetStatus.WRONG_STATION,
        thresholds=THRESHOLDS,
        election_id="jk-2025",
        station=str(other.number),
        serial="X1",
        reasons=(Reason.WRONG_STATION,),
    )
    services.record_scan(w.election, station, [flagged], None, "cli")
    sheet = ScannedSheet.objects.get()
    assert sheet.state == ScannedSheet.State.PENDING and sheet.style is None
    assert services.automatic_count(w.election, station)[services.SHEETS]["pending"] == 1


def test_changed_read_of_same_serial_is_refused() -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    services.record_scan(
        w.election, station, [sheet_read(w.definition, station, "D1")], None, "cli"
    )
    changed = sheet_read(w.definition, station, "D1", {contest: {options[0]: 0.9}})
    with pytest.raises(Refusal, match="different read"):
        services.record_scan(w.election, station, [changed], None, "cli")


def test_unknown_option_and_election_are_located() -> None:
    w = counting_world()
    station = w.stations[0]
    read = sheet_read(w.definition, station, "U1")
    bad = SheetRead(
        source=read.source,
        status=read.status,
        thresholds=read.thresholds,
        election_id="other-election",
        style_id=read.style_id,
        station=read.station,
        serial="U1",
        contests=read.contests,
    )
    with pytest.raises(Refusal) as caught:
        services.record_scan(w.election, station, [bad], None, "cli")
    assert [tuple(p) for p in caught.value.problems] == [
        ("sheet 0 (U1.png): election_id", "'other-election' is another election")
    ]


def test_images_are_copied_under_var_and_missing_ones_refused(
    tmp_path: Path, settings: object
) -> None:
    settings.VAR_DIR = tmp_path / "var"  # type: ignore[attr-defined]
    w = counting_world()
    station = w.stations[0]
    scans = tmp_path / "scans"
    scans.mkdir()
    (scans / "I1.png").write_bytes(b"\x89PNG fake")
    reads = [sheet_read(w.definition, station, "I1"), sheet_read(w.definition, station, "I2")]
    with pytest.raises(Refusal, match="not found"):
        services.record_scan(w.election, station, reads, scans, "cli")
    services.record_scan(w.election, station, reads[:1], scans, "cli")
    sheet = ScannedSheet.objects.get()
    assert sheet.image_path == f"ballots/jk-2025/{station.number}/I1.png"
    assert (tmp_path / "var" / sheet.image_path).read_bytes() == b"\x89PNG fake"
    escape = sheet_read(w.definition, station, "I3")
    escape = SheetRead(**{**{f: getattr(escape, f) for f in escape.__slots__}, "source": "../x"})
    with pytest.raises(Refusal, match="outside"):
        services.record_scan(w.election, station, [escape], scans, "cli")


def test_scan_permission_by_station() -> None:
    w = counting_world()
    station, other = w.stations[0], w.stations[2]
    operator = make_user("pec", Role.PEC_OPERATOR, other)
    operator.is_staff = True
    with pytest.raises(PermissionRefused):
        services.record_scan(
            w.election, station, [sheet_read(w.definition, station, "P1")], None, operator
        )
    own = make_user("pec2", Role.PEC_OPERATOR, station)
    batch = services.record_scan(
        w.election, station, [sheet_read(w.definition, station, "P1")], None, own
    )
    assert batch.created == 1
    assert ScannedSheet.objects.get().recorded_by == "pec2"


def test_no_definition_means_no_count() -> None:
    station = factories.station()
    election = factories.election(code="empty")
    with pytest.raises(Refusal, match="no election definition"):
        services.current_definition(election)
    with pytest.raises(Refusal, match="no election definition"):
        services.record_scan(election, station, [], None, "cli")


def test_scans_signed_by_the_stations_device_keep_its_key() -> None:
    from shailoo.integrity import keys

    w = counting_world()
    station, other = w.stations[0], w.stations[2]
    public = keys.raw_public(keys.generate())
    device = keys.register_key(
        public, usage="submission", actor="test", station_number=station.number
    )
    services.record_scan(
        w.election, station, [sheet_read(w.definition, station, "K1")], None, device
    )
    sheet = ScannedSheet.objects.get()
    assert sheet.device_key_id == device.key_id and sheet.recorded_by == f"device:{device.key_id}"
    with pytest.raises(PermissionRefused):
        services.record_scan(
            w.election, other, [sheet_read(w.definition, other, "K2")], None, device
        )
    keys.revoke_key(device.key_id, actor="test", reason="stolen")
    device.refresh_from_db()
    with pytest.raises(PermissionRefused):
        services.record_scan(
            w.election, station, [sheet_read(w.definition, station, "K3")], None, device
        )


def test_unreadable_sheet_naming_another_station_is_refused() -> None:
    w = counting_world()
    station, other = w.stations[0], w.stations[2]
    read = SheetRead(
        source="u.png",
        status=SheetStatus.UNREADABLE,
        thresholds=THRESHOLDS,
        station=str(other.number),
        reasons=(Reason.TIMING_MARKS_NOT_FOUND,),
    )
    with pytest.raises(Refusal, match="is not station"):
        services.record_scan(w.election, station, [read], None, "cli")


def test_doubted_sheet_without_a_named_contest_sends_all_to_a_person() -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    read = sheet_read(
        w.definition, station, "Q1", {contest: {options[0]: 0.9}}, reasons=(Reason.OVERVOTE,)
    )  # an overvote reason although the contest reads valid: a person looks
    services.record_scan(w.election, station, [read], None, "cli")
    row = ContestInterpretation.objects.get()
    assert row.needs_decision and row.sheet.state == ScannedSheet.State.PENDING
    assert services.automatic_count(w.election, station)[contest][options[0]] == 0
