"""Reading one sheet: frame, QR code, layout, ovals, contests, status. Never a guess.

Each step either succeeds with evidence or stops and says why, so the sheet goes to a human:
an image that does not decode, a frame that cannot be fitted (too many marks lost, more than
one corner gone, marks that do not fit one grid), a QR code that cannot be read, that is not
ours, or that names another election, station or style, a grid whose printed ovals are not where
it says. Only then are the ovals scored and each contest classified with the shared rule
:func:`shailoo.counting.reads.classify_contest`, whose marginal band sends a hesitant mark to a
human too. The thresholds used are stored in every read.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from shailoo.counting.ballots import layout as lay
from shailoo.counting.ballots.qr import BallotQr, QrPayloadError, decode
from shailoo.counting.definition import ElectionDefinition
from shailoo.counting.omr.frame import Frame, FrameError, Gray, find_frame, project
from shailoo.counting.omr.qr import read_qr
from shailoo.counting.omr.scoring import MIN_OUTLINE, sample_ovals, score_ovals
from shailoo.counting.reads import (
    ContestOutcome,
    ContestRead,
    Reason,
    SheetRead,
    SheetStatus,
    Thresholds,
    classify_contest,
)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def _geometry(frame: Frame) -> dict[str, float]:
    geometry = {
        "orientation": float(frame.orientation),
        "skew": round(frame.skew, 3),
        "dpi": round(frame.px_per_pt * 72.0, 1),
        "rows": float(frame.rows),
        "marks_found": float(frame.marks_found),
        "marks_expected": float(frame.marks_expected),
        "corners_inferred": float(frame.corners_inferred),
        "residual": round(frame.residual, 4),
    }
    for i, value in enumerate(frame.homography.ravel()):
        geometry[f"h{i}"] = float(value)
    return geometry


def _unreadable(
    source: str,
    thresholds: Thresholds,
    reason: Reason,
    geometry: dict[str, float] | None = None,
    status: SheetStatus = SheetStatus.UNREADABLE,
    payload: BallotQr | None = None,
) -> SheetRead:
    return SheetRead(
        source=source,
        status=status,
        thresholds=thresholds,
        reasons=(reason,),
        geometry=geometry or {},
        election_id=payload.election_id if payload else None,
        style_id=payload.style_id if payload else None,
        station=payload.station if payload else None,
        serial=payload.serial if payload else None,
    )


def read_sheet(
    image: Gray,
    definition: ElectionDefinition,
    station: str,
    thresholds: Thresholds,
    source: str = "<image>",
) -> SheetRead:
    """Read one sheet image (grey, or BGR colour) scanned at ``station``."""
    if image.ndim == 3 and image.shape[2] in (3, 4):
        code = cv2.COLOR_BGR2GRAY if image.shape[2] == 3 else cv2.COLOR_BGRA2GRAY
        image = np.asarray(cv2.cvtColor(image, code), dtype=np.uint8)
    if image.ndim != 2 or image.dtype != np.uint8 or min(image.shape) < 200:
        return _unreadable(source, thresholds, Reason.IMAGE_UNREADABLE)
    try:
        frame = find_frame(image)
    except FrameError as exc:
        return _unreadable(source, thresholds, exc.reason)
    geometry = _geometry(frame)
    qr = read_qr(image, frame)
    if qr.text is None:
        return _unreadable(source, thresholds, Reason.QR_UNREADABLE, geometry)
    if qr.misplaced:
        geometry["qr_misplaced"] = 1.0
        return _unreadable(source, thresholds, Reason.TIMING_MARKS_NOT_FOUND, geometry)
    try:
        payload = decode(qr.text)
    except QrPayloadError:
        return _unreadable(source, thresholds, Reason.QR_FOREIGN, geometry)
    if payload.election_id != definition.election_id:
        return _unreadable(source, thresholds, Reason.QR_FOREIGN, geometry, payload=payload)
    if payload.station != station:
        return _unreadable(
            source, thresholds, Reason.WRONG_STATION, geometry, SheetStatus.WRONG_STATION, payload
        )
    try:
        style = definition.style(payload.style_id)
    except KeyError:
        return _unreadable(source, thresholds, Reason.QR_FOREIGN, geometry, payload=payload)
    if station not in style.stations:
        return _unreadable(
            source, thresholds, Reason.WRONG_STYLE, geometry, SheetStatus.WRONG_STYLE, payload
        )
    sheet = lay.sheet_layout(definition, style.id)
    if sheet.rows != frame.rows:
        return _unreadable(
            source, thresholds, Reason.TIMING_MARKS_NOT_FOUND, geometry, payload=payload
        )
    centres = np.array([sheet.point(o.col, o.row) for o in sheet.ovals], dtype=np.float64)
    scores = score_ovals(sample_ovals(image, frame, centres))
    lost = int((scores.outline < MIN_OUTLINE).sum())
    if lost:
        geometry["ovals_not_found"] = float(lost)
        return _unreadable(
            source, thresholds, Reason.TIMING_MARKS_NOT_FOUND, geometry, payload=payload
        )
    fills = {
        (o.contest_id, o.option_id): round(float(f), 4)
        for o, f in zip(sheet.ovals, scores.fills, strict=True)
    }
    contests: list[ContestRead] = []
    for contest in definition.style_contests(style.id):
        against = next((o.id for o in contest.options if o.kind == "against_all"), None)
        contests.append(
            classify_contest(
                contest.id,
                [(o.id, fills[(contest.id, o.id)]) for o in contest.options],
                contest.votes_allowed,
                thresholds,
                against,
            )
        )
    reasons: tuple[Reason, ...] = ()
    if any(c.outcome is ContestOutcome.MARGINAL for c in contests):
        reasons = (Reason.MARGINAL_MARK,)
    return SheetRead(
        source=source,
        status=SheetStatus.READABLE,
        thresholds=thresholds,
        contests=tuple(contests),
        reasons=reasons,
        geometry=geometry,
        election_id=payload.election_id,
        style_id=payload.style_id,
        station=payload.station,
        serial=payload.serial,
    )


def load_image(path: Path) -> Gray | None:
    """The file as a grey image, or None when it does not decode as one."""
    if not path.is_file() or path.stat().st_size == 0:
        return None
    image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    return None if image is None else np.asarray(image, dtype=np.uint8)


def read_image_file(
    path: Path, definition: ElectionDefinition, station: str, thresholds: Thresholds
) -> SheetRead:
    """Read one image file; a file that is not an image is an unreadable sheet, not a crash."""
    image = load_image(path)
    if image is None:
        return _unreadable(path.name, thresholds, Reason.IMAGE_UNREADABLE)
    return read_sheet(image, definition, station, thresholds, source=path.name)


def locate_contest(
    image: Gray, definition: ElectionDefinition, read: SheetRead, contest_id: str
) -> tuple[int, int, int, int]:
    """Pixel box (x, y, width, height) of a contest in the original image, for highlighting.

    Uses the homography stored with the read; if the read has none (an older record), the
    frame is found again in ``image``. Raises ``LookupError`` when the sheet's style is unknown
    or the frame cannot be found.
    """
    if read.style_id is None:
        raise LookupError("the read names no ballot style")
    sheet = lay.sheet_layout(definition, read.style_id)
    block = sheet.block(contest_id)
    if all(f"h{i}" in read.geometry for i in range(9)):
        homography = np.array([read.geometry[f"h{i}"] for i in range(9)]).reshape(3, 3)
    else:
        try:
            homography = find_frame(image).homography
        except FrameError as exc:
            raise LookupError(exc.detail) from None
    x0, y0 = sheet.point(block.col0, block.row0)
    x1, y1 = sheet.point(block.col1, block.row1)
    corners: npt.NDArray[np.float64] = project(
        homography, np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1)], dtype=np.float64)
    )
    h, w = image.shape[:2]
    left = int(np.clip(np.floor(corners[:, 0].min()), 0, w))
    top = int(np.clip(np.floor(corners[:, 1].min()), 0, h))
    right = int(np.clip(np.ceil(corners[:, 0].max()), 0, w))
    bottom = int(np.clip(np.ceil(corners[:, 1].max()), 0, h))
    return left, top, right - left, bottom - top
