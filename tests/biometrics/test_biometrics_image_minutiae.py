"""The optional image → minutiae adapter: mindtct finds planted minutiae, angles follow
Shailoo's convention, bad images are refused, and a missing extractor says how to install it.

The ridge images are made here: a straight ridge flow whose phase winds by ±2π around chosen
points, which puts exactly one minutia (a ridge ending or a bifurcation) at each point.
"""

from __future__ import annotations

import math
import sys

import cv2
import numpy as np
import pytest

from shailoo.biometrics import iso19794
from shailoo.biometrics.image_minutiae import (
    ExtractionSettings,
    ExtractorUnavailable,
    ImageExtractionError,
    extract_template,
)

pytest.importorskip("nbis")  # the extra is in the dev dependencies; the core never needs it

WIDTH, HEIGHT = 400, 480
PLANTED = ((120, 150, 1), (300, 120, -1), (200, 380, 1), (280, 300, -1))


def ridge_image(
    points: tuple[tuple[int, int, int], ...] = PLANTED, flow: float = 0.3
) -> np.ndarray:
    yy, xx = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    period = 9.0
    phase = 2 * np.pi * (xx * math.cos(flow) + yy * math.sin(flow)) / period
    for x0, y0, winding in points:
        phase += winding * np.arctan2(yy - y0, xx - x0)
    image = (127 + 100 * np.cos(phase)).astype(np.uint8)
    inside = ((xx - 200) / 175) ** 2 + ((yy - 240) / 225) ** 2 < 1
    image[~inside] = 255
    return image


def png(image: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", image)
    assert ok
    return data.tobytes()


def angle_gap(a: float, b: float) -> float:
    gap = abs(a - b) % (2 * math.pi)
    return min(gap, 2 * math.pi - gap)


def test_planted_minutiae_are_found_where_they_are() -> None:
    template = extract_template(png(ridge_image()), finger=2)
    assert (template.width, template.height, template.finger) == (WIDTH, HEIGHT, 2)
    assert template.resolution == 197  # 500 dpi in px/cm, as the standards store it
    found = [(m.x, m.y) for m in template.minutiae]
    for x0, y0, _ in PLANTED:
        assert min(math.dist((x0, y0), p) for p in found) <= 4, (x0, y0, found)
    # only the planted ones are reliable; border artefacts are dropped by default
    assert len(template.minutiae) == len(PLANTED)


def test_angles_turn_with_the_image_counter_clockwise() -> None:
    """Rotating the picture 90° counter-clockwise adds 90° to every angle (mod 360)."""
    upright = extract_template(png(ridge_image()))
    turned = extract_template(png(cv2.rotate(ridge_image(), cv2.ROTATE_90_COUNTERCLOCKWISE)))
    assert (turned.width, turned.height) == (HEIGHT, WIDTH)
    for m in upright.minutiae:
        # a point (x, y) of the upright image lands at (y, W - 1 - x) after the rotation
        x, y = m.y, WIDTH - 1 - m.x
        mate = min(turned.minutiae, key=lambda t: math.dist((t.x, t.y), (x, y)))
        assert math.dist((mate.x, mate.y), (x, y)) <= 4
        assert angle_gap(mate.theta, m.theta + math.pi / 2) <= math.radians(12)


def test_the_template_goes_through_the_iso_codec() -> None:
    template = extract_template(png(ridge_image()), finger=7)
    [back] = iso19794.from_bytes(iso19794.to_bytes([template]))
    assert len(back.minutiae) == len(template.minutiae)
    assert back.finger == 7
    for a, b in zip(template.minutiae, back.minutiae, strict=True):
        assert (a.x, a.y, a.kind) == (b.x, b.y, b.kind)
        assert angle_gap(a.theta, b.theta) <= 2 * math.pi / 256


def test_settings_keep_the_most_reliable_few() -> None:
    everything = extract_template(png(ridge_image()), settings=ExtractionSettings(0, 0.0, 500))
    two = extract_template(png(ridge_image()), settings=ExtractionSettings(500, 0.0, 2))
    assert len(everything.minutiae) > len(PLANTED)  # mindtct's border artefacts, kept
    assert len(two.minutiae) == 2
    assert min(m.quality for m in two.minutiae) >= max(
        m.quality for m in everything.minutiae if m not in two.minutiae
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "not a PNG"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "not a PNG"),
    ],
)
def test_what_is_not_an_image_is_refused(data: bytes, reason: str) -> None:
    with pytest.raises(ImageExtractionError, match=reason):
        extract_template(data)


def test_sizes_and_finger_codes_are_checked() -> None:
    with pytest.raises(ImageExtractionError, match="each side must be"):
        extract_template(png(np.full((40, 40), 255, dtype=np.uint8)))
    with pytest.raises(ImageExtractionError, match="finger position 11"):
        extract_template(png(ridge_image()), finger=11)


def test_a_blank_image_gives_an_empty_template_not_invented_minutiae() -> None:
    template = extract_template(png(np.full((HEIGHT, WIDTH), 255, dtype=np.uint8)))
    assert template.minutiae == ()


def test_without_the_extra_the_error_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "nbis", None)  # makes `import nbis` fail
    with pytest.raises(ExtractorUnavailable, match=r"shailoo\[fingerprint-images\]"):
        extract_template(png(ridge_image()))


def test_the_cli_writes_an_iso_record_and_refuses_a_non_image(tmp_path) -> None:
    from typer.testing import CliRunner

    from shailoo.biometrics.cli import app

    image, record = tmp_path / "finger.png", tmp_path / "finger.iso"
    image.write_bytes(png(ridge_image()))
    result = CliRunner().invoke(app, ["extract", str(image), "--out", str(record), "--finger", "2"])
    assert result.exit_code == 0, result.output
    assert f"{len(PLANTED)} minutiae" in result.output
    [template] = iso19794.from_bytes(record.read_bytes())
    assert template.finger == 2 and len(template.minutiae) == len(PLANTED)

    bad = tmp_path / "notes.png"
    bad.write_bytes(b"hello")
    result = CliRunner().invoke(app, ["extract", str(bad), "--out", str(tmp_path / "x.iso")])
    assert result.exit_code == 2
    assert "not a PNG" in result.output and not (tmp_path / "x.iso").exists()
