"""Fusion of calibrated comparison strengths across fingers and face.

Every comparison arrives as a *strength* ``s = -log10(FMR)`` (``shailoo.biometrics.
calibration``): for an impostor, ``10 ** -s`` is uniform on (0, 1]. Assuming the comparisons
of different fingers (and the face) are independent for impostors, the sum of ``k``
strengths of an impostor, times ``ln 10``, follows a Gamma(k, 1) law (Fisher's method), so
the false-match rate of the fused score ``S`` is exactly

    FMR(S, k) = exp(-S ln 10) * sum_{j<k} (S ln 10)^j / j!

and the fused strength ``-log10 FMR(S, k)`` is again on the same scale as one finger. That
makes candidates with different numbers of usable fingers comparable, and lets one threshold
rule them all: for a gallery of ``N`` references, ``FPIR ~= N * FMR``, so a target FPIR is
met by the strength threshold ``-log10(FPIR / N)`` (``identification_threshold``).

Independence is an assumption: fingers of one person correlate a little (pattern class),
which makes the fused FMR mildly optimistic; strengths are capped per comparison for that
reason (see the calibration's ``cap``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

LN10 = math.log(10.0)


def fused_strength(total: npt.ArrayLike, count: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Fused ``-log10 FMR`` of ``count`` independent strengths summing to ``total`` (arrays).

    ``count`` 0 gives 0 (no evidence); ``count`` 1 gives ``total`` back.
    """
    s = np.maximum(np.asarray(total, dtype=np.float64), 0.0)
    k = np.asarray(count, dtype=np.int64)
    s, k = np.broadcast_arrays(s, k)
    x = s * LN10
    series = np.ones_like(x)
    term = np.ones_like(x)
    kmax = int(k.max()) if k.size else 0
    for j in range(1, kmax):
        term = term * x / j
        series = series + np.where(j < k, term, 0.0)
    out = s - np.log10(series)
    return np.where(k > 0, np.maximum(out, 0.0), 0.0)


def fuse(strengths: Sequence[float]) -> float:
    """Fused strength of a few comparisons (one per finger, and the face)."""
    if not strengths:
        return 0.0
    if any(s < 0 or math.isnan(s) for s in strengths):
        raise ValueError("strengths are -log10 FMR values: non-negative numbers")
    return float(fused_strength(sum(strengths), len(strengths)))


def identification_threshold(gallery_size: int, target_fpir: float) -> float:
    """Strength a candidate needs so a non-mated search is falsely matched at rate ``target_fpir``.

    ``FPIR ~= N * FMR`` for ``N`` references (union bound, tight when ``N * FMR`` is small).
    """
    if not 0.0 < target_fpir < 1.0:
        raise ValueError(f"target FPIR must be in (0, 1), got {target_fpir}")
    return -math.log10(target_fpir / max(1, gallery_size))
