"""Protocols and scanned sheets bound to the ledger: `ledger verify --state` names an outsider's
raw-SQL edit (record and field), and what people do through the services stays clean."""

from __future__ import annotations

from typing import Any

import pytest
from counting_results_helpers import VOTES, enter, setup_world
from django.db import connection
from test_counting_cvr_store import THRESHOLDS, counting_world, first_contest, sheet_read
from typer.testing import CliRunner

from shailoo.counting import services as counting
from shailoo.counting import state as sheet_states
from shailoo.counting.models import ContestInterpretation, ScannedSheet
from shailoo.counting.reads import Reason, SheetRead, SheetStatus
from shailoo.counting.results import decisions
from shailoo.counting.results.models import ProtocolVersion
from shailoo.integrity import state as integrity_state
from shailoo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def verify(monkeypatch: pytest.MonkeyPatch):
    """``shailoo ledger verify --state --only CHECK``: (exit code, output)."""
    import shailoo.common.cli
    from shailoo.cli import app

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)

    def run(check: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["ledger", "verify", "--state", "--only", check])
        return result.exit_code, result.output

    return run


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def line_of(output: str, record: str) -> str:
    return "\n".join(row for row in output.splitlines() if record in row)


# -- protocols --------------------------------------------------------------------------------


@pytest.fixture
def accepted(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    world = setup_world(monkeypatch, tmp_path)
    s1, s2, _ = world["stations"]
    world["version"] = enter(world, s1)
    decisions.accept_protocol(world["version"].protocol, "cli")
    world["reported"] = enter(world, s2)
    return world


def test_accepted_protocols_verify_clean(accepted, verify) -> None:
    code, output = verify("counting.protocols")
    assert code == 0, output
    assert "state counting.protocols: 4 records checked, OK" in output  # 2 versions, 2 counts


def test_a_vote_count_changed_in_an_accepted_version_is_named(accepted, verify) -> None:
    version = accepted["version"]
    sql(
        "UPDATE counting_results_protocolversion SET votes = %s WHERE id = %s",
        ['{"a": 350, "b": 200, "c": 50}', version.pk],
    )
    code, output = verify("counting.protocols")
    assert code == 1
    named = line_of(output, f"counting_results.protocol:{version.protocol_id} №101 pres v1")
    assert "[votes.a]: is 350, the ledger recorded 300" in named
    assert "[content]" in named and "[signature]" in named
    assert "known good since ledger #" in named
    # the careful outsider also rewrites the stored digest: the signature still fails
    sql(
        "UPDATE counting_results_protocolversion SET content_sha256 = %s WHERE id = %s",
        ["0" * 64, version.pk],
    )
    code, output = verify("counting.protocols")
    assert code == 1 and "[content_sha256]" in output and "[signature]" in output


def test_a_protocol_marked_accepted_by_hand_is_named(accepted, verify) -> None:
    protocol = accepted["reported"].protocol
    sql("UPDATE counting_results_protocol SET status = 'accepted' WHERE id = %s", [protocol.pk])
    code, output = verify("counting.protocols")
    assert code == 1
    assert "[status]: is 'accepted', the ledger's last entry left it 'reported'" in output


def test_a_version_inserted_by_hand_is_named(accepted, verify) -> None:
    version = ProtocolVersion.objects.get(pk=accepted["reported"].pk)
    version.pk, version.number, version.votes = None, 2, {**VOTES, "b": 10}
    version.save()  # the ORM, but no service: no ledger entry
    code, output = verify("counting.protocols")
    assert code == 1 and "v2: no ledger entry recorded this version" in output


# -- scanned sheets ---------------------------------------------------------------------------


@pytest.fixture
def scanned() -> dict[str, Any]:
    w = counting_world()
    station = w.stations[0]
    contest, options = first_contest(w.definition, station)
    reads = [
        sheet_read(w.definition, station, "S1", {contest: {options[0]: 0.8}}),
        sheet_read(w.definition, station, "S2", {contest: {options[1]: 0.9}}),
        sheet_read(w.definition, station, "M1", {contest: {options[1]: 0.2}}),  # marginal
    ]
    counting.record_scan(w.election, station, reads, None, "cli")
    return {"world": w, "contest": contest, "options": options}


def test_scans_and_decisions_verify_clean(scanned, verify) -> None:
    assert LedgerEntry.objects.filter(kind=sheet_states.SCAN_STATE).count() == 1
    code, output = verify("counting.sheets")
    assert code == 0, output
    sheet = ScannedSheet.objects.get(serial="M1")
    counting.decide(
        sheet,
        decision="vote",
        contest_code=scanned["contest"],
        option_codes=[scanned["options"][1]],
        reason="a light tick",
        user="cli",
    )
    code, output = verify("counting.sheets")
    assert code == 0, output


def test_a_sheets_station_changed_by_hand_is_named(scanned, verify) -> None:
    sheet = ScannedSheet.objects.get(serial="S1")
    other = scanned["world"].stations[1]
    sql("UPDATE counting_scannedsheet SET station_id = %s WHERE id = %s", [other.pk, sheet.pk])
    code, output = verify("counting.sheets")
    assert code == 1
    named = line_of(output, f"counting.scannedsheet:{sheet.pk} (№{other.number} S1)")
    assert "[station]" in named and "known good since ledger #" in named


def test_a_changed_read_vote_or_state_is_named(scanned, verify) -> None:
    s1, s2, m1 = (ScannedSheet.objects.get(serial=s) for s in ("S1", "S2", "M1"))
    contest, options = scanned["contest"], scanned["options"]
    sql(
        "UPDATE counting_contestinterpretation SET votes = %s WHERE sheet_id = %s",
        [f'["{options[2]}"]', s1.pk],
    )
    sql("UPDATE counting_scannedsheet SET state = 'counted' WHERE id = %s", [m1.pk])
    read = dict(s2.read)
    read["serial"] = "S9"
    sql(
        "UPDATE counting_scannedsheet SET read = %s, serial = 'S9' WHERE id = %s",
        [__import__("json").dumps(read), s2.pk],
    )
    code, output = verify("counting.sheets")
    assert code == 1
    assert f"[contests.{contest}.votes]: is ['{options[2]}'], expected ['{options[0]}']" in (
        line_of(output, f"counting.scannedsheet:{s1.pk} ")
    )
    assert "[state]: is 'counted', expected 'pending'" in line_of(output, f":{m1.pk} ")
    assert "[serial, read]" in line_of(output, f":{s2.pk} ")


def test_a_sheet_inserted_or_deleted_by_hand_is_named(scanned, verify) -> None:
    sheet = ScannedSheet.objects.get(serial="S2")
    ContestInterpretation.objects.filter(sheet=sheet).delete()
    sql("DELETE FROM counting_scannedsheet WHERE id = %s", [sheet.pk])
    copy = ScannedSheet.objects.get(serial="S1")
    copy.pk, copy.serial = None, "S7"
    copy.save()
    code, output = verify("counting.sheets")
    assert code == 1
    assert f"counting.scannedsheet:{sheet.pk}: deleted" in output
    assert f"counting.scannedsheet:{copy.pk} (№{copy.station.number} S7): no ledger entry" in output


def test_batches_from_before_sheet_states_are_checked_by_batch(monkeypatch) -> None:
    monkeypatch.setattr(sheet_states, "record_batch", lambda *a, **k: None)
    w = counting_world("kg-2021")
    station = w.stations[0]
    reads = [
        sheet_read(w.definition, station, "S1"),
        SheetRead(
            source="blur.png",
            status=SheetStatus.UNREADABLE,
            thresholds=THRESHOLDS,
            reasons=(Reason.QR_UNREADABLE,),
        ),
    ]
    counting.record_scan(w.election, station, reads, None, "cli")
    blurred = ScannedSheet.objects.get(serial="~blur.png")
    party = w.definition.contest("list").options[2].id
    counting.decide(
        blurred, decision="vote", contest_code="list", option_codes=[party], style_code="list",
        reason="QR smeared, one clear mark", user="cli",
    )  # fmt: skip
    assert integrity_state.run(["counting.sheets"]).ok
    sheet = ScannedSheet.objects.get(serial="S1")
    sql(
        "UPDATE counting_scannedsheet SET station_id = %s WHERE id = %s",
        [w.stations[1].pk, sheet.pk],
    )
    sql(
        "UPDATE counting_contestinterpretation SET votes = '[]' WHERE sheet_id = %s",
        [blurred.pk],
    )
    report = integrity_state.run(["counting.sheets"])
    found = {(m.record.split(" ")[0], m.field) for m in report.shown}
    assert (f"counting.scannedsheet:{sheet.pk}", "station") in found
    assert (f"counting.scannedsheet:{blurred.pk}", "contests.list.votes") in found
