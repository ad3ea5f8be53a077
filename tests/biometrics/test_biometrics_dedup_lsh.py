"""Fingerprint shortlist (MCC bit-sampling LSH) and the matcher confirmation with fusion."""

from __future__ import annotations

import math

import numpy as np
import pytest
from dedup_testdata import finger_calibration, finger_people

from shailoo.biometrics.dedup.confirm import (
    Thresholds,
    confirm,
    is_candidate,
    strength_for_expected,
)
from shailoo.biometrics.dedup.fingerprint_lsh import (
    BITS,
    LshParams,
    PersonFingerIndex,
    coarse_bits,
    cylinder_bits,
    self_join,
)

PERSONS, DUPLICATES = 80, 10


def test_second_enrolments_are_shortlisted_and_strangers_mostly_not() -> None:
    people = finger_people(PERSONS, DUPLICATES)
    index = PersonFingerIndex.build(people, LshParams(top=4))
    pairs = self_join(index, people, 0, len(people))
    found = {(a, b) for a, b, _ in pairs}
    assert all((i, PERSONS + i) in found for i in range(DUPLICATES))
    # a shortlist, not all pairs: at most `top` per person
    assert len(pairs) <= len(people) * 4 < 0.1 * len(people) * (len(people) - 1)


def test_partitions_of_the_fingerprint_join_add_up() -> None:
    people = finger_people(PERSONS, DUPLICATES)
    index = PersonFingerIndex.build(people)
    whole = {(a, b) for a, b, _ in self_join(index, people, 0, len(people))}
    parts = set()
    for start in range(0, len(people), 25):
        parts |= {(a, b) for a, b, _ in self_join(index, people, start, start + 25)}
    assert parts == whole


def test_only_the_same_finger_position_is_compared() -> None:
    people = finger_people(PERSONS, DUPLICATES)
    thumbs_only = [{2: p[2]} for p in people[:PERSONS]]
    index_fingers = [{7: p[7]} for p in people[PERSONS:]]
    index = PersonFingerIndex.build(thumbs_only)
    for fingers in index_fingers:
        rows, votes = index.shortlist(fingers)
        assert rows.size == 0 and votes.size == 0


def test_cylinder_bits_and_pooling_shapes() -> None:
    template = finger_people(PERSONS, DUPLICATES)[0][2]
    bits = cylinder_bits(template)
    assert bits.shape == (template.cylinders, BITS)
    pooled = coarse_bits(template, LshParams())
    assert pooled.shape == (template.cylinders, 3 * 8 * 8)
    assert pooled.mean() > bits.mean()  # pooling densifies the sparse cylinders


def test_confirmation_separates_duplicates_from_strangers() -> None:
    people = finger_people(PERSONS, DUPLICATES)
    calibration = finger_calibration()
    same = confirm(people[0], people[PERSONS], calibration)
    other = confirm(people[1], people[PERSONS], calibration)
    assert set(same.fingers) == {2, 7}
    assert same.fused > other.fused
    thresholds = Thresholds(strength=strength_for_expected(4_000_000, 100))
    assert is_candidate(same, Thresholds(strength=6.0))
    assert not is_candidate(other, thresholds)
    evidence = same.as_json()
    assert set(evidence) == {
        "face",
        "face_strength",
        "fingers",
        "finger_strengths",
        "lsh_votes",
        "fused",
    }


def test_fingers_overrule_a_look_alike_face() -> None:
    people = finger_people(PERSONS, DUPLICATES)
    calibration = finger_calibration()
    thresholds = Thresholds(face=0.5, strength=8.0)
    twins = confirm(people[1], people[PERSONS], calibration, face=0.9)
    assert twins.fingers and not is_candidate(twins, thresholds)
    same = confirm(people[0], people[PERSONS], calibration, face=0.9)
    assert is_candidate(same, thresholds)
    face_only = confirm(None, None, None, face=0.8)
    assert face_only.fused == 0.0 and is_candidate(face_only, thresholds)
    assert not is_candidate(confirm(None, None, None, face=0.3), thresholds)


def test_strength_for_expected_false_pairs() -> None:
    # 4 million persons, 100 expected false pairs: FMR = 100 / 8e12
    assert strength_for_expected(4_000_000, 100) == pytest.approx(-math.log10(100 / 7.999998e12))
    with pytest.raises(ValueError, match="face threshold"):
        Thresholds(face=1.5)
    with pytest.raises(ValueError, match="strength"):
        Thresholds(strength=0.0)
    assert np.isfinite(strength_for_expected(1, 1))
