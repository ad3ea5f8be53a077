"""Filled and scanned ballot images with known ground truth, deterministic by seed.

Each image starts from the real printed page: the PDF of :mod:`shailoo.counting.ballots.pdf`
rasterised with pdfium, so the reader is tested against what the printer gets, not against a
drawing of our own. For volume (the benchmark) the blank page of a style is rasterised once per
resolution and each sheet's QR code is stamped in from the same module matrix and square the
PDF uses (``exact_pdf=False``); tests use the exact per-sheet rasterisation.

Voters mark ovals as people do: solid fills, ticks, crosses, faint pencil; some contests are
left blank, some overvoted, and some carry a deliberately marginal mark (a speck or a short
hesitation line) sized with the reader's own scoring rule so that it is genuinely ambiguous.
Then the sheet is scanned badly: any of four orientations, skew, scale, noise, blur, uneven
light, stray marks, folds, a torn or missing corner timing mark. For speed (about 40 ms a
200 dpi sheet on one core) marks and damage go onto the 8-bit page, every geometric change is
one affine warp, and scanner noise is a window of one noise pool drawn per process.
"""

from __future__ import annotations

import io
import itertools
import json
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt
import pypdfium2 as pdfium

from shailoo.counting.ballots import layout as lay
from shailoo.counting.ballots.pdf import qr_modules, render_sheets
from shailoo.counting.ballots.qr import BallotQr, encode, serial_text
from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.omr import geometry_constants as score
from shailoo.counting.omr import scoring

Image = npt.NDArray[np.float32]
Page = npt.NDArray[np.uint8]  # the sheet while it is marked and damaged, grey 0..255
Intent = Literal["mark", "empty", "marginal"]
MarkKind = Literal["fill", "tick", "cross", "pencil-fill", "pencil-tick", "speck", "stroke"]
Setting = Literal["standard", "hard"]
Corner = Literal["top-left", "top-right", "bottom-left", "bottom-right"]

INTENDED_KINDS: tuple[MarkKind, ...] = ("fill", "tick", "cross", "pencil-fill", "pencil-tick")
MARGINAL_KINDS: tuple[MarkKind, ...] = ("speck", "stroke")
FORMATS = ("png", "jpeg", "tiff")


@dataclass(frozen=True, slots=True)
class Distortion:
    """How one sheet was scanned (all of it recorded in the ground truth)."""

    orientation: int = 0  # degrees clockwise the sheet lies in the image: 0, 90, 180, 270
    skew: float = 0.0  # degrees
    scale: float = 1.0
    noise: float = 0.0  # standard deviation of grey noise, 0..1 scale
    blur: float = 0.0  # Gaussian sigma, pixels
    light: float = 0.0  # depth of the uneven-light gradient, 0..1
    folds: int = 0
    stray: int = 0
    missing_corner: Corner | None = None  # that corner mark torn or cut away
    missing_corners: int = 1  # how many corners (from the one named) are lost
    qr_damaged: bool = False  # ink blot over the QR code beyond its error correction
    backing: float = 0.97  # grey of the scanner lid seen around the sheet and through tears
    stretch: float = 1.0  # extra scale along the sheet's length (an uneven sheet feed)
    fmt: str = "png"
    jpeg_quality: int = 90


@dataclass(frozen=True, slots=True)
class OvalTruth:
    """What the voter did to one oval."""

    contest_id: str
    option_id: str
    intent: Intent
    kind: MarkKind | None = None


@dataclass(frozen=True, slots=True)
class ContestTruth:
    """The outcome a faithful reader must report (or send to a human)."""

    contest_id: str
    outcome: str  # a shailoo.counting.reads.ContestOutcome value
    votes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SheetTruth:
    """Ground truth of one scanned image."""

    file: str
    election_id: str
    style_id: str
    station: str
    serial: str
    dpi: int
    distortion: Distortion
    ovals: tuple[OvalTruth, ...]
    contests: tuple[ContestTruth, ...]
    #: "readable", or "unreadable" when the scan was damaged beyond what may be read.
    expect_status: str = "readable"

    def to_json(self) -> dict[str, object]:
        data = asdict(self)
        data["ovals"] = [asdict(o) for o in self.ovals]
        data["contests"] = [{**asdict(c), "votes": list(c.votes)} for c in self.contests]
        return data


@dataclass(frozen=True, slots=True)
class MarkSpec:
    """One mark to draw: which oval, how, and how dark (ink grey, 0 black .. 1 paper)."""

    contest_id: str
    option_id: str
    kind: MarkKind
    ink: float = 0.15
    width: float = 1.2  # stroke width, points
    jitter: tuple[float, float] = (0.0, 0.0)  # offset from the oval centre, points
    size: float = 1.0  # relative size (fills, ticks, crosses) or target score (marginal)
    angle: float = 0.0  # degrees, rotation of ticks and crosses


