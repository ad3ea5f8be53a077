"""The synthetic polling day: its rates, hours and curve, reproducibility by station, the
planted hardest case, and the ground truth the server is checked against."""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.synth.election_day import (
    DOUBLE,
    HOME,
    ISSUING,
    UNREADABLE,
    UNREADABLE_SESSION,
    VOTE,
    WRONG_STATION,
    DayPlan,
    Outage,
    Visit,
    Voter,
    plan_day,
    station_voters,
)

BISHKEK = ZoneInfo("Asia/Bishkek")
DAY = date(2025, 11, 30)


def roll(stations: int, per_station: int, first: int = 1) -> list[Voter]:
    """``per_station`` voters at each of ``stations`` stations numbered from ``first``."""
    rng = random.Random(f"roll/{stations}/{per_station}/{first}")
    out = []
    for s in range(first, first + stations):
        for i in range(per_station):
            born = date(1950, 1, 1) + timedelta(days=rng.randrange(20_000))
            pin = sx.format_pin(rng.choice("FM"), born, rng.randrange(100_000))
            out.append(Voter(s * 10_000 + i, pin, s))
    return out


def listed_at(voters: list[Voter]) -> dict[int, int]:
    return {v.person_id: v.station for v in voters}


def within_4_sigma(observed: int, n: int, p: float) -> bool:
    return abs(observed - n * p) <= 4 * math.sqrt(n * p * (1 - p)) + 1


# --- determinism and rates ----------------------------------------------------------------------


def test_same_seed_same_plan_and_input_order_does_not_matter() -> None:
    voters = roll(8, 200)
    one = plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=5, offline_rate=0.3)
    shuffled = voters[:]
    random.Random(1).shuffle(shuffled)
    assert plan_day(shuffled, polling_day=DAY, tz=BISHKEK, seed=5, offline_rate=0.3) == one
    other = plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=6, offline_rate=0.3)
    assert other.visits != one.visits


@pytest.fixture(scope="module")
def big() -> tuple[list[Voter], DayPlan]:
    """10,000 voters at 100 stations, with rates raised so each can be measured."""
    voters = roll(100, 100)
    plan = plan_day(
        voters,
        polling_day=DAY,
        tz=BISHKEK,
        seed=2025,
        turnout=0.6,
        retry_rate=0.10,
        offline_rate=0.2,
        double_rate=0.02,
        wrong_station_rate=0.03,
        unreadable_rate=0.04,
        home_rate=0.05,
    )
    return voters, plan


def test_rates_are_honoured_at_ten_thousand_voters(big: tuple[list[Voter], DayPlan]) -> None:
    voters, plan = big
    truth = plan.expected()
    kinds = Counter(v.kind for v in plan.visits)
    turned_out = len(truth.voted)
    assert within_4_sigma(turned_out, len(voters), 0.6)
    assert within_4_sigma(kinds[HOME], turned_out, 0.05)
    assert within_4_sigma(kinds[UNREADABLE], turned_out, 0.04)
    assert within_4_sigma(kinds[WRONG_STATION], turned_out - kinds[HOME], 0.03)
    # a double drawn too close to closing is dropped, so a little under the rate at most
    assert within_4_sigma(kinds[DOUBLE], turned_out, 0.02)
    assert within_4_sigma(sum(v.retry for v in plan.visits), len(plan.visits), 0.10)
    assert within_4_sigma(len(plan.outages), 100, 0.2)
    assert len(truth.manual) == kinds[UNREADABLE]
    assert len(truth.home) == kinds[HOME]
    # a quarter of the doubles at the same station, the rest elsewhere
    home_of = listed_at(voters)
    same = sum(1 for v in plan.visits if v.kind == DOUBLE and v.station == home_of[v.person_id])
    assert within_4_sigma(same, kinds[DOUBLE], 0.25)


def test_the_day_has_a_morning_and_an_evening_peak(big: tuple[list[Voter], DayPlan]) -> None:
    _, plan = big
    hours = Counter(v.at.hour for v in plan.visits if v.kind == VOTE)
    lull = hours[13]
    assert hours[10] > 2 * lull and hours[17] > 1.6 * lull
    assert hours[10] > hours[8] and hours[17] > hours[19]


