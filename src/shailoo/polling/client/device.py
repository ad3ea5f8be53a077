"""The station device: package, opening, check-in online or offline, sync, closing.

**Online** a check-in is one signed ``POST /api/polling/checkins/`` with a fresh idempotency
key; a network error or a 5xx is retried with the *same* key (the server answers a key it has
seen with its first answer, so a lost answer or a server killed after its commit counts once).

**Offline** (the server cannot be reached after the retries) the device decides from its
sealed station package: it identifies the voter in its own gallery (or finds the document's
PIN among the list's salted PIN hashes for 1:1 verification and the manual procedure), refuses
a voter it knows has a ballot, and otherwise issues and appends the issue to its queue —
on disk before the answer is shown. A request whose fate is unknown (sent, no answer) is
queued under its own key and clock reading, so if the server did record it the sync gets
that first answer back instead of a second ballot.

**Sync** sends the queue in order (batches of at most 500) before any other request once the
network is back: the server refuses a clock reading older than one it already accepted, so
the older offline issues must arrive first. Answers other than ``issued`` (a second ballot to
one voter, an irregular issue, a lost answer that had refused the voter) are kept in
:attr:`StationDevice.alerts` for the commission member: never dropped.

Home voting (kind ``home``) needs the server: the registered requests are not in the
package, so offline the device says it cannot decide rather than issue.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from shailoo.biometrics import ansi378, iso19794
from shailoo.biometrics.calibration import ScoreCalibration
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.identification import (
    Gallery,
    IdentificationThresholds,
    UnknownReference,
)
from shailoo.biometrics.iso19794 import TemplateError
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import Conflict, InvalidInput
from shailoo.polling import hlc, sealing
from shailoo.polling.client.state import DeviceState, QueuedIssue, Voted
from shailoo.polling.client.transport import Answer, Offline, ServerRefused, Transport

ISSUED: Final = "issued"
ALREADY_VOTED: Final = "already_voted"
NOT_ON_LIST: Final = "not_on_list"
NOT_IDENTIFIED: Final = "not_identified"
NEEDS_SERVER: Final = "needs_server"
MODES: Final = ("identify", "verify", "manual")
KINDS: Final = ("station", "home")
METHOD: Final = {"identify": "identified", "verify": "verified", "manual": "manual"}
TEMPLATE_KINDS: Final = ("finger_iso", "finger_ansi", "embedding")
LIST_FORMAT: Final = "shailoo-station-list/1"
SYNC_BATCH: Final = 500
MAX_TEMPLATES: Final = 12
PACKAGE_PATH: Final = "/api/polling/package/"
OPEN_PATH: Final = "/api/polling/open/"
CHECKIN_PATH: Final = "/api/polling/checkins/"
SYNC_PATH: Final = "/api/polling/sync/"
CLOSE_PATH: Final = "/api/polling/close/"


class PackageContentError(InvalidInput):
    """An opened station package whose content is not what a device can work with."""

    default_code = "package_content"


class NoPackage(Conflict):
    """The device has no station package yet: it cannot decide offline."""

    default_code = "no_package"


@dataclass(frozen=True, slots=True)
class Capture:
    """A template as the capture device delivered it: its kind and its bytes."""

    kind: str
    data: bytes

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "data": base64.b64encode(self.data).decode("ascii")}


@dataclass(frozen=True, slots=True)
class ListRow:
    """One voter on the station's list, as the package gives it (no PIN: its salted hash)."""

    ref: int
    row: int
    surname: str
    given_name: str
    patronymic: str
    birth_year: int
    pin_sha256: str
    ballot_style: str
    remote: bool

    def voter(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "surname": self.surname,
            "given_name": self.given_name,
            "patronymic": self.patronymic,
            "birth_year": self.birth_year,
            "row": self.row,
        }


@dataclass(slots=True)
class StationPackage:
    """The opened package: list, PIN index, gallery and the rules the device applies offline."""

    sha256: str
    station: int
    election: str
    polling_day: str
    salt: str
    identification_attempts: int
    manual_reasons: tuple[str, ...]
    thresholds: IdentificationThresholds
    rows: dict[int, ListRow]
    by_pin: dict[str, int]
    gallery: Gallery

    def row_of_pin(self, pin: str) -> ListRow | None:
        ref = self.by_pin.get(hashlib.sha256(f"{self.salt}:{pin}".encode()).hexdigest())
        return None if ref is None else self.rows[ref]


