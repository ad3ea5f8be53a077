"""Confirmation and fusion of shortlisted pairs: the matcher decides, not the shortlist (pure).

A shortlist only says "worth a look". Each shortlisted pair is compared with the minutiae
matcher on every finger position both persons have, each raw score becomes a strength
``-log10 FMR`` (``shailoo.biometrics.calibration``) and the strengths of fingers and face
are fused (``shailoo.biometrics.fusion``: Fisher's method), so pairs with different numbers
of fingers land on one scale and one threshold rules the queue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from shailoo.biometrics import mcc
from shailoo.biometrics.calibration import ScoreCalibration
from shailoo.biometrics.fusion import fuse

PreparedFingers = Mapping[int, mcc.PreparedTemplate]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a confirmed pair goes to the adjudication queue (see docs/operator/dedup.md).

    ``face`` is the cosine at which a face pair counts; ``strength`` the fused
    ``-log10 FMR`` a pair needs. Set ``strength`` from the expected number of false pairs
    ``E`` over ``N`` persons: ``-log10(2E / N²)``.
    """

    face: float = 0.5
    strength: float = 11.0

    def __post_init__(self) -> None:
        if not -1.0 < self.face < 1.0:
            raise ValueError(f"face threshold is a cosine in (-1, 1), got {self.face}")
        if not 0.0 < self.strength < 100.0:
            raise ValueError(f"strength threshold must be in (0, 100), got {self.strength}")


def strength_for_expected(persons: int, expected_false_pairs: float) -> float:
    """The fused strength at which ``persons`` yield about ``expected_false_pairs`` false pairs.

    A self-join makes ``N(N-1)/2`` comparisons, so ``FMR = E / (N(N-1)/2)``.
    """
    pairs = max(persons * (persons - 1) / 2.0, 1.0)
    return -math.log10(max(expected_false_pairs, 1e-12) / pairs)


@dataclass(slots=True)
class Evidence:
    """What was measured for one pair: the face cosine, the finger scores, the fusion."""

    face: float | None = None
    face_strength: float | None = None
    fingers: dict[int, float] = field(default_factory=dict)
    finger_strengths: dict[int, float] = field(default_factory=dict)
    votes: int = 0
    fused: float = 0.0

    def as_json(self) -> dict[str, object]:
        """Plain scores for the queue; never a template."""
        return {
            "face": None if self.face is None else round(self.face, 4),
            "face_strength": None if self.face_strength is None else round(self.face_strength, 2),
            "fingers": {str(k): round(v, 4) for k, v in sorted(self.fingers.items())},
            "finger_strengths": {
                str(k): round(v, 2) for k, v in sorted(self.finger_strengths.items())
            },
            "lsh_votes": self.votes,
            "fused": round(self.fused, 2),
        }


def confirm(
    a: PreparedFingers | None,
    b: PreparedFingers | None,
    calibration: ScoreCalibration | None,
    *,
    face: float | None = None,
    face_calibration: ScoreCalibration | None = None,
    votes: int = 0,
) -> Evidence:
    """Match the common fingers of two persons and fuse them with the face score."""
    evidence = Evidence(face=face, votes=votes)
    strengths: list[float] = []
    if face is not None and face_calibration is not None:
        evidence.face_strength = float(face_calibration.strength(face))
        strengths.append(evidence.face_strength)
    common = sorted(set(a or {}) & set(b or {})) if calibration is not None else []
    for position in common:
        assert a is not None and b is not None and calibration is not None
        raw = mcc.score(a[position], b[position])
        strength = float(calibration.strength(raw))
        evidence.fingers[position] = raw
        evidence.finger_strengths[position] = strength
        strengths.append(strength)
    evidence.fused = fuse(strengths) if strengths else 0.0
    return evidence


def is_candidate(evidence: Evidence, thresholds: Thresholds) -> bool:
    """Whether the pair goes to adjudication.

    When fingers were compared, the fused strength decides (face strength included when the
    face model is calibrated): a face look-alike whose fingers disagree (twins, siblings)
    is a different person and stays out of the queue. Without a common finger, the face
    threshold decides, and it must then be set by the face model's false-match rate.
    """
    if evidence.fingers:
        return evidence.fused >= thresholds.strength
    if evidence.face is not None:
        return evidence.face >= thresholds.face
    return evidence.fused >= thresholds.strength