@dataclass(frozen=True, slots=True)
class SheetPlan:
    """Everything that decides one image: the marks, the contest truths and the scan."""

    style_id: str
    serial: str
    marks: tuple[MarkSpec, ...]
    contests: tuple[ContestTruth, ...]
    distortion: Distortion = field(default_factory=Distortion)
    seed: int = 0


# -- the printed page ---------------------------------------------------------------------


def _rasterise(pdf: bytes, dpi: int) -> npt.NDArray[np.uint8]:
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=dpi / 72.0, grayscale=True)
        image = np.array(bitmap.to_numpy(), dtype=np.uint8, copy=True)
    finally:
        document.close()
    if image.ndim == 3:
        image = image[:, :, 0]
    return image


@cache
def _blank_page(definition: ElectionDefinition, style_id: str, station: str, dpi: int) -> bytes:
    """The page without its QR code, rasterised once (bytes so the cache stays immutable)."""
    pdf = render_sheets(definition, style_id, station, ["0"], with_qr=False)
    image = _rasterise(pdf, dpi)
    rows, cols = (int(n) for n in image.shape)
    return rows.to_bytes(4, "big") + cols.to_bytes(4, "big") + bytes(image.tobytes())


def printed_page(
    definition: ElectionDefinition,
    style_id: str,
    station: str,
    serial: str,
    dpi: int,
    exact_pdf: bool = True,
) -> npt.NDArray[np.uint8]:
    """The sheet as printed, grey 0..255 at ``dpi``."""
    if exact_pdf:
        return _rasterise(render_sheets(definition, style_id, station, [serial]), dpi)
    raw = _blank_page(definition, style_id, station, dpi)
    rows, cols = int.from_bytes(raw[:4], "big"), int.from_bytes(raw[4:8], "big")
    image = np.frombuffer(raw[8:], dtype=np.uint8).reshape(rows, cols).copy()
    sheet = lay.sheet_layout(definition, style_id)
    payload = encode(BallotQr(definition.election_id, style_id, station, serial))
    modules = np.array(qr_modules(payload), dtype=bool)
    s = dpi / 72.0
    x0, y0, x1, _ = sheet.qr_box
    n = modules.shape[0]
    edges = np.round((x0 + (x1 - x0) * np.arange(n + 1) / n) * s).astype(int)
    tops = np.round((y0 + (x1 - x0) * np.arange(n + 1) / n) * s).astype(int)
    # Each pixel of the square takes the module its rounded edges put it in (one indexed write).
    in_col = np.searchsorted(edges, np.arange(edges[0], edges[-1]), side="right") - 1
    in_row = np.searchsorted(tops, np.arange(tops[0], tops[-1]), side="right") - 1
    square = image[tops[0] : tops[-1], edges[0] : edges[-1]]
    square[modules[in_row[:, None], in_col[None, :]]] = 0
    return image


# -- voter marks --------------------------------------------------------------------------


def _darken(page: Page, mask: npt.NDArray[np.float32], x0: int, y0: int, ink: float) -> None:
    """Lay ink of grey ``ink`` through ``mask`` (0..1) onto ``page`` at ``(x0, y0)``."""
    h, w = mask.shape
    ys, xs = max(0, y0), max(0, x0)
    ye, xe = min(page.shape[0], y0 + h), min(page.shape[1], x0 + w)
    if ye <= ys or xe <= xs:
        return
    part = mask[ys - y0 : ye - y0, xs - x0 : xe - x0]
    region = page[ys:ye, xs:xe]
    inked = (1.0 - part * (1.0 - ink)) * 255.0 + 0.5
    np.minimum(region, inked.astype(np.uint8), out=region)


def _polyline_mask(
    points: Sequence[tuple[float, float]], width_px: float, size: int, closed: bool = False
) -> npt.NDArray[np.float32]:
    """A pen stroke of exactly ``width_px`` (sub-pixel): rectangles with round joints."""
    canvas = np.zeros((size, size), np.uint8)
    half = max(0.5, width_px / 2)
    pts = [np.array(p, dtype=np.float64) for p in points]
    if closed:
        pts.append(pts[0])
    for a, b in itertools.pairwise(pts):
        d = b - a
        norm = float(np.hypot(*d)) or 1.0
        n = np.array([-d[1], d[0]]) / norm * half
        quad = np.array([a + n, b + n, b - n, a - n])
        cv2.fillConvexPoly(canvas, np.round(quad * 16).astype(np.int32), 255, cv2.LINE_AA, 4)
    for p in pts:
        centre = (round(p[0] * 16), round(p[1] * 16))
        cv2.circle(canvas, centre, round(half * 16), 255, -1, cv2.LINE_AA, 4)
    return canvas.astype(np.float32) / 255.0


