"""Ballots the station devices issued against the ballots the commissions counted.

Protocols are entered through the results services (as the other results tests do); the
devices' ballots are recorded through the polling sync of an enrolled device where the path
matters, and written as rows directly where only the figures do.
"""

from __future__ import annotations

import csv
import datetime
import itertools
from pathlib import Path
from typing import Any

import pytest
from counting_results_helpers import enter, lines, setup_world
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

import factories as f
import strategies as sx
from polling.day_kit import enrol_device
from shailoo.cli import app
from shailoo.counting.models import BallotStyle
from shailoo.counting.results import decisions
from shailoo.counting.results import issued_vs_counted as ivc
from shailoo.counting.results.models import ProtocolVersion
from shailoo.counting.results.protocol import ProtocolInputError
from shailoo.polling import hlc, offline
from shailoo.polling.models import CheckIn, SecondIssue

pytestmark = pytest.mark.django_db

_keys = itertools.count(1)


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, Any]:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    return setup_world(monkeypatch, tmp_path)


def protocol(
    world: dict[str, Any],
    station: Any,
    *,
    issued: int,
    found: int,
    on_list: int = 10,
    contest: str = "pres",
) -> Any:
    """A small protocol: every ballot received issued or unused, every ballot found valid."""
    figures = lines(
        voters_on_list=on_list,
        ballots_received=on_list,
        ballots_issued=issued,
        ballots_spoiled=0,
        ballots_unused=on_list - issued,
        ballots_found=found,
        ballots_invalid=0,
    )
    return enter(world, station, contest, lines=figures, votes={"a": found, "b": 0, "c": 0})


def ballots(
    world: dict[str, Any],
    station: Any,
    n: int,
    *,
    manual: int = 0,
    home: Any = None,
    kind: str = "station",
) -> list[CheckIn]:
    """``n`` ballots issued at ``station`` to voters listed at ``home`` (the station itself
    unless given), the first ``manual`` of them by the manual procedure."""
    now = timezone.now()
    made = []
    for i in range(n):
        voter = f.person(home or station)
        if home is not None and home != station:
            voter.remote_station = station
            voter.save(update_fields=["remote_station"])
        made.append(
            CheckIn.objects.create(
                election=world["election"],
                person=voter,
                station=station,
                method="manual" if i < manual else "identified",
                manual_reason="no_match" if i < manual else "",
                kind=kind,
                hlc=hlc.from_datetime(now),
                issued_at=now,
                recorded_at=now,
                request_key=f"test-{next(_keys):08d}",
            )
        )
    return made


def second_ballot(world: dict[str, Any], first: CheckIn, station: Any) -> SecondIssue:
    now = timezone.now()
    return SecondIssue.objects.create(
        election=world["election"],
        person=first.person,
        first=first,
        station=station,
        method="identified",
        kind="station",
        hlc=hlc.from_datetime(now),
        issued_at=now,
        recorded_at=now,
        offline=True,
        rule="earliest_issue",
        request_key=f"test-{next(_keys):08d}",
    )


def row_of(rows: list[ivc.Row], station: Any, contest: str = "pres") -> ivc.Row:
    (row,) = [r for r in rows if r.station == station.number and r.contest == contest]
    return row


# -- the comparison ------------------------------------------------------------------------------


def test_ballots_a_device_issued_offline_are_set_against_the_protocol(
    world: dict[str, Any],
) -> None:
    s1 = world["stations"][0]
    kit = enrol_device(s1, "S1-1")
    voters = [f.person(s1) for _ in range(3)]
    start = timezone.now() - datetime.timedelta(hours=2)
    issues = [
        offline.OfflineIssue(
            key=f"off-{i:06d}",
            hlc=hlc.from_datetime(start + datetime.timedelta(minutes=i)),
            person=voter.pk,
            method="identified",
        )
        for i, voter in enumerate(voters)
    ]
    answers = offline.sync(kit.device, issues)
    assert [a["outcome"] for a in answers] == ["issued"] * 3
    entered = protocol(world, s1, issued=3, found=3).protocol
    decisions.accept_protocol(entered, "cli")
    row = row_of(ivc.compare(world["election"]), s1)
    assert (row.devices_issued, row.ballots_issued, row.ballots_found) == (3, 3, 3)
    assert row.status == "accepted" and row.version == 1
    assert row.findings == () and not row.differs
    assert (row.region, row.tec) == ("KG-C", "T1")
    # Disputed and written again: now two more ballots were in the box.
    entered.refresh_from_db()
    decisions.dispute_protocol(entered, "cli", "A recount found two more ballots.")
    protocol(world, s1, issued=3, found=5)
    row = row_of(ivc.compare(world["election"]), s1)
    assert row.version == 2 and row.status == "reported" and row.ballots_found == 5
    assert row.found_difference == 2 and row.issued_difference == 0
    assert row.findings == (ivc.FOUND_ABOVE_DEVICES,) and row.differs


