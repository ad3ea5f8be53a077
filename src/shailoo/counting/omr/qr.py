"""Reading the sheet's QR code where the layout put it, with zxing-cpp.

The code is looked for only in its own square (mapped through the frame), which is fast and
keeps another code on the page (a sticker, a stray print) from being read instead. The corners
zxing reports must land on the printed square's corners in the right order: a code found
rotated or displaced means the frame is wrong, and the sheet is not read.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import zxingcpp

from shailoo.counting.ballots import layout as lay
from shailoo.counting.omr.frame import Frame, Gray, project

QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
QUIET = 10.0  # points of white around the square included in the crop
#: Largest distance, points, between a reported QR corner and the printed one.
CORNER_TOLERANCE = 6.0


@dataclass(frozen=True, slots=True)
class QrFound:
    text: str | None  # None: no code decoded
    misplaced: bool = False


def read_qr(image: Gray, frame: Frame) -> QrFound:
    x0, y0 = lay.ORIGIN_X + lay.QR_COL * lay.UNIT, lay.ORIGIN_Y + lay.QR_ROW * lay.UNIT
    side = lay.QR_SIDE * lay.UNIT
    square = np.array([(x0, y0), (x0 + side, y0), (x0 + side, y0 + side), (x0, y0 + side)])
    around = np.array(
        [
            (x0 - QUIET, y0 - QUIET),
            (x0 + side + QUIET, y0 - QUIET),
            (x0 + side + QUIET, y0 + side + QUIET),
            (x0 - QUIET, y0 + side + QUIET),
        ]
    )
    corners = project(frame.homography, around)
    h, w = image.shape
    left = max(0, int(np.floor(corners[:, 0].min())))
    top = max(0, int(np.floor(corners[:, 1].min())))
    right = min(w, int(np.ceil(corners[:, 0].max())) + 1)
    bottom = min(h, int(np.ceil(corners[:, 1].max())) + 1)
    if right - left < 20 or bottom - top < 20:
        return QrFound(None)
    crop = np.ascontiguousarray(image[top:bottom, left:right])
    results = zxingcpp.read_barcodes(crop, formats=QR_ONLY)
    if not results:
        # Small or blurred codes: try once more at twice the size, evenly lit.
        bigger = cv2.resize(crop, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
        results = zxingcpp.read_barcodes(
            bigger, formats=QR_ONLY, binarizer=zxingcpp.Binarizer.LocalAverage
        )
        factor = 2.0
    else:
        factor = 1.0
    texts = {r.text for r in results}
    if len(texts) != 1:
        return QrFound(None)
    result = results[0]
    pos = result.position
    found = np.array(
        [
            (pos.top_left.x, pos.top_left.y),
            (pos.top_right.x, pos.top_right.y),
            (pos.bottom_right.x, pos.bottom_right.y),
            (pos.bottom_left.x, pos.bottom_left.y),
        ],
        dtype=np.float64,
    ) / factor + (left, top)
    expected = project(frame.homography, square)
    tolerance = CORNER_TOLERANCE * frame.px_per_pt
    # zxing reports the corners of the outer modules; allow for a module's anti-aliasing.
    misplaced = bool(np.linalg.norm(found - expected, axis=1).max() > tolerance)
    return QrFound(result.text, misplaced)
