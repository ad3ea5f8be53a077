"""Synthetic embeddings: genuine and impostor similarity as asked, determinism, streaming."""

from __future__ import annotations

import numpy as np
import pytest

from shailoo.synth import embeddings as se


def _pairs_scores(rows: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", rows[pairs[:, 0]], rows[pairs[:, 1]])


@pytest.mark.parametrize(("mean", "stdev"), [(0.5, 0.05), (0.72, 0.06), (0.8, 0.03)])
def test_genuine_scores_have_the_requested_mean_and_spread(mean: float, stdev: float) -> None:
    spec = se.EmbeddingSpec(dim=256, genuine_mean=mean, genuine_stdev=stdev)
    ids = se.identities(spec, 1, 4000)
    scores = np.einsum("ij,ij->i", se.captures(spec, 2, ids), se.captures(spec, 3, ids))
    assert scores.mean() == pytest.approx(mean, abs=0.01)
    assert scores.std() == pytest.approx(stdev, rel=0.15)


def test_below_the_noise_floor_the_floor_is_what_you_get() -> None:
    spec = se.EmbeddingSpec(dim=256, genuine_mean=0.6, genuine_stdev=0.0)
    ids = se.identities(spec, 1, 4000)
    scores = np.einsum("ij,ij->i", se.captures(spec, 2, ids), se.captures(spec, 3, ids))
    assert scores.std() == pytest.approx(spec.noise_floor(), rel=0.15)


def test_isotropic_impostors_centre_on_zero_with_spread_one_over_root_d() -> None:
    spec = se.ISOTROPIC
    rows = se.captures(spec, 2, se.identities(spec, 1, 3000))
    scores = (rows[:1500] @ rows[1500:].T).ravel()
    assert abs(scores.mean()) < 0.003
    assert scores.std() == pytest.approx(1 / np.sqrt(spec.dim), rel=0.1)


def test_clustered_identities_are_closer_inside_a_cluster() -> None:
    spec = se.EmbeddingSpec(dim=128, clusters=4, cluster_similarity=0.3, anisotropy=0.5)
    ids = se.identities(spec, 5, 2000)
    sims = ids @ ids.T
    np.fill_diagonal(sims, np.nan)
    upper = np.nanquantile(sims, 0.9)
    assert upper > 0.2  # same-cluster pairs (a quarter of all pairs) sit near 0.3
    assert abs(np.nanmean(sims)) < 0.15  # clusters are spread around the sphere
    iso = (
        se.identities(se.EmbeddingSpec(dim=128), 5, 2000)
        @ se.identities(se.EmbeddingSpec(dim=128), 6, 2000).T
    )
    assert np.quantile(iso, 0.9) < 0.15


def test_same_seed_same_data_whatever_the_chunk_size() -> None:
    spec = se.CLUSTERED
    a = np.concatenate(list(se.stream(spec, 20000, 9, chunk_rows=4096)))
    b = np.concatenate(list(se.stream(spec, 20000, 9, chunk_rows=777)))
    c = np.concatenate(list(se.stream(spec, 20000, 10, chunk_rows=4096)))
    assert a.shape == (20000, 512) and a.dtype == np.float32
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)


def test_stream_yields_blocks_of_the_asked_size() -> None:
    sizes = [len(b) for b in se.stream(se.ISOTROPIC, 10000, 1, chunk_rows=3000)]
    assert sizes == [3000, 3000, 3000, 1000]
    assert list(se.stream(se.ISOTROPIC, 0, 1)) == []


def test_planted_duplicates_are_genuine_and_others_are_not() -> None:
    n = 30000
    rows = np.concatenate(list(se.stream(se.CLUSTERED, n, 4, duplicate_rate=0.02)))
    pairs = se.planted_duplicates(n, 4, 0.02)
    assert len(pairs) == 600 and (pairs[:, 0] < pairs[:, 1]).all()
    assert len(np.unique(pairs)) == 1200  # no chains: every row in at most one pair
    assert np.all(np.diff(pairs[:, 1]) > 0)
    genuine = _pairs_scores(rows, pairs)
    assert genuine.mean() == pytest.approx(se.CLUSTERED.genuine_mean, abs=0.02)
    rng = np.random.default_rng(0)
    others = rng.integers(0, n, size=(5000, 2))
    others = others[others[:, 0] != others[:, 1]]
    impostor = _pairs_scores(rows, others)
    assert np.quantile(impostor, 0.999) < genuine.min()


def test_capture_of_is_deterministic_per_identity_and_session() -> None:
    spec = se.ISOTROPIC
    a0, a1 = se.capture_of(spec, 3, 42, 0), se.capture_of(spec, 3, 42, 1)
    assert np.array_equal(a0, se.capture_of(spec, 3, 42, 0))
    assert float(a0 @ a1) > 0.5
    assert abs(float(a0 @ se.capture_of(spec, 3, 43, 0))) < 0.25


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(ValueError, match="genuine_mean"):
        se.EmbeddingSpec(genuine_mean=1.0)
    with pytest.raises(ValueError, match="duplicate_rate"):
        se.planted_duplicates(10, 1, 0.9)
