"""Scoring ovals: how much of each oval's interior the voter inked.

Every oval is resampled from the image through the frame's homography into a small patch in
page coordinates (:data:`~.geometry_constants.SAMPLES_PER_PT` samples per point), all ovals of a
sheet in one ``cv2.remap`` call. Grey values are divided by the paper-white estimate, so uneven
light does not darken a blank oval. The blank template (the printed outline with a band either
side) is removed, the voter's ink is spread by ``MARK_SPREAD`` and the score is the covered
share of the scored interior (see :mod:`.geometry_constants`). The outline itself is also
checked: an oval whose printed outline is not where the grid says means the grid is wrong or
the paper is damaged there, and the sheet is not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np
import numpy.typing as npt

from shailoo.counting.ballots import layout as lay
from shailoo.counting.omr import geometry_constants as gc
from shailoo.counting.omr.frame import Frame, Gray, project

PAD = 3.0  # points of paper around the oval in a patch
PATCH_W = round((lay.OVAL_WIDTH + 2 * PAD) * gc.SAMPLES_PER_PT)
PATCH_H = round((lay.OVAL_HEIGHT + 2 * PAD) * gc.SAMPLES_PER_PT)
#: Least share of the outline's centre line that must be dark for the oval to count as found.
MIN_OUTLINE = 0.6


@dataclass(frozen=True, slots=True)
class Templates:
    """Boolean masks of a patch: scored interior, outline band, outline centre line."""

    interior: npt.NDArray[np.bool_]
    band: npt.NDArray[np.bool_]
    line: npt.NDArray[np.bool_]
    spread: npt.NDArray[np.uint8]


@cache
def templates() -> Templates:
    q = gc.SAMPLES_PER_PT
    ys, xs = np.mgrid[0:PATCH_H, 0:PATCH_W].astype(np.float64)
    x = (xs + 0.5) / q - (PAD + lay.OVAL_WIDTH / 2)
    y = (ys + 0.5) / q - (PAD + lay.OVAL_HEIGHT / 2)
    a, b = lay.OVAL_WIDTH / 2, lay.OVAL_HEIGHT / 2

    def inside(da: float, db: float) -> npt.NDArray[np.bool_]:
        return np.asarray((x / da) ** 2 + (y / db) ** 2 <= 1.0)

    band = inside(a + gc.OUTLINE_BAND, b + gc.OUTLINE_BAND) & ~inside(
        a - gc.OUTLINE_BAND, b - gc.OUTLINE_BAND
    )
    half = lay.OVAL_STROKE / 2 + 0.15
    line = inside(a + half, b + half) & ~inside(a - half, b - half)
    interior = inside(gc.INTERIOR_A, gc.INTERIOR_B)
    r = max(1, round(gc.MARK_SPREAD * q))
    spread = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    return Templates(interior, band, line, np.asarray(spread, dtype=np.uint8))


@dataclass(frozen=True, slots=True)
class OvalScores:
    fills: npt.NDArray[np.float64]  # score per oval, 0..1
    outline: npt.NDArray[np.float64]  # share of the outline centre line found dark


def _sample_grid() -> npt.NDArray[np.float64]:
    q = gc.SAMPLES_PER_PT
    ys, xs = np.mgrid[0:PATCH_H, 0:PATCH_W].astype(np.float64)
    return np.stack(
        [(xs + 0.5) / q - (PAD + lay.OVAL_WIDTH / 2), (ys + 0.5) / q - (PAD + lay.OVAL_HEIGHT / 2)],
        axis=-1,
    )


def sample_ovals(
    image: Gray, frame: Frame, centres: npt.NDArray[np.float64]
) -> npt.NDArray[np.float32]:
    """Darkness (0 paper .. 1 black) patches of every oval, stacked: (n, PATCH_H, PATCH_W)."""
    n = len(centres)
    offsets = _sample_grid().reshape(-1, 2)
    page = (centres[:, None, :] + offsets[None, :, :]).reshape(-1, 2)
    img = project(frame.homography, page)
    map_x = img[:, 0].astype(np.float32).reshape(n * PATCH_H, PATCH_W)
    map_y = img[:, 1].astype(np.float32).reshape(n * PATCH_H, PATCH_W)
    grey = cv2.remap(
        image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )
    s = frame.work_scale
    white = cv2.remap(
        frame.background, map_x * s, map_y * s, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    darkness = smooth(1.0 - grey.astype(np.float32) / white)
    return np.clip(darkness, 0.0, 1.0).reshape(n, PATCH_H, PATCH_W)


def smooth(darkness: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Scanner noise is per pixel, a pen stroke is not: smoothing cuts one and keeps the other."""
    return np.asarray(cv2.GaussianBlur(darkness, (5, 5), 0.8), dtype=np.float32)


def score_ovals(darkness: npt.NDArray[np.float32]) -> OvalScores:
    """Scores from darkness patches (see module docstring)."""
    t = templates()
    n = darkness.shape[0]
    ink = darkness > gc.INK_DARKNESS
    faint = darkness > gc.INK_DARKNESS / 2
    outline = faint[:, t.line].mean(axis=1) if n else np.zeros(0)
    voter = (ink & ~t.band[None]).astype(np.uint8)
    # Spread each patch on its own: stack them with a blank row between so none touches.
    tall = np.zeros((n, PATCH_H + 4, PATCH_W), np.uint8)
    tall[:, 2 : 2 + PATCH_H] = voter
    spread = cv2.dilate(tall.reshape(-1, PATCH_W), t.spread).reshape(n, PATCH_H + 4, PATCH_W)
    covered = spread[:, 2 : 2 + PATCH_H][:, t.interior].mean(axis=1) if n else np.zeros(0)
    return OvalScores(np.asarray(covered, np.float64), np.asarray(outline, np.float64))