def mark_mask(spec: MarkSpec, px_per_pt: float, rng: random.Random) -> npt.NDArray[np.float32]:
    """The ink coverage of one mark, in a square patch centred on the oval centre."""
    size = math.ceil(lay.OVAL_WIDTH * 2.6 * px_per_pt) | 1
    c = size / 2.0 + np.array(spec.jitter) * px_per_pt
    w2, h2 = lay.OVAL_WIDTH / 2 * px_per_pt, lay.OVAL_HEIGHT / 2 * px_per_pt
    rot = math.radians(spec.angle)

    def at(u: float, v: float) -> tuple[float, float]:
        x, y = u * w2, v * h2
        return (
            float(c[0] + x * math.cos(rot) - y * math.sin(rot)),
            float(c[1] + x * math.sin(rot) + y * math.cos(rot)),
        )

    width = spec.width * px_per_pt
    if spec.kind in ("fill", "pencil-fill"):
        canvas = np.zeros((size, size), np.uint8)
        axes = (round(w2 * spec.size * 16), round(h2 * spec.size * 16))
        centre = (round(c[0] * 16), round(c[1] * 16))
        cv2.ellipse(canvas, centre, axes, spec.angle, 0, 360, 255, -1, cv2.LINE_AA, 4)
        mask = canvas.astype(np.float32) / 255.0
    elif spec.kind in ("tick", "pencil-tick"):
        k = spec.size
        mask = _polyline_mask(
            [at(-0.55 * k, -0.05 * k), at(-0.1 * k, 0.75 * k), at(0.75 * k, -1.1 * k)],
            width,
            size,
        )
    elif spec.kind == "cross":
        k = spec.size
        mask = np.maximum(
            _polyline_mask([at(-0.7 * k, -0.9 * k), at(0.7 * k, 0.9 * k)], width, size),
            _polyline_mask([at(-0.7 * k, 0.9 * k), at(0.7 * k, -0.9 * k)], width, size),
        )
    elif spec.kind in MARGINAL_KINDS:
        mask = _marginal_mask(spec, px_per_pt, size)
    else:
        raise ValueError(f"unknown mark kind {spec.kind!r}")
    if spec.kind.startswith("pencil"):
        noise = np.random.default_rng(rng.randrange(2**32))
        grain = noise.uniform(0.55, 1.0, (size, size)).astype(np.float32)
        mask = mask * cv2.GaussianBlur(grain, (3, 3), 0.7)
    return mask


def _marginal_shape(
    spec: MarkSpec, extent: float, px_per_pt: float, size: int
) -> npt.NDArray[np.float32]:
    """A speck of radius ``extent`` or a stroke of length ``extent`` (points)."""
    c = size / 2.0 + np.array(spec.jitter) * px_per_pt
    if spec.kind == "speck":
        canvas = np.zeros((size, size), np.uint8)
        centre = (round(c[0] * 16), round(c[1] * 16))
        cv2.circle(canvas, centre, max(1, round(extent * px_per_pt * 16)), 255, -1, cv2.LINE_AA, 4)
        return canvas.astype(np.float32) / 255.0
    rot = math.radians(spec.angle)
    dx, dy = extent / 2 * math.cos(rot) * px_per_pt, extent / 2 * math.sin(rot) * px_per_pt
    return _polyline_mask(
        [(c[0] - dx, c[1] - dy), (c[0] + dx, c[1] + dy)], spec.width * px_per_pt, size
    )


def _ideal_score(spec: MarkSpec, extent: float) -> float:
    """The reader's score of the mark on a perfect scan (drawn at the reader's sampling)."""
    q = score.SAMPLES_PER_PT
    size = math.ceil(lay.OVAL_WIDTH * 2.6 * q) | 1
    mask = _marginal_shape(spec, extent, q, size)
    cx, cy = size / 2.0, size / 2.0
    x0 = round(cx - (scoring.PAD + lay.OVAL_WIDTH / 2) * q)
    y0 = round(cy - (scoring.PAD + lay.OVAL_HEIGHT / 2) * q)
    patch = mask[y0 : y0 + scoring.PATCH_H, x0 : x0 + scoring.PATCH_W] * (1.0 - spec.ink)
    patch = scoring.smooth(patch.astype(np.float32))
    return float(scoring.score_ovals(patch[None]).fills[0])


@cache
def _calibrated_extent(spec: MarkSpec) -> float:
    """Size of a marginal mark whose ideal score is ``spec.size`` (bisection)."""
    low, high = 0.2, lay.OVAL_WIDTH / 2
    for _ in range(18):
        mid = (low + high) / 2
        if _ideal_score(spec, mid) < spec.size:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def _marginal_mask(spec: MarkSpec, px_per_pt: float, size: int) -> npt.NDArray[np.float32]:
    """Deliberately marginal marks are sized so the reader's ideal score is ``spec.size``."""
    return _marginal_shape(spec, _calibrated_extent(spec), px_per_pt, size)


