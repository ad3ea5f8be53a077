"""A synthetic polling day: who comes to which station when, and what the server must end with.

The reference device client plays a :class:`DayPlan` against the server (the demo, the tests,
``bench/election_day.py``); :meth:`DayPlan.expected` is the ground truth the final state is
checked against. Pure (numpy, no Django) and deterministic by seed.

**Reproducible by station.** Everything a station's listed voters do (whether they vote, when,
how, their probe sessions and retries, whether they go to a wrong station first or try a second
ballot) is drawn from a generator keyed by ``(seed, station)`` over the station's voters in
person order, and whether the station loses its network from one keyed by ``(seed, station)``
too. So a plan of a subset of the stations reproduces the subset's own day exactly. What links
stations follows the set planned: the station a voter tries elsewhere is chosen by rendezvous
hashing (removing a station moves only the visits that went to it; a station planned alone
has nowhere to send anyone, so its wrong-station visits are left out and its doubles stay
there, its voters' own visits unchanged); the minimum of one outage
(:attr:`DayPlan.forced`) and the planted hardest case (:attr:`DayPlan.planted`) are added only
when the draw fell short.

**The day** (times are aware, in the station's zone, whole seconds). Arrivals follow a
double-humped curve over the opening hours (:data:`ARRIVAL_PEAKS` on a flat base
:data:`ARRIVAL_BASE`): a mid-morning peak as voters come before their day's business, a midday
lull, and a wider after-work peak that fades before closing, the shape of polling-day turnout
bulletins. The curve is a model, not fitted to published hourly figures.

**Visit kinds**, each voter who turns out doing exactly one of the first three:

- ``vote``: identified at the own station; ``unreadable``: the probe does not match (session
  :data:`UNREADABLE_SESSION`, a probe of no enrolled identity), so the device falls back to
  the manual procedure with the PIN and the ballot is issued manually; ``home``: the mobile
  box on the day before polling day (``home_days_before``; the law edition's
  ``election_day.home_voting.held_days_before``, Art. 33: held the day before, 8:00 to 20:00),
  uniformly over the opening hours; outages are on polling day, so it is online.
- ``wrong_station``: before voting, a voter goes to a station where they are not listed
  (refused: not on this list) and then always goes on to vote at the own station 10 to 60
  minutes later (a voter who votes at home goes nowhere).
- ``double``: a voter who already had a ballot tries again later the same day (at least five
  minutes later): a quarter at the same station, the rest at another.

Probe sessions are numbered per voter in time order from 1 (0 is the enrolment), so every
visit's probe differs; ``retry`` marks a request the device sends twice (a network glitch).
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType

import numpy as np

VOTE, DOUBLE, WRONG_STATION, UNREADABLE, HOME = (
    "vote",
    "double",
    "wrong_station",
    "unreadable",
    "home",
)
KINDS: tuple[str, ...] = (VOTE, DOUBLE, WRONG_STATION, UNREADABLE, HOME)
#: The visit kinds whose ballot is issued when the server (or an offline device) allows it.
ISSUING = frozenset({VOTE, DOUBLE, UNREADABLE, HOME})
#: The probe session of an unreadable capture: the device client makes a probe of a person who
#: is enrolled nowhere, so identification fails and the manual procedure follows.
UNREADABLE_SESSION = -1
#: Of the voters who try a second ballot, this share tries at the same station.
SAME_STATION_SHARE = 0.25
#: The arrival curve's peaks: (weight, centre, spread), centre and spread as fractions of the
#: opening hours. For 8:00-20:00: a peak at 10:38 and one at 17:00, about 1.5 hours wide, so
#: that 10-11 h brings about 12.6 % of the day's voters, 13-14 h 5.1 % and 16-18 h 10.3 % an hour.
ARRIVAL_PEAKS: tuple[tuple[float, float, float], ...] = ((0.35, 0.22, 0.12), (0.30, 0.75, 0.13))
#: The share of voters who come at a uniformly random time of the opening hours.
ARRIVAL_BASE = 0.35
OUTAGE_MINUTES = (30, 90)
WRONG_STATION_GAP_MINUTES = (10, 60)
DOUBLE_MIN_GAP_S = 300
#: How far after the first attempt a planted offline double comes at the least (seconds).
PLANTED_GAP_S = 60
_KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
_BLOCK = 512  # events per rendezvous block: 512 x stations scores in memory at once


@dataclass(frozen=True, slots=True)
class Voter:
    """A voter on a station's list, as the plan knows them."""

    person_id: int  # register Person pk (also the biometric gallery ref)
    pin: str
    station: int  # station number where listed


