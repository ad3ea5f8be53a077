"""Read the ledger out of the database: for ``ledger verify`` and for ``ledger export DIR``.

Both stream the stored rows into the standalone verifier's record types, so the database
check and an observer's check of an export run the same code and name the same first bad
entry or head. The database check also compares every stored tree node and the ledger
state with the recomputed tree, which an export (entries and heads only) does not carry.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, TypeGuard

from django.db import DatabaseError

from shailoo.integrity import keys
from shailoo.integrity.models import (
    TREE_HEAD,
    LedgerEntry,
    LedgerState,
    MerkleNode,
    RegisteredKey,
    TreeHead,
)
from shailoo.integrity.verifier import (
    EXPORT_FORMAT,
    DamagedValue,
    EntryRecord,
    HeadRecord,
    KeyRecord,
    LedgerChecker,
    Report,
    describe_value,
    format_time,
    stored_bytes,
)

CHUNK = 5000


EDITED = ": the database was edited"
#: Where a damaged column is reported: ``(kind, position, reason)`` as ``LedgerChecker.problem``.
Damage = Callable[[str, int, str], None]


def _unreported(kind: str, index: int, reason: str) -> None:
    """The default :data:`Damage`: callers that only need the records."""


def _blob(value: object, damage: Damage, kind: str, index: int, column: str) -> bytes:
    """A BLOB column's bytes; a damaged value is reported and kept as its text's bytes."""
    try:
        return stored_bytes(value)
    except DamagedValue as exc:
        damage(kind, index, f"column {column} {exc.what}{EDITED}")
        return as_stored(value)


def as_stored(value: object) -> bytes:
    """What a damaged column is written as in an export: its text's UTF-8 bytes."""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    return b"" if value is None else str(value).encode("utf-8")


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole(value: object, damage: Damage, kind: str, index: int, column: str) -> int:
    """An integer column's value; a damaged one is reported and read as -1."""
    if _is_int(value):
        return value
    damage(kind, index, f"column {column} holds {describe_value(value)}, not an integer{EDITED}")
    return -1


_ENTRY_COLUMNS = ("sequence", "kind", "created_at", "data", "leaf_hash")


def entry_records(damage: Damage = _unreported) -> Iterator[EntryRecord]:
    """Every stored entry in sequence order, as the verifier sees it.

    A column that holds what Shailoo never writes (text in ``data``, an unreadable time) is
    passed to ``damage`` with the entry's sequence and the column, and read as its text, so
    the checker also finds that the entry no longer hashes to its leaf. A row the database
    driver cannot even return (text that is not UTF-8, on SQLite) is found one row at a time,
    reported, and stands as an empty entry in its place; reading goes on after it.
    """
    after = -1
    while True:
        rows = LedgerEntry.objects.filter(sequence__gt=after).order_by("sequence")
        try:
            for row in rows.values_list(*_ENTRY_COLUMNS).iterator(chunk_size=CHUNK):
                after = row[0]
                yield _entry_record(row, damage)
            return
        except (DatabaseError, UnicodeDecodeError) as exc:
            bad = _first_unreadable(after)
            if bad is None:
                raise  # not a row of ours: the database itself failed
            # The rows of the failed chunk before the bad one are readable: in their place.
            before = LedgerEntry.objects.filter(sequence__gt=after, sequence__lt=bad)
            for row in before.order_by("sequence").values_list(*_ENTRY_COLUMNS).iterator():
                yield _entry_record(row, damage)
            reason = f"the row cannot be read ({type(exc).__name__}: {exc}){EDITED}"
            damage("entry", bad, reason)
            yield EntryRecord(bad, "", "", b"", b"")
            after = bad


def _first_unreadable(after: int) -> int | None:
    """The sequence of the first entry after ``after`` whose row cannot be read."""
    sequences = LedgerEntry.objects.filter(sequence__gt=after).order_by("sequence")
    for seq in sequences.values_list("sequence", flat=True).iterator(chunk_size=CHUNK):
        try:
            LedgerEntry.objects.filter(sequence=seq).values_list(*_ENTRY_COLUMNS).get()
        except (DatabaseError, UnicodeDecodeError):
            return int(seq)
    return None


def _entry_record(row: tuple[object, ...], damage: Damage) -> EntryRecord:
    seq, kind, created_at, data, digest = row
    assert isinstance(seq, int)  # the primary key: SQLite keeps nothing else there
    if not isinstance(kind, str):
        damage("entry", seq, f"column kind holds {describe_value(kind)}, not text{EDITED}")
        kind = as_stored(kind).decode("utf-8", "replace")
    if isinstance(created_at, datetime):
        moment = format_time(created_at)
    else:  # Django reads a created_at that is no date-time as None
        damage("entry", seq, f"column created_at holds no valid date-time{EDITED}")
        moment = ""
    return EntryRecord(
        seq,
        kind,
        moment,
        _blob(data, damage, "entry", seq, "data"),
        _blob(digest, damage, "entry", seq, "leaf_hash"),
    )