# -- scanning -----------------------------------------------------------------------------


def _corner_box(
    sheet: lay.SheetLayout, corner: Corner, s: float
) -> tuple[tuple[int, int], tuple[int, int]]:
    col = 0 if "left" in corner else lay.COLUMNS - 1
    row = 0 if "top" in corner else sheet.rows - 1
    x, y = sheet.point(col, row)
    r = 0.75 * lay.UNIT
    return (round((x - r) * s), round((y - r) * s)), (round((x + r) * s), round((y + r) * s))


def _tear(
    page: Page, sheet: lay.SheetLayout, corner: Corner, s: float, rng: random.Random, grey: float
) -> None:
    """Tear the corner off: a ragged triangle through which the scanner lid (``grey``) shows."""
    h, w = page.shape
    cx = 0 if "left" in corner else w
    cy = 0 if "top" in corner else h
    (x0, y0), (x1, y1) = _corner_box(sheet, corner, s)
    reach_x = abs(cx - (x1 if cx == 0 else x0)) * rng.uniform(1.9, 2.3)
    reach_y = abs(cy - (y1 if cy == 0 else y0)) * rng.uniform(1.9, 2.3)
    sx = 1 if cx == 0 else -1
    sy = 1 if cy == 0 else -1
    points = [(cx, cy), (cx + sx * reach_x, cy)]
    for t in np.linspace(0.1, 0.9, 7):
        jag = rng.uniform(-0.05, 0.05)
        points.append((cx + sx * reach_x * (1 - t + jag), cy + sy * reach_y * (t + jag)))
    points.append((cx, cy + sy * reach_y))
    poly = np.round(np.array(points)).astype(np.int32).reshape(-1, 1, 2)
    cv2.fillPoly(page, [poly], round(grey * 255))


def _fold(page: Page, rng: random.Random) -> None:
    """A crease: a faint line across the sheet and a slight shade on one side of it.

    The blurred line is drawn only in the band it can reach, and the shaded side is one
    polygon, so a fold costs a few milliseconds instead of several whole-page passes.
    """
    h, w = page.shape
    horizontal = rng.random() < 0.5
    if horizontal:
        y = rng.uniform(0.3, 0.7) * h
        p0, p1 = (0.0, y + rng.uniform(-0.02, 0.02) * h), (float(w), y)
    else:
        x = rng.uniform(0.3, 0.7) * w
        p0, p1 = (x + rng.uniform(-0.02, 0.02) * w, 0.0), (x, float(h))
    thickness, sigma = max(1, round(w / 900)), max(1.0, w / 1200)
    pad = thickness + math.ceil(4 * sigma) + 2
    if horizontal:
        a = max(0, math.floor(min(p0[1], p1[1])) - pad)
        b = min(h, math.ceil(max(p0[1], p1[1])) + pad)
        band, off = page[a:b, :], (0.0, float(a))
    else:
        a = max(0, math.floor(min(p0[0], p1[0])) - pad)
        b = min(w, math.ceil(max(p0[0], p1[0])) + pad)
        band, off = page[:, a:b], (float(a), 0.0)
    line = np.zeros(band.shape, np.float32)
    cv2.line(
        line,
        (round(p0[0] - off[0]), round(p0[1] - off[1])),
        (round(p1[0] - off[0]), round(p1[1] - off[1])),
        1.0,
        thickness,
        cv2.LINE_AA,
    )
    line = np.asarray(cv2.GaussianBlur(line, (0, 0), sigma), dtype=np.float32)
    shade = 1.0 - rng.uniform(0.06, 0.18) * line / max(float(line.max()), 1e-6)
    band[...] = (band * shade + 0.5).astype(np.uint8)
    # The side where (p - p0) x (p1 - p0) > 0: above a horizontal crease, right of a vertical.
    if horizontal:
        side = [(0.0, 0.0), (float(w), 0.0), p1, p0]
    else:
        side = [p0, (float(w), 0.0), (float(w), float(h)), p1]
    mask = np.zeros(page.shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(np.array(side) * 16).astype(np.int32), 1, cv2.LINE_8, 4)
    dimmed = cv2.convertScaleAbs(page, alpha=rng.uniform(0.94, 0.99))
    cv2.copyTo(dimmed, mask, page)


def _keep_out(sheet: lay.SheetLayout) -> list[tuple[float, float, float, float]]:
    """Page boxes stray marks must avoid: ovals (with a margin), marks, the QR square."""
    boxes = []
    for oval in sheet.ovals:
        x, y = sheet.point(oval.col, oval.row)
        boxes.append(
            (
                x - 1.6 * lay.OVAL_WIDTH,
                y - 1.6 * lay.OVAL_HEIGHT,
                x + 1.6 * lay.OVAL_WIDTH,
                y + 1.6 * lay.OVAL_HEIGHT,
            )
        )
    x0, y0, x1, y1 = sheet.qr_box
    boxes.append((x0 - 10, y0 - 10, x1 + 10, y1 + 10))
    return boxes


