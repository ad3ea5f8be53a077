"""The fast scan pipeline: one warp for every geometric change, cheap folds and noise, streams."""

from __future__ import annotations

import random

import cv2
import numpy as np
import pytest

from shailoo.counting.ballots import layout as lay
from shailoo.synth import ballots as sb
from shailoo.synth.ballot_definitions import make_ballot_definition

DEFINITION = make_ballot_definition(seed=3, district_candidates=8, parties=8, local_parties=6)
STATION = "1001"
DPI = 100
SHEET = lay.sheet_layout(DEFINITION, "combined")


def _printed() -> np.ndarray:
    return sb.printed_page(DEFINITION, "combined", STATION, "000001", DPI, exact_pdf=False)


@pytest.mark.parametrize("fmt", ["png", "tiff"])
def test_lossless_formats_give_the_image_back(fmt: str) -> None:
    # The offline benchmark reads PNG and TIFF sheets from memory on this promise.
    plan = sb.indexed_plan(DEFINITION, STATION, "combined", 1, 0)
    plan = sb.with_distortion(plan, noise=0.03, blur=0.7, light=0.2)
    image = sb.render_plan(DEFINITION, STATION, plan, DPI, exact_pdf=False)
    data = sb.encode_image(image, fmt)
    back = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert back is not None and np.array_equal(back, image)


@pytest.mark.parametrize("orientation", [90, 180, 270])
def test_orientation_in_the_warp_equals_turning_afterwards(orientation: int) -> None:
    page = _printed()
    skewed = sb.scan(page, SHEET, DPI, (), sb.Distortion(skew=3.0, scale=1.02), seed=1)
    turned = sb.scan(
        page, SHEET, DPI, (), sb.Distortion(skew=3.0, scale=1.02, orientation=orientation), seed=1
    )
    expected = np.rot90(skewed, k=-(orientation // 90))
    assert turned.shape == expected.shape
    # Same source point for every pixel; only fixed-point interpolation rounding may differ.
    assert int(np.abs(turned.astype(int) - expected).max()) <= 2


def test_orientation_alone_is_an_exact_turn() -> None:
    page = _printed()
    flat = sb.scan(page, SHEET, DPI, (), sb.Distortion(), seed=1)
    assert np.array_equal(flat, page)
    turned = sb.scan(page, SHEET, DPI, (), sb.Distortion(orientation=90), seed=1)
    assert np.array_equal(turned, np.rot90(page, k=-1))


@pytest.mark.parametrize("seed", range(6))
def test_a_fold_is_lighter_than_pencil_and_shades_one_side(seed: int) -> None:
    white = np.full((1100, 800), 250, np.uint8)
    folded = white.copy()
    sb._fold(folded, random.Random(seed))
    darkness = 1.0 - folded / 250.0
    # The reader counts ink from darkness 0.25: a crease must stay below pencil.
    assert darkness.max() < 0.25
    shaded = darkness > 0.005
    assert 0.2 < shaded.mean() < 0.8  # one side of a crease through the middle 40%


def test_noise_has_the_drawn_strength_and_differs_per_sheet() -> None:
    grey = np.full((600, 500), 128, np.uint8)
    first = sb.scan(grey, SHEET, DPI, (), sb.Distortion(noise=0.04), seed=1).astype(float)
    again = sb.scan(grey, SHEET, DPI, (), sb.Distortion(noise=0.04), seed=1).astype(float)
    other = sb.scan(grey, SHEET, DPI, (), sb.Distortion(noise=0.04), seed=2).astype(float)
    assert np.array_equal(first, again)
    assert abs(first.std() / 255 - 0.04) < 0.002
    assert abs(first.mean() - 128) < 0.5
    assert np.corrcoef(first.ravel(), other.ravel())[0, 1] < 0.02
    # Neighbouring pixels of one sheet are independent, not a smeared or repeated pattern.
    assert abs(np.corrcoef(first[:, 1:].ravel(), first[:, :-1].ravel())[0, 1]) < 0.02


def test_stray_marks_keep_off_the_ovals_and_the_qr_code() -> None:
    page = _printed()
    s = DPI / 72.0
    stained = page.copy()
    rng = random.Random(7)
    for _ in range(40):
        sb._stray(stained, SHEET, s, rng)
    changed = stained != page
    assert changed.any()
    for x0, y0, x1, y1 in sb._keep_out(SHEET):
        box = changed[round(y0 * s) : round(y1 * s), round(x0 * s) : round(x1 * s)]
        assert not box.any()


def test_indexed_plans_stand_alone() -> None:
    plan = sb.indexed_plan(DEFINITION, STATION, "combined", 5, 41, "hard")
    assert plan == sb.indexed_plan(DEFINITION, STATION, "combined", 5, 41, "hard")
    assert plan.serial == "000042"
    assert plan != sb.indexed_plan(DEFINITION, STATION, "combined", 5, 42, "hard")
    assert plan != sb.indexed_plan(DEFINITION, STATION, "combined", 6, 41, "hard")
    with pytest.raises(ValueError, match="not negative"):
        sb.indexed_plan(DEFINITION, STATION, "combined", 5, -1)
