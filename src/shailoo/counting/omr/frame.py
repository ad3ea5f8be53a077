"""Finding the timing-mark frame: orientation, skew, scale and the page-to-image homography.

The marks are found as solid blobs of the right size on a reduced copy of the image (lit
evenly by dividing by a local paper-white estimate), the skew as the dominant direction between
neighbouring blobs refined by lines through whole edges, and the four edges as the outermost
lines of many blobs. Orientation comes from the marks themselves: those of the page's left
edge are twice as wide as those of its right edge, compared over a whole edge so that one torn
corner cannot flip a sheet. Each mark found is given its grid position, and a homography is
fitted to all of them; a corner whose mark is lost is implied by the two edge lines through it.
The fit must explain every mark to a small fraction of the grid pitch, or the frame is
refused: the reader never guesses a grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from shailoo.common.refusals import InvalidInput
from shailoo.counting.ballots import layout as lay
from shailoo.counting.reads import Reason

Gray = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float64]

#: Pixels per point of the reduced image the marks are looked for in (about 100 dpi).
WORK_PX_PER_PT = 1.4
#: Least share of an edge's marks that must be found.
MIN_EDGE_SHARE = 0.7
#: Largest residual of a mark after the fit, in grid units.
MAX_RESIDUAL = 0.2


_OPEN = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))


class FrameError(InvalidInput):
    """The frame could not be found or trusted; ``reason`` says which way, ``detail`` how."""

    default_code = "omr_frame_not_found"

    def __init__(self, reason: Reason, detail: str) -> None:
        super().__init__(self.default_code, detail)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the page lies in the image."""

    homography: FloatArray  # page points (x, y) -> image pixels
    rows: int
    orientation: int  # degrees the page is turned clockwise in the image
    skew: float  # degrees
    px_per_pt: float
    marks_found: int
    marks_expected: int
    corners_inferred: int
    residual: float  # largest mark residual, grid units
    background: npt.NDArray[np.float32]  # paper-white estimate of the reduced image
    work_scale: float  # reduced image pixels per image pixel

    def to_image(self, points: FloatArray) -> FloatArray:
        """Page points (n, 2) to image pixels (n, 2)."""
        return project(self.homography, points)


def project(h: FloatArray, points: FloatArray) -> FloatArray:
    """Points (n, 2) through the homography ``h``."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    return np.asarray(cv2.perspectiveTransform(pts, h), dtype=np.float64).reshape(-1, 2)


def _background(work: Gray, ppt: float) -> npt.NDArray[np.float32]:
    """Paper white at every pixel: a max filter wider than any mark or filled oval, smoothed.

    Computed at a quarter of the working resolution (light varies slowly) and scaled back up.
    """
    small = np.asarray(cv2.pyrDown(np.asarray(cv2.pyrDown(work))), dtype=np.uint8)
    size = max(5, round(24 * ppt / 4)) | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (size, size))
    white = cv2.blur(cv2.dilate(small, kernel), (size, size))
    h, w = work.shape
    full = cv2.resize(white, (w, h), interpolation=cv2.INTER_LINEAR)
    return np.maximum(np.asarray(full, dtype=np.float32), 32.0)


def _line(points: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Point on and unit direction of the line through ``points`` (robust to a stray one)."""
    fitted = cv2.fitLine(points.astype(np.float32), cv2.DIST_HUBER, 0, 0.01, 0.01).ravel()
    return np.array(fitted[2:4], dtype=np.float64), np.array(fitted[0:2], dtype=np.float64)


def _intersect(a: tuple[FloatArray, FloatArray], b: tuple[FloatArray, FloatArray]) -> FloatArray:
    (p, d), (q, e) = a, b
    denom = d[0] * e[1] - d[1] * e[0]
    if abs(denom) < 1e-6:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "frame edges are parallel")
    t = ((q[0] - p[0]) * e[1] - (q[1] - p[1]) * e[0]) / denom
    return np.asarray(p + t * d, dtype=np.float64)


