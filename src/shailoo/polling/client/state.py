"""A station device's persistent state: one directory (0700) that survives a crash or restart.

What it holds and why each part is written the way it is:

- ``signing.pem`` (Ed25519) and ``seal.pem`` (X25519): the device's keys, PKCS#8, 0600;
- ``config.json``: server URL, station, the device's key id, and the commission's public key
  (hex) and key id pinned at enrolment — the only key a station package is accepted from;
- ``counters.json``: the last request sequence, the hybrid logical clock's last value and the
  clock offset learned from the server. It is written (atomically, fsync) *before* a request
  carrying a new sequence or clock reading leaves the device, so a device that crashes and
  restarts never sends a sequence or clock value twice (the server would refuse it as a
  replay or as out of order);
- ``queue.jsonl``: ballots issued offline, append-only JSON lines with fsync. An entry is
  marked done (a second line naming its key) only after the server answered it, so an entry
  whose answer was lost is sent again (its idempotency key makes that count once);
- ``voted.jsonl``: the voters this device knows have a ballot (issued here online or offline,
  or reported by the server as having voted elsewhere): offline, the device refuses them;
- ``package.json``: the sealed station package exactly as received; it is opened in memory
  only, never written in clear.

A torn last line (a crash in the middle of an append) is ignored; any other damaged line is
refused with its file and line, since guessing would risk issuing a second ballot.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from shailoo.common import safe_json
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

CONFIG: Final = "config.json"
COUNTERS: Final = "counters.json"
QUEUE: Final = "queue.jsonl"
VOTED: Final = "voted.jsonl"
PACKAGE: Final = "package.json"
SIGNING: Final = "signing.pem"
SEAL: Final = "seal.pem"
_KEY_ID = re.compile(r"^[0-9a-f]{32}$")
_HEX32 = re.compile(r"^[0-9a-f]{64}$")


class StateError(InvalidInput):
    """The state directory is missing, damaged or not a device's: located by file and line."""

    default_code = "device_state"


def key_id(raw_public: bytes) -> str:
    """A key's id as the server names it: the first 32 hex digits of SHA-256 of the raw key."""
    import hashlib

    return hashlib.sha256(raw_public).hexdigest()[:32]


def raw_public(key: Ed25519PrivateKey) -> bytes:
    """The device's raw 32-byte Ed25519 public key."""
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


