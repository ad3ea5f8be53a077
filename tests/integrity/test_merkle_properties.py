"""Property tests: incremental log == recursive definitions; every proof verifies; any
tampering is refused; the RFC bit-algorithm verifiers agree with a recursive verifier.

The recursive verifiers below are test-only oracles written straight from the RFC's PATH and
SUBPROOF definitions (consume the proof top-down, rebuild the roots), so they share no code
or bit tricks with the verifiers under test.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.integrity.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    InMemoryNodeStore,
    MerkleLog,
    MissingNodeError,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

SMALL = 300
LARGE_SIZES = (511, 512, 513, 1000, 1025, 2049)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def random_leaves(seed: bytes, n: int) -> list[bytes]:
    return [leaf_hash(seed + i.to_bytes(4, "big")) for i in range(n)]


def log_of(leaves: Sequence[bytes]) -> MerkleLog:
    log = MerkleLog()
    log.extend(leaves)
    return log


@functools.cache
def large_tree() -> tuple[list[bytes], MerkleLog]:
    leaves = random_leaves(b"large", max(LARGE_SIZES))
    return leaves, log_of(leaves)


def flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def accepts(check: Callable[..., None], *args: object) -> bool:
    try:
        check(*args)
    except ProofError:
        return False
    return True


# --- recursive oracles ----------------------------------------------------------------------


def oracle_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_: bytes
) -> bool:
    if not 0 <= index < size or len(leaf) != HASH_SIZE or len(root_) != HASH_SIZE:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    rest = list(proof)

    def rebuild(i: int, n: int) -> bytes | None:
        if n == 1:
            return leaf
        if not rest:
            return None
        sibling = rest.pop()
        k = split(n)
        sub = rebuild(i, k) if i < k else rebuild(i - k, n - k)
        if sub is None:
            return None
        return node_hash(sub, sibling) if i < k else node_hash(sibling, sub)

    got = rebuild(index, size)
    return got is not None and not rest and got == root_


def oracle_consistency(m: int, n: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> bool:
    if m < 0 or m > n:
        return False
    if m == n:
        return not proof and root1 == root2 and (m > 0 or root1 == EMPTY_ROOT)
    if m == 0 or len(root1) != HASH_SIZE or len(root2) != HASH_SIZE:
        return False
    if any(len(p) != HASH_SIZE for p in proof):
        return False
    rest = list(proof)

    def rebuild(m: int, n: int, whole: bool) -> tuple[bytes, bytes] | None:
        if m == n:
            if whole:
                return root1, root1
            if not rest:
                return None
            x = rest.pop()
            return x, x
        if not rest:
            return None
        x = rest.pop()
        k = split(n)
        if m <= k:
            sub = rebuild(m, k, whole)
            return None if sub is None else (sub[0], node_hash(sub[1], x))
        sub = rebuild(m - k, n - k, False)
        return None if sub is None else (node_hash(x, sub[0]), node_hash(x, sub[1]))

    got = rebuild(m, n, True)
    return got is not None and not rest and got == (root1, root2)


# --- incremental == recursive ---------------------------------------------------------------


@settings(max_examples=5, deadline=None)
@given(seed=st.binary(min_size=1, max_size=8))
def test_log_root_equals_recursive_root_for_every_prefix(seed: bytes) -> None:
    leaves = random_leaves(seed, SMALL)
    log = MerkleLog()
    assert log.root() == root([]) == EMPTY_ROOT
    for n in range(1, SMALL + 1):
        log.append(leaves[n - 1])
        assert log.root() == root(leaves[:n]), n
    for n in range(SMALL + 1):
        assert log.root(n) == root(leaves[:n]), n


@settings(max_examples=3, deadline=None)
@given(seed=st.binary(min_size=1, max_size=8), data=st.data())
def test_both_generators_agree_and_verify_for_every_size(seed: bytes, data: st.DataObject) -> None:
    leaves = random_leaves(seed, SMALL)
    log = log_of(leaves)
    for n in range(1, SMALL + 1):
        prefix = leaves[:n]
        r = root(prefix)
        picks = {0, n - 1, n // 2, data.draw(st.integers(0, n - 1), label=f"index@{n}")}
        for i in picks:
            proof = log.inclusion_proof(i, n)
            assert proof == inclusion_proof(prefix, i), (i, n)
            verify_inclusion(leaves[i], i, n, proof, r)
        for m in {1, n, max(1, n - 1), data.draw(st.integers(1, n), label=f"m@{n}")}:
            proof = log.consistency_proof(m, n)
            assert proof == consistency_proof(leaves, m, n), (m, n)
            verify_consistency(m, n, root(leaves[:m]), r, proof)


def test_every_log_proof_up_to_size_150_verifies() -> None:
    leaves = random_leaves(b"exhaustive", 150)
    log = log_of(leaves)
    roots = [log.root(n) for n in range(151)]
    for n in range(1, 151):
        for i in range(n):
            verify_inclusion(leaves[i], i, n, log.inclusion_proof(i, n), roots[n])
        for m in range(1, n + 1):
            verify_consistency(m, n, roots[m], roots[n], log.consistency_proof(m, n))


@PROPS
@given(data=st.data())
def test_larger_trees_agree_and_verify(data: st.DataObject) -> None:
    leaves, log = large_tree()
    n = data.draw(st.sampled_from(LARGE_SIZES))
    i = data.draw(st.integers(0, n - 1))
    m = data.draw(st.integers(1, n))
    prefix = leaves[:n]
    r = log.root(n)
    assert r == root(prefix)
    proof = log.inclusion_proof(i, n)
    assert proof == inclusion_proof(prefix, i)
    verify_inclusion(leaves[i], i, n, proof, r)
    cproof = log.consistency_proof(m, n)
    assert cproof == consistency_proof(leaves, m, n)
    verify_consistency(m, n, log.root(m), r, cproof)


# --- tampering ------------------------------------------------------------------------------


@st.composite
def inclusion_cases(draw: st.DrawFn) -> tuple[bytes, int, int, list[bytes], bytes]:
    if draw(st.integers(0, 9)) == 0:
        leaves, log = large_tree()
        n = draw(st.sampled_from(LARGE_SIZES))
    else:
        n = draw(st.integers(1, SMALL))
        leaves = random_leaves(draw(st.binary(min_size=1, max_size=8)), n)
        log = log_of(leaves)
    i = draw(st.integers(0, n - 1))
    return leaves[i], i, n, log.inclusion_proof(i, n), log.root(n)


@st.composite
def consistency_cases(draw: st.DrawFn) -> tuple[int, int, bytes, bytes, list[bytes]]:
    if draw(st.integers(0, 9)) == 0:
        _, log = large_tree()
        n = draw(st.sampled_from(LARGE_SIZES))
    else:
        n = draw(st.integers(1, SMALL))
        log = log_of(random_leaves(draw(st.binary(min_size=1, max_size=8)), n))
    m = draw(st.integers(1, n))
    return m, n, log.root(m), log.root(n), log.consistency_proof(m, n)


@PROPS
@given(case=inclusion_cases(), bit=st.integers(0, 255), data=st.data())
def test_tampered_inclusion_is_refused(
    case: tuple[bytes, int, int, list[bytes], bytes], bit: int, data: st.DataObject
) -> None:
    leaf, i, n, proof, r = case
    assert oracle_inclusion(leaf, i, n, proof, r)
    verify_inclusion(leaf, i, n, proof, r)
    refused: list[tuple[bytes, int, int, list[bytes], bytes]] = [
        (flip(leaf, bit), i, n, proof, r),
        (leaf, i, n, proof, flip(r, bit)),
        (leaf, i, n, [*proof, data.draw(st.binary(min_size=32, max_size=32))], r),
        (leaf, i, n, [r, *proof], r),
        (leaf, data.draw(st.integers(-2, 2 * n + 2).filter(lambda j: j != i)), n, proof, r),
    ]
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        refused.append((leaf, i, n, [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]], r))
        refused.append((leaf, i, n, proof[:k] + proof[k + 1 :], r))
        refused.append((leaf, i, n, [*proof[: k + 1], proof[k], *proof[k + 1 :]], r))
    for args in refused:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
        assert not oracle_inclusion(*args)
    # A different size is refused unless the leaf's path has the same shape in both trees:
    # the root does not commit to the size (the signed tree head does), as in every CT
    # verifier. The recursive oracle decides which.
    other = data.draw(st.integers(0, 2 * n + 2).filter(lambda s: s != n))
    assert accepts(verify_inclusion, leaf, i, other, proof, r) == oracle_inclusion(
        leaf, i, other, proof, r
    )


@PROPS
@given(case=consistency_cases(), bit=st.integers(0, 255), data=st.data())
def test_tampered_consistency_is_refused(
    case: tuple[int, int, bytes, bytes, list[bytes]], bit: int, data: st.DataObject
) -> None:
    m, n, r1, r2, proof = case
    assert oracle_consistency(m, n, r1, r2, proof)
    verify_consistency(m, n, r1, r2, proof)
    refused: list[tuple[int, int, bytes, bytes, list[bytes]]] = [
        (m, n, flip(r1, bit), r2, proof),
        (m, n, r1, flip(r2, bit), proof),
        (m, n, r1, r2, [*proof, data.draw(st.binary(min_size=32, max_size=32))]),
        (m, n, r1, r2, [r1, *proof]),
    ]
    if proof:
        k = data.draw(st.integers(0, len(proof) - 1))
        refused.append((m, n, r1, r2, [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]))
        refused.append((m, n, r1, r2, proof[:k] + proof[k + 1 :]))
    if m != n:
        refused.append((m, n, r2, r1, proof))
    for args in refused:
        with pytest.raises(ProofError):
            verify_consistency(*args)
        assert not oracle_consistency(*args)
    # Other sizes: refused unless the proof has the same shape for them (see inclusion).
    m2 = data.draw(st.integers(-1, 2 * n + 2))
    n2 = data.draw(st.integers(-1, 2 * n + 2))
    for a, b in ((m2, n), (m, n2), (m2, n2)):
        assert accepts(verify_consistency, a, b, r1, r2, proof) == oracle_consistency(
            a, b, r1, r2, proof
        ), (a, b)


def test_root_does_not_commit_to_tree_size() -> None:
    """Why tree size and root must come from one signed head: shapes can coincide."""
    leaves = random_leaves(b"shape", 5)
    log = log_of(leaves)
    # Leaf 0's path in a 5-leaf tree is right-siblings only, as it is in an 8-leaf tree.
    verify_inclusion(leaves[0], 0, 8, log.inclusion_proof(0, 5), log.root(5))
    # 4 -> 5 appends one leaf right of a perfect subtree, which reads the same as 4 -> 6.
    verify_consistency(4, 6, log.root(4), log.root(5), log.consistency_proof(4, 5))
    # Where shapes differ, the wrong size is caught.
    with pytest.raises(ProofError):
        verify_inclusion(leaves[4], 4, 6, log.inclusion_proof(4, 5), log.root(5))


# --- the log reads O(log n) nodes -----------------------------------------------------------


class CountingStore(InMemoryNodeStore):
    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, level: int, index: int) -> bytes:
        self.reads += 1
        return super().get(level, index)


@PROPS
@given(n=st.integers(1, 5000), data=st.data())
def test_proofs_read_logarithmically_many_nodes(n: int, data: st.DataObject) -> None:
    store = CountingStore()
    log = MerkleLog(store)
    log.extend(random_leaves(b"count", n))
    bound = 2 * max(1, math.ceil(math.log2(n))) + 1
    i = data.draw(st.integers(0, n - 1))
    size = data.draw(st.integers(i + 1, n))
    store.reads = 0
    log.inclusion_proof(i, size)
    assert store.reads <= bound
    m = data.draw(st.integers(1, n))
    store.reads = 0
    log.consistency_proof(m, n)
    assert store.reads <= bound
    store.reads = 0
    log.root(data.draw(st.integers(0, n)))
    assert store.reads <= bound
    store.reads = 0
    log.root()
    assert store.reads == 0


# --- resuming and bad input -----------------------------------------------------------------


@PROPS
@given(n=st.integers(0, 600), extra=st.integers(0, 40))
def test_a_log_reopened_from_its_store_continues_identically(n: int, extra: int) -> None:
    leaves = random_leaves(b"resume", n + extra)
    first = log_of(leaves[:n])
    again = MerkleLog(first.store, size=n)
    assert again.size == n
    assert again.root() == first.root()
    again.extend(leaves[n:])
    assert again.root() == root(leaves)
    if leaves:
        assert again.leaf(n + extra - 1) == leaves[-1]


def test_a_missing_node_is_reported_not_guessed() -> None:
    with pytest.raises(MissingNodeError) as caught:
        MerkleLog(InMemoryNodeStore(), size=5)
    assert (caught.value.level, caught.value.index) == (2, 0)


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33])
def test_leaf_hashes_must_be_32_bytes(bad: bytes) -> None:
    with pytest.raises(ValueError):
        MerkleLog().append(bad)
    with pytest.raises(ValueError):
        root([leaf_hash(b"a"), bad])
    with pytest.raises(ValueError):
        inclusion_proof([bad], 0)
    with pytest.raises(ValueError):
        consistency_proof([bad, bad], 1, 2)


def test_out_of_range_requests_are_refused() -> None:
    leaves = random_leaves(b"range", 10)
    log = log_of(leaves)
    for args in [(-1, 5), (5, 5), (0, 11), (0, 0)]:
        with pytest.raises(ValueError):
            log.inclusion_proof(*args)
    for index in (-1, 10):
        with pytest.raises(ValueError):
            inclusion_proof(leaves, index)
        with pytest.raises(ValueError):
            log.leaf(index)
    for m, n in [(0, 5), (6, 5), (1, 11), (-1, 3)]:
        with pytest.raises(ValueError):
            log.consistency_proof(m, n)
        with pytest.raises(ValueError):
            consistency_proof(leaves, m, n)
    for size in (-1, 11):
        with pytest.raises(ValueError):
            log.root(size)
    with pytest.raises(ValueError):
        MerkleLog(size=-1)
    assert log.consistency_proof(7, 7) == [] == consistency_proof(leaves, 7, 7)


def test_verifier_edge_cases() -> None:
    leaves = random_leaves(b"edge", 4)
    log = log_of(leaves)
    r = log.root()
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ProofError, match="empty tree"):
        verify_consistency(0, 4, EMPTY_ROOT, r, [])
    with pytest.raises(ProofError, match="negative"):
        verify_consistency(-1, 4, r, r, [])
    with pytest.raises(ProofError, match="negative"):
        verify_inclusion(leaves[0], -1, -1, [], r)
    with pytest.raises(ProofError, match="bytes"):
        verify_inclusion(leaves[0], 0, 4, [b"short", *log.inclusion_proof(0, 4)[1:]], r)
    with pytest.raises(ProofError, match="root2"):
        verify_consistency(1, 4, leaves[0], r[:31], log.consistency_proof(1, 4))
    cproof = log.consistency_proof(1, 4)
    with pytest.raises(ProofError, match="longer"):
        verify_consistency(1, 4, leaves[0], r, [*cproof, cproof[0]])
    with pytest.raises(ProofError, match="shorter"):
        verify_consistency(1, 4, leaves[0], r, cproof[:-1])
    with pytest.raises(ProofError, match="longer"):
        verify_inclusion(leaves[1], 1, 4, [*log.inclusion_proof(1, 4), r], r)