def _edge_group(
    coord: FloatArray, tol: float, from_high: bool, min_count: int
) -> npt.NDArray[np.intp]:
    """Indices of the outermost line of at least ``min_count`` blobs along one axis."""
    values = -coord if from_high else coord
    order = np.argsort(values)
    ordered = values[order]
    ends = np.searchsorted(ordered, ordered + tol, side="right")
    counts = ends - np.arange(len(ordered))
    hits = np.flatnonzero(counts >= min_count)
    if len(hits) == 0:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "no edge of timing marks")
    first = hits[0]
    centre = float(np.median(ordered[first : ends[first]]))
    return np.flatnonzero(np.abs(values - centre) <= tol)


def _pitch_along(points: FloatArray, start: FloatArray, end: FloatArray, guess: float) -> float:
    """Least-squares spacing of marks along the edge from ``start`` towards ``end``."""
    axis = (end - start) / np.linalg.norm(end - start)
    t = (points - start) @ axis
    pitch = guess
    # Near marks first, where a wrong guess cannot yet have drifted by half a pitch.
    for reach in (8, 16, 32, 64, 128):
        k = np.round(t / pitch)
        used = (k > 0) & (k <= reach)
        if not used.any():
            return guess
        pitch = float((t[used] * k[used]).sum() / (k[used] ** 2).sum())
    return pitch


def _edges(
    pts: FloatArray, skew: float, tol: float
) -> tuple[dict[str, npt.NDArray[np.intp]], FloatArray, FloatArray]:
    """The four outermost lines of blobs, with blob centres rotated by ``-skew``."""
    rad = math.radians(skew)
    u = pts[:, 0] * math.cos(rad) + pts[:, 1] * math.sin(rad)
    v = -pts[:, 0] * math.sin(rad) + pts[:, 1] * math.cos(rad)
    groups = {
        "left": _edge_group(u, tol, False, 10),
        "right": _edge_group(u, tol, True, 10),
        "top": _edge_group(v, tol, False, 10),
        "bottom": _edge_group(v, tol, True, 10),
    }
    return groups, np.asarray(u, np.float64), np.asarray(v, np.float64)


