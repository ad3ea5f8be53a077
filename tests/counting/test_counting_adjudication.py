"""Adjudication service: decisions, refusals, the ledger entry, and what then counts."""

from __future__ import annotations

import pytest
from test_counting_cvr_store import (
    THRESHOLDS,
    World,
    counting_world,
    first_contest,
    sheet_read,
)

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.common.refusals import PermissionRefused, Refusal
from shailoo.counting import services
from shailoo.counting.models import Adjudication, ContestInterpretation, ScannedSheet
from shailoo.counting.reads import Reason, SheetRead, SheetStatus
from shailoo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


def _marginal_sheet(w: World, serial: str = "M1") -> tuple[ScannedSheet, str, list[str]]:
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    read = sheet_read(w.definition, station, serial, {contest: {options[1]: 0.2}})
    services.record_scan(w.election, station, [read], None, "cli")
    return ScannedSheet.objects.get(serial=serial), contest, options


def test_vote_decision_counts_and_goes_on_the_ledger() -> None:
    w = counting_world()
    sheet, contest, options = _marginal_sheet(w)
    adjudicator = make_user("tec-op", Role.TEC_OPERATOR, w.tec_a)
    before = LedgerEntry.objects.count()
    assert services.automatic_count(w.election, sheet.station)[contest][services.PENDING] == 1

    done = services.decide(
        sheet,
        decision="vote",
        contest_code=contest,
        option_codes=[options[1]],
        reason="a light but clear tick in the oval",
        user=adjudicator,
    )
    assert LedgerEntry.objects.count() == before + 1
    entry = LedgerEntry.objects.get(sequence=done.ledger_sequence)
    assert entry.kind == services.ADJUDICATION
    text = bytes(entry.data).decode()
    assert '"actor":"tec-op"' in text and "a light but clear tick" in text
    assert f'"votes":["{options[1]}"]' in text
    sheet.refresh_from_db()
    assert sheet.state == ScannedSheet.State.DECIDED
    assert done.decided_by == adjudicator and done.reason == "a light but clear tick in the oval"
    tally = services.automatic_count(w.election, sheet.station)[contest]
    assert tally[options[1]] == 1 and tally[services.PENDING] == 0
    row = ContestInterpretation.objects.get(sheet=sheet)
    assert row.read_outcome == "marginal" and row.outcome == "valid"

    with pytest.raises(Refusal, match="no longer pending"):
        services.decide(sheet, decision="blank", contest_code=contest, reason="x", user="cli")


def test_reason_is_mandatory_and_options_checked() -> None:
    w = counting_world()
    sheet, contest, options = _marginal_sheet(w)
    with pytest.raises(Refusal, match="reason"):
        services.decide(sheet, decision="blank", contest_code=contest, reason="  ", user="cli")
    with pytest.raises(Refusal, match="not options"):
        services.decide(
            sheet, decision="vote", contest_code=contest, option_codes=["nope"], reason="r",
            user="cli",
        )  # fmt: skip
    against = next(o for o in options if o.endswith("-against"))
    with pytest.raises(Refusal, match="overvote"):
        services.decide(
            sheet, decision="vote", contest_code=contest, option_codes=[options[0], against],
            reason="r", user="cli",
        )  # fmt: skip
    with pytest.raises(Refusal, match="names no option"):
        services.decide(
            sheet, decision="blank", contest_code=contest, option_codes=[options[0]], reason="r",
            user="cli",
        )  # fmt: skip
    with pytest.raises(Refusal, match="14-digit"):
        services.decide(
            sheet, decision="blank", contest_code=contest, reason="voter 12345678901234",
            user="cli",
        )  # fmt: skip
    assert not Adjudication.objects.exists()
    sheet.refresh_from_db()
    assert sheet.state == ScannedSheet.State.PENDING


