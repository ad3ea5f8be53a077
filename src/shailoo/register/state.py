"""Binding each person's state to the ledger, and checking it (``ledger verify --state``).

Every change that writes persons writes, in the same transaction, their new states
(``register.statedigest``: a digest of the twenty stored fields and a mark per field) as one
append-only :class:`~shailoo.register.models.PersonState` row per batch, and one ledger entry
``register.person_state`` holding the digest of that batch's ids and states. Writers: the
import (per committed batch; a first load's states come from its worker processes), staff
edits, voting-place changes, verdict recomputation, and ``shailoo register bind-state`` for
persons registered before states were bound.

:func:`check_persons` reads the state table in ledger order, then streams the persons in id
order, and reports

1. a batch whose stored states no longer hash to its entry (the table was edited: named by
   the entry), states no entry binds, and an entry whose states are gone;
2. a person whose stored fields differ from the latest state the ledger bound (named by row
   id and ``pin_ref``, with the fields and the entry since which the state was known good),
   a person with no bound state, and a bound person whose row is gone;
3. a stored verdict that differs from the verdict the current election's law gives.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np
from django.db import connection

from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry
from shailoo.integrity.state import Entry, StateReport, entries
from shailoo.law.loader import load_edition
from shailoo.register import ledger_entries, statedigest
from shailoo.register.eligibility import CompiledRules, compile_rules
from shailoo.register.models import Person, PersonState
from shailoo.register.names import key_and_latin
from shailoo.register.prepare import PERSON_FIELDS

#: Columns read for a state: the import's (without the row digest), then the remote station.
COLUMNS: tuple[str, ...] = (*PERSON_FIELDS[:19], "remote_station_id")
_CHUNK = 5000
_IN_CHUNK = 900

IMPORT, STAFF, VOTING_PLACE, VERDICTS, BASELINE = (
    "import",
    "staff",
    "voting_place",
    "verdicts",
    "baseline",
)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _select(where: str = "") -> str:
    columns = ", ".join(_quote(c) for c in ("id", *COLUMNS))
    return f"SELECT {columns} FROM {_quote(Person._meta.db_table)} {where}"


def station_numbers() -> dict[int, str]:
    """Station row id -> number, as text: how a state names a station."""
    return {pk: str(number) for pk, number in PollingStation.objects.values_list("id", "number")}


def texts(row: Sequence[Any], numbers: dict[int, str]) -> list[str]:
    """The canonical texts of a person read with :func:`_select` (id first)."""
    return statedigest.stored_texts(row[1:20], row[20], numbers)


def _states_of(rows: Iterable[Sequence[Any]]) -> list[tuple[int, bytes]]:
    numbers = station_numbers()
    return [(int(row[0]), statedigest.state(texts(row, numbers))) for row in rows]


# -- binding --------------------------------------------------------------------------------


def bind(person_ids: Iterable[int], *, source: str, of: int | None = None) -> LedgerEntry | None:
    """Bind the current state of these persons, in the caller's transaction: their states
    and one ``register.person_state`` entry (``of``: the entry of the change)."""
    pairs = current_states(person_ids)
    return write(pairs, source=source, of=of) if pairs else None


def current_states(person_ids: Iterable[int]) -> list[tuple[int, bytes]]:
    """``(person id, state)`` of these persons as stored now, in id order."""
    ids = sorted(set(person_ids))
    pairs: list[tuple[int, bytes]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(_select(f"WHERE {_quote('id')} IN ({marks})"), chunk)
            pairs += _states_of(cursor.fetchall())
    return sorted(pairs)


def write(pairs: list[tuple[int, bytes]], *, source: str, of: int | None) -> LedgerEntry | None:
    """Store states ``(person id, state)`` and the entry binding them (caller's transaction)."""
    if not pairs:
        return None
    pairs = sorted(pairs)
    ids = [pid for pid, _ in pairs]
    id_blob = b"".join(map(statedigest.id_bytes, ids))
    states = b"".join(stored for _, stored in pairs)
    consecutive = ids[-1] - ids[0] + 1 == len(ids)
    return _store(ids[0], len(ids), b"" if consecutive else id_blob, id_blob, states, source, of)


def record_consecutive(first_id: int, states: bytes, *, source: str, of: int | None) -> LedgerEntry:
    """Bind the states (end to end) of persons ``first_id, first_id + 1, ...``: a first
    load's batch, whose states its workers computed (caller's transaction)."""
    count = len(states) // statedigest.STATE_SIZE
    ids = statedigest.consecutive_ids(first_id, count)
    return _store(first_id, count, b"", ids, states, source, of)


def _store(
    first_id: int, count: int, stored_ids: bytes, ids: bytes, states: bytes, source: str,
    of: int | None,
) -> LedgerEntry:  # fmt: skip
    entry = ledger_entries.person_state(
        source=source,
        of=of,
        count=count,
        first_id=first_id,
        last_id=int.from_bytes(ids[-8:], "big"),
        digest=statedigest.batch_digest(count, ids, states),
    )
    # The driver's own cursor: Django's debug cursor would keep the text of every blob (some
    # hundreds of kilobytes per import batch) in its query log when DEBUG is on.
    connection.ensure_connection()
    mark = "?" if connection.vendor == "sqlite" else "%s"
    cursor = connection.connection.cursor()
    try:
        cursor.execute(
            f"INSERT INTO {_quote(PersonState._meta.db_table)} "
            f"({_quote('sequence')}, {_quote('first_id')}, {_quote('count')}, {_quote('ids')}, "
            f"{_quote('states')}) VALUES ({', '.join([mark] * 5)})",
            [entry.sequence, first_id, count, stored_ids, states],
        )
    finally:
        cursor.close()
    return entry


def bind_unbound(chunk: int = 20000) -> tuple[int, int]:
    """Bind every person who has no state yet (persons registered before states were bound):
    trust on first use. Returns (persons bound, entries written)."""
    from django.db import transaction

    known = _Bound.read({}, None).latest
    bound = written = 0
    last_id = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _select(f"WHERE {_quote('id')} > %s ORDER BY {_quote('id')} LIMIT %s"),
                [last_id, chunk],
            )
            rows = cursor.fetchall()
            if not rows:
                return bound, written
            last_id = int(rows[-1][0])
            fresh = [r for r in rows if r[0] >= len(known) or known[r[0]] < 0]
            if fresh:
                write(_states_of(fresh), source=BASELINE, of=None)
                bound += len(fresh)
                written += 1


