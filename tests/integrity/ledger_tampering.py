"""Test helper: what a careful attacker with database access does after editing entries."""

from __future__ import annotations

from shailoo.integrity.merkle import InMemoryNodeStore, MerkleLog
from shailoo.integrity.models import LedgerEntry, LedgerState, MerkleNode


def rebuild_nodes() -> None:
    """Recompute every tree node and the ledger state from the (edited) leaf hashes."""
    store = InMemoryNodeStore()
    log = MerkleLog(store)
    for digest in LedgerEntry.objects.order_by("sequence").values_list("leaf_hash", flat=True):
        log.append(bytes(digest))
    MerkleNode.objects.all().delete()
    MerkleNode.objects.bulk_create(
        MerkleNode(level=level, index=index, hash=node)
        for (level, index), node in store._nodes.items()
    )
    LedgerState.objects.filter(pk=1).update(size=log.size, root_hash=log.root())