def node_rows(damage: Damage = _unreported) -> Iterator[tuple[int, int, bytes]]:
    rows = MerkleNode.objects.order_by("level", "index").values_list("level", "index", "hash")
    for level, index, node in rows.iterator(chunk_size=CHUNK):
        if not (_is_int(level) and _is_int(index) and 0 <= level <= 63 and index >= 0):
            place = f"level {describe_value(level)}, index {describe_value(index)}"
            damage("node", 0, f"a tree node row holds {place}{EDITED}")
            continue
        where = f"node (level {level}, index {index}):"
        yield level, index, _blob(node, damage, "node", index << level, f"hash of {where}")


def head_records(damage: Damage = _unreported) -> list[HeadRecord]:
    """Every signed head in signing order; damaged columns reported with the head's position."""
    rows = TreeHead.objects.order_by("id").values_list(
        "size", "root_hash", "timestamp_ms", "key_id", "signature"
    )
    return [
        HeadRecord(
            _whole(size, damage, "head", j, "size"),
            _blob(root, damage, "head", j, "root_hash"),
            _whole(timestamp, damage, "head", j, "timestamp_ms"),
            str(key),
            _blob(signature, damage, "head", j, "signature"),
        )
        for j, (size, root, timestamp, key, signature) in enumerate(rows)
    ]


def key_records(usage: str = TREE_HEAD, damage: Damage = _unreported) -> dict[str, KeyRecord]:
    found = {}
    for i, key in enumerate(RegisteredKey.objects.filter(usage=usage)):
        key.public_key = _blob(key.public_key, damage, "key", i, "public_key")
        found[key.key_id] = keys.key_record(key)
    return found


def verify_database(trusted: frozenset[bytes] | None = None) -> Report:
    """Recompute the whole ledger from the database and check every node and signed head.

    A column holding what Shailoo never writes there is a finding like any other, located
    by entry, node or head and column; it never stops the check.
    """
    checker = LedgerChecker()
    checker.add_entries(entry_records(checker.problem))
    state = LedgerState.objects.filter(pk=1).first()
    if state is None:
        checker.problem("entry", 0, "the ledger state row is missing")
    else:
        size = _whole(state.size, checker.problem, "entry", 0, "size of the ledger state")
        root = _blob(state.root_hash, checker.problem, "node", 0, "root_hash of the ledger state")
        checker.expect_size(size, "the ledger state")
        if size == checker.log.size and root != checker.log.root():
            checker.problem("node", 0, "the ledger state's root differs from the entries' root")
    checker.check_nodes(node_rows(checker.problem))
    checker.check_heads(head_records(checker.problem), key_records(damage=checker.problem), trusted)
    return checker.report()


def _key_json(record: KeyRecord) -> dict[str, object]:
    return {
        "key_id": record.key_id,
        "public_key": record.public_key.hex(),
        "usage": record.usage,
        "valid_from_ms": record.valid_from_ms,
        "valid_to_ms": record.valid_to_ms,
        "revoked_at_ms": record.revoked_at_ms,
    }


class _Written:
    """A file written as UTF-8 text, counted and hashed as written (for the manifest)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.size = 0
        self._hash = hashlib.sha256()
        self._fh: BinaryIO | None = None

    def __enter__(self) -> _Written:
        self._fh = self.path.open("wb")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        assert self._fh is not None
        self._fh.write(data)
        self.size += len(data)
        self._hash.update(data)

    def facts(self) -> dict[str, object]:
        return {"bytes": self.size, "sha256": self._hash.hexdigest()}


def export(directory: Path, damage: Damage = _unreported) -> dict[str, object]:
    """Write entries, heads and the tree-head public keys to ``directory``; returns the manifest.

    The files are written as they are stored, tampered or not: the export is evidence, and
    the verifier is the judge. A column holding what Shailoo never writes there (text in a
    BLOB column, say) is written as its text's bytes and passed to ``damage``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    with _Written(directory / "entries.jsonl") as out:
        for entry in entry_records(damage):
            row = {
                "seq": entry.seq,
                "kind": entry.kind,
                "time": entry.time,
                "leaf_hash": entry.leaf_hash.hex(),
                "data": base64.b64encode(entry.data).decode("ascii"),
            }
            out.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    head_list = head_records(damage)
    with _Written(directory / "heads.jsonl") as heads_out:
        for head in head_list:
            row = {
                "size": head.size,
                "root_hash": head.root_hash.hex(),
                "timestamp_ms": head.timestamp_ms,
                "key_id": head.key_id,
                "signature": base64.b64encode(head.signature).decode("ascii"),
            }
            heads_out.write(json.dumps(row, separators=(",", ":")) + "\n")
    key_list = [_key_json(k) for k in key_records(damage=damage).values()]
    with _Written(directory / "keys.json") as keys_out:
        keys_out.write(json.dumps(key_list, indent=1) + "\n")
    manifest: dict[str, object] = {
        "format": EXPORT_FORMAT,
        "entries": count,
        "heads": len(head_list),
        "keys": len(key_list),
        "latest_head_size": head_list[-1].size if head_list else None,
        "exported_at": format_time(keys.from_ms(keys.now_ms())),
        # What each file holds, so that a removed head or a changed line shows (the verifier
        # compares; the manifest is no signature: the signed heads are).
        "files": {w.path.name: w.facts() for w in (out, heads_out, keys_out)},
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest
