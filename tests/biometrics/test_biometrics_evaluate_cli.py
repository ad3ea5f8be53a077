"""``shailoo biometrics evaluate`` / ``synth calibrate`` and the error-rate metrics behind them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from shailoo.biometrics import evaluation
from shailoo.biometrics.calibration import load_calibration, parse_face_calibrations
from shailoo.cli import app

runner = CliRunner()


def test_error_rates_on_a_known_sample() -> None:
    gen = [0.5, 0.6, 0.7, 0.8]
    imp = [0.1, 0.2, 0.3, 0.55]
    fmr, fnmr = evaluation.error_rates(gen, imp, [0.25, 0.55, 0.9])
    assert fmr.tolist() == [0.5, 0.25, 0.0]
    assert fnmr.tolist() == [0.0, 0.25, 1.0]
    assert evaluation.equal_error_rate(gen, imp) == pytest.approx(0.25)
    assert evaluation.equal_error_rate([2.0, 3.0], [0.0, 1.0]) == 0.0


def test_fnmr_at_fmr_needs_enough_impostors() -> None:
    rng = np.random.default_rng(0)
    gen, imp = rng.normal(3, 1, 5000), rng.normal(0, 1, 20000)
    assert evaluation.fnmr_at_fmr(gen, imp[:5000], 1e-4) is None  # 5,000 < 1 / 1e-4
    t = evaluation.threshold_at_fmr(imp, 1e-3)
    assert t is not None and np.mean(imp >= t) <= 1e-3
    f = evaluation.fnmr_at_fmr(gen, imp, 1e-3)
    assert f is not None and 0.45 < f < 0.62  # normal model: Phi(3.09 - 3) = 0.536
    with pytest.raises(ValueError, match="no genuine"):
        evaluation.error_rates([], imp, [0.0])
    with pytest.raises(ValueError, match="finite"):
        evaluation.equal_error_rate([np.nan], imp)


def test_rank_one_and_identification_rates() -> None:
    scores = np.array([[0.9, 0.1, 0.2], [0.3, 0.2, 0.1], [0.0, 0.1, 0.5]])
    assert evaluation.rank_one_rate(scores, [0, 1, 2]) == pytest.approx(2 / 3)
    rates = evaluation.identification_rates([5.0, 1.0], [True, True], [0.5, 7.0], 2.0)
    assert (rates.fnir, rates.fpir) == (0.5, 0.5)
    with pytest.raises(ValueError, match="one mate index per probe"):
        evaluation.rank_one_rate(scores, [0, 1])


def test_impostor_pairs_are_distinct_and_never_genuine() -> None:
    pairs = evaluation.impostor_pairs(20, 300, seed=4)
    assert pairs.shape == (300, 2)
    assert np.all(pairs[:, 0] != pairs[:, 1])
    assert len({tuple(p) for p in pairs.tolist()}) == 300
    assert np.array_equal(pairs, evaluation.impostor_pairs(20, 300, seed=4))
    with pytest.raises(ValueError, match="only 380 impostor pairs"):
        evaluation.impostor_pairs(20, 400, seed=4)


def test_evaluate_command_reports_and_draws_a_det_curve(tmp_path: Path) -> None:
    det = tmp_path / "det.png"
    result = runner.invoke(
        app,
        [
            "biometrics",
            "evaluate",
            "--genuine",
            "40",
            "--impostor",
            "300",
            "--rank-gallery",
            "15",
            "--det",
            str(det),
            "--seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    line = [ln for ln in result.stdout.splitlines() if ln.startswith("evaluate ")][-1]
    fields = dict(item.split("=") for item in line.split()[1:])
    assert fields["setting"] == "standard" and fields["impostor"] == "300"
    assert 0.0 <= float(fields["eer"]) <= 0.2
    assert fields["fnmr_at_1e4"] == "n/a"  # 300 impostors cannot show FMR 1e-4
    assert float(fields["rank1"]) >= 0.8
    assert det.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_evaluate_refuses_bad_options() -> None:
    bad = runner.invoke(app, ["biometrics", "evaluate", "--setting", "medium"])
    assert bad.exit_code != 0 and "expected one of hard, standard" in bad.output
    many = runner.invoke(app, ["biometrics", "evaluate", "--genuine", "5", "--impostor", "50"])
    assert many.exit_code != 0 and "at most 20 impostor pairs" in many.output


def test_calibrate_writes_loadable_tables(tmp_path: Path) -> None:
    out, face_out = tmp_path / "f.json", tmp_path / "face.json"
    result = runner.invoke(
        app,
        [
            "synth",
            "calibrate",
            "--impostor",
            "2000",
            "--face-identities",
            "100",
            "--out",
            str(out),
            "--face-out",
            str(face_out),
        ],
    )
    assert result.exit_code == 0, result.output
    finger = load_calibration(out)
    assert finger.impostors == 2000
    faces = parse_face_calibrations(face_out.read_text(), str(face_out))
    assert set(faces) == {"synth-face-512"}
    assert "FMR 1e-04: finger raw >=" in result.stdout