def test_overvote_and_blank_decisions_count_as_such() -> None:
    w = counting_world()
    sheet, contest, _ = _marginal_sheet(w, "O1")
    services.decide(
        sheet, decision="overvote", contest_code=contest, reason="two ticks", user="cli"
    )
    other, _, _ = _marginal_sheet(w, "B1")
    services.decide(other, decision="blank", contest_code=contest, reason="a smudge", user="cli")
    tally = services.automatic_count(w.election, sheet.station)[contest]
    assert tally[services.OVERVOTE] == 1 and tally[services.BLANK] == 1


def test_sheet_invalid_takes_it_out_of_the_count() -> None:
    w = counting_world()
    sheet, contest, _ = _marginal_sheet(w)
    services.decide(sheet, decision="sheet-invalid", reason="torn in half", user="cli")
    counts = services.automatic_count(w.election, sheet.station)
    assert counts[contest][services.INVALID] == 1
    assert counts[services.SHEETS] == {"total": 1, "counted": 0, "invalid": 1, "pending": 0}


def test_certain_contest_needs_no_decision() -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    read = sheet_read(w.definition, station, "C1", {contest: {options[0]: 0.9}})
    services.record_scan(w.election, station, [read], None, "cli")
    sheet = ScannedSheet.objects.get()
    assert sheet.state == ScannedSheet.State.COUNTED
    with pytest.raises(Refusal, match="no longer pending"):
        services.decide(sheet, decision="blank", contest_code=contest, reason="r", user="cli")


def test_missing_timing_mark_sends_every_contest_to_a_person() -> None:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    read = sheet_read(
        w.definition,
        station,
        "T1",
        {contest: {options[0]: 0.9}},
        reasons=(Reason.TIMING_MARK_MISSING,),
    )
    services.record_scan(w.election, station, [read], None, "cli")
    sheet = ScannedSheet.objects.get()
    assert sheet.state == ScannedSheet.State.PENDING
    assert ContestInterpretation.objects.get(sheet=sheet).needs_decision
    services.decide(
        sheet, decision="vote", contest_code=contest, option_codes=[options[0]],
        reason="checked against the paper", user="cli",
    )  # fmt: skip
    assert services.automatic_count(w.election, station)[contest][options[0]] == 1


def test_unreadable_sheet_of_a_two_sheet_station_gets_its_style_first() -> None:
    w = counting_world("kg-2021")  # a party-list sheet and a district sheet at every station
    station = w.stations[0]
    read = SheetRead(
        source="blur.png",
        status=SheetStatus.UNREADABLE,
        thresholds=THRESHOLDS,
        reasons=(Reason.QR_UNREADABLE,),
    )
    services.record_scan(w.election, station, [read], None, "cli")
    sheet = ScannedSheet.objects.get()
    assert sheet.serial == "~blur.png" and sheet.style is None
    assert [s.code for s in services.adjudicable_styles(sheet)] == ["list", "style-d01"]
    with pytest.raises(Refusal, match="choose it"):
        services.decide(sheet, decision="blank", contest_code="list", reason="r", user="cli")
    party = w.definition.contest("list").options[2].id
    services.decide(
        sheet, decision="vote", contest_code="list", option_codes=[party], style_code="list",
        reason="QR smeared, party list sheet, one clear mark", user="cli",
    )  # fmt: skip
    sheet.refresh_from_db()
    assert sheet.style is not None and sheet.style.code == "list"
    assert sheet.state == ScannedSheet.State.DECIDED
    assert services.automatic_count(w.election, station)["list"][party] == 1


def test_adjudicator_of_another_station_is_refused() -> None:
    w = counting_world()
    sheet, contest, _ = _marginal_sheet(w)
    outsider = make_user("pec-b", Role.PEC_OPERATOR, w.stations[2])
    with pytest.raises(PermissionRefused):
        services.decide(sheet, decision="blank", contest_code=contest, reason="r", user=outsider)
    viewer = make_user("member", Role.CEC_MEMBER)  # results, but no adjudication
    with pytest.raises(PermissionRefused):
        services.decide(sheet, decision="blank", contest_code=contest, reason="r", user=viewer)
    assert not Adjudication.objects.exists()