@dataclass(frozen=True, slots=True)
class Visit:
    """A voter in front of a station's device (or the mobile box's) at a moment."""

    at: datetime
    station: int
    person_id: int
    pin: str
    kind: str
    session: int  # probe capture session: >= 1, or UNREADABLE_SESSION
    retry: bool  # the device sends this request twice


@dataclass(frozen=True, slots=True)
class Outage:
    """A stretch of the opening hours when a station's device has no network: [start, end)."""

    station: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Truth:
    """What the server must end with, derived from a plan by the documented rules."""

    #: Persons with a ballot: each ends with exactly one check-in.
    voted: frozenset[int]
    #: Persons who attempted a second ballot (at any station, refused or not).
    doubles: frozenset[int]
    #: Doubles whose first and second attempts both fall in outages, at two stations: the
    #: second ballot is physically issued and the server must record a second issue.
    offline_doubles: frozenset[int]
    #: Doubles where a second ballot is certainly issued: at a station other than the first's,
    #: the second attempt is offline, or the first attempt's station is still offline then (the
    #: server cannot know). Each must end as a recorded second issue with an alert.
    second_ballot_issued: frozenset[int]
    #: Doubles where a second ballot may be issued: at two stations, either attempt offline.
    #: Beyond ``second_ballot_issued`` it depends on when the first station synced: refused, or
    #: recorded with an alert, never lost. Every other double must be refused.
    second_ballot_possible: frozenset[int]
    #: Persons whose ballot was issued through the manual procedure.
    manual: frozenset[int]
    #: Persons whose ballot was issued by the mobile box (home voting).
    home: frozenset[int]
    #: (station, hour) -> first issues. The hour is the local hour on polling day; a ballot
    #: issued on an earlier day (home voting) counts 24 hours back per day (15:00 the day
    #: before is -9), so the figures sum to ``len(voted)``.
    by_station_hour: Mapping[tuple[int, int], int]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """The ground-truth plan of one polling day for a set of stations."""

    visits: tuple[Visit, ...]  # sorted by (at, station, person, kind)
    outages: tuple[Outage, ...]  # sorted by station
    polling_day: date
    stations: tuple[int, ...] = ()  # every station planned, sorted
    #: Visits added so that an offline double at two stations exists (also in ``visits``).
    planted: tuple[Visit, ...] = ()
    #: Outages added for the minimum of one (also in ``outages``).
    forced: tuple[Outage, ...] = ()

    def visits_at(self, station: int) -> tuple[Visit, ...]:
        """The visits one station's device sees, in order."""
        return tuple(v for v in self.visits if v.station == station)

    def is_offline(self, station: int, at: datetime) -> bool:
        """Whether the station's device has no network at ``at``."""
        return any(o.station == station and o.start <= at < o.end for o in self.outages)

    def expected(self) -> Truth:
        """The ground truth, by the server's rule (``offline_conflict_rule: earliest_issue``).

        A person's first issuing attempt (earliest ``at``) is their ballot; a later attempt is a
        double. A station's device never issues twice to one voter (it keeps its own issues),
        and an online attempt after the first issue is refused; only when the two attempts are
        at different stations and one was offline can a second ballot be physically issued.
        """
        windows: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for outage in self.outages:
            windows[outage.station].append((outage.start, outage.end))

        def offline(visit: Visit) -> bool:
            return any(s <= visit.at < e for s, e in windows.get(visit.station, ()))

        def down_at(visit: Visit, at: datetime) -> bool:
            return any(s <= visit.at < e and at < e for s, e in windows.get(visit.station, ()))

        attempts: dict[int, list[Visit]] = defaultdict(list)
        for visit in self.visits:
            if visit.kind in ISSUING:
                attempts[visit.person_id].append(visit)
        doubles: set[int] = set()
        both_offline: set[int] = set()
        issued: set[int] = set()
        possible: set[int] = set()
        manual: set[int] = set()
        home: set[int] = set()
        hours: dict[tuple[int, int], int] = defaultdict(int)
        for person, tries in attempts.items():
            tries.sort(key=lambda v: (v.at, v.station))
            first = tries[0]
            hours[first.station, _hour_of(first.at, self.polling_day)] += 1
            if first.kind == UNREADABLE:
                manual.add(person)
            elif first.kind == HOME:
                home.add(person)
            for later in tries[1:]:
                doubles.add(person)
                if later.station == first.station:
                    continue
                if offline(later) or down_at(first, later.at):
                    issued.add(person)
                if offline(later) or offline(first):
                    possible.add(person)
                if offline(later) and offline(first):
                    both_offline.add(person)
        return Truth(
            voted=frozenset(attempts),
            doubles=frozenset(doubles),
            offline_doubles=frozenset(both_offline),
            second_ballot_issued=frozenset(issued),
            second_ballot_possible=frozenset(possible),
            manual=frozenset(manual),
            home=frozenset(home),
            by_station_hour=MappingProxyType(dict(sorted(hours.items()))),
        )


