"""Play a synthetic polling day (``shailoo.synth.election_day``) through real station devices.

Each station's device (a state directory made by ``shailoo polling enrol-device``) downloads
its sealed package, reports the opening, checks in the plan's visits in time order, loses its
network during the plan's outages and syncs when it comes back, and reports the closing. All
of it goes through the signed HTTP API exactly as a tablet would (``polling.client``).

**Time.** The server checks each signature's timestamp against its own clock, flags a device
whose hybrid-logical-clock readings are more than the law's skew (120 s) away from its time,
and stamps online check-ins with its own time. So the plan's day is *mapped onto the real time
axis*: the earliest visit of the plan is "now" (the anchor, shared by every station of a run)
and plan time runs ``speed`` times faster, so that by default the whole plan (home voting the
day before included) fits into :data:`DEFAULT_SPAN_S` seconds of readings. The devices' clocks
read the mapped time of the visit at hand (their HLC readings keep the plan's order across
stations, which is what decides which of two offline ballots is the vote), their signatures
carry the real time, and at most :data:`DEFAULT_SPAN_S` seconds separate the two — well inside
the skew. Visits are played without waiting unless ``pace`` is set (then each waits for its
mapped moment, so readings and real time agree). Hourly turnout on the server is therefore
the run's, not the plan's: compare ballots, refusals and second issues with the plan's truth,
not the hours.

**Visits.** ``vote`` / ``double``: a probe of the voter (session of the visit), identified 1:N
(``probe="identify"``) or verified 1:1 with the document's PIN (``probe="verify"``);
``wrong_station``: not identified here, then the document's PIN is checked (not on this list,
listed at …); ``unreadable``: a probe of an identity enrolled nowhere, the law's number of
attempts, then the manual procedure with the PIN (``not_identified_document_checked``);
``home``: the mobile box (kind ``home``) after ``register_home(person_id)`` registered the
request, or skipped when no callback is given. A visit with ``retry`` is sent twice with one
idempotency key, as a device does when an answer is lost.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from shailoo.biometrics import iso19794
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.polling.client.device import Capture, StationDevice
from shailoo.polling.client.transport import Offline
from shailoo.synth.election_day import (
    DOUBLE,
    HOME,
    UNREADABLE,
    UNREADABLE_SESSION,
    VOTE,
    WRONG_STATION,
    DayPlan,
    Visit,
)
from shailoo.synth.enrolment import person_templates

DEFAULT_SPAN_S: Final = 60.0
#: Probes of "unreadable" voters come from this identity + the person id: enrolled nowhere.
UNREADABLE_IDENTITY: Final = 1_000_000_000
MANUAL_REASON: Final = "not_identified_document_checked"


def synthetic_captures(person_id: int, seed: int, session: int) -> list[Capture]:
    """What a capture device would deliver for a synthetic person: an ISO/IEC 19794-2 record
    of both index fingers and a face embedding. ``UNREADABLE_SESSION`` (or any session < 1)
    gives a probe of an identity enrolled nowhere (-1, -2, ...: successive captures)."""
    identity = person_id
    if session < 1:  # -1, -2, ...: the stranger's first, second, ... capture
        identity, session = UNREADABLE_IDENTITY + person_id, -session
    items = person_templates(identity, seed, session, "standard")
    # A capture device reports a live-scan plain impression (ISO type 0); the synthetic
    # impression number counts capture sessions and is no ISO impression type past 3.
    fingers = [replace(t, impression=0) for t in items if isinstance(t, FingerTemplate)]
    faces = [t for t in items if isinstance(t, EmbeddingTemplate)]
    out = [Capture("finger_iso", iso19794.to_bytes(fingers))]
    out += [Capture("embedding", face.to_bytes()) for face in faces[:1]]
    return out


@dataclass(frozen=True, slots=True)
class TimeMap:
    """Plan time onto the real axis: ``origin`` (plan) is ``anchor_ms`` (real), ``speed``
    times faster."""

    origin: datetime
    anchor_ms: int
    speed: float

    @classmethod
    def of(
        cls, plan: DayPlan, *, speed: float | None = None, anchor_ms: int | None = None
    ) -> TimeMap:
        if not plan.visits:
            raise ValueError("the plan has no visits")
        origin = min(v.at for v in plan.visits)
        last = max([v.at for v in plan.visits] + [o.end for o in plan.outages], default=origin)
        span = max((last - origin).total_seconds(), 1.0)
        chosen = speed if speed is not None else max(span / DEFAULT_SPAN_S, 1.0)
        if chosen <= 0:
            raise ValueError("speed must be positive")
        now = int(time.time() * 1000) if anchor_ms is None else anchor_ms
        return cls(origin, now, chosen)

    def ms(self, at: datetime) -> int:
        return self.anchor_ms + int((at - self.origin).total_seconds() * 1000 / self.speed)


@dataclass(slots=True)
class StationSummary:
    """What one station's day gave: outcomes per visit kind, sync and closing results."""

    station: int
    visits: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    by_kind: dict[str, Counter[str]] = field(default_factory=dict)
    repeats: int = 0
    offline_decisions: int = 0
    ballots: int = 0  # ballots physically handed over at this station
    second_issues: list[dict[str, Any]] = field(default_factory=list)
    sync_alerts: list[dict[str, Any]] = field(default_factory=list)
    home_skipped: int = 0
    missed: int = 0  # captures of a listed voter the matcher did not identify
    closing: dict[str, Any] = field(default_factory=dict)

    @property
    def alerts_expected(self) -> int:
        """Alerts the server must have raised for this station's answers: each refused
        second attempt (already voted) and each second ballot."""
        return self.outcomes["already_voted"] + len(self.second_issues)

    def count(self, kind: str, answer: Mapping[str, Any]) -> None:
        outcome = str(answer.get("outcome", ""))
        self.outcomes[outcome] += 1
        self.by_kind.setdefault(kind, Counter())[outcome] += 1
        if answer.get("offline"):
            self.offline_decisions += 1
        if outcome == "issued" and not answer.get("repeat"):
            self.ballots += 1


