"""Fusion of -log10 FMR strengths (Fisher's method): exactness and order properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.biometrics.fusion import fuse, fused_strength, identification_threshold

strength = st.floats(min_value=0.0, max_value=12.0, allow_nan=False)


@given(strength)
def test_one_comparison_is_its_own_strength(s: float) -> None:
    assert fuse([s]) == pytest.approx(s)


@given(st.lists(strength, min_size=1, max_size=6), st.randoms())
def test_order_of_fingers_does_not_matter(values: list[float], rnd: object) -> None:
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert fuse(shuffled) == pytest.approx(fuse(values))


@given(st.lists(strength, min_size=1, max_size=6), st.integers(0, 5), st.floats(0.01, 3.0))
def test_more_evidence_on_one_finger_never_lowers_the_fused_score(
    values: list[float], which: int, extra: float
) -> None:
    bumped = list(values)
    bumped[which % len(values)] += extra
    assert fuse(bumped) >= fuse(values) - 1e-12


@given(st.floats(0.0, 60.0), st.integers(1, 8))
def test_the_same_total_over_more_comparisons_is_weaker(total: float, k: int) -> None:
    a = fused_strength(total, k)
    b = fused_strength(total, k + 1)
    assert b <= a + 1e-12
    assert b >= 0.0


def test_fused_fmr_is_exact_for_independent_impostors() -> None:
    u = np.random.default_rng(1).random((2_000_000, 2))
    total = -np.log10(u).sum(axis=1)
    for s in (2.0, 4.0, 5.0):
        fused = float(fused_strength(s, 2))
        measured = float(np.mean(total >= s))
        assert measured == pytest.approx(10.0**-fused, rel=0.1)


def test_no_comparison_is_no_evidence_and_bad_values_are_refused() -> None:
    assert fuse([]) == 0.0
    assert float(fused_strength(5.0, 0)) == 0.0
    with pytest.raises(ValueError, match="non-negative"):
        fuse([1.0, -0.5])


def test_identification_threshold_follows_fpir_over_n() -> None:
    assert identification_threshold(3000, 1e-3) == pytest.approx(-math.log10(1e-3 / 3000))
    assert identification_threshold(4_000_000, 1e-3) > identification_threshold(3000, 1e-3)
    with pytest.raises(ValueError):
        identification_threshold(10, 0.0)