def station_voters(persons: Iterable[tuple[int, str, int]]) -> list[Voter]:
    """Voters from ``(person id, PIN, station number)`` rows (a register query's values)."""
    return [Voter(int(pid), str(pin), int(station)) for pid, pin, station in persons]


def _hour_of(at: datetime, polling_day: date) -> int:
    return at.hour + 24 * (at.date() - polling_day).days


def _rng(seed: int, *path: object) -> np.random.Generator:
    """A generator keyed by the seed and a path, for any integers (negative or huge)."""
    key = repr(("shailoo-election-day", seed, *path)).encode()
    return np.random.default_rng(int.from_bytes(hashlib.blake2b(key, digest_size=16).digest()))


def arrival_density(x: np.ndarray) -> np.ndarray:
    """The arrival curve at fractions ``x`` of the opening hours (integrates to about 1)."""
    density = np.full(np.shape(x), ARRIVAL_BASE, dtype=np.float64)
    for weight, centre, spread in ARRIVAL_PEAKS:
        z = (x - centre) / spread
        density += weight * np.exp(-0.5 * z * z) / (spread * math.sqrt(2 * math.pi))
    return density


def _arrival_cdf(span: int) -> np.ndarray:
    density = arrival_density((np.arange(span, dtype=np.float64) + 0.5) / span)
    cdf = np.cumsum(density)
    return np.asarray(cdf / cdf[-1])


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a well-spread 64-bit hash, vectorised."""
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)))


def _elsewhere(keys: np.ndarray, homes: np.ndarray, stations: np.ndarray) -> np.ndarray:
    """Rendezvous hashing: each key's highest-scoring station other than its home."""
    hashed = _mix(stations.astype(np.uint64))
    out = np.empty(len(keys), dtype=np.int64)
    for lo in range(0, len(keys), _BLOCK):
        score = _mix(keys[lo : lo + _BLOCK, None] ^ hashed[None, :])
        score[stations[None, :] == homes[lo : lo + _BLOCK, None]] = 0
        out[lo : lo + _BLOCK] = stations[np.argmax(score, axis=1)]
    return out


@dataclass(slots=True)
class _Draft:
    """A visit before its datetime and cross-station destination are settled."""

    offset: int  # seconds after opening (on ``day``)
    station: int
    voter: Voter
    kind: str
    session: int
    retry: bool
    key: int = 0  # rendezvous key when the destination is another station
    elsewhere: bool = False  # bound for another station, settled by ``key``
    day: int = 0  # days before polling day (home voting)


@dataclass(frozen=True, slots=True)
class _Rates:
    turnout: float
    retry: float
    double: float
    wrong_station: float
    unreadable: float
    home: float