def test_visits_and_outages_keep_the_opening_hours(big: tuple[list[Voter], DayPlan]) -> None:
    _, plan = big
    for visit in plan.visits:
        local = visit.at.astimezone(BISHKEK)
        expected_day = DAY - timedelta(days=1) if visit.kind == HOME else DAY
        assert local.date() == expected_day, visit
        assert time(8) <= local.time() < time(20), visit
    assert len({o.station for o in plan.outages}) == len(plan.outages)  # one outage a station
    for outage in plan.outages:
        minutes = (outage.end - outage.start) / timedelta(minutes=1)
        assert 30 <= minutes <= 90
        assert outage.start.astimezone(BISHKEK).time() >= time(8)
        assert outage.end <= datetime.combine(DAY, time(20), BISHKEK)


def test_visits_are_in_time_order(big: tuple[list[Voter], DayPlan]) -> None:
    _, plan = big
    keys = [(v.at, v.station) for v in plan.visits]
    assert keys == sorted(keys)
    assert plan.stations == tuple(range(1, 101))
    assert plan.visits_at(7) == tuple(v for v in plan.visits if v.station == 7)


def test_by_station_hour_counts_each_first_issue_once(big: tuple[list[Voter], DayPlan]) -> None:
    _, plan = big
    truth = plan.expected()
    assert sum(truth.by_station_hour.values()) == len(truth.voted)
    # recount independently: the earliest issuing visit of each person
    first: dict[int, Visit] = {}
    for visit in plan.visits:
        if visit.kind in ISSUING and visit.person_id not in first:
            first[visit.person_id] = visit
    recount: Counter[tuple[int, int]] = Counter()
    for visit in first.values():
        days = (visit.at.astimezone(BISHKEK).date() - DAY).days
        recount[visit.station, visit.at.astimezone(BISHKEK).hour + 24 * days] += 1
    assert dict(truth.by_station_hour) == dict(recount)
    assert min(h for _, h in truth.by_station_hour) < 0  # home voting the day before: -16..-5
    assert all(-16 <= h <= 19 for _, h in truth.by_station_hour)


def test_cross_station_visits_never_go_to_the_own_station(big: tuple[list[Voter], DayPlan]) -> None:
    voters, plan = big
    home_of = listed_at(voters)
    wrong = [v for v in plan.visits if v.kind == WRONG_STATION]
    assert wrong and all(v.station != home_of[v.person_id] for v in wrong)
    # a voter sent away goes on to vote at the own station afterwards
    by_person: dict[int, list[Visit]] = defaultdict(list)
    for visit in plan.visits:
        by_person[visit.person_id].append(visit)
    for visit in wrong:
        then = [v for v in by_person[visit.person_id] if v.kind in {VOTE, UNREADABLE}]
        assert len(then) == 1 and then[0].station == home_of[visit.person_id]
        gap = (then[0].at - visit.at) / timedelta(minutes=1)
        assert 10 <= gap <= 60


# --- offline doubles ----------------------------------------------------------------------------


def offline(plan: DayPlan, visit: Visit) -> bool:
    return any(o.station == visit.station and o.start <= visit.at < o.end for o in plan.outages)


def test_an_offline_double_is_present_when_two_stations_are_offline(
    big: tuple[list[Voter], DayPlan],
) -> None:
    _, plan = big
    truth = plan.expected()
    assert len(plan.outages) >= 2 and truth.offline_doubles
    for person in truth.offline_doubles:
        tries = [v for v in plan.visits if v.person_id == person and v.kind in ISSUING]
        assert len(tries) >= 2 and tries[0].station != tries[1].station
        assert offline(plan, tries[0]) and offline(plan, tries[1])
    assert truth.offline_doubles <= truth.second_ballot_issued <= truth.second_ballot_possible
    assert truth.second_ballot_possible <= truth.doubles <= truth.voted