@pytest.mark.parametrize(
    ("devices", "issued", "found", "on_list", "expected"),
    [
        # More in the box than the devices handed out: the stuffing sign.
        (4, 4, 6, 10, (ivc.FOUND_ABOVE_DEVICES,)),
        # Fewer in the box: ballots taken away, lost or not counted.
        (4, 4, 3, 10, (ivc.FOUND_BELOW_DEVICES,)),
        # The protocol issued more than the devices recorded (handed out off the record),
        # and those ballots are in the box.
        (3, 5, 5, 10, (ivc.FOUND_ABOVE_DEVICES, ivc.ISSUED_ABOVE_DEVICES)),
        # The protocol understates the ballots issued.
        (5, 3, 5, 10, (ivc.ISSUED_BELOW_DEVICES,)),
        # The devices issued more ballots than the protocol has voters on its list.
        (4, 3, 3, 3, (ivc.FOUND_BELOW_DEVICES, ivc.ISSUED_BELOW_DEVICES, ivc.DEVICES_ABOVE_LIST)),
    ],
)
def test_each_difference_is_reported_in_the_direction_it_goes(
    world: dict[str, Any],
    devices: int,
    issued: int,
    found: int,
    on_list: int,
    expected: tuple[str, ...],
) -> None:
    s1 = world["stations"][0]
    ballots(world, s1, devices)
    protocol(world, s1, issued=issued, found=found, on_list=on_list)
    row = row_of(ivc.compare(world["election"]), s1)
    assert row.findings == expected and row.differs
    assert row.issued_difference == issued - devices
    assert row.found_difference == found - devices


def test_a_second_ballot_counts_where_it_was_issued_not_where_the_voter_voted(
    world: dict[str, Any],
) -> None:
    s1, s2, _ = world["stations"]
    (first,) = ballots(world, s1, 1)
    ballots(world, s2, 2, manual=1)
    second_ballot(world, first, s2)
    protocol(world, s1, issued=1, found=1)
    protocol(world, s2, issued=3, found=3)
    rows = ivc.compare(world["election"])
    at_1, at_2 = row_of(rows, s1), row_of(rows, s2)
    assert (at_1.devices_first, at_1.devices_second, at_1.devices_issued) == (1, 0, 1)
    assert (at_2.devices_first, at_2.devices_second, at_2.devices_issued) == (2, 1, 3)
    assert at_2.devices_manual == 1
    assert not at_1.differs and not at_2.differs


