"""Finger minutiae in one internal convention, shared by codecs, synthesis and matchers.

Standards disagree on units (ISO/IEC 19794-2 uses 360/256 degree steps, ANSI/INCITS 378 two
degrees) but agree that angles run counter-clockwise from the horizontal as a person looks at
the image, while image rows grow downwards. Everything inside Shailoo therefore holds:

- ``x``, ``y``: pixel coordinates in the image, origin top-left, ``y`` growing downwards;
- ``theta``: radians in ``[0, 2π)``, counter-clockwise *as seen on the image*, so the
  direction a minutia points to is ``(cos θ, -sin θ)`` in pixel coordinates.

Codecs convert units at the border; matchers never see a standard's raw angle byte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

TWO_PI = 2.0 * math.pi


class MinutiaKind(IntEnum):
    """Minutia types as both standards code them in the two top bits of the x field."""

    OTHER = 0
    RIDGE_ENDING = 1
    BIFURCATION = 2


@dataclass(frozen=True, slots=True)
class Minutia:
    """One minutia: position in pixels, direction in radians, type and quality (0-100)."""

    x: int
    y: int
    theta: float
    kind: MinutiaKind = MinutiaKind.RIDGE_ENDING
    quality: int = 60

    def __post_init__(self) -> None:
        if not 0.0 <= self.theta < TWO_PI:
            object.__setattr__(self, "theta", self.theta % TWO_PI)

    def direction(self) -> tuple[float, float]:
        """Unit vector the minutia points to, in pixel coordinates (y down)."""
        return math.cos(self.theta), -math.sin(self.theta)


@dataclass(frozen=True, slots=True)
class FingerTemplate:
    """The minutiae of one impression of one finger, with the sensor geometry they came from.

    ``finger`` is the ISO/IEC 19794-2 finger position code (0 unknown, 1 right thumb ... 10
    left little finger). ``resolution`` is in pixels per centimetre, as both standards store it
    (197 px/cm = 500 dpi).
    """

    width: int
    height: int
    minutiae: tuple[Minutia, ...]
    resolution: int = 197
    finger: int = 0
    impression: int = 0
    quality: int = 60

    def as_array(self) -> npt.NDArray[np.float64]:
        """The minutiae as an ``(n, 4)`` array of ``x, y, theta, kind`` for vectorised matchers."""
        if not self.minutiae:
            return np.zeros((0, 4), dtype=np.float64)
        return np.array([(m.x, m.y, m.theta, int(m.kind)) for m in self.minutiae], dtype=np.float64)


@dataclass(frozen=True, slots=True)
class FingerSet:
    """Several fingers of one person at one capture, keyed by finger position."""

    fingers: dict[int, FingerTemplate] = field(default_factory=dict)
