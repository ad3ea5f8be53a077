"""The device simulator plays a synthetic polling day of two stations against the live server:
opening, identified and manual check-ins, wrong stations, retries sent twice, an outage with
its sync, second attempts, home voting and closing; the server ends with the plan's truth."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

import factories as f
from shailoo.biometrics import services as biometrics
from shailoo.demo.device_sim import TimeMap, simulate_many, synthetic_captures, totals
from shailoo.integrity import heads, keys
from shailoo.law.loader import load_edition
from shailoo.polling import devices, home_voting, sealing
from shailoo.polling.client.device import StationDevice
from shailoo.polling.client.state import DeviceState
from shailoo.polling.models import Attempt, CheckIn, SecondIssue, StationReport
from shailoo.register.models import Person
from shailoo.synth.election_day import UNREADABLE_SESSION, plan_day, station_voters
from shailoo.synth.enrolment import person_templates

SEED = 77


@pytest.fixture
def day(transactional_db: Any, live_server: Any, tmp_path: Path) -> dict[str, Any]:
    biometrics.forget_galleries()
    today = timezone.localdate()
    f.election("kg-2025", today)
    stations = [f.station(821), f.station(822)]
    people = [f.person(s, surname=f"Сайлоочу{i}") for s in stations for i in range(8)]
    for person in people:
        biometrics.enrol(person, person_templates(person.pk, SEED, 0, "standard"), "cli")
    commission = keys.raw_public(heads.load_signing_key())
    dirs: dict[int, Path] = {}
    for station in stations:
        signing, seal = sealing.new_device_keys()
        devices.enrol(
            station,
            signing_public=keys.raw_public(signing),
            seal_public=sealing.raw_public_x25519(seal),
            actor="cli",
        )
        folder = tmp_path / str(station.number)
        DeviceState.create(
            folder,
            server=live_server.url,
            station=station.number,
            signing_key=signing,
            seal_key=seal,
            commission_key=commission,
            timeout_s=30,
        )
        dirs[station.number] = folder
    voters = station_voters((p.pk, p.pin, p.station.number) for p in people)
    plan = plan_day(
        voters,
        polling_day=today,
        tz=ZoneInfo(settings.TIME_ZONE),
        seed=SEED,
        turnout=0.9,
        retry_rate=0.3,
        offline_rate=1.0,
        double_rate=0.3,
        wrong_station_rate=0.2,
        unreadable_rate=0.15,
        home_rate=0.1,
    )
    return {"plan": plan, "dirs": dirs, "today": today}


def register_home_requests(plan: Any, today: datetime.date) -> None:
    """The commission registers the plan's home-voting requests (in this thread: the test
    database is one SQLite connection, which the simulator's threads must not write to)."""
    law = load_edition("kg-2025").election_day
    moment, _ = law.home_voting_requests(today, ZoneInfo(settings.TIME_ZONE))  # window opens
    for visit in plan.visits:
        if visit.kind == "home":
            person = Person.objects.select_related("station").get(pk=visit.person_id)
            home_voting.register(
                person, ground="health", address="Бишкек ш., Чүй пр., 2", actor="cli", at=moment
            )


def test_a_simulated_day_of_two_stations_ends_with_the_plans_truth(day: dict[str, Any]) -> None:
    plan = day["plan"]
    truth = plan.expected()
    kinds = {v.kind for v in plan.visits}
    assert {"vote", "unreadable", "double"} <= kinds and len(plan.outages) == 2
    assert any(v.retry for v in plan.visits)
    register_home_requests(plan, day["today"])
    called: list[int] = []
    # One worker: the test database is one in-memory SQLite connection that the live server
    # shares between its threads, so concurrent requests would collide there (a real database
    # takes them; the benchmark runs many stations at once).
    summaries = simulate_many(day["dirs"], plan, seed=SEED, workers=1, register_home=called.append)
    assert sorted(called) == sorted(v.person_id for v in plan.visits if v.kind == "home")
    ballots = CheckIn.objects.all()
    # Every voter of the plan has exactly one ballot recorded, nobody else has one.
    assert {c.person_id for c in ballots} == set(truth.voted)
    # Unreadable fingers go the manual way; so does a voter the matcher misses three times.
    manual = {c.person_id for c in ballots if c.method == "manual"}
    assert set(truth.manual) <= manual
    missed = sum(s.missed for s in summaries.values())
    assert len(manual - truth.manual) <= missed
    assert {c.person_id for c in ballots if c.kind == "home"} == set(truth.home)
    assert ballots.filter(offline=True).exists()  # the outages' ballots arrived by sync
    # Second attempts were refused, or recorded as second ballots: none is lost.
    seconds = set(SecondIssue.objects.values_list("person_id", flat=True))
    refused = set(
        Attempt.objects.filter(outcome__in=["already_voted", "not_on_list", "not_identified"])
        .exclude(person=None)
        .values_list("person_id", flat=True)
    )
    local_refusals = {
        v.person_id
        for s in summaries.values()
        for v in plan.visits_at(s.station)
        if v.kind == "double"
    }
    assert truth.doubles <= seconds | refused | local_refusals
    # Every station closed with its ballots balanced against the server's record.
    assert StationReport.objects.filter(kind="closing").count() == 2
    for summary in summaries.values():
        assert summary.closing["difference"] == 0, summary
    total = totals(summaries)
    assert total["repeats"] >= sum(1 for v in plan.visits if v.retry and v.kind != "unreadable")
    assert total["ballots"] == len(truth.voted) + len(seconds)
    assert total["closing_differences"] == {}


def test_the_time_map_keeps_the_plans_order_within_the_span(day: dict[str, Any]) -> None:
    plan = day["plan"]
    mapping = TimeMap.of(plan, anchor_ms=1_000_000)
    readings = [mapping.ms(v.at) for v in plan.visits]
    assert readings == sorted(readings) and readings[0] == 1_000_000
    assert readings[-1] - readings[0] <= 60_000


def test_an_unreadable_probe_is_nobody_on_the_list(day: dict[str, Any]) -> None:
    plan = day["plan"]
    station = plan.stations[0]
    device = StationDevice.load(day["dirs"][station])
    device.download_package()
    device.go_offline()
    visit = plan.visits_at(station)[0]
    stranger = device.check_in(synthetic_captures(visit.person_id, SEED, UNREADABLE_SESSION))
    assert stranger["outcome"] == "not_identified"
    own = device.check_in(synthetic_captures(visit.person_id, SEED, 5))
    assert own["outcome"] == "issued" and own["voter"]["ref"] == visit.person_id