def test_the_hardest_case_is_planted_when_the_draw_has_none() -> None:
    voters = roll(6, 120)
    plan = plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=3, offline_rate=1.0, double_rate=1e-9)
    truth = plan.expected()
    assert len(plan.outages) == 6
    assert [v.kind for v in plan.planted] == [DOUBLE]
    assert plan.planted[0] in plan.visits
    assert truth.offline_doubles == {plan.planted[0].person_id}
    # nobody turned out: a voter of an offline station is made to vote inside its outage
    idle = plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=3, turnout=0.0, offline_rate=1.0)
    assert [v.kind for v in idle.planted] == [VOTE, DOUBLE]
    assert idle.visits == idle.planted
    assert idle.expected().offline_doubles == idle.expected().voted == {idle.planted[0].person_id}


def test_when_every_voter_turned_out_a_voters_visits_give_way_to_the_planted_ones() -> None:
    voters = roll(2, 1)
    replaced = 0
    for seed in range(40):
        plan = plan_day(
            voters,
            polling_day=DAY,
            tz=BISHKEK,
            seed=seed,
            turnout=1.0,
            offline_rate=1.0,
            double_rate=1e-9,
            wrong_station_rate=0.0,
            unreadable_rate=0.0,
        )
        truth = plan.expected()
        assert truth.voted == {v.person_id for v in voters}
        assert len(truth.offline_doubles) == 1, seed
        assert len(plan.visits) == 3 and sum(v.kind == DOUBLE for v in plan.visits) == 1
        replaced += len(plan.planted) == 2
    assert replaced  # most seeds: the lone voter's visit lies outside the station's outage


def test_the_outage_minimum_is_one_station_and_needs_two() -> None:
    voters = roll(3, 20)
    plan = plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=1, offline_rate=1e-12)
    assert len(plan.outages) == 1 and plan.forced == plan.outages
    assert not plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=1, offline_rate=0.0).outages
    alone = plan_day(roll(1, 20), polling_day=DAY, tz=BISHKEK, seed=1, offline_rate=1e-12)
    assert not alone.outages and not alone.forced


# --- the ground truth's rules, on a hand-made plan ----------------------------------------------


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute), BISHKEK)


def test_expected_applies_the_earliest_issue_rule() -> None:
    def v(hour: int, minute: int, station: int, person: int, kind: str = VOTE) -> Visit:
        return Visit(_at(hour, minute), station, person, f"pin{person}", kind, 1, False)

    outages = (
        Outage(1, _at(9), _at(10)),
        Outage(2, _at(9, 30), _at(10, 30)),
        Outage(3, _at(15), _at(16)),
    )
    visits = [
        v(8, 0, 4, 1),  # 1: online, then online elsewhere: refused
        v(11, 0, 5, 1, DOUBLE),
        v(9, 10, 1, 2),  # 2: offline at 1, then offline at 2: both offline
        v(9, 40, 2, 2, DOUBLE),
        v(8, 0, 4, 3),  # 3: online, then offline elsewhere: certainly a second ballot
        v(15, 10, 3, 3, DOUBLE),
        v(9, 5, 1, 4),  # 4: offline at 1, online elsewhere while 1 is still down
        v(9, 20, 4, 4, DOUBLE),
        v(9, 5, 1, 5),  # 5: offline at 1, online elsewhere after 1 is back: sync race
        v(12, 0, 4, 5, DOUBLE),
        v(9, 5, 1, 6),  # 6: both at the same offline station: the device refuses
        v(9, 50, 1, 6, DOUBLE),
        v(10, 0, 4, 7, UNREADABLE),  # 7: manual issue
        v(11, 0, 5, 8, WRONG_STATION),  # 8: wrong station, then own
        v(11, 30, 4, 8),
        v(12, 0, 6, 9, WRONG_STATION),  # 9: wrong station only: no ballot
    ]
    home = Visit(_at(15) - timedelta(days=1), 4, 10, "pin10", HOME, 1, False)
    visits.append(home)
    visits.sort(key=lambda x: (x.at, x.station))
    truth = DayPlan(tuple(visits), outages, DAY).expected()
    assert truth.voted == {1, 2, 3, 4, 5, 6, 7, 8, 10}
    assert truth.doubles == {1, 2, 3, 4, 5, 6}
    assert truth.offline_doubles == {2}
    assert truth.second_ballot_issued == {2, 3, 4}
    assert truth.second_ballot_possible == {2, 3, 4, 5}
    assert truth.manual == {7} and truth.home == {10}
    assert truth.by_station_hour == {
        (1, 9): 4,
        (4, -9): 1,
        (4, 8): 2,
        (4, 10): 1,
        (4, 11): 1,
    }


