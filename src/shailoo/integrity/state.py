"""State checks: do the domains' current rows still match what the ledger recorded?

The ledger proves its own entries, not the rows they describe: an outsider who changes a vote
count or a person's station with ``sqlite3`` leaves every entry intact. Each domain that binds
its rows to the ledger (a digest of the row's state written in an entry, in the transaction
of the change) registers a check here, from its ``AppConfig.ready()``; ``shailoo ledger
verify --state`` runs them all. The ledger imports no domain: the checks come to it.

A check compares each current row with the state its latest entry recorded and reports each
:class:`Mismatch` with the record, the field and since when the ledger knew it good (the
entry's sequence and time). Records are named by row reference or ``pin_ref``, never by a PIN.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from shailoo.integrity.canonical import CanonicalError, JSONValue, canonical_loads
from shailoo.integrity.models import LedgerEntry

#: Mismatches printed in full; the rest are counted per check.
MAX_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry as a state check reads it: sequence, time (envelope text), payload."""

    seq: int
    kind: str
    time: str
    payload: dict[str, JSONValue]

    @property
    def data(self) -> dict[str, JSONValue]:
        """The ``data`` object of an entry written by ``ledger.record`` (else the payload)."""
        inner = self.payload.get("data")
        return inner if isinstance(inner, dict) else self.payload

    @property
    def subject(self) -> str:
        value = self.payload.get("subject")
        return value if isinstance(value, str) else ""


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A current row that differs from the state the ledger recorded for it."""

    record: str
    field: str
    why: str
    since: Entry | None = None

    def __str__(self) -> str:
        where = f"{self.record} [{self.field}]" if self.field else self.record
        since = (
            f" (known good since ledger #{self.since.seq}, {self.since.time})"
            if self.since is not None
            else ""
        )
        return f"{where}: {self.why}{since}"


@dataclass
class CheckResult:
    name: str
    records: int = 0
    mismatches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


class StateReport:
    """What the checks found: every mismatch counted, the first :data:`MAX_SHOWN` kept."""

    def __init__(self, limit: int = MAX_SHOWN) -> None:
        self.limit = limit
        self.shown: list[Mismatch] = []
        self.total = 0
        self.results: list[CheckResult] = []
        self._current: CheckResult | None = None

    @property
    def ok(self) -> bool:
        return self.total == 0

    def mismatch(self, record: str, field_name: str, why: str, since: Entry | None = None) -> None:
        self.total += 1
        if self._current is not None:
            self._current.mismatches += 1
        if len(self.shown) < self.limit:
            self.shown.append(Mismatch(record, field_name, why, since))

    def note(self, text: str) -> None:
        """Something the reader should know that is not a mismatch (what was not checked)."""
        if self._current is not None:
            self._current.notes.append(text)

    def run(self, name: str, check: Check) -> CheckResult:
        result = CheckResult(name)
        self.results.append(result)
        self._current = result
        start = time.perf_counter()
        try:
            result.records = check(self)
        finally:
            result.seconds = time.perf_counter() - start
            self._current = None
        return result

    def lines(self) -> list[str]:
        out = []
        for result in self.results:
            verdict = "OK" if not result.mismatches else f"{result.mismatches} MISMATCH(ES)"
            out.append(
                f"state {result.name}: {result.records} records checked, {verdict} "
                f"({result.seconds:.1f} s)"
            )
            out.extend(f"  note: {text}" for text in result.notes)
        if not self.results:
            out.append("state: no state check is registered")
        if self.ok:
            out.append("OK: every bound record matches the state the ledger recorded")
            return out
        out.append(f"STATE MISMATCH: {self.total} mismatch(es)")
        out.extend(f"  {m}" for m in self.shown)
        if self.total > len(self.shown):
            out.append(f"  ... and {self.total - len(self.shown)} more")
        return out


#: A state check: reports its mismatches and returns how many records it checked.
Check = Callable[[StateReport], int]

_CHECKS: dict[str, Check] = {}


def register(name: str, check: Check) -> None:
    """Add a domain's state check (called from the domain's ``AppConfig.ready``)."""
    _CHECKS[name] = check


def registered() -> list[str]:
    return sorted(_CHECKS)


def run(names: Iterable[str] | None = None, limit: int = MAX_SHOWN) -> StateReport:
    """Run the registered checks (all, or those named), in name order."""
    report = StateReport(limit)
    wanted = sorted(_CHECKS) if names is None else list(names)
    for name in wanted:
        report.run(name, _CHECKS[name])
    return report


def entries(kinds: Iterable[str], chunk: int = 2000) -> Iterator[Entry]:
    """The ledger entries of ``kinds`` in sequence order, decoded from their hashed bytes.

    An entry whose bytes are not a canonical envelope of the kind its column claims is
    skipped here: ``ledger verify`` (run with every state check) reports it.
    """
    rows = (
        LedgerEntry.objects.filter(kind__in=list(kinds))
        .order_by("sequence")
        .values_list("sequence", "kind", "data")
    )
    for seq, kind, data in rows.iterator(chunk_size=chunk):
        try:
            value = canonical_loads(bytes(data))
        except CanonicalError:
            continue
        if (
            not isinstance(value, dict)
            or value.get("kind") != kind
            or value.get("seq") != seq
            or not isinstance(value.get("payload"), dict)
            or not isinstance(value.get("time"), str)
        ):
            continue
        payload = value["payload"]
        assert isinstance(payload, dict)
        yield Entry(seq, kind, str(value["time"]), payload)


def subject_pk(subject: str, label: str) -> int | None:
    """The primary key in a ``ledger.ref`` subject (``app.model:42``) of model ``label``."""
    prefix = f"{label}:"
    if not subject.startswith(prefix):
        return None
    text = subject[len(prefix) :]
    return int(text) if text.isdigit() else None
