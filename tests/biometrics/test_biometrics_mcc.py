"""The MCC matcher: invariance, separation, symmetry, degenerate inputs, batch scoring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shailoo.biometrics import mcc
from shailoo.biometrics.minutiae import FingerTemplate, Minutia, MinutiaKind
from shailoo.synth.fingerprints import STANDARD, impression, master_finger

PAIRS = [
    (impression(master_finger(21, i, 2), 0), impression(master_finger(21, i, 2), 1))
    for i in range(16)
]
PREPARED = [(mcc.prepare(a), mcc.prepare(b)) for a, b in PAIRS]


def moved(t: FingerTemplate, degrees: float, dx: int, dy: int, sign: int = 1) -> FingerTemplate:
    """Rotate about the image centre (counter-clockwise as seen) and shift; ``sign=-1`` turns
    the directions the wrong way, as a codec with a flipped angle convention would."""
    a = math.radians(degrees)
    cx, cy = t.width / 2, t.height / 2
    out = []
    for m in t.minutiae:
        u, v = m.x - cx, -(m.y - cy)
        x = round(cx + math.cos(a) * u - math.sin(a) * v) + dx
        y = round(cy - (math.sin(a) * u + math.cos(a) * v)) + dy
        out.append(Minutia(x, y, (m.theta + sign * a) % (2 * math.pi), m.kind, m.quality))
    return FingerTemplate(t.width + 400, t.height + 400, tuple(out))


def test_rotated_and_translated_copy_scores_like_the_original() -> None:
    """Invariance holds for any translation and rotations up to the matchable-direction
    limit (90 degrees, as in the MCC paper; sensors capture upright fingers)."""
    for a, _ in PAIRS[:6]:
        base = mcc.score(mcc.prepare(a), mcc.prepare(a))
        for degrees, dx, dy in ((25.0, 40, -30), (-60.0, 150, 90), (80.0, 300, 0)):
            copy = mcc.prepare(moved(a, degrees, dx, dy))
            assert mcc.score(mcc.prepare(a), copy) >= 0.85 * base  # pixel rounding only


def test_directions_turning_the_wrong_way_break_the_match() -> None:
    a = PAIRS[0][0]
    right = mcc.score(mcc.prepare(a), mcc.prepare(moved(a, 40.0, 0, 0)))
    wrong = mcc.score(mcc.prepare(a), mcc.prepare(moved(a, 40.0, 0, 0, sign=-1)))
    assert wrong < 0.5 * right


def test_direction_errors_of_ten_degrees_keep_most_of_the_score() -> None:
    """Every direction off by +-10 degrees (an ordinary extractor error): a pair's relative
    direction then errs by up to 20 degrees, which the relaxation must still call compatible
    (at the paper's pi/12 tolerance the score fell to 12-18 % of the self-score)."""
    for i, (a, _) in enumerate(PAIRS[:8]):
        rng = np.random.default_rng(i)
        signs = rng.choice([-1.0, 1.0], size=len(a.minutiae))
        turned = FingerTemplate(
            a.width,
            a.height,
            tuple(
                Minutia(m.x, m.y, m.theta + s * math.radians(10.0), m.kind, m.quality)
                for m, s in zip(a.minutiae, signs, strict=True)
            ),
        )
        prepared = mcc.prepare(a)
        assert mcc.score(prepared, mcc.prepare(turned)) >= 0.3 * mcc.score(prepared, prepared)


def test_genuine_scores_exceed_impostor_scores_with_margin() -> None:
    genuine = np.array([mcc.score(a, b) for a, b in PREPARED])
    impostor = np.array(
        [mcc.score(PREPARED[i][0], PREPARED[j][1]) for i in range(16) for j in range(16) if i != j]
    )
    assert genuine.mean() > 3 * impostor.mean()
    assert genuine.min() > np.quantile(impostor, 0.99)
    assert impostor.min() >= 0.0 and genuine.max() <= 1.0


def test_scores_are_nearly_symmetric() -> None:
    for a, b in PREPARED[:8]:
        ab, ba = mcc.score(a, b), mcc.score(b, a)
        assert abs(ab - ba) <= 0.1 * max(ab, ba) + 1e-3


def test_empty_and_degenerate_templates_score_zero() -> None:
    empty = FingerTemplate(400, 480, ())
    one = FingerTemplate(400, 480, (Minutia(100, 100, 1.0),))
    clump = FingerTemplate(
        400, 480, tuple(Minutia(200, 200, 0.5, MinutiaKind.BIFURCATION) for _ in range(5))
    )
    real = PREPARED[0][0]
    for t in (empty, one, clump):
        p = mcc.prepare(t)
        assert mcc.score(p, real) == 0.0
        assert mcc.score(real, p) == 0.0
        assert mcc.score(p, p) == 0.0
    assert mcc.prepare(empty).cylinders == 0


def test_score_many_agrees_with_score_and_selects_positions() -> None:
    gallery = [b for _, b in PREPARED]
    stack = mcc.TemplateStack.of(gallery)
    probe = PREPARED[3][0]
    every = mcc.score_many(probe, stack)
    assert len(stack) == len(gallery)
    assert np.allclose(every, [mcc.score(probe, g) for g in gallery])
    assert int(np.argmax(every)) == 3
    some = mcc.score_many(probe, stack, np.array([5, 3]))
    assert np.allclose(some, every[[5, 3]])
    with pytest.raises(IndexError):
        mcc.score_many(probe, stack, np.array([len(gallery)]))
    assert mcc.score_many(probe, mcc.TemplateStack.of([])).shape == (0,)


def test_prefilter_ranks_the_mate_near_the_top() -> None:
    stack = mcc.TemplateStack.of([b for _, b in PREPARED])
    ranks = []
    for i, (a, _) in enumerate(PREPARED):
        pre = mcc.prefilter_many(a, stack)
        ranks.append(int(np.sum(pre > pre[i])))
    assert np.mean(np.array(ranks) == 0) >= 0.9


def test_prepare_keeps_only_informative_cylinders() -> None:
    p = mcc.prepare(impression(master_finger(21, 99, 2), 0, STANDARD))
    assert 0 < p.cylinders <= p.minutiae
    assert p.bits.shape == (p.cylinders, mcc.WORDS)
    assert p.mask.shape == (p.cylinders, mcc.MASK_WORDS)
    # a valid cylinder covers at least the minimum share of its disc
    assert p.mask_count.min() >= 0.75 * 0.7 * mcc.CELLS


def test_kernels_release_the_interpreter_lock() -> None:
    """Two stations identifying at once on one server's threads must use two cores: every
    compiled kernel the check-in and the dedup run must release the GIL."""
    import numba

    from shailoo.biometrics import mcc
    from shailoo.biometrics.dedup import index

    kernels = [
        value
        for module in (mcc, index)
        for value in vars(module).values()
        if isinstance(value, numba.core.registry.CPUDispatcher)
    ]
    assert len(kernels) >= 8
    assert [k.__name__ for k in kernels if not k.targetoptions.get("nogil")] == []