def _stray(page: Page, sheet: lay.SheetLayout, s: float, rng: random.Random) -> None:
    """A scribble, line or blot somewhere in the writing area, away from ovals and the QR."""
    boxes = _keep_out(sheet)
    x_min, y_min = sheet.point(1.0, 1.0)
    x_max, y_max = sheet.point(lay.COLUMNS - 2.0, sheet.rows - 2.0)
    for _ in range(50):
        x, y = rng.uniform(x_min, x_max), rng.uniform(y_min, y_max)
        reach = rng.uniform(4, 14)
        if all(
            x + reach < a or x - reach > c or y + reach < b or y - reach > d for a, b, c, d in boxes
        ):
            break
    else:
        return
    points = [(x * s, y * s)]
    for _ in range(rng.randint(1, 5)):
        points.append(
            (x * s + rng.uniform(-reach, reach) * s, y * s + rng.uniform(-reach, reach) * s)
        )
    width = max(1, round(rng.uniform(0.6, 1.6) * s))
    # Drawn on a canvas just big enough for the scribble, not on a whole page of its own.
    ends = np.array(points)
    x0, y0 = (math.floor(v) - width - 2 for v in ends.min(axis=0))
    x1, y1 = (math.ceil(v) + width + 2 for v in ends.max(axis=0))
    canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
    pts = np.round((ends - (x0, y0)) * 16).astype(np.int32).reshape(-1, 1, 2)
    cv2.polylines(canvas, [pts], False, 255, width, cv2.LINE_AA, 4)
    ink = rng.uniform(0.1, 0.5)
    _darken(page, canvas.astype(np.float32) / 255.0, x0, y0, ink)


def _damage_qr(page: Page, sheet: lay.SheetLayout, s: float, rng: random.Random) -> None:
    """An ink blot over half the QR code: beyond what error correction level M repairs."""
    x0, y0, x1, y1 = (v * s for v in sheet.qr_box)
    cx, cy = rng.uniform(x0 + (x1 - x0) * 0.4, x0 + (x1 - x0) * 0.6), (y0 + y1) / 2
    axes = (round((x1 - x0) * 0.45), round((y1 - y0) * 0.4))
    cv2.ellipse(page, (round(cx), round(cy)), axes, rng.uniform(0, 180), 0, 360, 31, -1)


#: Size of the shared pool of scanner noise (float32, 32 MiB): larger than any 200 dpi page.
NOISE_POOL = 1 << 23


@cache
def _noise_pool() -> Image:
    """Standard normal noise drawn once per process; each sheet takes its own window of it.

    Drawing four million normals costs more than everything else in a scan. A window at a
    random offset is still independent, identically distributed noise within the sheet, which
    is all the reader (one sheet at a time) can see.
    """
    pool = np.random.default_rng(0x5A11_00B1).standard_normal(NOISE_POOL, dtype=np.float32)
    pool.flags.writeable = False
    return pool