# -- checking -------------------------------------------------------------------------------


def _stream(sql: str) -> Iterator[tuple[Any, ...]]:
    """Rows of ``sql`` fetched in chunks (a server-side cursor on PostgreSQL)."""
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql)
        while True:
            rows = cursor.fetchmany(_CHUNK)
            if not rows:
                return
            yield from rows
    finally:
        cursor.close()


class _Bound:
    """The latest state bound for each person: entry sequence and digest, by person id.

    Built from the state table in sequence order, each batch checked against its entry on
    the way; two arrays indexed by person id (8 + 16 bytes a person), the marks fetched
    only for a person whose digest differs.
    """

    def __init__(self, latest: list[int], digests: bytes) -> None:
        self.latest = latest
        self.digests = digests

    @classmethod
    def read(cls, bound: dict[int, Entry], report: StateReport | None) -> _Bound:
        size = int(Person.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        latest = np.full(size, -1, dtype=np.int64)
        digests = np.zeros((size, statedigest.DIGEST_SIZE), dtype=np.uint8)
        rows = PersonState.objects.order_by("sequence").values_list(
            "sequence", "first_id", "count", "ids", "states"
        )
        seen: set[int] = set()
        for seq, first, count, ids, states in rows.iterator(chunk_size=20):
            seen.add(seq)
            ids, states = bytes(ids), bytes(states)
            person_ids = _ids(first, count, ids)
            if report is not None:
                _check_batch(report, bound.get(seq), seq, first, count, ids, states, person_ids)
            if person_ids is None or len(states) != count * statedigest.STATE_SIZE:
                continue
            top = int(person_ids.max()) + 1 if count else 0
            if top > size:
                latest = np.concatenate([latest, np.full(top - size, -1, dtype=np.int64)])
                digests = np.concatenate(
                    [digests, np.zeros((top - size, statedigest.DIGEST_SIZE), dtype=np.uint8)]
                )
                size = top
            records = np.frombuffer(states, dtype=np.uint8).reshape(count, -1)
            latest[person_ids] = seq
            digests[person_ids] = records[:, : statedigest.DIGEST_SIZE]
        if report is not None:
            for seq in sorted(set(bound) - seen):
                report.mismatch(
                    f"register.person_state #{seq}",
                    "states",
                    f"the states of this batch are gone ({bound[seq].payload.get('count')} "
                    "recorded)",
                    bound[seq],
                )
        return cls(latest.tolist(), digests.tobytes())

    def digest(self, pid: int) -> bytes:
        size = statedigest.DIGEST_SIZE
        return self.digests[pid * size : (pid + 1) * size]


def _ids(first: int, count: int, ids: bytes) -> np.ndarray | None:
    """The person ids of a stored batch (None when its ids are malformed)."""
    if not ids:
        return np.arange(first, first + count, dtype=np.int64)
    if len(ids) != 8 * count:
        return None
    found = np.frombuffer(ids, dtype=">i8").astype(np.int64)
    return found if count == 0 or int(found.min()) >= 0 else None


def _check_batch(
    report: StateReport,
    entry: Entry | None,
    seq: int,
    first: int,
    count: int,
    ids: bytes,
    states: bytes,
    person_ids: np.ndarray | None,
) -> None:
    """A stored batch against the digest its entry recorded."""
    if entry is None:
        report.mismatch(
            f"register.personstate #{seq}",
            "states",
            f"{count} state(s) bound by no register.person_state entry (written by hand)",
        )
        return
    data = entry.payload
    whole = ids or statedigest.consecutive_ids(first, count)
    if (
        person_ids is None
        or count != data.get("count")
        or statedigest.batch_digest(count, whole, states) != data.get("digest")
    ):
        report.mismatch(
            f"register.person_state #{seq}",
            "states",
            f"the stored states of this batch (persons {data.get('first_id')}.."
            f"{data.get('last_id')}) were edited: they no longer hash to the digest of the "
            f"{data.get('count')} the entry recorded",
            entry,
        )


def _marks_of(seq: int, pid: int) -> bytes | None:
    """The stored state (digest and marks) of person ``pid`` in batch ``seq``."""
    row = PersonState.objects.filter(sequence=seq).values_list("first_id", "count", "ids", "states")
    found = row.first()
    if found is None:
        return None
    first, count, ids, states = found
    person_ids = _ids(first, count, bytes(ids))
    if person_ids is None:
        return None
    where = np.nonzero(person_ids == pid)[0]
    if not len(where):
        return None
    size = statedigest.STATE_SIZE
    offset = int(where[0]) * size
    return bytes(states)[offset : offset + size]


class _Verdicts:
    """The current election's verdict for stored facts, cached by the facts that decide it."""

    def __init__(self, election: Election) -> None:
        self.election = election
        self.rules: CompiledRules = compile_rules(
            load_edition(election.law_edition), election.polling_day
        )
        self._status: dict[tuple[Any, ...], int] = {}

    def codes(self, row: Sequence[Any]) -> str:
        # row: id, then COLUMNS; birth 8, citizenship 9, others 10, flags 11-13, death 14.
        key = (row[9], row[11], row[12], row[13], row[14], row[10])
        status = self._status.get(key)
        if status is None:
            status = self._status[key] = self.rules.status_mask(
                row[9], bool(row[11]), bool(row[12]), bool(row[13]), row[14], row[10]
            )
        return self.rules.codes(self.rules.age_mask(row[8]) | status)


def _record(pid: int, pin: Any) -> str:
    ref = ledger.pin_ref(pin)[:16] if isinstance(pin, str) and pin else "-"
    return f"register.person:{pid} (pin_ref {ref})"


def check_persons(report: StateReport) -> int:
    """Compare every person with the latest state the ledger bound; see the module doc."""
    bound = {e.seq: e for e in entries([ledger_entries.PERSON_STATE])}
    election = Election.objects.filter(is_current=True).order_by("-polling_day").first()
    verdicts = _Verdicts(election) if election is not None else None
    if verdicts is None:
        report.note("no current election: stored verdicts were not recomputed")
    states = _Bound.read(bound, report)
    numbers = station_numbers()
    latest, known = states.latest, len(states.latest)
    checked = unbound = 0
    for row in _stream(_select(f"ORDER BY {_quote('id')}")):
        checked += 1
        pid = int(row[0])
        seq = latest[pid] if pid < known else -1
        if seq < 0:
            unbound += 1
            report.mismatch(
                _record(pid, row[1]),
                "",
                "no state bound: inserted by hand, or registered before states were bound "
                "(`shailoo register bind-state`)",
            )
        else:
            latest[pid] = -2  # seen
            parts = texts(row, numbers)
            if statedigest.digest(parts) != states.digest(pid):
                stored = _marks_of(seq, pid)
                fields = statedigest.changed_fields(stored, parts) if stored else []
                if stored and not fields:
                    fields = _changed_keys(parts)
                report.mismatch(
                    _record(pid, row[1]),
                    ", ".join(fields) or "a field (not located)",
                    "differs from the state the ledger bound",
                    bound.get(seq),
                )
        if verdicts is not None:
            _check_verdict(report, verdicts, pid, row)
    for pid, seq in enumerate(latest):
        if seq >= 0:
            report.mismatch(
                f"register.person:{pid}",
                "",
                "deleted: the ledger bound its state but the person's row is gone",
                bound.get(seq),
            )
    if unbound:
        report.note(f"{unbound} person(s) have no bound state")
    return checked


def _changed_keys(parts: Sequence[str]) -> list[str]:
    """The name keys (which have no mark) that no longer follow the name parts."""
    derived = key_and_latin(parts[1], parts[2], parts[3])
    return [
        name
        for name, now, then in zip(("name_key", "name_latin"), parts[15:17], derived, strict=True)
        if now != then
    ]


def _check_verdict(report: StateReport, verdicts: _Verdicts, pid: int, row: Sequence[Any]) -> None:
    try:
        codes: str | None = verdicts.codes(row)
    except (TypeError, ValueError, AttributeError):  # a fact no longer of its type
        codes = None
    if codes is None:
        report.mismatch(_record(pid, row[1]), "verdict", "cannot be recomputed from the facts")
    elif bool(row[18]) != (not codes) or (row[19] or "") != codes:
        shown = "eligible" if row[18] else f"ineligible ({row[19] or '-'})"
        expected = f"ineligible ({codes})" if codes else "eligible"
        report.mismatch(
            _record(pid, row[1]),
            "verdict",
            f"stored {shown}, but the law of election {verdicts.election.code} gives "
            f"{expected} (stale after a change of law? `shailoo register reevaluate`)",
        )
