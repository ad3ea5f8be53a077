"""The Merkle engine against published figures: transparency-dev/merkle vectors, RFC 6962 roots.

The vectors are carried in the repository, in ``data/merkle-testdata/`` beside this file
(Apache-2.0; provenance in its README). A missing folder fails the run: silently skipping the
conformance tests would let a broken verifier ship.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shailoo.integrity.merkle import (
    EMPTY_ROOT,
    MerkleLog,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    verify_consistency,
    verify_inclusion,
)

DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "merkle-testdata"
MISSING = (
    f"Merkle test vectors not found at {DEFAULT_DIR}: the repository carries them there "
    "(tests/integrity/data/merkle-testdata, from transparency-dev/merkle testdata/)."
)


def vectors_dir() -> Path | None:
    """The vectors folder in the repository, or None when it is missing."""
    return DEFAULT_DIR if DEFAULT_DIR.is_dir() else None


def vector_params(kind: str) -> list[Any]:
    """One param per JSON file; else one param carrying the failure message (never a skip)."""
    base = vectors_dir()
    if base is None or not (base / kind).is_dir():
        return [pytest.param(MISSING, id=f"{kind}-vectors-missing")]
    files = sorted((base / kind).rglob("*.json"))
    return [pytest.param(f, id=f.relative_to(base).as_posix()) for f in files] or [
        pytest.param(f"no {kind} vectors under {base}", id=f"{kind}-vectors-empty")
    ]


def b64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


@dataclass(frozen=True)
class InclusionVector:
    leaf_idx: int
    tree_size: int
    root: bytes
    leaf_hash: bytes
    proof: list[bytes]
    desc: str
    want_err: bool


@dataclass(frozen=True)
class ConsistencyVector:
    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]
    desc: str
    want_err: bool


def load_inclusion(path: Path | str) -> InclusionVector:
    if isinstance(path, str):
        pytest.fail(path)
    d = json.loads(path.read_text(encoding="utf-8"))
    return InclusionVector(
        d["leafIdx"],
        d["treeSize"],
        b64(d["root"]),
        b64(d["leafHash"]),
        [b64(p) for p in d["proof"] or []],
        d["desc"],
        d["wantErr"],
    )


def load_consistency(path: Path | str) -> ConsistencyVector:
    if isinstance(path, str):
        pytest.fail(path)
    d = json.loads(path.read_text(encoding="utf-8"))
    return ConsistencyVector(
        d["size1"],
        d["size2"],
        b64(d["root1"]),
        b64(d["root2"]),
        [b64(p) for p in d["proof"] or []],
        d["desc"],
        d["wantErr"],
    )


# The RFC 6962 reference tree (certificate-transparency merkle_tree_test.cc) and its
# published roots for each prefix size, as literals independent of the code under test.
RFC6962_LEAVES = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
RFC6962_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
RFC6962_LEAF_HASHES = [leaf_hash(e) for e in RFC6962_LEAVES]


def rfc6962_log() -> MerkleLog:
    log = MerkleLog()
    log.extend(RFC6962_LEAF_HASHES)
    return log


# --- the folder itself ----------------------------------------------------------------------


def test_vectors_folder_is_present_and_complete() -> None:
    base = vectors_dir()
    if base is None:
        pytest.fail(MISSING)
    inclusion = list((base / "inclusion").rglob("*.json"))
    consistency = list((base / "consistency").rglob("*.json"))
    assert len(inclusion) >= 98, f"only {len(inclusion)} inclusion vectors under {base}"
    assert len(consistency) >= 98, f"only {len(consistency)} consistency vectors under {base}"
    happy = [p for p in inclusion + consistency if not json.loads(p.read_text())["wantErr"]]
    assert len(happy) >= 12, "the happy-path vectors are missing"
    for name in ("LICENSE", "LICENSE-NOTE.txt", "README.md"):  # Apache-2.0: licence travels
        assert (base / name).is_file(), f"{base / name} is missing"


# --- every vector ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", vector_params("inclusion"))
def test_inclusion_vector(path: Path | str) -> None:
    v = load_inclusion(path)
    if v.want_err:
        with pytest.raises(ProofError):
            verify_inclusion(v.leaf_hash, v.leaf_idx, v.tree_size, v.proof, v.root)
    else:
        verify_inclusion(v.leaf_hash, v.leaf_idx, v.tree_size, v.proof, v.root)


@pytest.mark.parametrize("path", vector_params("consistency"))
def test_consistency_vector(path: Path | str) -> None:
    v = load_consistency(path)
    if v.want_err:
        with pytest.raises(ProofError):
            verify_consistency(v.size1, v.size2, v.root1, v.root2, v.proof)
    else:
        verify_consistency(v.size1, v.size2, v.root1, v.root2, v.proof)


# --- our generators reproduce the published happy paths -------------------------------------


def rfc_tree_vectors(kind: str) -> list[Any]:
    """Happy-path vectors drawn from the RFC 6962 tree (the others use made-up hashes)."""
    params = vector_params(kind)
    picked: list[Any] = []
    for p in params:
        path = p.values[0]
        if isinstance(path, str):
            return params
        d = json.loads(path.read_text(encoding="utf-8"))
        if d["wantErr"]:
            continue
        size = d.get("treeSize", d.get("size2"))
        want_root = b64(d.get("root", d.get("root2", "")))
        if 0 < size <= 8 and want_root.hex() == RFC6962_ROOTS[size - 1]:
            picked.append(p)
    return picked or [pytest.param(f"no {kind} happy path from the RFC tree", id="none")]


def test_enough_happy_paths_come_from_the_rfc_tree() -> None:
    assert len(rfc_tree_vectors("inclusion")) >= 5
    assert len(rfc_tree_vectors("consistency")) >= 5


@pytest.mark.parametrize("path", rfc_tree_vectors("inclusion"))
def test_generated_inclusion_proof_equals_vector(path: Path | str) -> None:
    v = load_inclusion(path)
    leaves = RFC6962_LEAF_HASHES[: v.tree_size]
    assert leaves[v.leaf_idx] == v.leaf_hash
    assert inclusion_proof(leaves, v.leaf_idx) == v.proof
    assert rfc6962_log().inclusion_proof(v.leaf_idx, v.tree_size) == v.proof
    assert root(leaves) == v.root


@pytest.mark.parametrize("path", rfc_tree_vectors("consistency"))
def test_generated_consistency_proof_equals_vector(path: Path | str) -> None:
    v = load_consistency(path)
    assert consistency_proof(RFC6962_LEAF_HASHES, v.size1, v.size2) == v.proof
    assert rfc6962_log().consistency_proof(v.size1, v.size2) == v.proof
    assert root(RFC6962_LEAF_HASHES[: v.size1]) == v.root1
    assert root(RFC6962_LEAF_HASHES[: v.size2]) == v.root2


# --- RFC 6962 reference tree ----------------------------------------------------------------


def test_hash_primitives_match_published_values() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root([]) == EMPTY_ROOT
    assert MerkleLog().root() == EMPTY_ROOT
    # MTH of the one-leaf tree {""} is SHA-256(0x00).
    assert leaf_hash(b"").hex() == RFC6962_ROOTS[0]
    assert node_hash(RFC6962_LEAF_HASHES[0], RFC6962_LEAF_HASHES[1]).hex() == RFC6962_ROOTS[1]


@pytest.mark.parametrize("size", range(1, 9))
def test_rfc6962_roots_for_every_prefix(size: int) -> None:
    want = RFC6962_ROOTS[size - 1]
    assert root(RFC6962_LEAF_HASHES[:size]).hex() == want
    assert rfc6962_log().root(size).hex() == want
    grown = MerkleLog()
    grown.extend(RFC6962_LEAF_HASHES[:size])
    assert grown.root().hex() == want


def test_size8_root_is_the_vectors_happy_path_root() -> None:
    assert b64("XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=").hex() == RFC6962_ROOTS[7]


def test_every_proof_of_the_rfc_tree_verifies() -> None:
    log = rfc6962_log()
    for n in range(1, 9):
        r = bytes.fromhex(RFC6962_ROOTS[n - 1])
        for i in range(n):
            verify_inclusion(RFC6962_LEAF_HASHES[i], i, n, log.inclusion_proof(i, n), r)
        for m in range(1, n + 1):
            r1 = bytes.fromhex(RFC6962_ROOTS[m - 1])
            verify_consistency(m, n, r1, r, log.consistency_proof(m, n))