def _quarter_turns(k: int, w: int, h: int) -> npt.NDArray[np.float64]:
    """Pixel-index map of ``np.rot90(image, -k)`` (``k`` turns clockwise) of a w x h image."""
    return np.array(
        [
            [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
            [[0, -1, h - 1], [1, 0, 0], [0, 0, 1]],
            [[-1, 0, w - 1], [0, -1, h - 1], [0, 0, 1]],
            [[0, 1, 0], [-1, 0, w - 1], [0, 0, 1]],
        ][k],
        dtype=np.float64,
    )


def scan(
    printed: npt.NDArray[np.uint8],
    sheet: lay.SheetLayout,
    dpi: int,
    marks: Sequence[MarkSpec],
    distortion: Distortion,
    seed: int,
) -> npt.NDArray[np.uint8]:
    """Mark the printed page as the voter did, then scan it as ``distortion`` says.

    Marks and damage are laid on the 8-bit page; skew, scale, stretch and orientation are one
    ``cv2.warpAffine``; then blur, uneven light and noise, each one pass over the image.
    """
    rng = random.Random(f"shailoo-ballot-scan:{seed}")
    s = dpi / 72.0
    page = np.array(printed, dtype=np.uint8, copy=True)
    slots = {(o.contest_id, o.option_id): o for o in sheet.ovals}
    for spec in marks:
        oval = slots[(spec.contest_id, spec.option_id)]
        x, y = sheet.point(oval.col, oval.row)
        mask = mark_mask(spec, s, rng)
        half = mask.shape[0] // 2
        _darken(page, mask, round(x * s) - half, round(y * s) - half, spec.ink)
    for _ in range(distortion.stray):
        _stray(page, sheet, s, rng)
    if distortion.qr_damaged:
        _damage_qr(page, sheet, s, rng)
    if distortion.missing_corner is not None:
        order: list[Corner] = ["top-left", "top-right", "bottom-right", "bottom-left"]
        first = order.index(distortion.missing_corner)
        for k in range(distortion.missing_corners):
            _tear(page, sheet, order[(first + k) % 4], s, rng, distortion.backing)
    for _ in range(distortion.folds):
        _fold(page, rng)
    page = _geometry(page, distortion)
    h, w = page.shape
    light = None
    if distortion.light:
        gx, gy = rng.uniform(-1, 1), rng.uniform(-1, 1)
        norm = math.hypot(gx, gy) or 1.0
        ramp = (
            np.arange(w, dtype=np.float32)[None, :] / w * gx / norm
            + np.arange(h, dtype=np.float32)[:, None] / h * gy / norm
        )
        ramp -= ramp.min()
        ramp *= -distortion.light / max(float(ramp.max()), 1e-6)
        ramp += 1.0
        light = ramp
    if distortion.blur:
        # Blurring before shading differs from the reverse by far less than one grey level:
        # the light changes by at most a few parts in ten thousand across the blur kernel.
        page = np.asarray(cv2.GaussianBlur(page, (0, 0), distortion.blur), dtype=np.uint8)
    if light is None and not distortion.noise:
        return page
    if light is None:
        grey = page.astype(np.float32) * np.float32(1 / 255)
    else:
        grey = np.asarray(cv2.multiply(page, light, scale=1 / 255, dtype=cv2.CV_32F))
    if distortion.noise:
        pool = _noise_pool()
        if h * w <= NOISE_POOL:
            start = rng.randrange(NOISE_POOL - h * w + 1)
            noise = pool[start : start + h * w].reshape(h, w)
        else:
            fresh = np.random.default_rng(rng.randrange(2**32))
            noise = fresh.standard_normal((h, w), dtype=np.float32)
        grey = np.asarray(cv2.scaleAdd(noise, distortion.noise, grey))
    np.clip(grey, 0.0, 1.0, out=grey)
    return np.asarray(cv2.convertScaleAbs(grey, alpha=255.0), dtype=np.uint8)


def _geometry(page: Page, distortion: Distortion) -> Page:
    """Skew, scale, feed stretch and orientation in one interpolation over the page."""
    h, w = page.shape
    turns = (distortion.orientation // 90) % 4
    if not (distortion.skew or distortion.scale != 1.0 or distortion.stretch != 1.0):
        return np.ascontiguousarray(np.rot90(page, k=-turns)) if turns else page
    rotate = np.vstack(
        [
            cv2.getRotationMatrix2D((w / 2, h / 2), distortion.skew, distortion.scale),
            [0.0, 0.0, 1.0],
        ]
    )
    stretch = np.array(
        [
            [1.0, 0.0, 0.0],
            [0.0, distortion.stretch, h / 2 * (1 - distortion.stretch)],
            [0.0, 0.0, 1.0],
        ]
    )
    matrix = rotate @ stretch
    corners = np.array([[0, 0, 1], [w, 0, 1], [0, h, 1], [w, h, 1]], dtype=np.float64)
    moved = corners @ matrix.T
    low = moved[:, :2].min(axis=0) - 4
    out_w, out_h = (int(v) for v in np.ceil(moved[:, :2].max(axis=0) - low + 4))
    matrix[:2, 2] -= low
    matrix = _quarter_turns(turns, out_w, out_h) @ matrix
    size = (out_h, out_w) if turns % 2 else (out_w, out_h)
    return np.asarray(
        cv2.warpAffine(
            page,
            matrix[:2],
            size,
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=round(distortion.backing * 255),
        ),
        dtype=np.uint8,
    )


def encode_image(image: npt.NDArray[np.uint8], fmt: str, jpeg_quality: int = 90) -> bytes:
    """PNG, JPEG or TIFF bytes of a grey image."""
    if fmt == "png":
        ok, data = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    elif fmt == "jpeg":
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    elif fmt == "tiff":
        ok, data = cv2.imencode(".tiff", image, [cv2.IMWRITE_TIFF_COMPRESSION, 5])  # LZW
    else:
        raise ValueError(f"unknown image format {fmt!r}")
    if not ok:
        raise ValueError(f"could not encode {fmt}")
    return bytes(data.tobytes())


# -- random sheets ------------------------------------------------------------------------


def random_distortion(rng: random.Random, setting: Setting = "standard") -> Distortion:
    """Scan conditions within the issue's envelope; ``hard`` adds damage beyond reading."""
    hard = setting == "hard"
    corner: Corner | None = None
    corners = 1
    if rng.random() < (0.3 if hard else 0.15):
        corner = rng.choice(("top-left", "top-right", "bottom-left", "bottom-right"))
        if hard and rng.random() < 0.15:
            corners = 2
    fmt = rng.choices(FORMATS, (0.5, 0.4, 0.1))[0]
    return Distortion(
        orientation=rng.choice((0, 90, 180, 270)),
        skew=rng.uniform(-5.0, 5.0),
        scale=rng.uniform(0.97, 1.03),
        noise=rng.uniform(0.0, 0.06 if hard else 0.035),
        blur=rng.uniform(0.0, 1.4 if hard else 0.9),
        light=rng.uniform(0.0, 0.35 if hard else 0.2),
        folds=rng.choices((0, 1, 2), (0.6, 0.3, 0.1) if hard else (0.8, 0.2, 0.0))[0],
        stray=rng.choices((0, 1, 2, 3), (0.5, 0.25, 0.15, 0.1))[0],
        missing_corner=corner,
        missing_corners=corners,
        qr_damaged=hard and rng.random() < 0.04,
        fmt=fmt,
        jpeg_quality=rng.randint(75, 95),
        # Only the hard setting draws a dark scanner lid, so standard sets stay as they were.
        backing=rng.uniform(0.05, 0.25) if hard and rng.random() < 0.3 else 0.97,
        stretch=rng.uniform(0.985, 1.015) if hard else 1.0,
    )


#: Per mark kind, the ranges a voter's sloppiness is drawn from: ink grey, stroke width
#: (None: fills have no stroke), relative size and rotation in degrees.
_MARK_RANGES: dict[
    str, tuple[tuple[float, float], tuple[float, float] | None, tuple[float, float], float]
] = {
    "fill": ((0.05, 0.3), None, (0.85, 1.15), 8),
    "pencil-fill": ((0.35, 0.5), None, (0.85, 1.1), 8),
    "tick": ((0.05, 0.3), (0.9, 1.8), (0.9, 1.2), 12),
    "pencil-tick": ((0.3, 0.45), (1.0, 1.6), (0.9, 1.2), 12),
    "cross": ((0.05, 0.3), (0.9, 1.8), (0.9, 1.2), 10),
}


def random_mark(rng: random.Random, contest_id: str, option_id: str, kind: MarkKind) -> MarkSpec:
    """A voter's mark of ``kind`` with a human amount of sloppiness."""
    jitter = (rng.uniform(-1.0, 1.0), rng.uniform(-0.8, 0.8))
    ranges = _MARK_RANGES.get(kind)
    if ranges is not None:
        ink, width, size, turn = ranges
        return MarkSpec(
            contest_id,
            option_id,
            kind,
            rng.uniform(*ink),
            1.0 if width is None else rng.uniform(*width),
            jitter,
            rng.uniform(*size),
            rng.uniform(-turn, turn),
        )
    # Deliberately marginal: a dark speck or a short stroke near the middle of the oval, sized
    # for a score in the middle of the default marginal band (0.12 .. 0.30).
    centre = (rng.uniform(-1.2, 1.2), rng.uniform(-0.5, 0.5))
    return MarkSpec(
        contest_id,
        option_id,
        kind,
        rng.uniform(0.05, 0.25),
        rng.uniform(0.8, 1.2),
        centre,
        rng.uniform(0.15, 0.21),
        rng.uniform(-20, 20),
    )


def random_plan(
    definition: ElectionDefinition,
    style_id: str,
    serial: str,
    rng: random.Random,
    setting: Setting = "standard",
) -> SheetPlan:
    """Random voter behaviour per contest, and random scan conditions."""
    marks: list[MarkSpec] = []
    truths: list[ContestTruth] = []
    for contest in definition.style_contests(style_id):
        ids = [o.id for o in contest.options]
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        roll = rng.random()
        kinds = rng.choices(INTENDED_KINDS, (0.45, 0.2, 0.12, 0.13, 0.1), k=len(ids))
        if roll < 0.72:
            choosable = [i for i in ids if i != against]
            if against is not None and rng.random() < 0.1:
                chosen = [against]
            else:
                chosen = rng.sample(choosable, rng.randint(1, contest.votes_allowed))
            marks += [random_mark(rng, contest.id, oid, kinds[n]) for n, oid in enumerate(chosen)]
            order = [i for i in ids if i in chosen]
            truths.append(ContestTruth(contest.id, "valid", tuple(order)))
        elif roll < 0.80:
            chosen = rng.sample(ids, min(len(ids), contest.votes_allowed + rng.randint(1, 2)))
            marks += [random_mark(rng, contest.id, oid, kinds[n]) for n, oid in enumerate(chosen)]
            truths.append(ContestTruth(contest.id, "overvote"))
        elif roll < 0.90:
            truths.append(ContestTruth(contest.id, "undervote"))
        else:
            chosen = rng.sample(ids, 2)
            if rng.random() < 0.5:
                marks.append(random_mark(rng, contest.id, chosen[0], kinds[0]))
            kind = rng.choice(MARGINAL_KINDS)
            marks.append(random_mark(rng, contest.id, chosen[1], kind))
            truths.append(ContestTruth(contest.id, "marginal"))
    return SheetPlan(
        style_id,
        serial,
        tuple(marks),
        tuple(truths),
        random_distortion(rng, setting),
        rng.randrange(2**31),
    )


def indexed_plan(
    definition: ElectionDefinition,
    station: str,
    style_id: str,
    seed: int,
    index: int,
    setting: Setting = "standard",
    dpi: int = 200,
) -> SheetPlan:
    """Sheet ``index`` (serial ``index + 1``) of a stream whose every sheet has its own seed.

    Unlike :func:`make_scans`, nothing depends on the sheets before it, so parallel workers can
    share a stream and any one sheet (a misread, say) can be made again on its own.
    """
    if index < 0:
        raise ValueError("sheet indices are not negative")
    rng = random.Random(f"shailoo-ballot-stream:{seed}:{setting}:{dpi}:{station}:{index}")
    return random_plan(definition, style_id, serial_text(index + 1), rng, setting)


def oval_truths(definition: ElectionDefinition, plan: SheetPlan) -> tuple[OvalTruth, ...]:
    by_oval = {(m.contest_id, m.option_id): m.kind for m in plan.marks}
    out = []
    for contest in definition.style_contests(plan.style_id):
        for option in contest.options:
            kind = by_oval.get((contest.id, option.id))
            intent: Intent = (
                "empty" if kind is None else "marginal" if kind in MARGINAL_KINDS else "mark"
            )
            out.append(OvalTruth(contest.id, option.id, intent, kind))
    return tuple(out)


def render_plan(
    definition: ElectionDefinition,
    station: str,
    plan: SheetPlan,
    dpi: int,
    exact_pdf: bool = True,
) -> npt.NDArray[np.uint8]:
    """The scanned image of one planned sheet."""
    sheet = lay.sheet_layout(definition, plan.style_id)
    printed = printed_page(definition, plan.style_id, station, plan.serial, dpi, exact_pdf)
    return scan(printed, sheet, dpi, plan.marks, plan.distortion, plan.seed)


def plan_truth(
    definition: ElectionDefinition, station: str, plan: SheetPlan, dpi: int, file: str
) -> SheetTruth:
    d = plan.distortion
    unreadable = d.qr_damaged or (d.missing_corner is not None and d.missing_corners > 1)
    return SheetTruth(
        file=file,
        election_id=definition.election_id,
        style_id=plan.style_id,
        station=station,
        serial=plan.serial,
        dpi=dpi,
        distortion=d,
        ovals=oval_truths(definition, plan),
        contests=plan.contests,
        expect_status="unreadable" if unreadable else "readable",
    )


def make_scans(
    definition: ElectionDefinition,
    station: str,
    out_dir: Path,
    sheets: int,
    seed: int,
    setting: Setting = "standard",
    dpi: int = 200,
    styles: Sequence[str] | None = None,
    exact_pdf: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> list[SheetTruth]:
    """Write ``sheets`` scanned images (styles in turn) and ``truth.json`` into ``out_dir``."""
    style_ids = list(styles or [s.id for s in definition.styles_for_station(station)])
    if not style_ids:
        raise KeyError(station)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"shailoo-ballot-scans:{seed}:{setting}:{dpi}:{station}")
    truths: list[SheetTruth] = []
    for n in range(sheets):
        style_id = style_ids[n % len(style_ids)]
        plan = random_plan(definition, style_id, serial_text(n + 1), rng, setting)
        ext = {"png": "png", "jpeg": "jpg", "tiff": "tif"}[plan.distortion.fmt]
        name = f"{plan.serial}_{style_id}.{ext}"
        image = render_plan(definition, station, plan, dpi, exact_pdf)
        data = encode_image(image, plan.distortion.fmt, plan.distortion.jpeg_quality)
        (out_dir / name).write_bytes(data)
        truths.append(plan_truth(definition, station, plan, dpi, name))
        if on_progress is not None:
            on_progress(n + 1)
    write_truth(truths, out_dir / "truth.json")
    return truths


def write_truth(truths: Sequence[SheetTruth], path: Path) -> None:
    buffer = io.StringIO()
    json.dump([t.to_json() for t in truths], buffer, ensure_ascii=False, indent=1)
    path.write_text(buffer.getvalue() + "\n", encoding="utf-8")


def with_distortion(plan: SheetPlan, **changes: object) -> SheetPlan:
    """The same sheet scanned differently (tests vary one distortion at a time)."""
    return replace(plan, distortion=replace(plan.distortion, **changes))  # type: ignore[arg-type]