@dataclass(frozen=True, slots=True)
class Config:
    """What the device knows about its enrolment (``config.json``)."""

    server: str
    station: int
    key_id: str
    commission_key: str
    commission_key_id: str
    timeout_s: float = 10.0

    def check(self, source: str) -> None:
        problems: list[Problem] = []
        if not re.match(r"^https?://[^\s/]+", self.server):
            problems.append(Problem("server", "an http:// or https:// URL", source=source))
        if not 0 < self.station < 10**9:
            problems.append(Problem("station", "a station number of 1 to 9 digits", source=source))
        if not _KEY_ID.match(self.key_id):
            problems.append(Problem("key_id", "32 hex digits", source=source))
        if not _HEX32.match(self.commission_key):
            problems.append(Problem("commission_key", "64 hex digits (raw Ed25519)", source=source))
        elif key_id(bytes.fromhex(self.commission_key)) != self.commission_key_id:
            problems.append(
                Problem("commission_key_id", "does not name the pinned key", source=source)
            )
        if not 0 < self.timeout_s <= 600:
            problems.append(Problem("timeout_s", "seconds, from 0 to 600", source=source))
        if problems:
            raise StateError(
                "device_config", f"{source}: not a device configuration", problems=problems
            )


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Replace ``path`` with ``data`` so that a crash leaves the old or the new file, whole."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _append(path: Path, record: dict[str, Any]) -> None:
    line = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "ab") as fh:
        fh.write(line.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def _repair(path: Path) -> None:
    """Cut a torn last line (an append a crash interrupted) so the next append starts clean."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as fh:
            fh.truncate(data.rfind(b"\n") + 1)
            fh.flush()
            os.fsync(fh.fileno())


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a JSON-lines file with their line numbers (after :func:`_repair`)."""
    _repair(path)
    if not path.exists():
        return
    for number, raw in enumerate(path.read_bytes().split(b"\n")[:-1], start=1):
        if not raw.strip():
            continue
        try:
            value = safe_json.loads(raw, source=path.name, max_bytes=1 << 20)
        except InvalidInput as exc:
            raise StateError(
                "device_state",
                f"{path.name}: line {number} is damaged",
                problems=[Problem("line", exc.message, line=number, source=path.name)],
            ) from None
        if not isinstance(value, dict):
            raise StateError(
                "device_state",
                f"{path.name}: line {number} is not an object",
                problems=[Problem("line", "not a JSON object", line=number, source=path.name)],
            )
        yield number, value


def _need(record: dict[str, Any], name: str, kind: type, source: str, line: int) -> Any:
    value = record.get(name)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise StateError(
            "device_state",
            f"{source}:{line}: {name} missing or of the wrong type",
            problems=[Problem(name, f"expected {kind.__name__}", line=line, source=source)],
        )
    return value


@dataclass(frozen=True, slots=True)
class QueuedIssue:
    """A ballot this device issued offline, waiting to be synced (the server's ``_Issue``)."""

    key: str
    hlc: int
    person: int
    method: str
    kind: str = "station"
    manual_reason: str = ""

    def to_json(self) -> dict[str, Any]:
        """The sync request's item (an empty reason is left out: the server wants none)."""
        item = asdict(self)
        if not self.manual_reason:
            del item["manual_reason"]
        return item


@dataclass(frozen=True, slots=True)
class Voted:
    """A voter this device knows has a ballot: where, when, and how it learnt it."""

    person: int
    station: int
    at: str
    key: str
    source: str  # "online" | "offline" | "server"


class DeviceState:
    """The state directory, loaded; every change is on disk before the method returns."""

    def __init__(
        self,
        path: Path,
        config: Config,
        signing_key: Ed25519PrivateKey,
        seal_key: X25519PrivateKey,
    ) -> None:
        self.path = path
        self.config = config
        self.signing_key = signing_key
        self.seal_key = seal_key
        counters = self._read_counters()
        self.sequence: int = counters["sequence"]
        self.hlc_last: int = counters["hlc"]
        self.offset_ms: int = counters["offset_ms"]
        self._pending: dict[str, QueuedIssue] = {}
        self._voted: dict[int, Voted] = {}
        self._load_queue()
        self._load_voted()

    # -- creating and loading ------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: Path,
        *,
        server: str,
        station: int,
        signing_key: Ed25519PrivateKey,
        seal_key: X25519PrivateKey,
        commission_key: bytes,
        timeout_s: float = 10.0,
    ) -> DeviceState:
        """Write a new device's state into ``path`` (refused if it already holds one)."""
        path = Path(path)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        if (path / CONFIG).exists():
            raise StateError("device_state_exists", f"{path} already holds a device's state")
        config = Config(
            server=server.rstrip("/"),
            station=station,
            key_id=key_id(raw_public(signing_key)),
            commission_key=commission_key.hex(),
            commission_key_id=key_id(commission_key),
            timeout_s=timeout_s,
        )
        config.check(CONFIG)
        for name, key in ((SIGNING, signing_key), (SEAL, seal_key)):
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_atomic(path / name, pem)
        _write_atomic(path / COUNTERS, _counters_json(0, 0, 0))
        _write_atomic(path / CONFIG, json.dumps(asdict(config), indent=1).encode("utf-8"))
        return cls(path, config, signing_key, seal_key)

    @classmethod
    def load(cls, path: Path) -> DeviceState:
        """Read the state directory; refuses a damaged or group-readable one."""
        path = Path(path)
        if not (path / CONFIG).is_file():
            raise StateError("device_state_missing", f"{path} holds no device state ({CONFIG})")
        if path.stat().st_mode & 0o077:
            raise StateError("device_state_mode", f"{path} must be private to its owner (0700)")
        raw = safe_json.load(path / CONFIG, max_bytes=64 * 1024)
        if not isinstance(raw, dict) or set(raw) - set(Config.__dataclass_fields__):
            raise StateError("device_config", f"{path / CONFIG}: unexpected content")
        try:
            config = Config(**raw)
        except TypeError as exc:
            raise StateError("device_config", f"{path / CONFIG}: {exc}") from None
        config.check(CONFIG)
        signing = _load_key(path / SIGNING, Ed25519PrivateKey)
        seal = _load_key(path / SEAL, X25519PrivateKey)
        if key_id(raw_public(signing)) != config.key_id:
            raise StateError("device_config", f"{SIGNING} does not match key_id in {CONFIG}")
        return cls(path, config, signing, seal)

    # -- counters ------------------------------------------------------------------------------

    def _read_counters(self) -> dict[str, int]:
        file = self.path / COUNTERS
        if not file.exists():
            return {"sequence": 0, "hlc": 0, "offset_ms": 0}
        raw = safe_json.load(file, max_bytes=4096)
        out: dict[str, int] = {}
        for name in ("sequence", "hlc", "offset_ms"):
            value = raw.get(name) if isinstance(raw, dict) else None
            if not isinstance(value, int) or isinstance(value, bool):
                raise StateError(
                    "device_state",
                    f"{COUNTERS}: {name} missing",
                    problems=[Problem(name, "an integer", source=COUNTERS)],
                )
            out[name] = value
        if out["sequence"] < 0 or out["hlc"] < 0:
            raise StateError("device_state", f"{COUNTERS}: negative counter")
        return out

    def _save_counters(self) -> None:
        _write_atomic(
            self.path / COUNTERS, _counters_json(self.sequence, self.hlc_last, self.offset_ms)
        )

    def reserve(self, hlc_value: int) -> int:
        """The next request sequence, saved with the clock reading the request carries —
        both on disk before the request leaves."""
        self.sequence += 1
        self.hlc_last = max(self.hlc_last, hlc_value)
        self._save_counters()
        return self.sequence

    def save_clock(self, hlc_value: int) -> None:
        """Remember a clock reading (an offline issue, an observed server time)."""
        if hlc_value > self.hlc_last:
            self.hlc_last = hlc_value
            self._save_counters()

    def save_offset(self, offset_ms: int) -> None:
        self.offset_ms = int(offset_ms)
        self._save_counters()

    # -- the offline queue ---------------------------------------------------------------------

    def _load_queue(self) -> None:
        for line, record in _lines(self.path / QUEUE):
            if "done" in record:
                self._pending.pop(_need(record, "done", str, QUEUE, line), None)
                continue
            issue = QueuedIssue(
                key=_need(record, "key", str, QUEUE, line),
                hlc=_need(record, "hlc", int, QUEUE, line),
                person=_need(record, "person", int, QUEUE, line),
                method=_need(record, "method", str, QUEUE, line),
                kind=_need(record, "kind", str, QUEUE, line),
                manual_reason=str(record.get("manual_reason", "")),
            )
            self._pending[issue.key] = issue

    def enqueue(self, issue: QueuedIssue) -> None:
        """Append an offline issue (on disk before the ballot is handed over)."""
        if issue.key in self._pending:
            return
        _append(self.path / QUEUE, issue.to_json())
        self._pending[issue.key] = issue
        self.save_clock(issue.hlc)

    def pending(self) -> list[QueuedIssue]:
        """Offline issues not yet answered by the server, in the order they were issued."""
        return sorted(self._pending.values(), key=lambda i: i.hlc)

    def mark_done(self, key: str, outcome: str) -> None:
        """The server answered ``key``: the entry is not sent again."""
        if key in self._pending:
            _append(self.path / QUEUE, {"done": key, "outcome": outcome})
            del self._pending[key]

    # -- voters known to have a ballot ---------------------------------------------------------

    def _load_voted(self) -> None:
        for line, record in _lines(self.path / VOTED):
            voted = Voted(
                person=_need(record, "person", int, VOTED, line),
                station=_need(record, "station", int, VOTED, line),
                at=_need(record, "at", str, VOTED, line),
                key=_need(record, "key", str, VOTED, line),
                source=_need(record, "source", str, VOTED, line),
            )
            self._voted.setdefault(voted.person, voted)

    def record_voted(self, voted: Voted) -> None:
        """Remember that ``voted.person`` has a ballot (the first record stands)."""
        if voted.person in self._voted:
            return
        _append(self.path / VOTED, asdict(voted))
        self._voted[voted.person] = voted

    def voted(self, person: int) -> Voted | None:
        return self._voted.get(person)

    def voted_here(self) -> Iterable[Voted]:
        return (v for v in self._voted.values() if v.station == self.config.station)

    # -- the package ---------------------------------------------------------------------------

    def save_package(self, data: bytes) -> None:
        _write_atomic(self.path / PACKAGE, data)

    def package_bytes(self) -> bytes | None:
        file = self.path / PACKAGE
        return file.read_bytes() if file.exists() else None


def _counters_json(sequence: int, hlc_value: int, offset_ms: int) -> bytes:
    return json.dumps({"sequence": sequence, "hlc": hlc_value, "offset_ms": offset_ms}).encode()


def _load_key(path: Path, kind: type) -> Any:
    try:
        if path.stat().st_mode & 0o077:
            raise StateError("device_state_mode", f"{path.name} must be readable by its owner only")
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise StateError("device_key", f"cannot read {path.name}: {exc.strerror}") from None
    except ValueError:
        raise StateError("device_key", f"{path.name} is not a PEM private key") from None
    if not isinstance(key, kind):
        raise StateError("device_key", f"{path.name} does not hold an {kind.__name__[:-10]} key")
    return key