def _station_day(
    seed: int,
    station: int,
    voters: list[Voter],
    rates: _Rates,
    cdf: np.ndarray,
    home: tuple[int, int],
    linked: bool,
) -> list[_Draft]:
    """The visits of one station's listed voters, drawn only from ``(seed, station)``.

    Every array is drawn for every voter in a fixed order, so changing one rate changes only
    what that rate decides.
    """
    n, span = len(voters), len(cdf)
    home_span, home_days = home
    rng = _rng(seed, "station", station)
    votes = rng.random(n) < rates.turnout
    arrival = np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), span - 1)
    how = rng.random(n)
    wrong = rng.random(n) < rates.wrong_station
    gap_lo, gap_hi = WRONG_STATION_GAP_MINUTES
    wrong_gap = rng.integers(gap_lo * 60, gap_hi * 60 + 1, n)
    double = rng.random(n) < rates.double
    same = rng.random(n) < SAME_STATION_SHARE
    later = rng.random(n)
    home_at = rng.integers(0, home_span, n)
    retry = rng.random((n, 3)) < rates.retry
    keys = rng.integers(0, 2**64, (n, 2), dtype=np.uint64)
    out: list[_Draft] = []
    for i, voter in enumerate(voters):
        if not votes[i]:
            continue
        kind = (
            HOME
            if how[i] < rates.home
            else UNREADABLE
            if how[i] < rates.home + rates.unreadable
            else VOTE
        )
        session = 1
        t = int(home_at[i] if kind == HOME else arrival[i])
        if kind != HOME and wrong[i]:
            # drawn the same with or without another station to go to, so that a plan of one
            # station alone keeps its voters' own visits (only the wrong one is left out)
            gap = int(wrong_gap[i])
            w = max(0, t - gap)
            t = min(max(t, w + gap), span - 1)
            if t > w:
                session = 2
                if linked:
                    away = _Draft(w, station, voter, WRONG_STATION, 1, bool(retry[i, 1]))
                    away.key, away.elsewhere = int(keys[i, 0]), True
                    out.append(away)
        first = _Draft(t, station, voter, kind, session, bool(retry[i, 0]))
        if kind == UNREADABLE:
            first.session = UNREADABLE_SESSION
        if kind == HOME:
            first.day = home_days
        out.append(first)
        if double[i]:
            start = DOUBLE_MIN_GAP_S + (0 if first.day else t)
            if start < span:
                t2 = start + int(later[i] * (span - start))
                second = _Draft(t2, station, voter, DOUBLE, max(session, 1) + 1, bool(retry[i, 2]))
                if linked and not same[i]:
                    second.key, second.elsewhere = int(keys[i, 1]), True
                out.append(second)
    return out


def _outage(seed: int, station: int, span: int) -> tuple[float, int, int]:
    """The station's draw (the lower, the likelier offline) and its window, in seconds."""
    rng = _rng(seed, "outage", station)
    draw = float(rng.random())
    low, high = OUTAGE_MINUTES
    length = min(span, int(rng.integers(low, high + 1)) * 60)
    start = int(rng.integers(0, span - length + 1))
    return draw, start, start + length


def _check(voters: Sequence[Voter], opens: time, closes: time, rates: Mapping[str, float]) -> None:
    for name, rate in rates.items():
        if not 0.0 <= rate <= 1.0:  # also refuses NaN
            raise ValueError(f"{name} must lie in [0, 1], got {rate}")
    if rates["home_rate"] + rates["unreadable_rate"] > 1.0:
        raise ValueError("home_rate + unreadable_rate must not exceed 1")
    if closes <= opens:
        raise ValueError(f"the station must close after it opens ({opens} - {closes})")
    seen: set[int] = set()
    for voter in voters:
        if voter.person_id in seen:
            raise ValueError(f"person {voter.person_id} is listed twice")
        seen.add(voter.person_id)