def _content_error(where: str, why: str) -> PackageContentError:
    return PackageContentError(
        "package_content", f"station package: {where}: {why}", problems=[Problem(where, why)]
    )


def _field(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int,))):
        raise _content_error(f"{where}{name}", "missing or of the wrong type")
    return value


def _decode_template(kind: str, data: bytes) -> list[FingerTemplate] | EmbeddingTemplate:
    if kind == "embedding":
        return EmbeddingTemplate.from_bytes(data)
    if kind == "finger_iso":
        return iso19794.from_bytes(data)
    if kind == "finger_ansi":
        return ansi378.from_bytes(data)
    raise TemplateError(0, f"unknown template kind {kind[:20]!r}")


def open_station_package(
    raw: bytes,
    *,
    state: DeviceState,
    calibration: ScoreCalibration | None = None,
    face_calibrations: Mapping[str, ScoreCalibration] | None = None,
) -> StationPackage:
    """Verify (pinned commission key), open (the device's X25519 key) and index a package.

    Refuses with :class:`sealing.PackageError` (signature, station, recipient, hash, AEAD) or
    :class:`PackageContentError` (located) — nothing of a refused package is used.
    """
    config = state.config
    sealed = sealing.SealedPackage.from_json(raw)
    if sealed.signer != config.commission_key_id:
        raise sealing.PackageError(
            "bad_signature", "the package is not signed by the commission key this device pinned"
        )
    content = sealing.open_package(
        sealed,
        recipient_private=state.seal_key,
        signer_public=bytes.fromhex(config.commission_key),
        station=config.station,
    )
    data = safe_json.loads(content, source="station package")
    if not isinstance(data, dict) or data.get("format") != LIST_FORMAT:
        raise _content_error("format", f"not a {LIST_FORMAT} document")
    if _field(data, "station", int, "") != config.station:
        raise _content_error("station", "names another station")
    if data.get("election") != sealed.election:
        raise _content_error("election", "differs from the sealed header")
    rules = _field(data, "rules", dict, "")
    reasons = _field(rules, "manual_reasons", list, "rules.")
    attempts = _field(rules, "identification_attempts", int, "rules.")
    try:
        thresholds = IdentificationThresholds.from_mapping(_field(data, "thresholds", dict, ""))
    except ValueError as exc:
        raise _content_error("thresholds", str(exc)) from None
    rows: dict[int, ListRow] = {}
    by_pin: dict[str, int] = {}
    for i, item in enumerate(_field(data, "list", list, "")):
        where = f"list.{i}."
        if not isinstance(item, dict):
            raise _content_error(f"list.{i}", "not an object")
        row = ListRow(
            ref=_field(item, "ref", int, where),
            row=_field(item, "row", int, where),
            surname=_field(item, "surname", str, where),
            given_name=_field(item, "given_name", str, where),
            patronymic=_field(item, "patronymic", str, where),
            birth_year=_field(item, "birth_year", int, where),
            pin_sha256=_field(item, "pin_sha256", str, where),
            ballot_style=_field(item, "ballot_style", str, where),
            remote=bool(item.get("remote", False)),
        )
        if row.ref in rows:
            raise _content_error(f"list.{i}.ref", "listed twice")
        rows[row.ref] = row
        by_pin[row.pin_sha256] = row.ref
    model = data.get("face_model") if isinstance(data.get("face_model"), str) else None
    fingers: dict[int, dict[int, FingerTemplate]] = {}
    faces: dict[int, EmbeddingTemplate] = {}
    for i, item in enumerate(_field(data, "templates", list, "")):
        where = f"templates.{i}."
        if not isinstance(item, dict):
            raise _content_error(f"templates.{i}", "not an object")
        ref = _field(item, "ref", int, where)
        if ref not in rows:
            raise _content_error(f"{where}ref", "not on the package's list")
        try:
            raw_template = base64.b64decode(_field(item, "data", str, where), validate=True)
            value = _decode_template(_field(item, "kind", str, where), raw_template)
        except (ValueError, binascii.Error, TemplateError) as exc:
            raise _content_error(f"{where}data", str(exc)[:200]) from None
        if isinstance(value, EmbeddingTemplate):
            if ref not in faces and (model is None or value.model_id == model):
                faces[ref] = value
        else:
            for template in value:
                fingers.setdefault(ref, {})[template.finger] = template
    gallery = Gallery.build(
        (
            (str(ref), fingers.get(ref, {}), faces.get(ref))
            for ref in sorted(set(fingers) | set(faces))
        ),
        calibration=calibration,
        face_calibrations=face_calibrations,
    )
    return StationPackage(
        sha256=sealed.sha256,
        station=config.station,
        election=sealed.election,
        polling_day=str(data.get("polling_day", "")),
        salt=_field(data, "salt", str, ""),
        identification_attempts=attempts,
        manual_reasons=tuple(str(r) for r in reasons),
        thresholds=thresholds,
        rows=rows,
        by_pin=by_pin,
        gallery=gallery,
    )


