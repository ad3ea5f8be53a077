"""The ledger service: append state changes to the Merkle-tree ledger, prove inclusion.

Every domain writes here, in the same database transaction as the change it records, so a
change and its ledger entry commit (or vanish) together::

    with transaction.atomic():
        person.save()
        ledger.record("register.address_change", actor="cli", subject=ledger.ref(person),
                      data={"station": 1234, "pin_ref": ledger.pin_ref(person.pin)})

Appends are serialised by locking the single :class:`LedgerState` row (PostgreSQL
``SELECT ... FOR UPDATE``; SQLite's IMMEDIATE transactions already let one writer in at a
time). Each append costs a handful of queries whatever the ledger's size: the tree's right
edge is fetched in one query and only the new nodes are written.

Entries must not carry a PIN or biometric data in clear: reference a person by
:func:`pin_ref` (a keyed HMAC of the PIN). As a second line of defence, payloads holding a
14-digit number (the shape of a PIN or INN) are refused.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Model
from django.utils import timezone

from shailoo.common.refusals import InvalidInput
from shailoo.integrity.canonical import CanonicalError, JSONValue, canonical_json
from shailoo.integrity.merkle import EMPTY_ROOT, HASH_SIZE, MerkleLog, MissingNodeError, leaf_hash
from shailoo.integrity.models import LedgerEntry, LedgerState, MerkleNode
from shailoo.integrity.verifier import DamagedValue, format_time, stored_bytes

T = TypeVar("T")

DEV_PEPPER = "dev-insecure-ledger-pepper-do-not-use-in-production"
KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
_PIN_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{14}(?![0-9A-Za-z])")
_PLACEHOLDER = bytes(HASH_SIZE)


class LedgerError(InvalidInput):
    """An append or proof request that cannot be served; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__("ledger_refused", message)


# --- personal data ---------------------------------------------------------------------------


def pepper() -> bytes:
    """The HMAC key for PIN references: SHAILOO_LEDGER_PEPPER, refused if default in production.

    Keep it secret and keep it forever: a new pepper gives every person a new reference.
    """
    value = os.environ.get("SHAILOO_LEDGER_PEPPER", "")
    if settings.PRODUCTION and (not value or value == DEV_PEPPER or len(value) < 32):
        raise ImproperlyConfigured(
            "SHAILOO_ENV=production needs SHAILOO_LEDGER_PEPPER (32+ characters, not the default)"
        )
    return (value or DEV_PEPPER).encode("utf-8")


