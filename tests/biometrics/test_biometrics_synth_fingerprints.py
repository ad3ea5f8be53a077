"""The synthetic finger generator: determinism, counts, spacing, ridge-flow directions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from shailoo.synth.fingerprints import (
    BORDER,
    FINGER_SEMI_AXES,
    HARD,
    MAX_MINUTIAE,
    MIN_MINUTIAE,
    SPACING_PERIODS,
    STANDARD,
    WINDOW_HEIGHT,
    WINDOW_WIDTH,
    impression,
    impressions,
    master_finger,
    ridge_orientation,
    settings_named,
)

MASTERS = [master_finger(11, i, 2) for i in range(60)]


def test_same_seed_same_fingers_and_impressions() -> None:
    a, b = master_finger(5, 7, 3), master_finger(5, 7, 3)
    assert np.array_equal(a.minutiae, b.minutiae)
    assert (a.pattern, a.cores, a.deltas) == (b.pattern, b.cores, b.deltas)
    assert impression(a, 1, HARD) == impression(b, 1, HARD)
    assert impressions(5, 7, 3, 2) == impressions(5, 7, 3, 2)


def test_other_seed_identity_finger_or_session_differ() -> None:
    base = master_finger(5, 7, 3)
    for other in (master_finger(6, 7, 3), master_finger(5, 8, 3), master_finger(5, 7, 4)):
        assert not np.array_equal(base.minutiae, other.minutiae)
    assert impression(base, 0) != impression(base, 1)
    assert impression(base, 0, STANDARD) != impression(base, 0, HARD)


def test_master_counts_spacing_and_area() -> None:
    a, b = FINGER_SEMI_AXES
    for m in MASTERS:
        n = m.minutiae.shape[0]
        assert MIN_MINUTIAE <= n <= MAX_MINUTIAE
        assert 9.0 <= m.ridge_period <= 10.0
        xy = m.minutiae[:, :2]
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
        d[np.diag_indices(n)] = np.inf
        assert d.min() >= SPACING_PERIODS * m.ridge_period - 1e-9
        assert np.all((xy[:, 0] / a) ** 2 + (xy[:, 1] / b) ** 2 <= 1.0)
        kinds = set(m.minutiae[:, 3].astype(int))
        assert kinds <= {1, 2}
    all_kinds = np.concatenate([m.minutiae[:, 3] for m in MASTERS])
    assert 0.4 < np.mean(all_kinds == 1) < 0.7  # endings and bifurcations both common
    assert len({m.pattern for m in MASTERS}) >= 3


def test_directions_follow_the_orientation_field() -> None:
    for m in MASTERS:
        field = m.orientation(m.minutiae[:, 0], m.minutiae[:, 1])
        along = np.mod(m.minutiae[:, 2], math.pi)
        diff = np.abs(np.mod(along - field + math.pi / 2, math.pi) - math.pi / 2)
        assert np.degrees(diff).max() < 15.0  # 3-degree noise, 5 sigma


@pytest.mark.parametrize(
    ("pattern", "expected"), [("left_loop", -math.pi), ("whorl", -2 * math.pi)]
)
def test_orientation_turns_half_a_turn_around_each_core(pattern: str, expected: float) -> None:
    """Zero-pole model: the orientation winds by -pi around a core and +pi around a delta."""
    cores = ((0.0, 20.0),) if pattern == "left_loop" else ((0.0, 20.0), (0.0, -10.0))
    deltas = ((-90.0, -110.0),) if pattern == "left_loop" else ((-90.0, -110.0), (90.0, -110.0))
    t = np.linspace(0.0, 2 * math.pi, 721)
    u, v = 0.0 + 60.0 * np.cos(t), 5.0 + 60.0 * np.sin(t)
    o = ridge_orientation(pattern, cores, deltas, 60.0, u, v)
    steps = np.diff(o)
    steps = np.mod(steps + math.pi / 2, math.pi) - math.pi / 2
    assert steps.sum() == pytest.approx(expected, abs=1e-6)


def test_impressions_are_clipped_to_the_window_and_sized_by_setting() -> None:
    ratios = {STANDARD.name: [], HARD.name: []}
    for m in MASTERS[:40]:
        for setting in (STANDARD, HARD):
            t = impression(m, 1, setting)
            assert (t.width, t.height, t.resolution) == (WINDOW_WIDTH, WINDOW_HEIGHT, 197)
            for mi in t.minutiae:
                assert BORDER <= mi.x < WINDOW_WIDTH - BORDER
                assert BORDER <= mi.y < WINDOW_HEIGHT - BORDER
                assert 0.0 <= mi.theta < 2 * math.pi
                assert 40 <= mi.quality <= 90
            ratios[setting.name].append(len(t.minutiae) / m.minutiae.shape[0])
    std, hard = np.mean(ratios["standard"]), np.mean(ratios["hard"])
    assert 0.8 < std < 1.05  # drop 10-25 %, add 5-15 %, little clipping
    assert hard < std  # more drop and more of the finger off the sensor


def test_impression_turns_directions_with_the_finger() -> None:
    """Without drop, spurious, distortion or jitter an impression is a rigid motion of the
    master: directions turn by the same angle as positions (the y-down, counter-clockwise
    convention of ``shailoo.biometrics.minutiae``)."""
    from dataclasses import replace

    rigid = replace(
        STANDARD,
        drop=(0.0, 0.0),
        spurious=(0.0, 0.0),
        distortion_px=0.0,
        position_jitter_px=0.0,
        angle_jitter_deg=0.0,
    )
    checked = 0
    for identity in range(6):
        m = master_finger(3, identity, 1)
        t = impression(m, 0, rigid)
        if len(t.minutiae) != m.minutiae.shape[0]:
            continue  # a minutia left the window: correspondence by profile is unsafe
        got = np.array([(mi.x, -mi.y, mi.theta) for mi in t.minutiae], dtype=float)
        ref = m.minutiae[:, :3]

        def profile(rows: np.ndarray) -> np.ndarray:
            d = np.sqrt(((rows[:, None, :2] - rows[None, :, :2]) ** 2).sum(-1))
            return np.sort(d, axis=1)[:, 1:5]

        match = np.abs(profile(got)[:, None, :] - profile(ref)[None, :, :]).sum(-1).argmin(1)
        turn_dir = np.mod(got[:, 2] - ref[match, 2], 2 * math.pi)
        vg = got[1:, :2] - got[0, :2]
        vr = ref[match[1:], :2] - ref[match[0], :2]
        turn_pos = np.mod(
            np.arctan2(vg[:, 1], vg[:, 0]) - np.arctan2(vr[:, 1], vr[:, 0]), 2 * math.pi
        )
        far = np.hypot(vr[:, 0], vr[:, 1]) > 60
        alpha = float(np.median(turn_pos[far]))
        assert abs(alpha if alpha < math.pi else alpha - 2 * math.pi) <= math.radians(20.5)
        err = np.abs(np.mod(turn_dir - alpha + math.pi, 2 * math.pi) - math.pi)
        # (a rare wrong correspondence from the distance profiles may stand out)
        assert np.mean(np.degrees(err) < 3.0) >= 0.9
        checked += 1
    assert checked >= 3


def test_unknown_setting_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown setting 'medium'"):
        settings_named("medium")
    assert settings_named("hard") is HARD
