"""Station gallery: identify, verify, ambiguity, faces, shortlisting and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from shailoo.biometrics import identification
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.identification import (
    Gallery,
    IdentificationThresholds,
    UnknownReference,
)
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.synth import embeddings
from shailoo.synth.fingerprints import impression, master_finger

SEED = 77
FINGERS = (2, 7)
VOTERS = 40


def fingers(person: int, session: int) -> dict[int, FingerTemplate]:
    return {f: impression(master_finger(SEED, person, f), session) for f in FINGERS}


def face(person: int, session: int) -> EmbeddingTemplate:
    spec = embeddings.CLUSTERED
    return EmbeddingTemplate(spec.model_id, embeddings.capture_of(spec, SEED, person, session))


GALLERY = Gallery.build((f"P{p}", fingers(p, 0), None) for p in range(VOTERS))


def test_enrolled_voter_is_identified() -> None:
    for person in (0, 17, 39):
        result = GALLERY.identify(fingers(person, 1))
        assert result.decision == "identified"
        assert result.candidates[0][0] == f"P{person}"
        assert result.candidates[0][1] >= result.threshold
        assert result.compared == VOTERS
        scores = [s for _, s in result.candidates]
        assert scores == sorted(scores, reverse=True)


def test_one_finger_is_enough_and_a_stranger_is_not_identified() -> None:
    one = GALLERY.identify({7: fingers(5, 1)[7]})
    assert one.decision == "identified" and one.candidates[0][0] == "P5"
    stranger = GALLERY.identify(fingers(10_000, 1))
    assert stranger.decision == "not_identified"
    assert all(score < stranger.threshold for _, score in stranger.candidates)


def test_unknown_finger_position_gives_no_candidates() -> None:
    result = GALLERY.identify({3: fingers(5, 1)[2]})
    assert result.decision == "not_identified"
    assert result.candidates == [] and result.compared == 0


def test_duplicate_enrolment_is_ambiguous() -> None:
    twice = Gallery.build(
        [("A", fingers(1, 0), None), ("B", fingers(1, 2), None), ("C", fingers(2, 0), None)]
    )
    result = twice.identify(fingers(1, 1))
    assert result.decision == "ambiguous"
    assert {r for r, _ in result.candidates[:2]} == {"A", "B"}


def test_verify_one_to_one() -> None:
    assert GALLERY.verify("P3", fingers(3, 1)).decision == "verified"
    wrong = GALLERY.verify("P4", fingers(3, 1))
    assert wrong.decision == "not_verified" and wrong.score < wrong.threshold
    with pytest.raises(UnknownReference, match="'P999'"):
        GALLERY.verify("P999", fingers(3, 1))


def test_thresholds_tighten_with_gallery_size_and_come_from_settings() -> None:
    small = Gallery.build([("X", fingers(1, 0), None)])
    assert GALLERY.identify(fingers(1, 1)).threshold > small.identify(fingers(1, 1)).threshold
    th = IdentificationThresholds.from_mapping({"target_fpir": 1e-4, "max_candidates": 3})
    result = GALLERY.identify(fingers(8, 1), thresholds=th)
    assert len(result.candidates) <= 3
    with pytest.raises(ValueError, match="unknown identification threshold"):
        IdentificationThresholds.from_mapping({"fpir": 0.1})
    with pytest.raises(ValueError, match="must be a number"):
        IdentificationThresholds.from_mapping({"target_fpir": "high"})
    with pytest.raises(ValueError, match="target_fpir"):
        IdentificationThresholds(target_fpir=2.0)


def test_faces_are_fused_only_when_calibrated_and_comparable() -> None:
    entries = [(f"P{p}", fingers(p, 0), face(p, 0)) for p in range(12)]
    gallery = Gallery.build(entries)
    with_face = gallery.identify(fingers(4, 1), face=face(4, 1))
    without = gallery.identify(fingers(4, 1))
    assert with_face.used_face and not without.used_face
    assert with_face.candidates[0] == ("P4", with_face.candidates[0][1])
    assert with_face.candidates[0][1] > without.candidates[0][1]
    face_only = gallery.identify({}, face=face(9, 1))
    assert face_only.decision == "identified" and face_only.candidates[0][0] == "P9"
    other_model = EmbeddingTemplate("another-sdk-512", face(4, 1).vector)
    assert not gallery.identify(fingers(4, 1), face=other_model).used_face
    uncalibrated = Gallery.build(entries, face_calibrations={})
    assert not uncalibrated.identify(fingers(4, 1), face=face(4, 1)).used_face


def test_shortlisted_search_still_finds_the_voter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(identification, "SHORTLIST_MIN", 5)
    for person in (2, 30):
        result = GALLERY.identify(fingers(person, 1))
        assert result.decision == "identified" and result.candidates[0][0] == f"P{person}"
        assert result.compared < VOTERS


def test_empty_gallery_and_duplicate_references() -> None:
    empty = Gallery.build([])
    assert len(empty) == 0
    assert empty.identify(fingers(1, 1)).decision == "not_identified"
    with pytest.raises(ValueError, match="'A' appears twice"):
        Gallery.build([("A", fingers(1, 0), None), ("A", fingers(2, 0), None)])
    assert "P1" in GALLERY and "nobody" not in GALLERY


def test_results_hold_no_template_data() -> None:
    result = GALLERY.identify(fingers(6, 1))
    for value in vars(result).values() if hasattr(result, "__dict__") else ():
        assert not isinstance(value, np.ndarray)
    assert set(result.__slots__) == {"decision", "candidates", "threshold", "compared", "used_face"}