def plan_day(
    voters: Sequence[Voter],
    *,
    polling_day: date,
    tz: tzinfo,
    seed: int,
    turnout: float = 0.6,
    retry_rate: float = 0.10,
    offline_rate: float = 0.01,
    double_rate: float = 0.001,
    wrong_station_rate: float = 0.002,
    unreadable_rate: float = 0.003,
    home_rate: float = 0.0,
    opens: time = time(8),
    closes: time = time(20),
    home_days_before: int = 1,
) -> DayPlan:
    """Plan the polling day of the stations where ``voters`` are listed.

    Rates: ``turnout`` of the voters turn out; of those, ``home_rate`` vote at home,
    ``unreadable_rate`` are not identified, ``wrong_station_rate`` first go to a wrong station
    and ``double_rate`` try a second ballot; ``retry_rate`` of the visits are sent twice;
    ``offline_rate`` of the stations lose their network once for 30 to 90 minutes (at least
    one station when the rate is positive and there are two stations or more). When two
    stations or more are offline and ``double_rate`` is positive, at least one voter tries
    a second ballot while both stations are offline (planted if the draw has none).
    """
    rates = {
        "turnout": turnout,
        "retry_rate": retry_rate,
        "offline_rate": offline_rate,
        "double_rate": double_rate,
        "wrong_station_rate": wrong_station_rate,
        "unreadable_rate": unreadable_rate,
        "home_rate": home_rate,
    }
    _check(voters, opens, closes, rates)
    if home_days_before < 0:
        raise ValueError("home_days_before must not be negative")
    by_station: dict[int, list[Voter]] = defaultdict(list)
    for voter in voters:
        by_station[voter.station].append(voter)
    stations = sorted(by_station)
    span = _span(polling_day, opens, closes, tz)
    home = (
        _span(polling_day - timedelta(days=home_days_before), opens, closes, tz),
        home_days_before,
    )
    cdf = _arrival_cdf(span)
    chosen = _Rates(
        turnout, retry_rate, double_rate, wrong_station_rate, unreadable_rate, home_rate
    )
    linked = len(stations) >= 2
    drafts: list[_Draft] = []
    for station in stations:
        listed = sorted(by_station[station], key=lambda v: v.person_id)
        drafts += _station_day(seed, station, listed, chosen, cdf, home, linked)
    _settle_destinations(drafts, np.array(stations, dtype=np.int64))

    draws = {s: _outage(seed, s, span) for s in stations}
    down = {s: (w[1], w[2]) for s, w in draws.items() if w[0] < offline_rate}
    forced_station = None
    if offline_rate > 0 and linked and not down:
        forced_station = min(stations, key=lambda s: (draws[s][0], s))
        down[forced_station] = draws[forced_station][1:]
    planted: list[_Draft] = []
    if double_rate > 0 and len(down) >= 2 and not _has_offline_double(drafts, down):
        planted = _plant(seed, drafts, down, by_station, retry_rate)
        drafts += planted

    moments = _Clock(polling_day, opens, tz)
    visit_of = {id(d): moments.visit(d) for d in drafts}
    drafts.sort(key=lambda d: (-d.day, d.offset, d.station, d.voter.person_id, _KIND_ORDER[d.kind]))
    outages = {
        s: Outage(s, moments.at(a, 0), moments.at(b, 0)) for s, (a, b) in sorted(down.items())
    }
    return DayPlan(
        visits=tuple(visit_of[id(d)] for d in drafts),
        outages=tuple(outages.values()),
        polling_day=polling_day,
        stations=tuple(stations),
        planted=tuple(visit_of[id(d)] for d in planted),
        forced=(outages[forced_station],) if forced_station is not None else (),
    )


def _span(day: date, opens: time, closes: time, tz: tzinfo) -> int:
    """Seconds the station is open on ``day`` (absolute: a DST change inside counts)."""
    start = datetime.combine(day, opens, tz).astimezone(UTC)
    return int((datetime.combine(day, closes, tz).astimezone(UTC) - start).total_seconds())


def _settle_destinations(drafts: list[_Draft], stations: np.ndarray) -> None:
    """Give each visit bound for another station its rendezvous destination."""
    moving = [d for d in drafts if d.elsewhere]
    if not moving:
        return
    keys = np.array([d.key for d in moving], dtype=np.uint64)
    homes = np.array([d.voter.station for d in moving], dtype=np.int64)
    for draft, station in zip(moving, _elsewhere(keys, homes, stations), strict=True):
        draft.station = int(station)


