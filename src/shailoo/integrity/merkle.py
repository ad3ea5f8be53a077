"""RFC 9162 (Certificate Transparency v2) Merkle tree: hashes, proofs, verifiers, a growing log.

The ledger commits every state change that matters to an append-only Merkle tree so that
anyone holding a signed tree head can check, without trusting us, that an entry is in the log
(inclusion proof) and that a later log still contains everything an earlier one did
(consistency proof). Using the CT hashing and proof formats unchanged means any
CT-compatible verifier (transparency-dev/merkle, Trillian, the RFC's own pseudo-code) agrees
with ours, and our verifier can be checked against their published test vectors.

Four parts, all pure (no Django, no I/O):

* hashes: :func:`leaf_hash`, :func:`node_hash` with the RFC 6962 domain-separation bytes
  (``0x00`` for leaves, ``0x01`` for interior nodes) so a leaf can never pose as a node;
* the recursive definitions of RFC 9162 §2.1.1-§2.1.4 over a list of leaf hashes
  (:func:`root`, :func:`inclusion_proof`, :func:`consistency_proof`): short, literal, O(n),
  the reference the incremental log is tested against;
* the verifiers :func:`verify_inclusion` and :func:`verify_consistency`, the iterative bit
  algorithms of §2.1.3.2 and §2.1.4.2, which raise :class:`ProofError` with a reason;
* :class:`MerkleLog`, the incremental log: O(log n) append and root, and proofs for any past
  tree size from O(log n) stored nodes, over a pluggable :class:`NodeStore` so the ledger can
  keep the nodes in a database table.

Tree sizes and indices are plain ``int``; hashes are 32-byte ``bytes``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from shailoo.common.refusals import InvalidInput

HASH_SIZE = 32
"""SHA-256 output size; every leaf hash, node hash, root and proof element has this length."""

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256 of the empty string: the root of the tree with no leaves."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(InvalidInput):
    """A proof did not verify; ``reason`` says why in words an auditor can act on.

    Code ``proof_invalid``: the proof (or the roots and sizes given with it) is refused.
    """

    def __init__(self, reason: str) -> None:
        super().__init__("proof_invalid", reason)
        self.reason = reason


class MissingNodeError(LookupError):
    """The node store lacks a node the log needs: the store is incomplete or was truncated."""

    def __init__(self, level: int, index: int) -> None:
        super().__init__(f"node store has no node at level {level}, index {index}")
        self.level = level
        self.index = index


# --- hashes ---------------------------------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """MTH of one entry: SHA-256(0x00 || entry); the prefix keeps leaves apart from nodes."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Interior node: SHA-256(0x01 || left || right)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _split(n: int) -> int:
    """The RFC split point: the largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ValueError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def _check_leaves(leaf_hashes: Sequence[bytes]) -> None:
    for i, h in enumerate(leaf_hashes):
        _check_hash(f"leaf hash {i}", h)


# --- recursive definitions (RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1) -----------------------------


def _mth(d: Sequence[bytes], lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) by the recursive definition; index ranges avoid copying the list."""
    n = hi - lo
    if n == 1:
        return d[lo]
    k = _split(n)
    return node_hash(_mth(d, lo, lo + k), _mth(d, lo + k, hi))


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of a list of leaf hashes (EMPTY_ROOT for an empty list)."""
    _check_leaves(leaf_hashes)
    if not leaf_hashes:
        return EMPTY_ROOT
    return _mth(leaf_hashes, 0, len(leaf_hashes))


def _path(d: Sequence[bytes], m: int, lo: int, hi: int) -> list[bytes]:
    n = hi - lo
    if n == 1:
        return []
    k = _split(n)
    if m < lo + k:
        return [*_path(d, m, lo, lo + k), _mth(d, lo + k, hi)]
    return [*_path(d, m, lo + k, hi), _mth(d, lo, lo + k)]


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) for the tree of all ``leaf_hashes``: siblings from the leaf up."""
    _check_leaves(leaf_hashes)
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"leaf index {index} is outside a tree of size {len(leaf_hashes)}")
    return _path(leaf_hashes, index, 0, len(leaf_hashes))


