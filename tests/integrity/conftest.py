"""Integrity fixtures: a tree-head key in a temporary file, a ledger with entries and heads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


@dataclass
class Filled:
    """A ledger of ``size`` entries with signed heads at ``head_sizes``."""

    size: int
    head_sizes: tuple[int, ...]
    key: Ed25519PrivateKey


@pytest.fixture
def head_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Ed25519PrivateKey:
    """The commission's tree-head key, in a 0600 file named by SHAILOO_SIGNING_KEY_FILE."""
    from shailoo.integrity import keys

    key = keys.generate()
    path = tmp_path / "keys" / "head.pem"
    keys.write_private_key(path, key)
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(path))
    return key


def append_events(count: int, start: int = 0) -> None:
    from django.db import transaction

    from shailoo.integrity import ledger

    with transaction.atomic():
        for i in range(start, start + count):
            ledger.append("test.event", {"i": i, "note": f"entry number {i}"})


@pytest.fixture
def fill(db, head_key: Ed25519PrivateKey) -> Callable[..., Filled]:
    """Append entries and sign heads along the way: fill(20, heads_at=(5, 12, 20)).

    Entry 0 is the head key's registration; the others are ``test.event`` entries.
    """
    from shailoo.integrity import heads, keys, ledger
    from shailoo.integrity.models import TREE_HEAD

    keys.register_key(
        keys.raw_public(head_key), usage=TREE_HEAD, actor="test", commission_code="CEC"
    )

    def build(size: int, heads_at: tuple[int, ...] = (5, 12, 20)) -> Filled:
        for target in heads_at:
            append_events(target - ledger.size())
            heads.sign_head()
        append_events(size - ledger.size())
        return Filled(size, heads_at, head_key)

    return build


@pytest.fixture
def rebuild_nodes() -> Callable[[], None]:
    from ledger_tampering import rebuild_nodes

    return rebuild_nodes
