"""The station device: package, opening, check-in online or offline, sync, closing.

:class:`StationDevice` is what a tablet, the simulator, the tests and the benchmark drive; it
holds the lock that makes one device's requests, clock readings and queue appends happen one
at a time, and it chooses between the server and the package for each check-in.

**Online** a check-in is one signed ``POST /api/polling/checkins/`` with a fresh idempotency
key; a network error or a 5xx is retried with the *same* key (the server answers a key it has
seen with its first answer, so a lost answer or a server killed after its commit counts once).

**Offline** (the server cannot be reached after the retries) the device decides from its
sealed station package (:mod:`.offline_decision`), and **sync** (:mod:`.sync`) sends the
queue in order before any other request once the network is back. Answers other than
``issued`` (a second ballot to one voter, an irregular issue, a lost answer that had refused
the voter) are kept in :attr:`StationDevice.alerts` for the commission member: never dropped.

The package (:mod:`.station_package`), the captures (:mod:`.captures`) and the check of a
request (:mod:`.checkin_request`) are their own modules; ``Capture`` and
``open_station_package`` are used here and imported from here by the tablet and the tests.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from shailoo.biometrics.calibration import ScoreCalibration
from shailoo.polling import hlc
from shailoo.polling.client.captures import Capture
from shailoo.polling.client.checkin_request import (
    ALREADY_VOTED,
    ISSUED,
    check_request,
    new_key,
)
from shailoo.polling.client.offline_decision import decide_offline
from shailoo.polling.client.state import DeviceState, Voted
from shailoo.polling.client.station_package import (
    NoPackage,
    StationPackage,
    open_station_package,
)
from shailoo.polling.client.sync import send_queue
from shailoo.polling.client.transport import Answer, Offline, ServerRefused, Transport

PACKAGE_PATH: Final = "/api/polling/package/"
OPEN_PATH: Final = "/api/polling/open/"
CHECKIN_PATH: Final = "/api/polling/checkins/"
CLOSE_PATH: Final = "/api/polling/close/"


class StationDevice:
    """A station's identification device (one per tablet; thread-safe).

    ``clock`` is the device's wall clock (signature timestamps); ``hlc_clock`` the physical
    clock its hybrid logical clock reads (the simulator gives it the plan's time, mapped onto
    the real axis); both in seconds and corrected by the offset learnt from the server.
    """

    def __init__(
        self,
        state: DeviceState,
        *,
        clock: Callable[[], float] = time.time,
        hlc_clock: Callable[[], float] | None = None,
        retries: int = 3,
        backoff_s: float = 0.2,
        timeout_s: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        calibration: ScoreCalibration | None = None,
        face_calibrations: Mapping[str, ScoreCalibration] | None = None,
    ) -> None:
        self.state = state
        self.retries = max(0, retries)
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._calibration = calibration
        self._face_calibrations = face_calibrations
        physical = hlc_clock or clock
        self.clock = hlc.Clock(
            lambda: int(physical() * 1000) + self.state.offset_ms, last=state.hlc_last
        )
        self.transport = Transport(
            state, clock=clock, timeout_s=timeout_s, on_server_time=self._observe
        )
        self._lock = threading.RLock()
        self._answers: dict[str, dict[str, Any]] = {}
        self._sent_hlc: dict[str, int] = {}
        #: Sync answers the commission must see: second ballots, irregular issues, refusals.
        self.alerts: list[dict[str, Any]] = []
        self.opened = False
        self.last_answer: dict[str, Any] | None = None
        self.package: StationPackage | None = None
        stored = state.package_bytes()
        if stored is not None:
            self.package = self._open(stored)

    @classmethod
    def load(cls, path: Path, **options: Any) -> StationDevice:
        """The device of a state directory (after a restart: queue, counters, package)."""
        return cls(DeviceState.load(path), **options)

    # -- clock ---------------------------------------------------------------------------------

    def _observe(self, server_ms: int) -> None:
        with contextlib.suppress(ValueError):  # a time no clock can hold is ignored
            self.clock.observe(hlc.pack(server_ms, 0))

    # -- switches and status -------------------------------------------------------------------

    def go_offline(self) -> None:
        self.transport.go_offline()

    def go_online(self) -> None:
        self.transport.go_online()

    @property
    def online(self) -> bool:
        return not self.transport.offline

    def status(self) -> dict[str, Any]:
        """What the tablet shows: station, network, queue, clock offset, package, alerts."""
        package = self.package
        return {
            "station": self.state.config.station,
            "key_id": self.state.config.key_id,
            "online": self.online,
            "queue": len(self.state.pending()),
            "clock_offset_s": round(self.state.offset_ms / 1000, 1),
            "package": None
            if package is None
            else {
                "sha256": package.sha256,
                "voters": len(package.rows),
                "election": package.election,
            },
            "opened": self.opened,
            "issued_here": sum(1 for _ in self.state.voted_here()),
            "alerts": len(self.alerts),
        }

    # -- requests with retries -----------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        payload: Mapping[str, Any] | None = None,
        *,
        body_of: Callable[[], Mapping[str, Any]] | None = None,
    ) -> Answer:
        """Send, retrying a network error or 5xx (same body, hence same idempotency key);
        raises Offline when it never got through."""
        delay = self.backoff_s
        for attempt in range(self.retries + 1):
            try:
                return self.transport.request(method, path, payload, body_of=body_of)
            except Offline:
                if self.transport.offline or attempt == self.retries:
                    raise
            except ServerRefused as exc:
                if exc.status < 500:
                    raise
                if attempt == self.retries:
                    raise Offline(f"the server keeps failing: {exc}") from exc
            self._sleep(delay)
            delay *= 2
        raise Offline("unreachable")  # pragma: no cover - the loop returns or raises

    def _before_online(self) -> None:
        """Send what was issued offline first (the server refuses older clock readings)."""
        if self.state.pending():
            self.sync()

    # -- package and opening -------------------------------------------------------------------

    def _open(self, raw: bytes) -> StationPackage:
        return open_station_package(
            raw,
            state=self.state,
            calibration=self._calibration,
            face_calibrations=self._face_calibrations,
        )

    def download_package(self) -> StationPackage:
        """Fetch, verify and open the station package; only a package that opens is kept."""
        with self._lock:
            answer = self._call("GET", PACKAGE_PATH)
            package = self._open(answer.raw)
            self.state.save_package(answer.raw)
            self.package = package
            return package

    def open(self, ballots_received: int) -> dict[str, Any]:
        """Report the opening (package hash, ballots received); a repeat is not an error."""
        with self._lock:
            if self.package is None:
                raise NoPackage("no_package", "download the station package before opening")
            self._before_online()
            try:
                answer = self._call(
                    "POST",
                    OPEN_PATH,
                    body_of=lambda: {
                        "hlc": self._tick(),
                        "ballots_received": ballots_received,
                        "package_sha256": self.package.sha256 if self.package else "",
                    },
                )
                body: dict[str, Any] = dict(answer.body)
            except ServerRefused as exc:
                if exc.status != 409 or exc.code != "reported":
                    raise
                body = {"station": self.state.config.station, "already_reported": True}
            self.opened = True
            return body

    def close(self, ballots_unused: int, ballots_spoiled: int) -> dict[str, Any]:
        """Sync what is left, then send the closing report (the server's balance comes back)."""
        with self._lock:
            self._before_online()
            answer = self._call(
                "POST",
                CLOSE_PATH,
                body_of=lambda: {
                    "hlc": self._tick(),
                    "ballots_unused": ballots_unused,
                    "ballots_spoiled": ballots_spoiled,
                },
            )
            self.opened = False
            return dict(answer.body)

    def _tick(self) -> int:
        return self.clock.tick()

    # -- check-in ------------------------------------------------------------------------------

    def check_in(
        self,
        captures: Sequence[Capture] = (),
        *,
        pin: str | None = None,
        mode: str | None = None,
        kind: str = "station",
        manual_reason: str = "",
        attempts: int = 0,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Check a voter in; the answer (``outcome``, ``message``, ``voter`` …; ``offline``
        true when the device decided alone). ``key`` resends an earlier request."""
        mode = mode or ("verify" if pin and captures else "identify" if captures else "manual")
        check_request(captures, pin, mode, kind, manual_reason, attempts)
        with self._lock:
            key = key or new_key()
            cached = self._answers.get(key)
            if cached is not None and (cached.get("offline") or not self.online):
                # Decided here (the server never saw it), or no network to ask: the first answer.
                answer = {**cached, "repeat": True}
                self.last_answer = answer
                return answer
            request: dict[str, Any] = {
                "key": key,
                "mode": mode,
                "kind": kind,
                "templates": [c.to_json() for c in captures],
                "attempts": attempts,
            }
            if pin:  # the server refuses an empty PIN or reason: absent means none
                request["pin"] = pin
            if manual_reason:
                request["manual_reason"] = manual_reason
            if self.online:
                try:
                    answer = self._online(request)
                except Offline:
                    answer = self._offline(request, captures)
            else:
                answer = self._offline(request, captures)
            self.last_answer = answer
            return answer

    def _online(self, request: dict[str, Any]) -> dict[str, Any]:
        self._before_online()
        key = request["key"]

        def body() -> dict[str, Any]:
            value = self._tick()
            self._sent_hlc[key] = value
            return {**request, "hlc": value}

        answer = self._call("POST", CHECKIN_PATH, body_of=body)
        result: dict[str, Any] = dict(answer.body)
        result["offline"] = False
        self._learn(result)
        return result

    def _learn(self, answer: Mapping[str, Any]) -> None:
        """Keep what an online answer says about the voter (for offline decisions later)."""
        key = str(answer.get("key", ""))
        voter = answer.get("voter")
        ref = voter.get("ref") if isinstance(voter, dict) else None
        if isinstance(ref, int) and not isinstance(ref, bool):
            if answer.get("outcome") == ISSUED:
                at = hlc.to_datetime(self._sent_hlc.get(key, self.clock.last)).isoformat()
                self.state.record_voted(Voted(ref, self.state.config.station, at, key, "online"))
            elif answer.get("outcome") == ALREADY_VOTED:
                station = answer.get("voted_station")
                self.state.record_voted(
                    Voted(
                        ref,
                        station if isinstance(station, int) else 0,
                        str(answer.get("voted_at", "")),
                        key,
                        "server",
                    )
                )
        if key:
            self._answers[key] = dict(answer)
            self._sent_hlc.pop(key, None)

    def _offline(self, request: dict[str, Any], captures: Sequence[Capture]) -> dict[str, Any]:
        key = request["key"]
        answer = decide_offline(
            self.package,
            self.state,
            request,
            captures,
            reading=lambda: self._sent_hlc.pop(key, None) or self._tick(),
        )
        self._answers[key] = answer
        return answer

    # -- sync ----------------------------------------------------------------------------------

    def sync(self) -> list[dict[str, Any]]:
        """Send the offline queue in order; returns the server's answers (one per issue).

        An entry is marked done only once answered; answers other than ``issued`` are also
        kept in :attr:`alerts`. Raises Offline if the server cannot be reached (nothing lost).
        """
        with self._lock:
            answers: list[dict[str, Any]] = []
            for item in send_queue(self.state, self._call):
                self._answers.setdefault(str(item["key"]), {**item, "offline": True})
                if item.get("outcome") != ISSUED:
                    self.alerts.append(item)
                answers.append(item)
            return answers