def probe_of(
    captures: Sequence[Capture],
) -> tuple[dict[int, FingerTemplate], EmbeddingTemplate | None]:
    """The fingers and face of a capture (as the server reads them); located refusals."""
    fingers: dict[int, FingerTemplate] = {}
    face: EmbeddingTemplate | None = None
    for i, capture in enumerate(captures):
        try:
            value = _decode_template(capture.kind, capture.data)
        except TemplateError as exc:
            raise InvalidInput(
                "template_invalid",
                f"template {i + 1} ({capture.kind[:20]}) is malformed: {exc}",
                problems=[Problem(f"templates.{i}", str(exc)[:200])],
            ) from None
        if isinstance(value, EmbeddingTemplate):
            face = value
        else:
            for template in value:
                fingers.setdefault(template.finger, template)
    if not fingers and face is None:
        raise InvalidInput("empty_probe", "the capture holds no finger and no face")
    return fingers, face


def new_key() -> str:
    """A fresh idempotency key (24 characters of [A-Za-z0-9_-], 144 random bits)."""
    return secrets.token_urlsafe(18)


def _check_request(
    captures: Sequence[Capture],
    pin: str | None,
    mode: str,
    kind: str,
    manual_reason: str,
    attempts: int,
) -> None:
    problems: list[Problem] = []
    if mode not in MODES:
        problems.append(Problem("mode", f"one of {', '.join(MODES)}"))
    if kind not in KINDS:
        problems.append(Problem("kind", f"one of {', '.join(KINDS)}"))
    if pin is not None and not (len(pin) == 14 and pin.isascii() and pin.isdigit()):
        problems.append(Problem("pin", "a PIN is 14 digits"))
    if mode in ("verify", "manual") and not pin:
        problems.append(Problem("pin", f"mode {mode} needs the document's PIN"))
    if mode in ("identify", "verify") and not captures:
        problems.append(Problem("templates", "biometric modes need a capture"))
    if len(captures) > MAX_TEMPLATES:
        problems.append(Problem("templates", f"at most {MAX_TEMPLATES} templates"))
    for i, capture in enumerate(captures):
        if capture.kind not in TEMPLATE_KINDS:
            problems.append(Problem(f"templates.{i}.kind", f"one of {', '.join(TEMPLATE_KINDS)}"))
    if mode == "manual" and not manual_reason:
        problems.append(Problem("manual_reason", "say which manual procedure"))
    if not 0 <= attempts <= 100:
        problems.append(Problem("attempts", "0 to 100"))
    if problems:
        raise InvalidInput("checkin_request", "the check-in cannot be sent", problems=problems)


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
        _check_request(captures, pin, mode, kind, manual_reason, attempts)
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
        package = self.package
        if package is None:
            raise NoPackage(
                "no_package", "offline without a station package: nothing to decide with"
            )
        key, mode = request["key"], request["mode"]
        base: dict[str, Any] = {
            "key": key,
            "station": self.state.config.station,
            "repeat": False,
            "offline": True,
        }

        def done(outcome: str, message: str, **more: Any) -> dict[str, Any]:
            answer = {**base, "outcome": outcome, "message": message, **more}
            self._answers[key] = answer
            return answer

        if request["kind"] == "home":
            return done(
                NEEDS_SERVER,
                "Home voting needs the server (registered requests are not on the device): "
                "do not issue until the network is back.",
            )
        pin = request.get("pin")
        row: ListRow | None
        if mode == "manual":
            self._check_manual(package, request)
            row = package.row_of_pin(pin or "")
            if row is None:
                return done(
                    NOT_ON_LIST, "Not on this station's list (offline check): do not issue."
                )
        else:
            fingers, face = probe_of(captures)
            if mode == "verify":
                row = package.row_of_pin(pin or "")
                if row is None:
                    return done(
                        NOT_ON_LIST, "Not on this station's list (offline check): do not issue."
                    )
                try:
                    result = package.gallery.verify(
                        str(row.ref), fingers, face, thresholds=package.thresholds
                    )
                except UnknownReference:
                    result = None
                if result is None or result.decision != "verified":
                    return done(NOT_IDENTIFIED, _NOT_IDENTIFIED)
            else:
                found = package.gallery.identify(fingers, face, thresholds=package.thresholds)
                if found.decision != "identified":
                    return done(NOT_IDENTIFIED, _NOT_IDENTIFIED)
                row = package.rows[int(found.candidates[0][0])]
        voter = row.voter()
        known = self.state.voted(row.ref)
        if known is not None and known.key == key:  # this very request, before a restart
            return done(ISSUED, "Issue the ballot (already decided for this request).", voter=voter)
        if known is not None:
            return done(
                ALREADY_VOTED,
                f"Already voted at station {known.station} at {known.at[11:16]}: do not issue.",
                voter=voter,
                voted_station=known.station,
                voted_at=known.at,
            )
        value = self._sent_hlc.pop(key, None) or self._tick()
        issue = QueuedIssue(
            key=key,
            hlc=value,
            person=row.ref,
            method=METHOD[mode],
            kind=request["kind"],
            manual_reason=request.get("manual_reason", "") if mode == "manual" else "",
        )
        self.state.enqueue(issue)
        self.state.record_voted(
            Voted(
                row.ref,
                self.state.config.station,
                hlc.to_datetime(value).isoformat(),
                key,
                "offline",
            )
        )
        return done(
            ISSUED,
            "Issue the ballot (decided offline; it will be sent when the network is back).",
            voter=voter,
            ballot_style=row.ballot_style,
            method=issue.method,
            kind=issue.kind,
        )

    def _check_manual(self, package: StationPackage, request: Mapping[str, Any]) -> None:
        reason = request.get("manual_reason", "")
        if reason not in package.manual_reasons:
            raise InvalidInput(
                "manual_reason",
                f"unknown manual-issuance reason: use one of {', '.join(package.manual_reasons)}",
                problems=[Problem("manual_reason", "not a reason the law edition names")],
            )
        if (
            reason == "not_identified_document_checked"
            and request["attempts"] < package.identification_attempts
        ):
            raise InvalidInput(
                "too_few_attempts",
                f"the manual procedure needs {package.identification_attempts} failed "
                "biometric attempts first",
                problems=[Problem("attempts", f"at least {package.identification_attempts}")],
            )

    # -- sync ----------------------------------------------------------------------------------

    def sync(self) -> list[dict[str, Any]]:
        """Send the offline queue in order; returns the server's answers (one per issue).

        An entry is marked done only once answered; answers other than ``issued`` are also
        kept in :attr:`alerts`. Raises Offline if the server cannot be reached (nothing lost).
        """
        with self._lock:
            answers: list[dict[str, Any]] = []
            pending = self.state.pending()
            for start in range(0, len(pending), SYNC_BATCH):
                batch = pending[start : start + SYNC_BATCH]
                answer = self._call(
                    "POST", SYNC_PATH, {"issues": [entry.to_json() for entry in batch]}
                )
                body = answer.body if isinstance(answer.body, dict) else {}
                got = body.get("answers")
                if not isinstance(got, list):
                    raise ServerRefused(
                        answer.status, "bad_answer", "no answers in sync reply", body
                    )
                for item in _answers_of(got, batch):
                    self.state.mark_done(str(item["key"]), str(item.get("outcome", "")))
                    self._answers.setdefault(str(item["key"]), {**item, "offline": True})
                    if item.get("outcome") != ISSUED:
                        self.alerts.append(item)
                    answers.append(item)
            return answers


_NOT_IDENTIFIED: Final = (
    "Not identified: try again; after the allowed attempts use the manual procedure."
)


def _answers_of(got: Iterable[Any], batch: Sequence[QueuedIssue]) -> list[dict[str, Any]]:
    """The sync answers that name a key of the batch (anything else is ignored)."""
    keys = {entry.key for entry in batch}
    return [a for a in got if isinstance(a, dict) and a.get("key") in keys]