class _Player:
    def __init__(
        self,
        device: StationDevice,
        summary: StationSummary,
        *,
        seed: int,
        probe: str,
        register_home: Callable[[int], None] | None,
    ) -> None:
        self.device = device
        self.summary = summary
        self.seed = seed
        self.probe = probe
        self.register_home = register_home

    def sync(self) -> None:
        try:
            answers = self.device.sync()
        except Offline:
            return
        for answer in answers:
            if answer.get("outcome") == "second_issue":
                self.summary.second_issues.append(answer)
            elif answer.get("outcome") != "issued":
                self.summary.sync_alerts.append(answer)

    def send(self, visit: Visit, **request: Any) -> dict[str, Any]:
        answer = self.device.check_in(**request)
        if visit.retry:
            again = self.device.check_in(**request, key=answer["key"])
            self.summary.repeats += int(bool(again.get("repeat")))
        return answer

    def attempts(self) -> int:
        package = self.device.package
        return package.identification_attempts if package is not None else 3

    def manual(self, visit: Visit, tries: int) -> dict[str, Any]:
        return self.send(
            visit, pin=visit.pin, mode="manual", manual_reason=MANUAL_REASON, attempts=tries
        )

    def biometric(self, visit: Visit) -> dict[str, Any]:
        """Capture, and capture again while not identified (the law's number of attempts),
        then the manual procedure with the document (the matcher can miss a voter too)."""
        tries = self.attempts()
        answer: dict[str, Any] = {}
        for attempt in range(tries):
            caps = synthetic_captures(visit.person_id, self.seed, visit.session + 10 * attempt)
            pin = visit.pin if self.probe == "verify" else None
            answer = self.send(visit, captures=caps, pin=pin)
            if answer.get("outcome") != "not_identified":
                return answer
            self.summary.missed += 1
        return self.manual(visit, tries)

    def play(self, visit: Visit) -> dict[str, Any]:
        if visit.kind in (VOTE, DOUBLE):
            return self.biometric(visit)
        if visit.kind == WRONG_STATION:
            caps = synthetic_captures(visit.person_id, self.seed, visit.session)
            if self.probe != "verify":
                first = self.send(visit, captures=caps)
                if first.get("outcome") != "not_identified":
                    return first
            return self.send(visit, captures=caps, pin=visit.pin)
        if visit.kind == UNREADABLE:
            tries = self.attempts()
            for attempt in range(tries):
                caps = synthetic_captures(visit.person_id, self.seed, UNREADABLE_SESSION - attempt)
                answer = self.device.check_in(caps)
                if answer.get("outcome") != "not_identified":
                    return answer  # the matcher (wrongly) found someone: the summary shows it
            return self.manual(visit, tries)
        if visit.kind == HOME:
            if self.register_home is None:
                self.summary.home_skipped += 1
                return {"outcome": "skipped"}
            self.register_home(visit.person_id)
            caps = synthetic_captures(visit.person_id, self.seed, visit.session)
            return self.send(visit, captures=caps, kind="home")
        raise ValueError(f"unknown visit kind {visit.kind!r}")


