"""Score calibration: monotone, invertible, honest on its own sample, strict on bad files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from shailoo.biometrics import calibration as cal
from shailoo.biometrics.calibration import CalibrationError, ScoreCalibration

RNG = np.random.default_rng(7)
# Heavy-ish tailed impostor sample, like MCC's: a gamma body.
SAMPLE = RNG.gamma(4.0, 0.003, size=200_000)
FITTED = cal.fit(SAMPLE)


def test_strength_is_monotone_and_starts_at_zero() -> None:
    grid = np.linspace(-0.1, 0.5, 5001)
    s = FITTED.strength(grid)
    assert np.all(np.diff(s) >= 0)
    assert s[0] == 0.0
    assert s.max() <= FITTED.cap


def test_threshold_for_inverts_strength() -> None:
    for fmr in (0.3, 1e-2, 1e-3, 1e-5, 1e-8):
        t = FITTED.threshold_for(fmr)
        assert FITTED.strength(t) == pytest.approx(-math.log10(fmr), abs=0.05)


def test_measured_fmr_matches_the_calibration_where_the_sample_can_tell() -> None:
    for fmr in (1e-1, 1e-2, 1e-3):
        t = FITTED.threshold_for(fmr)
        measured = float(np.mean(t <= SAMPLE))
        assert measured == pytest.approx(fmr, rel=0.25)


def test_tail_extrapolation_is_checked_against_a_bigger_sample() -> None:
    big = np.random.default_rng(8).gamma(4.0, 0.003, size=2_000_000)
    t = FITTED.threshold_for(1e-5)
    assert float(np.mean(big >= t)) <= 3e-5  # a Pareto tail does not understate FMR badly


def test_json_round_trip_and_file_io(tmp_path: Path) -> None:
    again = ScoreCalibration.from_json(FITTED.to_json())
    grid = np.linspace(0, 0.2, 101)
    assert np.allclose(again.strength(grid), FITTED.strength(grid), atol=1e-4)
    path = tmp_path / "c.json"
    cal.write_calibration(FITTED, path)
    assert cal.load_calibration(path).impostors == FITTED.impostors


def test_bad_files_are_refused_with_location(tmp_path: Path) -> None:
    with pytest.raises(CalibrationError, match=r"x.json: line 1 column"):
        ScoreCalibration.from_json("{not json", "x.json")
    body = json.loads(FITTED.to_json())
    del body["tail"]
    with pytest.raises(CalibrationError, match=r"x\.json: missing or invalid field 'tail'"):
        ScoreCalibration.from_json(json.dumps(body), "x.json")
    body = json.loads(FITTED.to_json())
    body["strengths"] = list(reversed(body["strengths"]))
    with pytest.raises(CalibrationError, match="non-decreasing"):
        ScoreCalibration.from_json(json.dumps(body), "x.json")
    with pytest.raises(CalibrationError, match="cannot read"):
        cal.load_calibration(tmp_path / "missing.json")
    body = json.loads(FITTED.to_json())
    body["scores"][3] = float("nan")  # once accepted: a NaN calibration compares false always
    with pytest.raises(CalibrationError, match=r"x\.json: line \d+ column \d+: NaN is not"):
        ScoreCalibration.from_json(json.dumps(body, indent=1), "x.json")
    with pytest.raises(CalibrationError, match="nested deeper than 64 levels"):
        ScoreCalibration.from_json("[" * 100_000 + "]" * 100_000, "x.json")


def test_fit_and_thresholds_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="at least 1,000"):
        cal.fit(np.zeros(10))
    with pytest.raises(ValueError, match="degenerate"):
        cal.fit(np.zeros(5000))
    with pytest.raises(ValueError, match="in \\(0, 1\\]"):
        FITTED.threshold_for(0.0)
    with pytest.raises(ValueError, match="beyond the calibrated range"):
        FITTED.threshold_for(1e-20)


def test_shipped_calibrations_load_and_match_the_matcher() -> None:
    finger = cal.default_calibration()
    assert finger.matcher == cal.MATCHER_ID
    assert finger.impostors >= 100_000
    assert finger.threshold_for(1e-4) > finger.threshold_for(1e-2)
    faces = cal.default_face_calibrations()
    assert "synth-face-512" in faces
    assert faces["synth-face-512"].threshold_for(1e-4) > 0.2