def _subproof(d: Sequence[bytes], m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b); ``whole`` is the RFC's b (the subtree is the old tree)."""
    n = hi - lo
    if m == n:
        return [] if whole else [_mth(d, lo, hi)]
    k = _split(n)
    if m <= k:
        return [*_subproof(d, m, lo, lo + k, whole), _mth(d, lo + k, hi)]
    return [*_subproof(d, m - k, lo + k, hi, False), _mth(d, lo, lo + k)]


def consistency_proof(leaf_hashes: Sequence[bytes], m: int, n: int) -> list[bytes]:
    """PROOF(m, D[n]) over the first ``n`` of ``leaf_hashes``; empty when m == n.

    A proof from the empty tree (m == 0) is refused: every tree extends it, so there is
    nothing to prove, and RFC 9162 defines the proof only for 0 < m.
    """
    _check_leaves(leaf_hashes)
    if not 0 < m <= n <= len(leaf_hashes):
        raise ValueError(f"need 0 < m <= n <= {len(leaf_hashes)}, got m={m}, n={n}")
    return _subproof(leaf_hashes, m, 0, n, True)


# --- verifiers (RFC 9162 §2.1.3.2, §2.1.4.2) ------------------------------------------------


def _check_proof_hashes(proof: Sequence[bytes]) -> None:
    for i, p in enumerate(proof):
        if len(p) != HASH_SIZE:
            raise ProofError(f"proof element {i} is {len(p)} bytes, not {HASH_SIZE}")


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root``.

    Returns None when the proof holds, raises ProofError otherwise. The steps are those of
    RFC 9162 §2.1.3.2, so the verdict matches every CT verifier's.

    The root does not commit to the tree size: a proof for a smaller tree can also verify
    against a larger stated size when the leaf's path has the same shape in both. Take
    ``tree_size`` and ``root`` from the same signed tree head, never from the prover alone.
    """
    if len(leaf_hash) != HASH_SIZE:
        raise ProofError(f"leaf hash is {len(leaf_hash)} bytes, not {HASH_SIZE}")
    if len(root) != HASH_SIZE:
        raise ProofError(f"root is {len(root)} bytes, not {HASH_SIZE}")
    _check_proof_hashes(proof)
    if index < 0 or tree_size < 0:
        raise ProofError(f"negative leaf index or tree size ({index}, {tree_size})")
    # 1. leaf_index >= tree_size fails.
    if index >= tree_size:
        raise ProofError(f"leaf index {index} is not below tree size {tree_size}")
    # 2-3.
    fn, sn = index, tree_size - 1
    r = leaf_hash
    # 4.
    for p in proof:
        if sn == 0:
            raise ProofError(f"proof is longer than a tree of size {tree_size} needs")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    # 5.
    if sn != 0:
        raise ProofError(f"proof is shorter than a tree of size {tree_size} needs")
    if r != root:
        raise ProofError("calculated root does not match the given root")


def verify_consistency(
    size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (size2, root2) extends the tree (size1, root1), per RFC 9162.

    Returns None when it does, raises ProofError otherwise. For 0 < size1 < size2 the steps
    are those of §2.1.4.2. Around that range the RFC is silent, and we follow the
    transparency-dev/merkle reference verifier and its test vectors:

    * size1 == size2: the proof must be empty and the roots byte-equal (a tree is consistent
      with itself; no hashing, so the roots' length is not checked here), and a tree of size 0
      must carry the empty-tree root, the only root it can have;
    * 0 == size1 < size2: refused. Every tree extends the empty tree, so such a "proof"
      carries no information, and a caller asking for one has mislaid the real first head.
    """
    if size1 < 0 or size2 < 0:
        raise ProofError(f"negative tree size ({size1}, {size2})")
    if size1 > size2:
        raise ProofError(f"size1 {size1} is greater than size2 {size2}: trees only grow")
    if size1 == size2:
        if proof:
            raise ProofError("sizes are equal, so the proof must be empty")
        if size1 == 0 and root1 != EMPTY_ROOT:
            raise ProofError("a tree of size 0 must have the empty-tree root")
        if root1 != root2:
            raise ProofError("sizes are equal but the roots differ")
        return
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree (size1 = 0) proves nothing")
    if len(root1) != HASH_SIZE:
        raise ProofError(f"root1 is {len(root1)} bytes, not {HASH_SIZE}")
    if len(root2) != HASH_SIZE:
        raise ProofError(f"root2 is {len(root2)} bytes, not {HASH_SIZE}")
    _check_proof_hashes(proof)
    # 1.
    if not proof:
        raise ProofError("proof is empty but the sizes differ")
    # 2. When first is a power of two the old root is itself a node of the new tree.
    path = [root1, *proof] if size1 & (size1 - 1) == 0 else list(proof)
    # 3-4.
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            raise ProofError(f"proof is longer than sizes {size1} -> {size2} need")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    if sn != 0:
        raise ProofError(f"proof is shorter than sizes {size1} -> {size2} need")
    if fr != root1:
        raise ProofError("calculated first root does not match root1")
    if sr != root2:
        raise ProofError("calculated second root does not match root2")


