"""The ledger service: transactional appends, PIN refusals, proofs from the database."""

from __future__ import annotations

import datetime
import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from shailoo.integrity import ledger
from shailoo.integrity.canonical import canonical_loads
from shailoo.integrity.merkle import (
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    root,
    verify_consistency,
    verify_inclusion,
)
from shailoo.integrity.models import LedgerEntry, LedgerState, MerkleNode
from shailoo.register.pin import build_pin

pytestmark = pytest.mark.django_db


def _append(n: int) -> list[LedgerEntry]:
    with transaction.atomic():
        return [ledger.append("test.event", {"i": i}) for i in range(n)]


def test_append_writes_entry_leaf_nodes_and_state() -> None:
    entries = _append(5)
    assert [e.sequence for e in entries] == [0, 1, 2, 3, 4]
    stored = list(LedgerEntry.objects.order_by("sequence"))
    envelope = canonical_loads(bytes(stored[3].data))
    assert envelope == {
        "kind": "test.event",
        "payload": {"i": 3},
        "seq": 3,
        "time": envelope["time"],  # type: ignore[index]
    }
    leaves = [leaf_hash(bytes(e.data)) for e in stored]
    assert [bytes(e.leaf_hash) for e in stored] == leaves
    state = LedgerState.objects.get(pk=1)
    assert state.size == 5 and bytes(state.root_hash) == root(leaves)
    # 5 leaves + the complete subtrees (0-1, 2-3, 0-3)
    assert MerkleNode.objects.count() == 8


def test_batch_append_equals_one_by_one() -> None:
    with transaction.atomic():
        ledger.append_many([("test.event", {"i": i}) for i in range(7)])
    leaves = [bytes(h) for h in LedgerEntry.objects.values_list("leaf_hash", flat=True)]
    assert ledger.root_at(7) == root(leaves)


@pytest.mark.django_db(transaction=True)
def test_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(ledger.LedgerError, match="inside the change's transaction"):
        ledger.append("test.event", {"i": 1})
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_entry() -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.append("test.event", {"i": 1})
        raise RuntimeError("the change failed")
    assert ledger.size() == 0
    assert not LedgerEntry.objects.exists() and not MerkleNode.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        {"pin": "21203199012345"},
        {"note": "voter 21203199012345 moved"},
        {"nested": [{"deep": "x", "pin": 21203199012345}]},
        {"21203199012345": "as a key"},
    ],
)
def test_payload_with_a_pin_is_refused(payload: dict[str, object]) -> None:
    with transaction.atomic(), pytest.raises(ledger.LedgerError, match="pin_ref"):
        ledger.append("test.event", payload)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "payload",
    [
        {"sha": "12345678901234abcdef"},  # a hex digest starting with 14 digits
        {"n": 1234567890123},  # 13 digits
        {"text": "123456789012345"},  # 15 digits: not a PIN's shape
        {"flag": True},
    ],
)
def test_other_numbers_are_accepted(payload: dict[str, object]) -> None:
    with transaction.atomic():
        assert ledger.append("test.event", payload).sequence == 0  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "payload", "message"),
    [
        ("Bad Kind", {}, "domain.event"),
        ("nodot", {}, "domain.event"),
        ("test.event", ["not", "an", "object"], "JSON object"),
        ("test.event", {"amount": 1.5e400}, "canonical"),
        ("test.event", {"when": object()}, "canonical"),
    ],
)
def test_bad_entries_are_refused_with_a_reason(kind: str, payload: object, message: str) -> None:
    with transaction.atomic(), pytest.raises(ledger.LedgerError, match=message):
        ledger.append(kind, payload)  # type: ignore[arg-type]
    assert ledger.size() == 0


def test_pin_ref_is_a_keyed_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    pin = build_pin("F", datetime.date(1990, 3, 12), 42)
    monkeypatch.setenv("SHAILOO_LEDGER_PEPPER", "p" * 40)
    expected = hmac.new(b"p" * 40, pin.encode(), hashlib.sha256).hexdigest()
    assert ledger.pin_ref(pin) == expected
    monkeypatch.setenv("SHAILOO_LEDGER_PEPPER", "q" * 40)
    assert ledger.pin_ref(pin) != expected
    with transaction.atomic():
        ledger.record("test.event", actor="t", data={"pin_ref": ledger.pin_ref(pin)})
    assert pin not in bytes(LedgerEntry.objects.get().data).decode()


@pytest.mark.parametrize("pepper", ["", ledger.DEV_PEPPER, "short"])
def test_production_refuses_a_missing_or_weak_pepper(
    settings, monkeypatch: pytest.MonkeyPatch, pepper: str
) -> None:
    settings.PRODUCTION = True
    monkeypatch.setenv("SHAILOO_LEDGER_PEPPER", pepper)
    with pytest.raises(ImproperlyConfigured, match="SHAILOO_LEDGER_PEPPER"):
        ledger.pin_ref("21203199012345")


def test_record_helper_shapes_the_payload() -> None:
    with transaction.atomic():
        entry = ledger.record("test.change", actor="cli", subject="x.y:1", data={"a": 1})
    assert canonical_loads(bytes(entry.data))["payload"] == {  # type: ignore[index]
        "actor": "cli",
        "data": {"a": 1},
        "subject": "x.y:1",
    }


def test_proofs_from_the_database_match_the_rfc_definitions() -> None:
    _append(37)
    leaves = [bytes(h) for h in LedgerEntry.objects.values_list("leaf_hash", flat=True)]
    for size in (1, 2, 5, 16, 17, 37):
        assert ledger.root_at(size) == root(leaves[:size])
        for index in {0, size // 2, size - 1}:
            leaf, proof, at_root = ledger.inclusion_proof(index, size)
            assert leaf == leaves[index]
            assert proof == inclusion_proof(leaves[:size], index)
            verify_inclusion(leaf, index, size, proof, at_root)
    for first, second in ((1, 37), (5, 16), (16, 17), (37, 37)):
        proof, r1, r2 = ledger.consistency_proof(first, second)
        assert proof == consistency_proof(leaves, first, second)
        verify_consistency(first, second, r1, r2, proof)


def test_a_proof_reads_nodes_in_one_query(django_assert_num_queries) -> None:
    _append(100)
    with django_assert_num_queries(2):  # ledger size, then the nodes
        ledger.inclusion_proof(42, 99)


@pytest.mark.parametrize(("index", "size"), [(-1, 5), (5, 5), (0, 0), (0, 11)])
def test_bad_proof_requests_raise_value_error(index: int, size: int) -> None:
    _append(10)
    with pytest.raises(ValueError):
        ledger.inclusion_proof(index, size)


def test_append_refuses_a_tree_that_disagrees_with_the_state() -> None:
    _append(6)
    MerkleNode.objects.filter(level=2, index=0).update(hash=bytes(32))
    with transaction.atomic(), pytest.raises(ledger.LedgerError, match="ledger verify"):
        ledger.append("test.event", {"i": 99})
