"""The IVF-SQ8 shortlist with exact re-scoring: recall against brute force, model separation."""

from __future__ import annotations

import numpy as np
import pytest
from dedup_testdata import faces
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.biometrics.dedup.index import (
    DedupIndexError,
    EmbeddingIndex,
    IndexParams,
    ModelIndexes,
    ModelMismatchError,
    Pairs,
    build_index,
    exact_neighbours,
    normalise,
    self_join_rows,
)

MODEL = "synth-face-512"


def exact_pairs(vectors: np.ndarray, threshold: float) -> set[tuple[int, int]]:
    found = set()
    for q, rows, _ in exact_neighbours(vectors, vectors, threshold):
        found |= {(min(q, r), max(q, r)) for r in rows.tolist() if r != q}
    return found


@pytest.mark.parametrize("clustered", [False, True])
def test_self_join_recall_against_exact_search(clustered: bool) -> None:
    vectors, planted = faces(4000, clustered=clustered)
    index = build_index(MODEL, vectors, IndexParams(probe=0.05))
    pairs = self_join_rows(index, vectors, 0, len(vectors), 0.5)
    truth = exact_pairs(vectors, 0.5)
    found = set(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True))
    assert len(truth) >= 0.9 * len(planted)
    assert len(found & truth) / len(truth) >= 0.97
    assert found <= truth  # exact re-scoring: nothing below the threshold survives
    exact = np.einsum("ij,ij->i", vectors[pairs.a], vectors[pairs.b])
    assert np.allclose(pairs.score, exact, atol=1e-5)


def test_planted_duplicates_are_found() -> None:
    vectors, planted = faces(3000, rate=0.03, clustered=True)
    index = build_index(MODEL, vectors)
    pairs = self_join_rows(index, vectors, 0, len(vectors), 0.45)
    found = set(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True))
    hits = sum((a, b) in found for a, b in planted.tolist())
    assert hits >= 0.97 * len(planted)


def test_partitions_give_the_same_pairs_as_one_pass() -> None:
    vectors, _ = faces(2000)
    index = build_index(MODEL, vectors)
    whole = self_join_rows(index, vectors, 0, 2000, 0.5)
    parts = Pairs.merge(
        [self_join_rows(index, vectors, s, s + 300, 0.5) for s in range(0, 2000, 300)]
    )
    assert np.array_equal(whole.a, parts.a) and np.array_equal(whole.b, parts.b)


def test_faiss_shortlist_agrees_with_the_block_join() -> None:
    """The BLAS block join is faiss's range search over the same lists, only faster."""
    vectors, _ = faces(2000)
    index = build_index(MODEL, vectors)
    qpos, rows, approx = index.shortlist(MODEL, vectors[:400], 0.5)
    exact = np.einsum("ij,ij->i", vectors[qpos], vectors[rows])
    assert np.abs(approx - exact).max() < 0.02  # 8-bit codes: close, within the margin
    keep = (exact >= 0.5) & (qpos != rows)
    expected = Pairs.unique(qpos[keep], rows[keep], exact[keep])
    joined = self_join_rows(index, vectors, 0, 400, 0.5)
    assert len(expected) > 0
    assert np.array_equal(joined.a, expected.a) and np.array_equal(joined.b, expected.b)


def test_templates_of_another_model_are_refused() -> None:
    vectors, _ = faces(500)
    index = build_index(MODEL, vectors)
    with pytest.raises(ModelMismatchError, match="other-model"):
        index.shortlist("other-model", vectors[:3], 0.5)
    with pytest.raises(ModelMismatchError):
        index.add("other-model", vectors[:3])
    with pytest.raises(DedupIndexError, match="128-d"):
        index.add(MODEL, np.ones((2, 64), dtype=np.float32))


def test_one_index_per_model() -> None:
    indexes = ModelIndexes()
    a = indexes.for_model("face-a", 128)
    b = indexes.for_model("face-b", 128)
    assert a is not b and a is indexes.for_model("face-a", 128)
    assert indexes.models() == ["face-a", "face-b"]
    with pytest.raises(DedupIndexError, match="128-d"):
        indexes.for_model("face-a", 512)


def test_untrained_index_and_bad_vectors_say_why() -> None:
    with pytest.raises(DedupIndexError, match="not trained"):
        EmbeddingIndex(MODEL, 4).probes(np.ones((1, 4), dtype=np.float32))
    with pytest.raises(DedupIndexError, match=r"row 1: .*all zeros"):
        normalise(np.array([[1.0, 0.0], [0.0, 0.0]]))
    with pytest.raises(DedupIndexError, match=r"row 0: .*NaN"):
        normalise(np.array([[np.nan, 1.0]]))
    with pytest.raises(DedupIndexError, match="2-d array"):
        normalise(np.ones(3))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(0, 30), st.floats(0, 1, width=32)),
        max_size=60,
    )
)
def test_pairs_unique_is_an_ordered_set(rows: list[tuple[int, int, float]]) -> None:
    a = np.array([r[0] for r in rows], dtype=np.int64)
    b = np.array([r[1] for r in rows], dtype=np.int64)
    s = np.array([r[2] for r in rows], dtype=np.float32)
    pairs = Pairs.unique(a, b, s)
    expected = sorted({(min(x, y), max(x, y)) for x, y, _ in rows if x != y})
    assert list(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True)) == expected
    halves = Pairs.merge(
        [Pairs.unique(a[::2], b[::2], s[::2]), Pairs.unique(a[1::2], b[1::2], s[1::2])]
    )
    assert np.array_equal(halves.a, pairs.a) and np.array_equal(halves.b, pairs.b)
