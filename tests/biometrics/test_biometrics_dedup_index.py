"""The IVF-SQ8 shortlist with exact re-scoring: recall against brute force, model separation."""

from __future__ import annotations

from pathlib import Path

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
    index = build_index(MODEL, vectors, IndexParams(probe=0.15, probe_ratio=0.6, min_nprobe=8))
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


def test_ratio_rule_keeps_lists_near_the_nearest_one() -> None:
    params = IndexParams(probe_ratio=0.8, min_nprobe=2)
    similarity = np.array(
        [
            [0.50, 0.45, 0.41, 0.39, 0.30],
            [0.50, 0.20, 0.10, 0.05, 0.01],
            [-0.1, -0.2, -0.3, -0.4, -0.5],
        ],
        dtype=np.float32,
    )
    lists = np.array([[7, 3, 9, 1, 4], [2, 5, 6, 8, 0], [1, 2, 3, 4, 5]], dtype=np.int64)
    kept = params.adaptive(similarity, lists)
    assert kept.tolist() == [
        [7, 3, 9, -1, -1],  # 0.41 >= 0.8 * 0.5, 0.39 is not
        [2, 5, -1, -1, -1],  # far from every other list: the minimum of 2
        [1, 2, 3, 4, 5],  # nothing similar at all: every list up to the cap
    ]


def test_probe_tables_are_padded_and_every_row_scans_its_own_list() -> None:
    vectors, _ = faces(3000, clustered=True)
    params = IndexParams(probe=0.1, probe_ratio=0.9, min_nprobe=2, scan_budget=0)
    index = build_index(MODEL, vectors, params)
    probes = index.probes(vectors)
    assert probes.shape == (3000, index.nprobe)
    scanned = (probes >= 0).sum(axis=1)
    assert scanned.min() >= 2 and scanned.max() <= index.nprobe
    assert scanned.min() < scanned.max()  # adaptive: rows between lists scan more of them
    padded = probes < 0
    assert not (padded[:, :-1] & ~padded[:, 1:]).any()  # -1 only after the kept lists
    _, nearest = index.index.quantizer.search(vectors, 1)
    assert np.array_equal(probes[:, 0], nearest[:, 0])


def test_ratio_rule_beats_a_fixed_count_at_the_same_cost() -> None:
    """Why the probing is adaptive: on clustered data, scanning the lists near the nearest one
    finds more of the pairs a fixed count misses, for no more scanned lists on average."""
    vectors, _ = faces(4000, clustered=True)
    truth = exact_pairs(vectors, 0.5)
    adaptive = build_index(
        MODEL, vectors, IndexParams(nlist=256, probe=0.25, probe_ratio=0.85, scan_budget=0)
    )
    scanned = float((adaptive.probes(vectors) >= 0).sum(axis=1).mean())
    fixed = build_index(
        MODEL,
        vectors,
        IndexParams(
            nlist=256, probe=round(scanned) / 256, probe_ratio=0.01, min_nprobe=1, scan_budget=0
        ),
    )
    recall = {}
    for name, index in (("adaptive", adaptive), ("fixed", fixed)):
        pairs = self_join_rows(index, vectors, 0, len(vectors), 0.5)
        found = set(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True))
        recall[name] = len(found & truth) / len(truth)
    assert recall["adaptive"] > recall["fixed"]


def test_scan_budget_lowers_the_ratio_only_where_lists_are_cheap(tmp_path: Path) -> None:
    """Isotropic data: the nearest list stands out, so the ratio rule alone scans few lists;
    the budget lowers the ratio until the estimated scan reaches it, never above the cap."""
    vectors, _ = faces(4000)
    plain = build_index(MODEL, vectors, IndexParams(probe=0.2, scan_budget=0.0))
    budget = build_index(MODEL, vectors, IndexParams(probe=0.2, scan_budget=0.08))
    assert plain.params.probe_ratio == 0.85
    assert budget.params.probe_ratio < 0.85
    nearest = budget.probes(vectors)[:, 0]
    share = np.bincount(nearest, minlength=int(nearest.max()) + 1) / len(vectors)
    for index, most in ((plain, 0.08), (budget, 0.08 * 1.25)):
        lists = index.probes(vectors)
        scanned = float((share[np.maximum(lists, 0)] * (lists >= 0)).sum(axis=1).mean())
        assert scanned <= most
    assert (budget.probes(vectors) >= 0).sum() > (plain.probes(vectors) >= 0).sum()
    tight = build_index(MODEL, vectors, IndexParams(probe=0.2, scan_budget=0.001))
    assert tight.params.probe_ratio == 0.85  # the budget never raises the ratio
    budget.save(tmp_path / "index.faiss")
    loaded = EmbeddingIndex.load(tmp_path / "index.faiss", MODEL, IndexParams(probe=0.2))
    assert loaded.params.probe_ratio == budget.params.probe_ratio
    assert np.array_equal(loaded.probes(vectors[:50]), budget.probes(vectors[:50]))


def test_bad_parameters_say_which() -> None:
    with pytest.raises(DedupIndexError, match="probe_ratio"):
        IndexParams(probe_ratio=0.0)
    with pytest.raises(DedupIndexError, match="min_nprobe"):
        IndexParams(min_nprobe=0)
    with pytest.raises(DedupIndexError, match="margin"):
        IndexParams(margin=-0.1)
    with pytest.raises(DedupIndexError, match="scan_budget"):
        IndexParams(scan_budget=1.5)


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