# --- incremental log ------------------------------------------------------------------------


class NodeStore(Protocol):
    """Where a MerkleLog keeps its nodes: each complete subtree's hash, keyed by position.

    ``(level, index)`` names the perfect subtree over leaves
    ``[index * 2**level, (index + 1) * 2**level)``; level 0 holds the leaf hashes. Only
    complete subtrees are stored, so a node never changes once written and a past tree's
    nodes stay valid as the log grows. ``get`` raises KeyError for a node never put; ``put``
    inserts or replaces. A database table with a unique (level, index) key fits.
    """

    def get(self, level: int, index: int) -> bytes:
        """The stored hash at (level, index); KeyError if there is none."""
        ...

    def put(self, level: int, index: int, node: bytes) -> None:
        """Store the hash at (level, index), replacing any earlier value."""
        ...


class InMemoryNodeStore:
    """A NodeStore in a dict: for tests, benchmarks and verifiers rebuilding a log in memory.

    About 200 bytes per node in CPython, and a log of n leaves has about 2n nodes.
    """

    def __init__(self) -> None:
        self._nodes: dict[tuple[int, int], bytes] = {}

    def get(self, level: int, index: int) -> bytes:
        """The stored hash at (level, index); KeyError if there is none."""
        return self._nodes[(level, index)]

    def put(self, level: int, index: int, node: bytes) -> None:
        """Store the hash at (level, index)."""
        self._nodes[(level, index)] = node

    def __len__(self) -> int:
        return len(self._nodes)