# --- reproducible by station --------------------------------------------------------------------


def _compare_subset(voters: list[Voter], chosen: set[int], **kwargs: object) -> None:
    full = plan_day(voters, polling_day=DAY, tz=BISHKEK, **kwargs)  # type: ignore[arg-type]
    part_voters = [v for v in voters if v.station in chosen]
    part = plan_day(part_voters, polling_day=DAY, tz=BISHKEK, **kwargs)  # type: ignore[arg-type]
    home_of = listed_at(voters)
    skip = {v.person_id for v in full.planted + part.planted}

    def mine(plan: DayPlan) -> list[Visit]:
        return [
            v for v in plan.visits if home_of[v.person_id] in chosen and v.person_id not in skip
        ]

    full_mine, part_mine = mine(full), mine(part)
    # the full plan filtered to the subset's voters and stations is in the subset's plan ...
    kept = [v for v in full_mine if v.station in chosen]
    assert set(kept) <= set(part_mine)
    # ... and what else the subset's plan has are the same visits, moved to a planned station
    moved = {(v.at, v.person_id, v.kind, v.session, v.retry) for v in full_mine if v not in kept}
    rest = {(v.at, v.person_id, v.kind, v.session, v.retry) for v in part_mine if v not in kept}
    if len(chosen) >= 2:
        assert rest == moved
    else:  # nowhere else to go: wrong-station visits are left out
        assert rest <= moved
        assert {m[2] for m in moved - rest} <= {WRONG_STATION}
        assert all(v.kind != WRONG_STATION for v in part.visits)
    assert all(v.station in chosen for v in part.visits)
    # outages: the subset's own, plus at most the forced minimum
    own = {o for o in full.outages if o.station in chosen and o not in full.forced}
    assert own <= set(part.outages)
    assert set(part.outages) - own <= set(part.forced)


def test_a_subset_of_stations_reproduces_the_full_plan_filtered() -> None:
    voters = roll(6, 300)
    _compare_subset(
        voters,
        {1, 2},
        seed=11,
        offline_rate=0.5,
        double_rate=0.05,
        wrong_station_rate=0.05,
        unreadable_rate=0.05,
        home_rate=0.05,
    )
    # a lone station has nowhere else to send anyone: only the wrong-station visits go, the
    # doubles stay at the station, and its voters' own visits are unchanged
    _compare_subset(voters, {3}, seed=11, double_rate=0.05, wrong_station_rate=0.05)


@settings(max_examples=15)
@given(seed=st.integers(-(2**70), 2**70), chosen=st.sets(st.integers(1, 5), min_size=1))
def test_any_subset_reproduces(seed: int, chosen: set[int]) -> None:
    _compare_subset(
        roll(5, 80),
        chosen,
        seed=seed,
        offline_rate=0.3,
        double_rate=0.1,
        wrong_station_rate=0.1,
    )


# --- properties for any seed and rates ----------------------------------------------------------

rates = st.floats(0.0, 1.0)
small_rates = st.floats(0.0, 0.3)


