"""Synthetic score samples for measuring and calibrating the biometric matchers (pure).

The product only *loads* its shipped calibrations (``shailoo.biometrics.calibration``) and
measures given scores (``shailoo.biometrics.evaluation``); this module *makes* the synthetic
impressions and impostor scores those tables and measurements come from, for
``shailoo synth evaluate`` / ``calibrate`` (also ``shailoo biometrics evaluate`` /
``calibrate``), the benchmark and the tests. Deterministic by seed.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from shailoo.biometrics import mcc
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.synth import embeddings
from shailoo.synth.fingerprints import impression, master_finger, settings_named


def synthetic_impressions(
    setting: str, identities: int, seed: int, finger: int = 2
) -> tuple[list[FingerTemplate], list[FingerTemplate]]:
    """Two impressions (enrolment, probe) of one finger of ``identities`` synthetic people."""
    chosen = settings_named(setting)
    masters = [master_finger(seed, i, finger) for i in range(identities)]
    return (
        [impression(m, 0, chosen) for m in masters],
        [impression(m, 1, chosen) for m in masters],
    )


def synthetic_impostor_scores(
    count: int,
    seed: int,
    pool: int | None = None,
    tick: Callable[[int], None] | None = None,
    settings: tuple[str, ...] = ("standard",),
) -> npt.NDArray[np.float64]:
    """Impostor scores of the MCC matcher on synthetic fingers, split evenly over settings.

    The default is the standard setting alone: its impostor tail is the heavier one (more
    minutiae per template), so thresholds calibrated on it are conservative for hard data.

    Templates come from ``pool`` distinct synthetic fingers per setting (default: one per 100
    comparisons, 60 to 1,500); pairs are drawn at
    random between different fingers. ``tick`` is called with the number of comparisons done.
    """
    if pool is None:
        pool = min(1500, max(60, count // 100))
    rng = np.random.default_rng(seed)
    out = np.empty(count, dtype=np.float64)
    done = 0
    for k, name in enumerate(settings):
        setting = settings_named(name)
        want = count // len(settings) + (1 if k < count % len(settings) else 0)
        masters = [master_finger(seed, 10_000_000 + i, 2 + 5 * k) for i in range(pool)]
        first = [mcc.prepare(impression(m, 0, setting)) for m in masters]
        second = [mcc.prepare(impression(m, 1, setting)) for m in masters]
        i = rng.integers(0, pool, size=want)
        j = (i + rng.integers(1, pool, size=want)) % pool
        for q in range(want):
            out[done] = mcc.score(first[int(i[q])], second[int(j[q])])
            done += 1
            if tick is not None and done % 1000 == 0:
                tick(1000)
    return out


def synthetic_face_impostor_scores(
    identities: int, seed: int
) -> tuple[str, npt.NDArray[np.float64]]:
    """Cosines between captures of different synthetic faces (clustered space): all pairs.

    Returns the model id and ``identities * (identities - 1)`` impostor scores.
    """
    spec = embeddings.CLUSTERED
    ident = embeddings.identities(spec, seed, identities)
    first = embeddings.captures(spec, seed + 1, ident)
    second = embeddings.captures(spec, seed + 2, ident)
    cos = (first @ second.T).astype(np.float64)
    off = ~np.eye(identities, dtype=bool)
    return spec.model_id, cos[off]