def pin_ref(pin: str) -> str:
    """A stable, non-reversible reference to a person: hex HMAC-SHA256 of the PIN."""
    return hmac.new(pepper(), pin.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_no_pin(value: object, path: str) -> None:
    """Refuse anything shaped like a PIN/INN: a standalone 14-digit number."""
    if isinstance(value, bool):
        return
    if isinstance(value, int) and 10**13 <= abs(value) < 10**14:
        raise LedgerError(f"{path}: a 14-digit number looks like a PIN; use ledger.pin_ref()")
    if isinstance(value, str) and _PIN_LIKE.search(value):
        raise LedgerError(f"{path}: text holds a 14-digit number (a PIN?); use ledger.pin_ref()")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_no_pin(key, f"{path} key")
            _check_no_pin(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_no_pin(item, f"{path}[{i}]")


# --- node store ------------------------------------------------------------------------------


class _Recorder:
    """A NodeStore that answers every read with zeros and remembers what was asked.

    Proof and root computations never branch on hash values, so a dry run with this store
    lists exactly the nodes the real run needs; they are then fetched in one query.
    """

    def __init__(self) -> None:
        self.wanted: set[tuple[int, int]] = set()

    def get(self, level: int, index: int) -> bytes:
        self.wanted.add((level, index))
        return _PLACEHOLDER

    def put(self, level: int, index: int, node: bytes) -> None:
        raise LedgerError("a dry run does not write")


class _FetchedStore:
    """Nodes fetched from MerkleNode, plus the nodes an append adds (written at the end)."""

    def __init__(self, nodes: dict[tuple[int, int], bytes]) -> None:
        self.nodes = nodes
        self.new: list[tuple[object, ...]] = []

    def get(self, level: int, index: int) -> bytes:
        return self.nodes[(level, index)]

    def put(self, level: int, index: int, node: bytes) -> None:
        self.nodes[(level, index)] = node
        self.new.append((level, index, node))


def _fetch(wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The wanted nodes in one query (plain SQL: building it with Q objects costs more
    than running it, at about twenty levels per proof)."""
    by_level: dict[int, list[int]] = {}
    for level, index in wanted:
        by_level.setdefault(level, []).append(index)
    if not by_level:
        return {}
    quote = connection.ops.quote_name
    terms, params = [], []
    for level, indices in by_level.items():
        terms.append(
            f"({quote('level')} = %s AND {quote('index')} IN ({', '.join(['%s'] * len(indices))}))"
        )
        params.extend([level, *indices])
    sql = (
        f"SELECT {quote('level')}, {quote('index')}, {quote('hash')} "
        f"FROM {quote(MerkleNode._meta.db_table)} WHERE {' OR '.join(terms)}"
    )
    found: dict[tuple[int, int], bytes] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for level, index, node in cursor.fetchall():
            # Text edited into the column counts as missing: MissingNodeError, "damaged".
            with suppress(DamagedValue):
                found[(level, index)] = stored_bytes(node)
    return found


def with_log(size: int, compute: Callable[[MerkleLog], T]) -> T:
    """Run ``compute`` on the stored log of ``size`` leaves, reading its nodes in one query."""
    recorder = _Recorder()
    compute(MerkleLog(recorder, size))
    return compute(MerkleLog(_FetchedStore(_fetch(recorder.wanted)), size))


# --- appending -------------------------------------------------------------------------------


def lock_state() -> LedgerState:
    """Lock the state row; an empty database (new, or flushed) gets a fresh one."""
    state = LedgerState.objects.select_for_update().filter(pk=1).first()
    if state is not None:
        return state
    if LedgerEntry.objects.exists():
        raise LedgerError("the ledger state row is missing but entries exist: run ledger verify")
    LedgerState.objects.get_or_create(pk=1, defaults={"size": 0, "root_hash": EMPTY_ROOT})
    return LedgerState.objects.select_for_update().get(pk=1)


def _validated(
    items: Sequence[tuple[str, Mapping[str, JSONValue]]],
) -> Sequence[tuple[str, Mapping[str, JSONValue]]]:
    if not connection.in_atomic_block:
        raise LedgerError("ledger appends must run inside the change's transaction.atomic()")
    for kind, payload in items:
        if not isinstance(kind, str) or not KIND_RE.match(kind) or len(kind) > 64:
            raise LedgerError(f"kind {kind!r} must look like 'domain.event' (lower case, dots)")
        if not isinstance(payload, Mapping):
            raise LedgerError(f"{kind}: payload must be a JSON object, not {type(payload)}")
        _check_no_pin(payload, "payload")
    return items


def _open_log(state: LedgerState) -> tuple[MerkleLog, _FetchedStore]:
    """The stored log at the state's size, its right edge read in one query and checked."""
    if not isinstance(state.size, int):
        raise LedgerError("the ledger state's size is damaged: run ledger verify")
    recorder = _Recorder()
    MerkleLog(recorder, state.size)
    store = _FetchedStore(_fetch(recorder.wanted))
    try:
        log = MerkleLog(store, state.size)
    except MissingNodeError as exc:
        raise LedgerError(f"the ledger's tree is damaged ({exc}): run ledger verify") from None
    try:
        stored_root = stored_bytes(state.root_hash)
    except DamagedValue as exc:
        raise LedgerError(f"the ledger state's root {exc.what}: run ledger verify") from None
    if log.root() != stored_root:
        raise LedgerError("stored tree nodes disagree with the ledger state: run ledger verify")
    return log, store


def _insert(table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]) -> None:
    """executemany through the cursor: model instances would cost more than the hashing."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)


def append_many(items: Sequence[tuple[str, Mapping[str, JSONValue]]]) -> list[LedgerEntry]:
    """Append ``(kind, payload)`` pairs in order, inside the caller's transaction."""
    _validated(items)
    state = lock_state()
    log, store = _open_log(state)
    now = timezone.now()
    moment, stamp = format_time(now), connection.ops.adapt_datetimefield_value(now)
    entries, rows = [], []
    for kind, payload in items:
        seq = log.size
        try:
            data = canonical_json({"kind": kind, "payload": payload, "seq": seq, "time": moment})
        except CanonicalError as exc:
            raise LedgerError(f"{kind}: payload has no canonical JSON form: {exc}") from None
        digest = leaf_hash(data)
        log.append(digest)
        rows.append((seq, kind, data, digest, stamp))
        entries.append(
            LedgerEntry(sequence=seq, kind=kind, data=data, leaf_hash=digest, created_at=now)
        )
    _insert(
        LedgerEntry._meta.db_table, ("sequence", "kind", "data", "leaf_hash", "created_at"), rows
    )
    _insert(MerkleNode._meta.db_table, ("level", "index", "hash"), store.new)
    LedgerState.objects.filter(pk=1).update(size=log.size, root_hash=log.root(), updated_at=now)
    return entries


def append(kind: str, payload: Mapping[str, JSONValue]) -> LedgerEntry:
    """Append one entry inside the caller's transaction; returns it (``sequence`` = leaf)."""
    return append_many([(kind, payload)])[0]


def ref(instance: Model) -> str:
    """How entries name a database row: ``app_label.model:pk``."""
    return f"{instance._meta.label_lower}:{instance.pk}"


def record(
    kind: str, *, actor: str, subject: str = "", data: Mapping[str, JSONValue] | None = None
) -> LedgerEntry:
    """The helper domains call: one entry with the common shape {actor, subject, data}.

    ``actor`` names who acted (a username or a system actor such as ``cli``), ``subject``
    what was changed (see :func:`ref`), ``data`` the change itself, without PINs in clear.
    """
    payload: dict[str, JSONValue] = {"actor": actor, "data": dict(data or {})}
    if subject:
        payload["subject"] = subject
    return append(kind, payload)


# --- reading ---------------------------------------------------------------------------------


def size() -> int:
    """Entries in the ledger now."""
    found = LedgerState.objects.filter(pk=1).values_list("size", flat=True).first()
    return int(found or 0)


def root_at(tree_size: int) -> bytes:
    """The root of the first ``tree_size`` entries, from O(log n) stored nodes."""
    current = size()
    if not 0 <= tree_size <= current:
        raise ValueError(f"need 0 <= size <= {current}, got {tree_size}")
    return with_log(tree_size, lambda log: log.root())


def inclusion_proof(index: int, tree_size: int) -> tuple[bytes, list[bytes], bytes]:
    """``(leaf hash, audit path, root at tree_size)`` for entry ``index`` (ValueError if bad)."""
    current = size()
    if not 0 <= index < tree_size <= current:
        raise ValueError(f"need 0 <= index < size <= {current}, got {index} and {tree_size}")
    return with_log(
        tree_size, lambda log: (log.leaf(index), log.inclusion_proof(index, tree_size), log.root())
    )


def consistency_proof(first: int, second: int) -> tuple[list[bytes], bytes, bytes]:
    """``(proof, root at first, root at second)`` (ValueError if the sizes are bad)."""
    current = size()
    if not 0 < first <= second <= current:
        raise ValueError(f"need 0 < first <= second <= {current}, got {first}, {second}")
    return with_log(
        second,
        lambda log: (log.consistency_proof(first, second), log.root(first), log.root(second)),
    )