class MerkleLog:
    """An append-only RFC 9162 log that proves inclusion and consistency for any past size.

    Appending stores the new leaf and every subtree it completes (amortised O(1) hashes and
    writes, O(log n) at worst) and keeps the right edge of the tree (the "compact range": one
    perfect subtree root per set bit of the size) in memory, so :meth:`root` costs O(log n)
    hashes and no reads. Any node of the tree at a past size ``s`` is either a stored perfect
    subtree or lies on that tree's right edge, whose hash is folded from at most log2(s)
    stored perfect subtrees; so roots and proofs for any past size take O(log n) reads.

    Not thread-safe: the ledger serialises appends (one database transaction at a time).
    """

    def __init__(self, store: NodeStore | None = None, size: int = 0) -> None:
        """Open a log of ``size`` leaves whose nodes are already in ``store`` (default: new)."""
        if size < 0:
            raise ValueError(f"log size must be >= 0, got {size}")
        self._store: NodeStore = InMemoryNodeStore() if store is None else store
        self._size = size
        self._edge: list[tuple[int, bytes]] = []
        pos = 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                self._edge.append((level, self._read(level, pos >> level)))
                pos += 1 << level

    @property
    def size(self) -> int:
        """Number of leaves appended so far."""
        return self._size

    @property
    def store(self) -> NodeStore:
        """The node store this log reads and writes."""
        return self._store

    def _read(self, level: int, index: int) -> bytes:
        try:
            return self._store.get(level, index)
        except KeyError:
            raise MissingNodeError(level, index) from None

    def append(self, leaf_hash: bytes) -> int:
        """Add one leaf hash (see :func:`leaf_hash`); returns its index."""
        if not isinstance(leaf_hash, bytes) or len(leaf_hash) != HASH_SIZE:
            raise ValueError(f"a leaf hash must be {HASH_SIZE} bytes")
        index = self._size
        put = self._store.put
        put(0, index, leaf_hash)
        level, h, i = 0, leaf_hash, index
        edge = self._edge
        while edge and edge[-1][0] == level:
            left = edge.pop()[1]
            h = node_hash(left, h)
            level += 1
            i >>= 1
            put(level, i, h)
        edge.append((level, h))
        self._size = index + 1
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Append each leaf hash in order."""
        for h in leaf_hashes:
            self.append(h)

    def leaf(self, index: int) -> bytes:
        """The leaf hash at ``index``."""
        if not 0 <= index < self._size:
            raise ValueError(f"leaf index {index} is outside a log of size {self._size}")
        return self._read(0, index)

    def _range_hash(self, lo: int, hi: int) -> bytes:
        """MTH(D[lo:hi]) for a node of some tree of size <= self.size (``lo`` is aligned).

        The range splits into perfect subtrees, largest first, which are all complete and so
        stored; their right-to-left fold is the RFC hash of the range.
        """
        width = hi - lo
        parts: list[bytes] = []
        pos = lo
        for level in reversed(range(width.bit_length())):
            if width >> level & 1:
                parts.append(self._read(level, pos >> level))
                pos += 1 << level
        h = parts.pop()
        while parts:
            h = node_hash(parts.pop(), h)
        return h

    def root(self, size: int | None = None) -> bytes:
        """The root of the tree of the first ``size`` leaves (default: all of them)."""
        if size is None or size == self._size:
            if not self._edge:
                return EMPTY_ROOT
            h = self._edge[-1][1]
            for _, left in reversed(self._edge[:-1]):
                h = node_hash(left, h)
            return h
        if not 0 <= size <= self._size:
            raise ValueError(f"tree size {size} is outside 0..{self._size}")
        return EMPTY_ROOT if size == 0 else self._range_hash(0, size)

    def inclusion_proof(self, index: int, size: int) -> list[bytes]:
        """PATH(index, D[size]): the same list :func:`inclusion_proof` gives, from the store."""
        if not 0 <= index < size <= self._size:
            raise ValueError(f"need 0 <= index < size <= {self._size}, got {index}, {size}")
        top_down: list[bytes] = []
        lo, hi = 0, size
        while hi - lo > 1:
            k = _split(hi - lo)
            if index < lo + k:
                top_down.append(self._range_hash(lo + k, hi))
                hi = lo + k
            else:
                top_down.append(self._range_hash(lo, lo + k))
                lo += k
        top_down.reverse()
        return top_down

    def consistency_proof(self, m: int, n: int) -> list[bytes]:
        """PROOF(m, D[n]): the same list :func:`consistency_proof` gives, from the store."""
        if not 0 < m <= n <= self._size:
            raise ValueError(f"need 0 < m <= n <= {self._size}, got m={m}, n={n}")
        top_down: list[bytes] = []
        lo, hi, rest, whole = 0, n, m, True
        while True:
            width = hi - lo
            if rest == width:
                if not whole:
                    top_down.append(self._range_hash(lo, hi))
                break
            k = _split(width)
            if rest <= k:
                top_down.append(self._range_hash(lo + k, hi))
                hi = lo + k
            else:
                top_down.append(self._range_hash(lo, lo + k))
                lo += k
                rest -= k
                whole = False
        top_down.reverse()
        return top_down
