"""The plain verdict on a likely duplicate: monotone, anchored at both ends, read from what the
engine measured and stored, and put in words staff read."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.biometrics import mcc
from shailoo.biometrics.calibration import default_calibration
from shailoo.biometrics.dedup.confirm import Evidence, Thresholds, confirm
from shailoo.biometrics.dedup.labels import verdict_text
from shailoo.biometrics.dedup.verdict import (
    Level,
    Verdict,
    evidence_from_json,
    finger_threshold,
    judge,
    level_of,
    thresholds_from_json,
)
from shailoo.biometrics.fusion import fuse
from shailoo.synth.fingerprints import impression, master_finger

CAP = 12.0  # the calibration's cap on one comparison's strength
FINGER_AGREES = finger_threshold(1e-4)  # the shipped verification point
THRESHOLDS = Thresholds()  # the engine's defaults: face cosine 0.5, fused strength 11

strengths = st.floats(0.0, CAP)
cosines = st.floats(-0.99, 0.99)
positions = st.lists(st.integers(1, 10), min_size=0, max_size=10, unique=True)


@st.composite
def measured(draw: st.DrawFn) -> dict[str, Any]:
    """What confirmation measures for one pair: strengths per finger, perhaps a face."""
    fingers = {p: draw(strengths) for p in draw(positions)}
    face = draw(st.none() | cosines)
    face_strength = None if face is None else draw(st.none() | strengths)
    return {"fingers": fingers, "face": face, "face_strength": face_strength}


def evidence_of(m: dict[str, Any]) -> Evidence:
    """The engine's evidence: strengths fused exactly as ``confirm`` fuses them."""
    parts = list(m["fingers"].values())
    if m["face_strength"] is not None:
        parts.append(m["face_strength"])
    return Evidence(
        face=m["face"],
        face_strength=m["face_strength"],
        fingers={p: 0.1 for p in m["fingers"]},
        finger_strengths=dict(m["fingers"]),
        fused=fuse(parts),
    )


def verdict(m: dict[str, Any]) -> Verdict:
    return judge(evidence_of(m), THRESHOLDS, FINGER_AGREES)


# -- the rule ---------------------------------------------------------------------------------


@settings(max_examples=300)
@given(
    st.integers(0, 10).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n))),
    st.sampled_from([None, False, True]),
    st.booleans(),
)
def test_more_agreement_never_weakens_the_verdict(
    counts: tuple[int, int], face: bool | None, queued: bool
) -> None:
    compared, agreeing = counts
    base = level_of(agreeing, compared, face, queued)
    if agreeing < compared:
        assert level_of(agreeing + 1, compared, face, queued) >= base
    if face is False:
        assert level_of(agreeing, compared, True, queued) >= base
    if not queued:
        assert level_of(agreeing, compared, face, True) >= base
    # one more finger compared, and it agrees
    assert level_of(agreeing + 1, compared + 1, face, queued) >= base


@settings(max_examples=300)
@given(measured(), st.data())
def test_a_stronger_measurement_never_weakens_the_verdict(m: dict[str, Any], data: Any) -> None:
    before = verdict(m)
    if m["fingers"]:
        position = data.draw(st.sampled_from(sorted(m["fingers"])))
        stronger = data.draw(st.floats(m["fingers"][position], CAP))
        raised = {**m, "fingers": {**m["fingers"], position: stronger}}
        assert verdict(raised).level >= before.level
    if m["face"] is not None:
        closer = data.draw(st.floats(m["face"], 0.99))
        assert verdict({**m, "face": closer}).level >= before.level


@settings(max_examples=300)
@given(measured())
def test_all_agree_is_never_different_and_none_agree_is_never_same(m: dict[str, Any]) -> None:
    v = verdict(m)
    if v.compared and v.agreeing == v.compared:
        assert v.level != Level.DIFFERENT
        if v.queued:
            assert v.level == Level.SAME
    if v.compared and v.agreeing == 0:
        assert v.level != Level.SAME
        if not v.queued:
            assert v.level == Level.DIFFERENT
    if v.level == Level.SAME:  # "same" only where the engine queues and nothing disagrees
        assert v.queued and v.agreeing == v.compared


@pytest.mark.parametrize(
    ("fingers", "face", "level"),
    [
        ({2: 12.0, 7: 11.5, 1: 10.0}, 0.8, Level.SAME),  # 3 of 3 fingers and the face
        ({2: 0.4, 7: 1.1, 1: 0.2}, 0.2, Level.DIFFERENT),  # nothing agrees
        ({2: 0.4, 7: 1.1, 1: 0.2}, 0.8, Level.DIFFERENT),  # twins: the fingers overrule the face
        ({2: 12.0, 7: 0.3, 1: 0.8}, None, Level.UNCLEAR),  # 1 of 3
        ({2: 12.0, 7: 12.0, 1: 0.5}, None, Level.UNCLEAR),  # 2 of 3: queued, one disagrees
        ({2: 12.0, 7: 12.0}, 0.1, Level.UNCLEAR),  # fingers agree, the face does not
        ({}, 0.7, Level.SAME),  # no finger for both: the face threshold decides, as the engine
        ({}, 0.3, Level.DIFFERENT),
        ({}, None, Level.UNCLEAR),  # nothing compared
        ({2: 5.0}, None, Level.UNCLEAR),  # one finger agrees but cannot reach the queue alone
    ],
)
def test_typical_pairs(fingers: dict[int, float], face: float | None, level: Level) -> None:
    assert verdict({"fingers": fingers, "face": face, "face_strength": None}).level == level