def simulate_station(
    device_dir: Path,
    plan: DayPlan,
    station: int,
    *,
    seed: int,
    speed: float | None = None,
    probe: str = "identify",
    register_home: Callable[[int], None] | None = None,
    ballots_received: int | None = None,
    time_map: TimeMap | None = None,
    pace: bool = False,
    device_options: Mapping[str, Any] | None = None,
) -> StationSummary:
    """Play ``station``'s visits of ``plan`` through the device in ``device_dir``.

    ``probe`` is ``identify`` (1:N) or ``verify`` (PIN + template, 1:1); ``register_home``
    registers a home-voting request for a person id before the mobile box comes (skipped
    when None); ``ballots_received`` defaults to the station's list size. See the module
    docstring for how time is mapped (``speed``, ``pace``, ``time_map``).
    """
    if probe not in ("identify", "verify"):
        raise ValueError("probe is identify or verify")
    mapping = time_map or TimeMap.of(plan, speed=speed)
    reading = [mapping.anchor_ms]
    options = {"retries": 2, "backoff_s": 0.05, **(device_options or {})}
    device = StationDevice.load(device_dir, hlc_clock=lambda: reading[0] / 1000, **options)
    summary = StationSummary(station)
    player = _Player(device, summary, seed=seed, probe=probe, register_home=register_home)
    visits = plan.visits_at(station)
    outages = [o for o in plan.outages if o.station == station]

    def at(moment: datetime) -> None:
        reading[0] = max(reading[0], mapping.ms(moment))
        if pace:
            wait = reading[0] / 1000 - time.time()
            if wait > 0:
                time.sleep(wait)

    if visits:
        at(visits[0].at)
    if device.package is None:
        device.download_package()
    package = device.package
    received = (
        ballots_received if ballots_received is not None else len(package.rows if package else ())
    )
    device.open(received)
    for visit in visits:
        at(visit.at)
        down = any(o.start <= visit.at < o.end for o in outages)
        if down and device.online:
            device.go_offline()
        elif not down and not device.online:
            device.go_online()
            player.sync()
        summary.visits += 1
        answer = player.play(visit)
        summary.count(visit.kind, answer)
    if not device.online:
        device.go_online()
    player.sync()
    summary.closing = device.close(max(received - summary.ballots, 0), 0)
    device.transport.close()
    return summary


def simulate_many(
    device_dirs: Mapping[int, Path],
    plan: DayPlan,
    *,
    seed: int,
    speed: float | None = None,
    workers: int = 4,
    **options: Any,
) -> dict[int, StationSummary]:
    """Every station of ``device_dirs`` (station -> state directory) in its own thread, on
    one shared time map so that readings across stations keep the plan's order."""
    mapping = TimeMap.of(plan, speed=speed)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {
            station: pool.submit(
                simulate_station, path, plan, station, seed=seed, time_map=mapping, **options
            )
            for station, path in sorted(device_dirs.items())
        }
        return {station: future.result() for station, future in futures.items()}


def totals(summaries: Mapping[int, StationSummary]) -> dict[str, Any]:
    """The run's totals, for the command line and the benchmark."""
    outcomes: Counter[str] = Counter()
    for summary in summaries.values():
        outcomes.update(summary.outcomes)
    return {
        "stations": len(summaries),
        "visits": sum(s.visits for s in summaries.values()),
        "outcomes": dict(sorted(outcomes.items())),
        "ballots": sum(s.ballots for s in summaries.values()),
        "repeats": sum(s.repeats for s in summaries.values()),
        "offline_decisions": sum(s.offline_decisions for s in summaries.values()),
        "second_issues": sum(len(s.second_issues) for s in summaries.values()),
        "alerts_expected": sum(s.alerts_expected for s in summaries.values()),
        "closing_differences": {
            station: s.closing.get("difference")
            for station, s in summaries.items()
            if s.closing.get("difference")
        },
    }
