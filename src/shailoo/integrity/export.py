"""Read the ledger out of the database: for ``ledger verify`` and for ``ledger export DIR``.

Both stream the stored rows into the standalone verifier's record types, so the database
check and an observer's check of an export run the same code and name the same first bad
entry or head. The database check also compares every stored tree node and the ledger
state with the recomputed tree, which an export (entries and heads only) does not carry.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

from shailoo.integrity import heads, keys
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
    EntryRecord,
    HeadRecord,
    KeyRecord,
    LedgerChecker,
    Report,
    format_time,
)

CHUNK = 5000


def entry_records() -> Iterator[EntryRecord]:
    """Every stored entry in sequence order, as the verifier sees it."""
    rows = LedgerEntry.objects.order_by("sequence").values_list(
        "sequence", "kind", "created_at", "data", "leaf_hash"
    )
    for seq, kind, created_at, data, digest in rows.iterator(chunk_size=CHUNK):
        yield EntryRecord(seq, kind, format_time(created_at), bytes(data), bytes(digest))


def node_rows() -> Iterator[tuple[int, int, bytes]]:
    rows = MerkleNode.objects.order_by("level", "index").values_list("level", "index", "hash")
    for level, index, node in rows.iterator(chunk_size=CHUNK):
        yield level, index, bytes(node)


def head_records() -> list[HeadRecord]:
    return [heads.head_record(h) for h in TreeHead.objects.order_by("id")]


def key_records(usage: str = TREE_HEAD) -> dict[str, KeyRecord]:
    return {k.key_id: keys.key_record(k) for k in RegisteredKey.objects.filter(usage=usage)}


def verify_database(trusted: frozenset[bytes] | None = None) -> Report:
    """Recompute the whole ledger from the database and check every node and signed head."""
    checker = LedgerChecker()
    checker.add_entries(entry_records())
    state = LedgerState.objects.filter(pk=1).first()
    if state is None:
        checker.problem("entry", 0, "the ledger state row is missing")
    else:
        checker.expect_size(state.size, "the ledger state")
        if state.size == checker.log.size and bytes(state.root_hash) != checker.log.root():
            checker.problem("node", 0, "the ledger state's root differs from the entries' root")
    checker.check_nodes(node_rows())
    checker.check_heads(head_records(), key_records(), trusted)
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


def export(directory: Path) -> dict[str, object]:
    """Write entries, heads and the tree-head public keys to ``directory``; returns the manifest.

    The files are written as they are stored, tampered or not: the export is evidence, and
    the verifier is the judge.
    """
    directory.mkdir(parents=True, exist_ok=True)
    count = 0
    with (directory / "entries.jsonl").open("w", encoding="utf-8") as fh:
        for entry in entry_records():
            row = {
                "seq": entry.seq,
                "kind": entry.kind,
                "time": entry.time,
                "leaf_hash": entry.leaf_hash.hex(),
                "data": base64.b64encode(entry.data).decode("ascii"),
            }
            fh.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    head_list = head_records()
    with (directory / "heads.jsonl").open("w", encoding="utf-8") as fh:
        for head in head_list:
            row = {
                "size": head.size,
                "root_hash": head.root_hash.hex(),
                "timestamp_ms": head.timestamp_ms,
                "key_id": head.key_id,
                "signature": base64.b64encode(head.signature).decode("ascii"),
            }
            fh.write(json.dumps(row, separators=(",", ":")) + "\n")
    key_list = [_key_json(k) for k in key_records().values()]
    (directory / "keys.json").write_text(json.dumps(key_list, indent=1) + "\n", encoding="utf-8")
    manifest: dict[str, object] = {
        "format": EXPORT_FORMAT,
        "entries": count,
        "heads": len(head_list),
        "keys": len(key_list),
        "latest_head_size": head_list[-1].size if head_list else None,
        "exported_at": format_time(keys.from_ms(keys.now_ms())),
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest
