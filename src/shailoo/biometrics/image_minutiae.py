"""Fingerprint images to minutiae through NIST mindtct, an optional extra.

Capture devices normally deliver ISO/ANSI minutiae records, so the core never needs this. It
exists for enrolment stations whose scanners deliver only images (and for testing a
scanner's own extractor against NIST's): the image goes through mindtct as shipped natively by
the ``nbis-py`` package (``pip install 'shailoo[fingerprint-images]'``), and the result
becomes a :class:`~shailoo.biometrics.minutiae.FingerTemplate` in Shailoo's convention.

Why not use nbis-py's own ISO writer: in nbis-py 0.1.3 it leaves the resolution fields at 0,
which :mod:`shailoo.biometrics.iso19794` rightly refuses; building the template from the
minutia objects keeps one codec in charge of the standard. mindtct reports angles in degrees
counter-clockwise from the x axis *as seen on the image* — Shailoo's own convention; a test
rotates an image by 90° and pins that the angles turn with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from shailoo.biometrics.minutiae import FingerTemplate, Minutia, MinutiaKind
from shailoo.common.refusals import InvalidInput, Unavailable

#: Images larger than this are refused before decoding (a 1,000 dpi flat of four fingers is
#: well under it); a hostile file cannot make the decoder allocate without bound.
MAX_IMAGE_BYTES = 16 << 20
MAX_SIDE = 4000
MIN_SIDE = 64


class ImageExtractionError(InvalidInput):
    """The image cannot be turned into minutiae (not an image, too small, too large)."""

    default_code = "image_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


class ExtractorUnavailable(Unavailable, RuntimeError):
    """The optional NIST extractor is not installed."""

    default_code = "extractor_unavailable"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


@dataclass(frozen=True, slots=True)
class ExtractionSettings:
    """How mindtct's output is kept.

    ``min_reliability`` drops the low-reliability minutiae mindtct reports along the print's
    border and in background noise (it rates them about 0.2; true ridge minutiae of a clear
    print about 1.0); ``max_minutiae`` keeps the most reliable ones, as a record holds at most
    255 and the matcher gains nothing from more than a few dozen.
    """

    ppi: float = 500.0
    min_reliability: float = 0.25
    max_minutiae: int = 128


def _nbis() -> Any:
    try:
        import nbis
    except ImportError:
        raise ExtractorUnavailable(
            "fingerprint images need the optional NIST extractor: "
            "pip install 'shailoo[fingerprint-images]' (the nbis-py package)"
        ) from None
    return nbis


def image_size(image: bytes) -> tuple[int, int]:
    """Width and height of a greyscale-decodable image, refusing what is not a usable one."""
    if not image:
        raise ImageExtractionError("the image is empty")
    if len(image) > MAX_IMAGE_BYTES:
        raise ImageExtractionError(f"the image has {len(image)} bytes, over {MAX_IMAGE_BYTES}")
    decoded = cv2.imdecode(np.frombuffer(image, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if decoded is None:
        raise ImageExtractionError("not a PNG, JPEG, TIFF or BMP image")
    height, width = decoded.shape[:2]
    if min(width, height) < MIN_SIDE or max(width, height) > MAX_SIDE:
        raise ImageExtractionError(
            f"image of {width} x {height} px: each side must be {MIN_SIDE} to {MAX_SIDE} px"
        )
    return int(width), int(height)


def extract_template(
    image: bytes, *, finger: int = 0, settings: ExtractionSettings | None = None
) -> FingerTemplate:
    """The minutiae mindtct finds in ``image`` (PNG/JPEG/TIFF/BMP bytes) as one template."""
    settings = settings or ExtractionSettings()
    if not 0 <= finger <= 10:
        raise ImageExtractionError(f"finger position {finger} is not an ISO code 0-10")
    width, height = image_size(image)
    nbis = _nbis()
    extractor = nbis.new_nbis_extractor(
        nbis.NbisExtractorSettings(
            min_quality=0.0,
            get_center=False,
            check_fingerprint=False,
            compute_nfiq2=False,
            ppi=settings.ppi,
        )
    )
    try:
        found = extractor.extract_minutiae(image).get()
    except Exception as exc:  # the native extractor reports its own error types
        raise ImageExtractionError(f"the NIST extractor refused the image: {exc}") from None
    kept = sorted(
        (m for m in found if m.reliability() >= settings.min_reliability),
        key=lambda m: -m.reliability(),
    )[: settings.max_minutiae]
    minutiae = tuple(
        Minutia(
            x=min(max(int(m.x()), 0), width - 1),
            y=min(max(int(m.y()), 0), height - 1),
            theta=math.radians(float(m.angle())) % (2.0 * math.pi),
            kind=(
                MinutiaKind.BIFURCATION
                if m.kind() == nbis.MinutiaKind.BIFURCATION
                else MinutiaKind.RIDGE_ENDING
            ),
            quality=min(100, max(1, round(100 * m.reliability()))),
        )
        for m in kept
    )
    quality = round(sum(m.quality for m in minutiae) / len(minutiae)) if minutiae else 0
    return FingerTemplate(
        width=width,
        height=height,
        minutiae=minutiae,
        resolution=round(settings.ppi / 2.54),
        finger=finger,
        quality=quality,
    )