def test_the_finger_threshold_is_the_verification_point() -> None:
    assert finger_threshold(1e-4) == pytest.approx(4.0)
    assert finger_threshold(1e-6) == pytest.approx(6.0)
    for bad in (0.0, 1.0, -0.1, 2.0):
        with pytest.raises(ValueError):
            finger_threshold(bad)
    with pytest.raises(ValueError):
        level_of(3, 2, None, True)


# -- on what the engine really measures -------------------------------------------------------


def _prepared(identity: int, session: int) -> dict[int, mcc.PreparedTemplate]:
    return {
        pos: mcc.prepare(impression(master_finger(2025, identity, pos), session)) for pos in (2, 7)
    }


def test_the_engine_s_own_evidence_reads_same_for_a_duplicate_and_different_for_a_stranger() -> (
    None
):
    calibration = default_calibration()
    first, again, stranger = _prepared(1, 0), _prepared(1, 1), _prepared(2, 0)
    duplicate = judge(confirm(first, again, calibration), THRESHOLDS, FINGER_AGREES)
    assert duplicate.level == Level.SAME and duplicate.fingers_agreeing == 2
    other = judge(confirm(first, stranger, calibration), THRESHOLDS, FINGER_AGREES)
    assert other.level == Level.DIFFERENT and other.fingers_agreeing == 0


# -- stored evidence --------------------------------------------------------------------------


@settings(max_examples=200)
@given(measured())
def test_stored_evidence_reads_back_to_the_same_verdict(m: dict[str, Any]) -> None:
    # values on the grid the store rounds to (strengths 0.01, cosines 0.0001)
    m = {
        "fingers": {p: round(s, 2) for p, s in m["fingers"].items()},
        "face": None if m["face"] is None else round(m["face"], 4),
        "face_strength": None if m["face_strength"] is None else round(m["face_strength"], 2),
    }
    live = evidence_of(m)
    assume(abs(live.fused - THRESHOLDS.strength) > 0.006)  # the stored fused is rounded
    stored = live.as_json()
    again = evidence_from_json(stored)
    assert again.as_json() == stored
    assert (
        judge(again, THRESHOLDS, FINGER_AGREES).level
        == judge(live, THRESHOLDS, FINGER_AGREES).level
    )


@settings(max_examples=300)
@given(sx.arbitrary_json_values, st.none() | st.floats(), st.none() | st.floats())
def test_damaged_stored_evidence_never_breaks_the_page(
    stored: object, face: float | None, fused: float | None
) -> None:
    evidence = evidence_from_json(
        stored if isinstance(stored, dict) else {"fingers": stored}, face=face, fused=fused
    )
    numbers = [evidence.fused, *evidence.fingers.values(), *evidence.finger_strengths.values()]
    if evidence.face is not None:
        numbers.append(evidence.face)
    assert all(math.isfinite(n) for n in numbers)
    assert set(evidence.finger_strengths) <= set(evidence.fingers) <= set(range(11))
    assert evidence.fused >= 0 and all(s >= 0 for s in evidence.finger_strengths.values())
    judge(evidence, THRESHOLDS, FINGER_AGREES)  # and a verdict comes out of it


def test_stored_evidence_drops_what_is_not_a_finger_and_a_number() -> None:
    evidence = evidence_from_json(
        {
            "fingers": {"2": 0.2, "7": "0.3", "11": 0.5, "x": 0.1, "3": True, "4": float("nan")},
            "finger_strengths": {"2": 9.0, "7": 9.0, "5": 9.0},
            "face": 0.6,
            "fused": "25",
        },
        fused=float("inf"),
    )
    assert evidence.fingers == {2: 0.2}
    assert evidence.finger_strengths == {2: 9.0}  # a strength needs its score
    assert evidence.face == 0.6 and evidence.fused == 0.0


def test_a_run_s_stored_thresholds_are_the_ones_used() -> None:
    default = Thresholds(face=0.5, strength=11.0)
    assert thresholds_from_json({"thresholds": {"face": 0.6, "strength": 8.0}}, default) == (
        Thresholds(face=0.6, strength=8.0)
    )
    for bad in ({}, {"thresholds": []}, {"thresholds": {"face": 2.0, "strength": 8.0}}):
        assert thresholds_from_json(bad, default) == default
    # a pair the run queued at strength 8 is "same" under that run's thresholds
    m = {"fingers": {2: 6.0, 7: 6.0}, "face": None, "face_strength": None}
    assert judge(evidence_of(m), Thresholds(strength=8.0), FINGER_AGREES).level == Level.SAME
    assert judge(evidence_of(m), default, FINGER_AGREES).level == Level.UNCLEAR


# -- in words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fingers", "face", "sentence"),
    [
        (
            {2: 12.0, 7: 11.5, 1: 10.0},
            0.8,
            "Likely the same person — 3 of 3 fingers and the face agree",
        ),
        (
            {2: 0.4, 7: 1.1, 1: 0.2},
            0.2,
            "Likely different people — no finger agrees, the face disagrees",
        ),
        ({2: 12.0, 7: 0.3, 1: 0.8}, None, "Unclear — 1 of 3 fingers agree"),
        ({2: 0.3}, None, "Likely different people — the one finger compared disagrees"),
        (
            {},
            0.7,
            "Likely the same person — the face agrees; no finger is enrolled for both persons",
        ),
    ],
)
def test_the_verdict_in_words(fingers: dict[int, float], face: float | None, sentence: str) -> None:
    with translation.override("en"):
        said = verdict_text(verdict({"fingers": fingers, "face": face, "face_strength": None}))
    assert said.sentence == sentence
    assert bool(said.advice) == (said.level == "unclear")