def _has_offline_double(drafts: list[_Draft], down: Mapping[int, tuple[int, int]]) -> bool:
    def offline(d: _Draft) -> bool:
        window = down.get(d.station)
        return d.day == 0 and window is not None and window[0] <= d.offset < window[1]

    tries: dict[int, list[_Draft]] = defaultdict(list)
    for d in drafts:
        if d.kind in ISSUING:
            tries[d.voter.person_id].append(d)
    for row in tries.values():
        if len(row) < 2:
            continue
        row.sort(key=lambda d: (-d.day, d.offset))
        first = row[0]
        if offline(first) and any(offline(d) and d.station != first.station for d in row[1:]):
            return True
    return False


def _plant(
    seed: int,
    drafts: list[_Draft],
    down: Mapping[int, tuple[int, int]],
    by_station: Mapping[int, list[Voter]],
    retry_rate: float,
) -> list[_Draft]:
    """Plant the hardest case: a voter issued a ballot at an offline station who then tries a
    second at another station while it is offline too.

    The first attempt is a voter of station ``a`` who votes inside ``a``'s outage (the earliest
    such, with no other visit); failing that, a voter of ``a`` who did not turn out is made to;
    failing that (every voter turned out, none inside the outage), a voter's own visits give
    way to a planted vote inside it. Stations are tried by outage start, then number; ``b`` is
    the first whose outage ends late enough.
    """
    visits_of: dict[int, list[_Draft]] = defaultdict(list)
    for d in drafts:
        visits_of[d.voter.person_id].append(d)
    order = sorted(down, key=lambda s: (down[s][0], s))
    for a in order:
        a_start, a_end = down[a]
        for b in order:
            b_start, b_end = down[b]
            latest = min(a_end, b_end - PLANTED_GAP_S) - 1  # latest first attempt that fits
            if b == a or latest < a_start:
                continue
            rng = _rng(seed, "plant", a, b)
            listed = sorted(by_station[a], key=lambda v: v.person_id)
            inside = [
                first
                for v in listed
                if len(visits_of[v.person_id]) == 1
                and (first := visits_of[v.person_id][0]).kind in {VOTE, UNREADABLE}
                and a_start <= first.offset <= latest
            ]
            added: list[_Draft] = []
            if inside:
                first = min(inside, key=lambda d: (d.offset, d.voter.person_id))
            else:
                idle = [v for v in listed if not visits_of[v.person_id]]
                plain = [v for v in listed if [d.kind for d in visits_of[v.person_id]] == [VOTE]]
                voter = (idle or plain or listed)[0]
                if not idle:  # the voter's own visits give way to the planted ones
                    drafts[:] = [d for d in drafts if d.voter.person_id != voter.person_id]
                t1 = int(rng.integers(a_start, latest + 1))
                first = _Draft(t1, a, voter, VOTE, 1, bool(rng.random() < retry_rate))
                added.append(first)
            low = max(first.offset + PLANTED_GAP_S, b_start)
            t2 = int(rng.integers(low, b_end))
            session = max(first.session, 1) + 1
            retry = bool(rng.random() < retry_rate)
            added.append(_Draft(t2, b, first.voter, DOUBLE, session, retry))
            return added
    return []


class _Clock:
    """Offsets in seconds after opening to aware datetimes (absolute seconds: DST-safe)."""

    def __init__(self, day: date, opens: time, tz: tzinfo) -> None:
        self.tz = tz
        self.day = day
        self.opens = opens
        self._cache: dict[tuple[int, int], datetime] = {}
        self._origin: dict[int, datetime] = {}

    def at(self, offset: int, days_before: int) -> datetime:
        key = (offset, days_before)
        moment = self._cache.get(key)
        if moment is None:
            origin = self._origin.get(days_before)
            if origin is None:
                on = self.day - timedelta(days=days_before)
                origin = datetime.combine(on, self.opens, self.tz).astimezone(UTC)
                self._origin[days_before] = origin
            moment = (origin + timedelta(seconds=offset)).astimezone(self.tz)
            self._cache[key] = moment
        return moment

    def visit(self, d: _Draft) -> Visit:
        moment = self.at(d.offset, d.day)
        return Visit(moment, d.station, d.voter.person_id, d.voter.pin, d.kind, d.session, d.retry)
