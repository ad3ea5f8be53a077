"""Synthetic biometric samples (``shailoo.synth.biometric_evaluation``, ``.enrolment``) and the
``shailoo synth`` names of the commands that make synthetic data."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.synth import biometric_evaluation as samples
from shailoo.synth.enrolment import FINGERS, person_templates


def test_synthetic_impostor_scores_are_deterministic() -> None:
    a = samples.synthetic_impostor_scores(400, seed=3)
    b = samples.synthetic_impostor_scores(400, seed=3)
    assert np.array_equal(a, b)
    assert a.shape == (400,) and np.all(a >= 0) and np.all(a < 0.05)


def test_synthetic_impressions_pair_one_finger_per_person() -> None:
    first, second = samples.synthetic_impressions("hard", 3, seed=5, finger=7)
    assert len(first) == len(second) == 3
    assert {t.finger for t in first + second} == {7}
    again, _ = samples.synthetic_impressions("hard", 3, seed=5, finger=7)
    assert [t.minutiae for t in again] == [t.minutiae for t in first]


def test_face_impostor_scores_are_all_ordered_pairs() -> None:
    model, scores = samples.synthetic_face_impostor_scores(20, seed=4)
    assert model == "synth-face-512"
    assert scores.shape == (20 * 19,) and np.all(np.abs(scores) <= 1.0 + 1e-6)


def test_person_templates_are_two_index_fingers_and_a_face() -> None:
    enrolled = person_templates(42, 7, 0, "standard")
    assert [t.finger for t in enrolled if isinstance(t, FingerTemplate)] == list(FINGERS)
    faces = [t for t in enrolled if isinstance(t, EmbeddingTemplate)]
    assert len(faces) == 1 and faces[0].model_id == "synth-face-512"
    probe = person_templates(42, 7, 1, "standard")
    assert probe[0].minutiae != enrolled[0].minutiae  # type: ignore[union-attr]
    assert person_templates(42, 7, 0, "standard")[0] == enrolled[0]


def test_synthetic_commands_are_offered_under_synth_and_their_old_names() -> None:
    from shailoo.cli import app

    runner = CliRunner()
    synth = runner.invoke(app, ["synth", "--help"])
    assert synth.exit_code == 0
    for name in ("definition", "ballots", "biometrics", "probe", "evaluate", "calibrate"):
        assert name in synth.output
    for group, name in (
        ("results", "synth-definition"),
        ("ballots", "synth"),
        ("biometrics", "enrol-synth"),
        ("biometrics", "probe-synth"),
        ("biometrics", "evaluate"),
        ("biometrics", "calibrate"),
    ):
        shown = runner.invoke(app, [group, name, "--help"])
        assert shown.exit_code == 0, (group, name, shown.output)