@settings(max_examples=60)
@given(
    seed=st.integers(-(2**64), 2**64),
    stations=st.integers(1, 4),
    per_station=st.integers(1, 40),
    turnout=rates,
    retry=rates,
    offline=rates,
    double=rates,
    wrong=rates,
    unreadable=small_rates,
    home=small_rates,
    zone=st.sampled_from(sx.ZONES),
    polling_day=st.dates(date(1991, 1, 1), date(2060, 12, 31)),
    hours=st.sampled_from([(time(8), time(20)), (time(7), time(22)), (time(0), time(23, 59))]),
)
def test_any_plan_keeps_one_ballot_per_voter_rules(
    seed: int,
    stations: int,
    per_station: int,
    turnout: float,
    retry: float,
    offline: float,
    double: float,
    wrong: float,
    unreadable: float,
    home: float,
    zone: tzinfo,
    polling_day: date,
    hours: tuple[time, time],
) -> None:
    voters = roll(stations, per_station)
    opens, closes = hours
    plan = plan_day(
        voters,
        polling_day=polling_day,
        tz=zone,
        seed=seed,
        turnout=turnout,
        retry_rate=retry,
        offline_rate=offline,
        double_rate=double,
        wrong_station_rate=wrong,
        unreadable_rate=unreadable,
        home_rate=home,
        opens=opens,
        closes=closes,
    )
    truth = plan.expected()
    home_of = listed_at(voters)
    by_person: dict[int, list[Visit]] = defaultdict(list)
    for visit in plan.visits:
        by_person[visit.person_id].append(visit)
        assert visit.at.utcoffset() is not None
        local = visit.at.astimezone(zone)
        assert opens <= local.time() < closes
        on = polling_day - timedelta(days=1) if visit.kind == HOME else polling_day
        assert local.date() == on
        if visit.kind == WRONG_STATION:
            assert visit.station != home_of[visit.person_id]
    for person, visits in by_person.items():
        first_issues = [v for v in visits if v.kind in {VOTE, UNREADABLE, HOME}]
        assert len(first_issues) == 1  # nobody has two ballots of their own
        assert first_issues[0].station == home_of[person]
        sessions = [v.session for v in visits]
        assert len(set(sessions)) == len(sessions)
        assert all(
            s >= 1 or (s == UNREADABLE_SESSION and v.kind == UNREADABLE)
            for s, v in zip(sessions, visits, strict=True)
        )
        for d in (v for v in visits if v.kind == DOUBLE):
            assert d.at > first_issues[0].at  # a double comes after the voter's ballot
    assert truth.doubles <= truth.voted
    assert truth.manual <= truth.voted and truth.home <= truth.voted
    assert sum(truth.by_station_hour.values()) == len(truth.voted)
    assert truth.offline_doubles <= truth.second_ballot_issued <= truth.second_ballot_possible
    assert truth.second_ballot_possible <= truth.doubles
    if double > 0 and len(plan.outages) >= 2:
        assert truth.offline_doubles
    if offline > 0 and stations >= 2:
        assert plan.outages
    assert len({o.station for o in plan.outages}) == len(plan.outages)
    for outage in plan.outages:
        assert datetime.combine(polling_day, opens, zone) <= outage.start < outage.end
        assert outage.end <= datetime.combine(polling_day, closes, zone)


# --- bad input and the helper -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"turnout": 1.5}, "turnout"),
        ({"retry_rate": -0.1}, "retry_rate"),
        ({"offline_rate": math.nan}, "offline_rate"),
        ({"home_rate": 0.6, "unreadable_rate": 0.6}, "must not exceed"),
        ({"opens": time(20), "closes": time(8)}, "close after"),
        ({"home_days_before": -1}, "home_days_before"),
    ],
)
def test_bad_parameters_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        plan_day(roll(1, 3), polling_day=DAY, tz=BISHKEK, seed=1, **kwargs)  # type: ignore[arg-type]


def test_a_person_listed_twice_is_refused() -> None:
    voters = [*roll(1, 3), Voter(10_000, "21501199000001", 2)]
    with pytest.raises(ValueError, match="listed twice"):
        plan_day(voters, polling_day=DAY, tz=BISHKEK, seed=1)


def test_station_voters_reads_register_rows() -> None:
    rows = [(7, "21501199012345", 1001), (8, "11202198500002", 1002)]
    assert station_voters(rows) == [
        Voter(7, "21501199012345", 1001),
        Voter(8, "11202198500002", 1002),
    ]
    assert station_voters([]) == []