def test_home_voting_ballots_are_ballots_issued_at_the_station(world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    ballots(world, s1, 2)
    ballots(world, s1, 1, kind="home")
    protocol(world, s1, issued=3, found=3)
    assert not row_of(ivc.compare(world["election"]), s1).differs


def test_turnout_by_devices_and_by_protocol_over_the_protocols_list(
    world: dict[str, Any],
) -> None:
    s1 = world["stations"][0]
    ballots(world, s1, 4)
    protocol(world, s1, issued=5, found=5, on_list=8)
    row = row_of(ivc.compare(world["election"]), s1)
    assert row.turnout_devices == pytest.approx(0.5)
    assert row.turnout_protocol == pytest.approx(0.625)


def test_a_station_with_ballots_and_no_protocol_is_listed_but_does_not_differ(
    world: dict[str, Any],
) -> None:
    s1, _, s3 = world["stations"]
    ballots(world, s1, 2)
    ballots(world, s3, 3)
    protocol(world, s1, issued=2, found=2)
    rows = ivc.compare(world["election"])
    assert [(r.station, r.contest) for r in rows] == [(101, "pres"), (201, "")]
    silent = row_of(rows, s3, "")
    assert silent.devices_issued == 3 and silent.version is None
    assert silent.ballots_found is None and silent.found_difference is None
    assert silent.turnout_devices is None
    assert silent.findings == (ivc.NO_PROTOCOL,) and not silent.differs
    assert (silent.region, silent.tec) == ("KG-N", "T2")


def test_a_protocol_at_a_station_where_no_device_issued_a_ballot_differs(
    world: dict[str, Any],
) -> None:
    s2 = world["stations"][1]
    protocol(world, s2, issued=4, found=4)
    row = row_of(ivc.compare(world["election"]), s2)
    assert row.devices_issued == 0
    assert row.findings == (ivc.FOUND_ABOVE_DEVICES, ivc.ISSUED_ABOVE_DEVICES)


def test_at_a_remote_voting_station_a_district_contest_counts_its_own_voters(
    world: dict[str, Any],
) -> None:
    """Voters from two districts vote at one remote-voting station: each gets their own
    district's ballot, so each district contest's protocol is set against its voters only,
    and the country-wide contest against every ballot."""
    s1, s2, s3 = world["stations"]
    remote = f.station(301, district_=s3.district, tec_=world["tecs"][1], is_remote_voting=True)
    election = world["election"]
    for code, contests, stations in (
        ("st-d1", ["party", "d1"], [s1, remote]),
        ("st-d2", ["party", "d2"], [s2, remote]),
    ):
        style = BallotStyle.objects.create(election=election, code=code, contest_codes=contests)
        style.stations.set(stations)
    ballots(world, remote, 2, home=s1)
    ballots(world, remote, 1, home=s2)
    protocol(world, remote, issued=2, found=2, contest="d1")
    protocol(world, remote, issued=1, found=1, contest="d2")
    protocol(world, remote, issued=3, found=3, contest="party")
    rows = ivc.compare(election)
    assert [row_of(rows, remote, c).devices_issued for c in ("d1", "d2", "party")] == [2, 1, 3]
    assert not any(r.differs for r in rows)
    # A voter whose own station carries no ballot style: their ballot counts for every
    # contest of the station (the definition does not say which it carried).
    ballots(world, remote, 1, home=f.station(302))
    rows = ivc.compare(election)
    assert [row_of(rows, remote, c).devices_issued for c in ("d1", "d2", "party")] == [3, 2, 4]


def test_without_a_definition_every_ballot_counts_for_every_contest(
    world: dict[str, Any],
) -> None:
    s1 = world["stations"][0]
    ballots(world, s1, 3)
    protocol(world, s1, issued=3, found=3, contest="party")
    protocol(world, s1, issued=3, found=2, contest="pres")
    rows = ivc.compare(world["election"])
    assert not row_of(rows, s1, "party").differs
    assert row_of(rows, s1, "pres").findings == (ivc.FOUND_BELOW_DEVICES,)


def test_another_elections_ballots_are_not_counted(world: dict[str, Any]) -> None:
    s1 = world["stations"][0]
    other = f.election("kg-2025", code="local-2027", is_current=False)
    ballots({**world, "election": other}, s1, 2)
    protocol(world, s1, issued=0, found=0)
    row = row_of(ivc.compare(world["election"]), s1)
    assert row.devices_issued == 0 and not row.differs
    assert ivc.compare(other)[0].findings == (ivc.NO_PROTOCOL,)


def test_the_number_of_queries_does_not_grow_with_the_stations(world: dict[str, Any]) -> None:
    s1, s2, s3 = world["stations"]
    ballots(world, s1, 1)
    protocol(world, s1, issued=1, found=1)
    ballots(world, f.station(401), 1)  # no protocol
    with CaptureQueriesContext(connection) as one:
        ivc.compare(world["election"])
    for station in (s2, s3):
        ballots(world, station, 2)
        protocol(world, station, issued=2, found=2)
    ballots(world, f.station(402), 3)  # no protocol either
    with CaptureQueriesContext(connection) as many:
        rows = ivc.compare(world["election"])
    assert len(rows) == 5
    assert len(many.captured_queries) == len(one.captured_queries) <= 5


def test_a_stored_line_that_is_not_a_count_is_refused_with_its_place(
    world: dict[str, Any],
) -> None:
    s1 = world["stations"][0]
    version = protocol(world, s1, issued=2, found=2)
    broken = {**version.lines, "ballots_found": "2"}
    ProtocolVersion.objects.filter(pk=version.pk).update(lines=broken)
    with pytest.raises(ProtocolInputError) as refused:
        ivc.compare(world["election"])
    (problem,) = refused.value.problems
    assert problem.where == "protocol.101.pres.v1.lines.ballots_found"


@given(
    first=sx.vote_counts(),
    second=st.integers(0, 50),
    issued=sx.vote_counts(),
    found=sx.vote_counts(),
    on_list=sx.vote_counts(),
)
def test_findings_follow_the_signs_of_the_differences(
    first: int, second: int, issued: int, found: int, on_list: int
) -> None:
    row = ivc.Row(
        station=1, region="R", tec="T", contest="c", status="reported", version=1,
        voters_on_list=on_list, ballots_issued=issued, ballots_found=found,
        devices_first=first, devices_second=second, devices_manual=0,
    )  # fmt: skip
    devices = first + second
    assert row.devices_issued == devices
    assert (ivc.FOUND_ABOVE_DEVICES in row.findings) == (found > devices)
    assert (ivc.FOUND_BELOW_DEVICES in row.findings) == (found < devices)
    assert (ivc.ISSUED_ABOVE_DEVICES in row.findings) == (issued > devices)
    assert (ivc.ISSUED_BELOW_DEVICES in row.findings) == (issued < devices)
    assert (ivc.DEVICES_ABOVE_LIST in row.findings) == (devices > on_list)
    assert row.differs == (found != devices or issued != devices or devices > on_list)
    assert ivc.NO_PROTOCOL not in row.findings


# -- the command ---------------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["results", "issued-vs-counted", *args])


def test_the_command_lists_differing_stations_writes_every_row_and_exits_1(
    world: dict[str, Any], tmp_path: Path
) -> None:
    s1, s2, s3 = world["stations"]
    ballots(world, s1, 3)
    ballots(world, s2, 4)
    ballots(world, s3, 1)
    protocol(world, s1, issued=3, found=3)
    protocol(world, s2, issued=4, found=6)
    out = tmp_path / "issued.csv"
    result = run("--election", "parl-2027", "--out", str(out))
    assert result.exit_code == 1, result.output
    assert "1 differ" in result.output and "2 protocols compared" in result.output
    assert f"{ivc.FOUND_ABOVE_DEVICES}: more ballots in the box" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert list(rows[0]) == list(ivc.CSV_COLUMNS)
    assert [(r["station"], r["contest"]) for r in rows] == [
        ("101", "pres"),
        ("102", "pres"),
        ("201", ""),
    ]
    stuffed = rows[1]
    assert stuffed["devices_issued"] == "4" and stuffed["ballots_found"] == "6"
    assert stuffed["found_difference"] == "2" and stuffed["issued_difference"] == "0"
    assert stuffed["findings"] == ivc.FOUND_ABOVE_DEVICES
    assert stuffed["turnout_devices"] == "0.4000" and stuffed["election"] == "parl-2027"
    assert rows[0]["findings"] == "" and rows[2]["findings"] == ivc.NO_PROTOCOL
    assert rows[2]["ballots_found"] == "" and rows[2]["version"] == ""


def test_the_command_exits_0_when_every_protocol_matches(
    world: dict[str, Any], tmp_path: Path
) -> None:
    s1 = world["stations"][0]
    ballots(world, s1, 2)
    protocol(world, s1, issued=2, found=2)
    result = run("--election", "parl-2027")
    assert result.exit_code == 0, result.output
    assert "1 protocols compared, 0 differ" in result.output


def test_the_command_refuses_a_missing_folder_and_a_broken_stored_line(
    world: dict[str, Any], tmp_path: Path
) -> None:
    result = run("--out", str(tmp_path / "nowhere" / "x.csv"))
    assert result.exit_code == 2 and "no such folder" in result.output
    assert run("--out", str(tmp_path)).exit_code == 2  # a folder
    version = protocol(world, world["stations"][0], issued=2, found=2)
    ProtocolVersion.objects.filter(pk=version.pk).update(lines={"ballots_issued": -1})
    out = tmp_path / "x.csv"
    result = run("--out", str(out))
    assert result.exit_code == 2 and "voters_on_list" in result.output
    assert not out.exists()