def find_frame(image: Gray) -> Frame:
    """Fit the timing-mark grid to ``image`` (grey, any orientation) or raise FrameError."""
    h, w = image.shape
    px_per_pt = min(h, w) / lay.PAGE_WIDTH  # the sheet is A4-wide whatever its length
    # Halve the image while it stays at or above WORK_PX_PER_PT / 1.4 (about 72 dpi): integer
    # reductions are fast, and labelling blobs costs in proportion to the pixels.
    halvings = 0
    while px_per_pt / 2 ** (halvings + 1) >= WORK_PX_PER_PT / 1.4:
        halvings += 1
    scale = 1.0 / 2**halvings
    work = image
    for _ in range(halvings):
        work = np.asarray(cv2.pyrDown(work), dtype=np.uint8)
    if px_per_pt * scale > 1.25 * WORK_PX_PER_PT / 1.4:
        # Still well above the working resolution (a 200 dpi scan halved is 100 dpi): one
        # linear step down to it (the halvings already smoothed the image) halves the pixels
        # left to label.
        factor = WORK_PX_PER_PT / 1.4 / (px_per_pt * scale)
        work = np.asarray(
            cv2.resize(work, None, fx=factor, fy=factor, interpolation=cv2.INTER_LINEAR), np.uint8
        )
        scale *= factor
    ppt = px_per_pt * scale
    background = _background(work, ppt)
    limit = np.asarray(0.55 * background, dtype=np.uint8)
    ink = np.asarray(cv2.compare(work, limit, cv2.CMP_LT), dtype=np.uint8)
    # Opening removes text strokes (marks are at least five points wide): fewer blobs to label.
    ink = np.asarray(cv2.morphologyEx(ink, cv2.MORPH_OPEN, _OPEN), dtype=np.uint8)
    _count, _, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    bw, bh, area = stats[1:, 2], stats[1:, 3], stats[1:, 4]
    small, large = 3.5 * ppt, 15.0 * ppt
    keep = (
        (bw >= small)
        & (bh >= small)
        & (bw <= large)
        & (bh <= large)
        & (area >= 0.6 * bw * bh)
        & (area >= 20.0 * ppt * ppt)
    )
    idx = np.flatnonzero(keep) + 1
    if len(idx) < 40:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, f"only {len(idx)} mark-like blobs")
    pts = centroids[idx].astype(np.float64)
    widths, heights = stats[idx, 2].astype(np.float64), stats[idx, 3].astype(np.float64)

    # Skew: the direction to each blob's nearest neighbour, folded into (-45, 45] degrees.
    diff = pts[:, None, :] - pts[None, :, :]
    dist = np.hypot(diff[..., 0], diff[..., 1])
    np.fill_diagonal(dist, np.inf)
    nearest = np.argmin(dist, axis=1)
    vec = pts[nearest] - pts
    angles = np.degrees(np.arctan2(vec[:, 1], vec[:, 0]))
    folded = (angles + 45.0) % 90.0 - 45.0
    near_pitch = np.abs(dist[np.arange(len(pts)), nearest] - lay.UNIT * ppt) < 0.3 * lay.UNIT * ppt
    if near_pitch.sum() < 20:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "no regular row of timing marks")
    # Thresholded blobs have pixel-stepped centres, so the median alone snaps small skews to
    # zero: average the directions near the median, then refine from whole edge lines.
    near = folded[near_pitch]
    centre = float(np.median(near))
    skew = float(np.mean(near[np.abs(near - centre) <= 2.5]))
    tol = 0.35 * lay.UNIT * ppt
    groups, u, v = _edges(pts, skew, tol)
    directions = []
    for group in groups.values():
        _, d = _line(pts[group])
        angle = math.degrees(math.atan2(d[1], d[0]))
        directions.append(((angle + 45.0) % 90.0 - 45.0, len(group)))
    refined = sum(a * n for a, n in directions) / sum(n for _, n in directions)
    if abs(refined - skew) > 3.0:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "frame edges disagree on the skew")
    skew = refined
    groups, u, v = _edges(pts, skew, tol)
    span_u = float(np.median(u[groups["right"]]) - np.median(u[groups["left"]]))
    span_v = float(np.median(v[groups["bottom"]]) - np.median(v[groups["top"]]))

    def ratio(a: str, b: str, size: FloatArray) -> float:
        return float(np.median(size[groups[a]]) / max(np.median(size[groups[b]]), 1e-6))

    if span_v > span_u:
        r = ratio("left", "right", widths)
        orientation = 0 if r > 1.35 else 180 if r < 1 / 1.35 else -1
    else:
        r = ratio("top", "bottom", heights)
        orientation = 90 if r > 1.35 else 270 if r < 1 / 1.35 else -1
    if orientation < 0:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "orientation marks are ambiguous")
    # Which image edge is which page edge, for a page turned clockwise by ``orientation``.
    page_edges = {
        0: ("top", "right", "bottom", "left"),
        90: ("right", "bottom", "left", "top"),
        180: ("bottom", "left", "top", "right"),
        270: ("left", "top", "right", "bottom"),
    }[orientation]
    top, right, bottom, left = (groups[e] for e in page_edges)
    full = pts / scale
    lines = {
        name: _line(full[g])
        for name, g in zip(
            ("top", "right", "bottom", "left"), (top, right, bottom, left), strict=True
        )
    }
    tl = _intersect(lines["top"], lines["left"])
    tr = _intersect(lines["top"], lines["right"])
    bl = _intersect(lines["bottom"], lines["left"])
    br = _intersect(lines["bottom"], lines["right"])
    col_pitch = float(np.linalg.norm(tr - tl) + np.linalg.norm(br - bl)) / 2 / (lay.COLUMNS - 1)
    side = float(np.linalg.norm(bl - tl) + np.linalg.norm(br - tr)) / 2
    # The row pitch is measured along the side edges themselves: a scanner's feed may stretch
    # the sheet lengthwise by a percent or two, which over 87 rows would miscount them.
    row_pitch = _pitch_along(full[left], tl, bl, col_pitch)
    row_pitch = (row_pitch + _pitch_along(full[right], tr, br, col_pitch)) / 2
    rows = round(side / row_pitch) + 1
    if not lay.A4_ROWS <= rows <= lay.MAX_ROWS:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, f"frame of {rows} rows")

    found: dict[tuple[int, int], FloatArray] = {}

    def assign(
        group: npt.NDArray[np.intp],
        start: FloatArray,
        end: FloatArray,
        n: int,
        fixed: int,
        along_cols: bool,
    ) -> int:
        axis = end - start
        length = float(np.dot(axis, axis))
        hits = 0
        for i in group:
            t = float(np.dot(full[i] - start, axis)) / length * (n - 1)
            k = round(t)
            if abs(t - k) > 0.3 or not 0 <= k < n:
                continue
            key = (k, fixed) if along_cols else (fixed, k)
            found[key] = full[i]
            hits += 1
        return hits

    assign(top, tl, tr, lay.COLUMNS, 0, True)
    assign(bottom, bl, br, lay.COLUMNS, rows - 1, True)
    assign(left, tl, bl, rows, 0, False)
    assign(right, tr, br, rows, lay.COLUMNS - 1, False)
    expected = 2 * rows + 2 * (lay.COLUMNS - 2)
    per_edge = {
        "top": sum(1 for c, r in found if r == 0),
        "bottom": sum(1 for c, r in found if r == rows - 1),
        "left": sum(1 for c, r in found if c == 0),
        "right": sum(1 for c, r in found if c == lay.COLUMNS - 1),
    }
    lengths = {"top": lay.COLUMNS, "bottom": lay.COLUMNS, "left": rows, "right": rows}
    for edge, hits in per_edge.items():
        if hits < MIN_EDGE_SHARE * lengths[edge]:
            raise FrameError(
                Reason.TIMING_MARK_MISSING, f"{edge} edge: {hits} of {lengths[edge]} marks"
            )
    corners = [(0, 0), (lay.COLUMNS - 1, 0), (0, rows - 1), (lay.COLUMNS - 1, rows - 1)]
    missing = sum(1 for c in corners if c not in found)
    if missing > 1:
        raise FrameError(Reason.TIMING_MARK_MISSING, f"{missing} corner marks missing")
    keys = sorted(found)
    page = np.array([(lay.ORIGIN_X + c * lay.UNIT, lay.ORIGIN_Y + r * lay.UNIT) for c, r in keys])
    img = np.array([found[k] for k in keys])
    fitted, _ = cv2.findHomography(page, img, 0)
    if fitted is None:
        raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "no homography")
    homography: FloatArray = np.asarray(fitted, dtype=np.float64)
    pitch_px = col_pitch
    residuals = np.linalg.norm(project(homography, page) - img, axis=1) / pitch_px
    if residuals.max() > MAX_RESIDUAL:
        # One blob wrongly taken for a mark (a stray mark on the frame line): drop and refit.
        good = residuals <= MAX_RESIDUAL
        if good.sum() < 0.95 * len(residuals):
            raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "marks do not fit one grid")
        homography = np.asarray(cv2.findHomography(page[good], img[good], 0)[0], np.float64)
        residuals = np.linalg.norm(project(homography, page[good]) - img[good], axis=1)
        residuals /= pitch_px
        if residuals.max() > MAX_RESIDUAL:
            raise FrameError(Reason.TIMING_MARKS_NOT_FOUND, "marks do not fit one grid")
    return Frame(
        homography=homography,
        rows=rows,
        orientation=orientation,
        skew=skew,
        px_per_pt=float(pitch_px / lay.UNIT),
        marks_found=len(found),
        marks_expected=expected,
        corners_inferred=missing,
        residual=float(residuals.max()),
        background=background,
        work_scale=scale,
    )
