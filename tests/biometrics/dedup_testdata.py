"""Test data for the deduplication tests: synthetic faces and fingers with planted duplicates.

Faces come from the shared generator (``shailoo.synth.embeddings``); fingers from
``shailoo.synth.fingerprints``. Prepared fingerprints are cached per process because
building cylinders is the slow part.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from shailoo.biometrics import mcc
from shailoo.biometrics.calibration import ScoreCalibration, fit
from shailoo.synth import embeddings as synth_faces
from shailoo.synth.fingerprints import STANDARD, impression, master_finger

SEED = 4242


def faces(
    n: int, *, clustered: bool = False, rate: float = 0.02, seed: int = SEED
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """``n`` unit embeddings and the planted ``(original, duplicate)`` row pairs."""
    spec = synth_faces.CLUSTERED if clustered else synth_faces.ISOTROPIC
    spec = synth_faces.EmbeddingSpec(
        dim=128,
        clusters=spec.clusters,
        cluster_similarity=spec.cluster_similarity,
        anisotropy=spec.anisotropy,
    )
    rows = np.concatenate(list(synth_faces.stream(spec, n, seed, duplicate_rate=rate)))
    return rows, synth_faces.planted_duplicates(n, seed, rate)


@lru_cache(maxsize=4)
def finger_people(
    persons: int, duplicates: int, positions: tuple[int, ...] = (2, 7)
) -> tuple[dict[int, mcc.PreparedTemplate], ...]:
    """Prepared fingers of ``persons`` people, then ``duplicates`` second enrolments of the
    first ``duplicates`` people (other impressions of the same fingers)."""
    people: list[dict[int, mcc.PreparedTemplate]] = []
    for identity in list(range(persons)) + list(range(duplicates)):
        session = 0 if len(people) < persons else 1
        people.append(
            {
                pos: mcc.prepare(impression(master_finger(SEED, identity, pos), session, STANDARD))
                for pos in positions
            }
        )
    return tuple(people)


@lru_cache(maxsize=2)
def finger_calibration(persons: int = 80, duplicates: int = 10) -> ScoreCalibration:
    """A matcher calibration fitted on the impostor pairs among the first ``persons`` of
    :func:`finger_people` (tests do not depend on the shipped calibration file)."""
    people = finger_people(persons, duplicates)
    scores = [
        mcc.score(people[i][pos], people[j][pos])
        for i in range(persons)
        for j in range(i + 1, persons)
        for pos in people[i]
    ]
    return fit(scores)
