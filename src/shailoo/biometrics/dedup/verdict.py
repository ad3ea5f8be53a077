"""A plain verdict on a likely duplicate: which fingers and whether the face agree (pure).

Commission staff decide a pair from two register records; cosines and ``-log10 FMR`` mean
little to them. The verdict reads each compared modality against the operating points the
engine already decides with, never a threshold of its own:

- a **finger agrees** when its calibrated strength alone reaches the matcher's one-to-one
  verification point (``-log10`` of ``BIOMETRICS_THRESHOLDS["verify_fmr"]``: the point at
  which a station device would accept that finger as the voter's);
- the **face agrees** when its cosine reaches the face threshold of the run that found the
  pair (``dedup.confirm.Thresholds.face``);
- the **queue decision** is the engine's own (``dedup.confirm.is_candidate`` on the stored
  fused strength, under the run's thresholds).

Then: *likely the same person* when the engine queues the pair and every compared modality
agrees; *likely different people* when the engine would not queue it and no finger agrees
(with no finger compared, when the face disagrees): the engine's own rule that fingers
overrule a look-alike face (twins); *unclear* otherwise, and when nothing was compared. The
order DIFFERENT < UNCLEAR < SAME is monotone: a modality that comes to agree, or a queue
decision that comes to hold, never makes the verdict weaker.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum

from shailoo.biometrics.dedup.confirm import Evidence, Thresholds, is_candidate

#: ISO/IEC 19794-2 finger positions (0 is "unknown finger").
FINGER_POSITIONS = range(0, 11)


class Level(IntEnum):
    """How strongly the evidence says "one person" (ordered: a larger value is stronger)."""

    DIFFERENT = 0
    UNCLEAR = 1
    SAME = 2


@dataclass(frozen=True, slots=True)
class FingerReading:
    """One finger position compared for both persons, and whether it agrees."""

    position: int
    score: float
    strength: float
    agrees: bool


@dataclass(frozen=True, slots=True)
class Verdict:
    """The verdict and what it rests on, for the page to put into words."""

    level: Level
    fingers: tuple[FingerReading, ...]
    face: float | None
    face_agrees: bool | None  # None: no face compared
    queued: bool  # the engine's decision on the stored fused strength
    fused: float

    @property
    def fingers_compared(self) -> int:
        return len(self.fingers)

    @property
    def fingers_agreeing(self) -> int:
        return sum(1 for f in self.fingers if f.agrees)

    @property
    def compared(self) -> int:
        """Modalities compared: each finger, and the face if both persons have one."""
        return self.fingers_compared + (self.face_agrees is not None)

    @property
    def agreeing(self) -> int:
        return self.fingers_agreeing + bool(self.face_agrees)


def finger_threshold(verify_fmr: float) -> float:
    """The strength (``-log10 FMR``) at which one finger counts as agreeing."""
    if not 0.0 < verify_fmr < 1.0:
        raise ValueError(f"verify_fmr must be in (0, 1), got {verify_fmr}")
    return -math.log10(verify_fmr)


def level_of(
    fingers_agreeing: int, fingers_compared: int, face_agrees: bool | None, queued: bool
) -> Level:
    """The decision rule (see the module's docstring), on counts alone."""
    if not 0 <= fingers_agreeing <= fingers_compared:
        raise ValueError("agreeing fingers must be between 0 and the fingers compared")
    if fingers_compared == 0 and face_agrees is None:
        return Level.UNCLEAR
    if queued and fingers_agreeing == fingers_compared and face_agrees is not False:
        return Level.SAME
    if not queued and fingers_agreeing == 0 and (fingers_compared > 0 or face_agrees is False):
        return Level.DIFFERENT
    return Level.UNCLEAR


def judge(evidence: Evidence, thresholds: Thresholds, finger_strength: float) -> Verdict:
    """The verdict on one pair's evidence under the engine's operating points.

    Only finger positions with both a raw score and a strength count as compared (a score
    without a calibration was never fused, so it decides nothing).
    """
    fingers = tuple(
        FingerReading(pos, evidence.fingers[pos], strength, strength >= finger_strength)
        for pos, strength in sorted(evidence.finger_strengths.items())
        if pos in evidence.fingers
    )
    face_agrees = None if evidence.face is None else evidence.face >= thresholds.face
    queued = is_candidate(evidence, thresholds)
    agreeing = sum(1 for f in fingers if f.agrees)
    return Verdict(
        level=level_of(agreeing, len(fingers), face_agrees, queued),
        fingers=fingers,
        face=evidence.face,
        face_agrees=face_agrees,
        queued=queued,
        fused=evidence.fused,
    )


def _number(value: object) -> float | None:
    """A finite number from stored JSON, else None (a bool is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _per_finger(value: object) -> dict[int, float]:
    """``{"2": 0.14, ...}`` as ``{2: 0.14}``; entries that are not a finger and a number go."""
    if not isinstance(value, Mapping):
        return {}
    out: dict[int, float] = {}
    for key, raw in value.items():
        text = str(key)
        number = _number(raw)
        if (
            text.isascii()
            and text.isdigit()
            and int(text) in FINGER_POSITIONS
            and number is not None
        ):
            out[int(text)] = number
    return out


def evidence_from_json(
    stored: Mapping[str, object], *, face: float | None = None, fused: float | None = None
) -> Evidence:
    """The engine's :class:`Evidence` back from a pair's stored ``evidence`` JSON.

    ``face`` and ``fused`` are the pair's own columns when given (they are what the queue
    is ordered by); else the JSON's. A value that is not a finite number counts as absent.
    """
    fingers = _per_finger(stored.get("fingers"))
    strengths = {
        pos: max(0.0, s)
        for pos, s in _per_finger(stored.get("finger_strengths")).items()
        if pos in fingers
    }
    face_value = _number(face) if face is not None else _number(stored.get("face"))
    fused_value = _number(fused) if fused is not None else _number(stored.get("fused"))
    votes = _number(stored.get("lsh_votes"))
    return Evidence(
        face=face_value,
        face_strength=_number(stored.get("face_strength")),
        fingers=fingers,
        finger_strengths=strengths,
        votes=int(votes) if votes is not None else 0,
        fused=max(0.0, fused_value or 0.0),
    )


def thresholds_from_json(config: Mapping[str, object], default: Thresholds) -> Thresholds:
    """The thresholds a run stored in its configuration, else ``default``."""
    stored = config.get("thresholds") if isinstance(config, Mapping) else None
    if not isinstance(stored, Mapping):
        return default
    face, strength = _number(stored.get("face")), _number(stored.get("strength"))
    if face is None or strength is None:
        return default
    try:
        return Thresholds(face=face, strength=strength)
    except ValueError:
        return default
