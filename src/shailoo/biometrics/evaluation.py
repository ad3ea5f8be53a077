"""Verification and identification error metrics over score samples (pure).

Conventions: higher scores mean "more alike"; a comparison is accepted when its score is
``>= threshold``. FMR is the share of impostor scores accepted, FNMR the share of genuine
scores rejected. Empirical operating points are only claimed where the sample supports them:
an FMR of ``f`` needs at least ``1/f`` impostor comparisons, else the result is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Scores = npt.ArrayLike


def _sorted(values: Scores, name: str) -> npt.NDArray[np.float64]:
    s = np.sort(np.asarray(values, dtype=np.float64).ravel())
    if s.size == 0:
        raise ValueError(f"no {name} scores")
    if not np.all(np.isfinite(s)):
        raise ValueError(f"{name} scores must be finite numbers")
    return s


def error_rates(
    genuine: Scores, impostor: Scores, thresholds: Scores
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """FMR and FNMR at each threshold."""
    g = _sorted(genuine, "genuine")
    i = _sorted(impostor, "impostor")
    t = np.asarray(thresholds, dtype=np.float64)
    fmr = 1.0 - np.searchsorted(i, t, side="left") / i.size
    fnmr = np.searchsorted(g, t, side="left") / g.size
    return fmr, fnmr


def det_curve(
    genuine: Scores, impostor: Scores
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """FMR and FNMR at every distinct observed score (FMR decreasing): the DET curve."""
    g = _sorted(genuine, "genuine")
    i = _sorted(impostor, "impostor")
    thresholds = np.unique(np.concatenate([g, i, [np.nextafter(max(g[-1], i[-1]), np.inf)]]))
    return error_rates(g, i, thresholds)


def equal_error_rate(genuine: Scores, impostor: Scores) -> float:
    """The rate where FMR and FNMR cross (linear interpolation between observed thresholds)."""
    fmr, fnmr = det_curve(genuine, impostor)
    diff = fmr - fnmr  # decreasing from >= 0 to <= 0
    k = int(np.searchsorted(-diff, 0.0, side="left"))
    if k == 0:
        return float((fmr[0] + fnmr[0]) / 2)
    if k >= diff.size:
        return float((fmr[-1] + fnmr[-1]) / 2)
    d0, d1 = diff[k - 1], diff[k]
    w = d0 / (d0 - d1) if d0 != d1 else 0.5
    a = fmr[k - 1] + w * (fmr[k] - fmr[k - 1])
    b = fnmr[k - 1] + w * (fnmr[k] - fnmr[k - 1])
    return float((a + b) / 2)


def threshold_at_fmr(impostor: Scores, fmr: float) -> float | None:
    """Lowest threshold whose empirical FMR is at most ``fmr``; None if the sample is too small."""
    i = _sorted(impostor, "impostor")
    if not 0.0 < fmr < 1.0:
        raise ValueError(f"FMR must be in (0, 1), got {fmr}")
    if i.size * fmr < 1.0:
        return None
    allowed = int(np.floor(fmr * i.size + 1e-9))
    return float(np.nextafter(i[i.size - 1 - allowed], np.inf))


def fnmr_at_fmr(genuine: Scores, impostor: Scores, fmr: float) -> float | None:
    """FNMR at the empirical threshold for ``fmr`` (None when too few impostors)."""
    t = threshold_at_fmr(impostor, fmr)
    if t is None:
        return None
    g = _sorted(genuine, "genuine")
    return float(np.searchsorted(g, t, side="left") / g.size)


def rank_one_rate(scores: npt.ArrayLike, mates: npt.ArrayLike) -> float:
    """Share of probes (rows) whose mate (column ``mates[row]``) scores strictly highest."""
    m = np.asarray(scores, dtype=np.float64)
    mate = np.asarray(mates, dtype=np.int64)
    if m.ndim != 2 or m.shape[0] != mate.size or m.shape[0] == 0:
        raise ValueError("scores must be probes x gallery with one mate index per probe")
    rows = np.arange(m.shape[0])
    mate_scores = m[rows, mate]
    others = m.copy()
    others[rows, mate] = -np.inf
    return float(np.mean(mate_scores > others.max(axis=1)))


@dataclass(frozen=True, slots=True)
class IdentificationRates:
    """Open-set identification at one threshold: misses among mated searches, false alarms."""

    threshold: float
    fnir: float
    fpir: float
    mated: int
    non_mated: int


def identification_rates(
    mated_scores: Scores,
    mated_ranked_first: npt.ArrayLike,
    non_mated_best: Scores,
    threshold: float,
) -> IdentificationRates:
    """FNIR: mated searches whose mate is not first at or above the threshold;
    FPIR: non-mated searches whose best candidate reaches the threshold."""
    ms = np.asarray(mated_scores, dtype=np.float64)
    first = np.asarray(mated_ranked_first, dtype=bool)
    nm = np.asarray(non_mated_best, dtype=np.float64)
    hit = first & (ms >= threshold)
    fnir = float(1.0 - hit.mean()) if ms.size else float("nan")
    fpir = float(np.mean(nm >= threshold)) if nm.size else float("nan")
    return IdentificationRates(threshold, fnir, fpir, int(ms.size), int(nm.size))


def impostor_pairs(identities: int, count: int, seed: int) -> npt.NDArray[np.int64]:
    """``count`` distinct (enrolment of i, probe of j) index pairs with ``i != j``."""
    if identities < 2:
        raise ValueError("impostor pairs need at least two identities")
    possible = identities * (identities - 1)
    if count > possible:
        raise ValueError(f"only {possible} impostor pairs exist among {identities} identities")
    rng = np.random.default_rng([seed, 0x1A7])
    chosen: set[int] = set()
    while len(chosen) < count:
        code = rng.integers(0, identities * identities, size=2 * (count - len(chosen)) + 16)
        for c in code.tolist():
            if c // identities != c % identities:
                chosen.add(c)
                if len(chosen) == count:
                    break
    codes = np.array(sorted(chosen), dtype=np.int64)
    rng.shuffle(codes)
    return np.column_stack([codes // identities, codes % identities])
