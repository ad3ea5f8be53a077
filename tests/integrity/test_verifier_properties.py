"""Property tests of the standalone checker (no database): for random ledgers and heads,
an untouched ledger verifies and every single tampering is found at the right place."""

from __future__ import annotations

from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.integrity.canonical import canonical_json
from shailoo.integrity.merkle import MerkleLog, leaf_hash
from shailoo.integrity.verifier import (
    EntryRecord,
    HeadRecord,
    KeyRecord,
    LedgerChecker,
    Report,
    head_message,
    key_id,
    position,
)

PROPS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEY = Ed25519PrivateKey.generate()
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
KID = key_id(PUBLIC)
KEYS = {KID: KeyRecord(KID, PUBLIC, "tree_head", 0)}
TIME = "2026-03-14T08:00:00.000000Z"


def make_entry(seq: int, note: str = "") -> EntryRecord:
    data = canonical_json(
        {"kind": "t.e", "payload": {"i": seq, "note": note or f"n{seq}"}, "seq": seq, "time": TIME}
    )
    return EntryRecord(seq, "t.e", TIME, data, leaf_hash(data))


def make_heads(entries: list[EntryRecord], sizes: list[int]) -> list[HeadRecord]:
    log = MerkleLog()
    log.extend(e.leaf_hash for e in entries)
    heads = []
    for t, size in enumerate(sorted(sizes)):
        root = log.root(size)
        sig = KEY.sign(head_message(size, root, 1000 + t, KID))
        heads.append(HeadRecord(size, root, 1000 + t, KID, sig))
    return heads


def check(entries: list[EntryRecord], heads: list[HeadRecord], size: int) -> Report:
    checker = LedgerChecker()
    checker.add_entries(entries)
    checker.expect_size(size, "the manifest")
    checker.check_heads(heads, KEYS)
    return checker.report()


def first_entry(report: Report) -> int | None:
    found = report.first("entry")
    return position(found)[1] if found else None


ledgers = st.integers(1, 70).flatmap(
    lambda n: st.tuples(
        st.just([make_entry(i) for i in range(n)]),
        st.lists(st.integers(1, n), max_size=4),
    )
)


@PROPS
@given(ledgers)
def test_an_untouched_ledger_verifies(ledger: tuple[list[EntryRecord], list[int]]) -> None:
    entries, sizes = ledger
    report = check(entries, make_heads(entries, sizes), len(entries))
    assert report.ok, report.lines()


@PROPS
@given(ledgers, st.data())
def test_a_flipped_byte_is_located(ledger, data) -> None:
    entries, sizes = ledger
    heads = make_heads(entries, sizes)
    k = data.draw(st.integers(0, len(entries) - 1))
    raw = bytearray(entries[k].data)
    pos = data.draw(st.integers(0, len(raw) - 1))
    raw[pos] ^= 1 << data.draw(st.integers(0, 7))
    entries[k] = replace(entries[k], data=bytes(raw))
    report = check(entries, heads, len(entries))
    assert first_entry(report) == k
    covering = [j for j, h in enumerate(heads) if h.size > k]
    found = report.first("head")
    assert (position(found)[1] if found else None) == (covering[0] if covering else None)


@PROPS
@given(ledgers, st.data())
def test_a_deleted_entry_is_located(ledger, data) -> None:
    entries, sizes = ledger
    heads = make_heads(entries, sizes)
    k = data.draw(st.integers(0, len(entries) - 1))
    size = len(entries)
    del entries[k]
    assert first_entry(check(entries, heads, size)) == k


@PROPS
@given(ledgers.filter(lambda x: len(x[0]) >= 2), st.data())
def test_swapped_entries_are_located(ledger, data) -> None:
    entries, sizes = ledger
    heads = make_heads(entries, sizes)
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    keep_columns = data.draw(st.booleans())
    a, b = entries[i], entries[j]
    if keep_columns:  # contents swapped under the stored sequence numbers
        entries[i], entries[j] = replace(b, seq=a.seq), replace(a, seq=b.seq)
    else:  # whole rows reordered
        entries[i], entries[j] = b, a
    assert first_entry(check(entries, heads, len(entries))) == i


@PROPS
@given(ledgers, st.data())
def test_an_inserted_entry_is_located(ledger, data) -> None:
    entries, sizes = ledger
    heads = make_heads(entries, sizes)
    k = data.draw(st.integers(0, len(entries)))
    forged = make_entry(k, note="forged")
    shifted = [replace(e, seq=e.seq + 1) for e in entries[k:]]
    tampered = [*entries[:k], forged, *shifted]
    report = check(tampered, heads, len(tampered))
    covering = any(h.size > k for h in heads)
    if k < len(entries) or covering:
        assert first_entry(report) == k
    else:  # appended at the end with the manifest updated: that is just a newer ledger
        assert report.ok


@PROPS
@given(ledgers.filter(lambda x: bool(x[1])), st.data())
def test_a_tampered_head_is_located(ledger, data) -> None:
    entries, sizes = ledger
    heads = make_heads(entries, sizes)
    j = data.draw(st.integers(0, len(heads) - 1))
    how = data.draw(st.sampled_from(["signature", "root", "size", "key"]))
    head = heads[j]
    if how == "signature":
        heads[j] = replace(head, signature=head.signature[: data.draw(st.integers(0, 63))])
    elif how == "root":
        heads[j] = replace(head, root_hash=bytes(32))
    elif how == "size":
        heads[j] = replace(head, size=head.size + data.draw(st.integers(1, 5)))
    else:
        heads[j] = replace(head, key_id="0" * 32)
    found = check(entries, heads, len(entries)).first("head")
    assert found is not None and position(found) == ("head", j)
