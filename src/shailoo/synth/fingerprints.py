"""Synthetic fingerprints at minutia level: master fingers and their impressions.

No real biometric data may enter the repository, yet the matcher must be tuned and measured
on something that behaves like fingers. A *master finger* is the set of minutiae of one
finger of one synthetic person: 35-60 minutiae inside an elliptical finger area, at least
``1.5 x`` the ridge period (9-10 px at 500 dpi) apart, pointing along the ridge flow of an
orientation field built with the zero-pole model of Sherlock & Monro (1993) from the
finger's cores and deltas (pattern class arch, tented arch, left/right loop or whorl).
Because impostor fingers share these flow patterns, impostor scores are realistically high,
not those of random point clouds.

An *impression* is what a sensor delivers: some minutiae dropped, spurious ones added (also
along the ridge flow, as extraction artefacts are), skin distortion (a smooth displacement
field that is zero at the centre and grows quadratically towards the rim), a rigid pose
(rotation and translation), position and angle jitter, and clipping to the sensor window.
``STANDARD`` and ``HARD`` set the amounts (see ``ImpressionSettings``; docs/biometrics.md
lists them).

Coordinates follow ``shailoo.biometrics.minutiae``: pixels with y down, angles counter-
clockwise as seen on the image. Internally the model works with ``v = -y`` so that these
angles are ordinary mathematical angles. Everything is deterministic by seed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from shailoo.biometrics.minutiae import TWO_PI, FingerTemplate, Minutia, MinutiaKind

WINDOW_WIDTH = 400
WINDOW_HEIGHT = 480
FINGER_SEMI_AXES = (160.0, 215.0)  # finger contact area (u, v) semi-axes, px
BORDER = 8  # extractors find no minutiae this close to the image edge
RESOLUTION = 197  # px/cm = 500 dpi
MIN_MINUTIAE = 35
MAX_MINUTIAE = 60
SPACING_PERIODS = 1.5  # minimum distance between two minutiae, in ridge periods
PATTERNS = ("arch", "tented_arch", "left_loop", "right_loop", "whorl")
PATTERN_WEIGHTS = (0.05, 0.05, 0.33, 0.30, 0.27)  # approximate population frequencies


@dataclass(frozen=True, slots=True)
class ImpressionSettings:
    """How far an impression departs from its master finger; ranges are drawn uniformly."""

    name: str
    drop: tuple[float, float]  # share of master minutiae lost
    spurious: tuple[float, float]  # spurious minutiae, as a share of the master's count
    rotation_deg: float  # rotation drawn from +-this
    translation_px: float  # translation per axis drawn from +-this
    distortion_px: float  # displacement amplitude at the finger rim
    position_jitter_px: float  # standard deviation per axis
    angle_jitter_deg: float  # standard deviation


STANDARD = ImpressionSettings(
    name="standard",
    drop=(0.10, 0.25),
    spurious=(0.05, 0.15),
    rotation_deg=20.0,
    translation_px=30.0,
    distortion_px=8.0,
    position_jitter_px=1.5,
    angle_jitter_deg=5.0,
)
HARD = ImpressionSettings(
    name="hard",
    drop=(0.20, 0.35),
    spurious=(0.10, 0.25),
    rotation_deg=30.0,
    translation_px=70.0,
    distortion_px=16.0,
    position_jitter_px=2.5,
    angle_jitter_deg=8.0,
)
SETTINGS = {s.name: s for s in (STANDARD, HARD)}


def settings_named(name: str) -> ImpressionSettings:
    """The named setting, or a clear error listing the valid names."""
    try:
        return SETTINGS[name]
    except KeyError:
        raise ValueError(f"unknown setting {name!r}; expected one of {sorted(SETTINGS)}") from None


@dataclass(frozen=True, slots=True)
class MasterFinger:
    """One synthetic finger: pattern, singular points, ridge period and minutiae.

    ``minutiae`` rows are ``u, v, theta, kind`` in the finger frame (origin at the finger
    centre, v up); ``cores`` and ``deltas`` are ``(u, v)`` points of the orientation model.
    """

    seed: int
    identity: int
    finger: int
    pattern: str
    cores: tuple[tuple[float, float], ...]
    deltas: tuple[tuple[float, float], ...]
    arch_height: float
    ridge_period: float
    minutiae: npt.NDArray[np.float64]

    def orientation(
        self, u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Ridge orientation in ``[0, pi)`` at finger-frame points (Sherlock-Monro)."""
        return ridge_orientation(self.pattern, self.cores, self.deltas, self.arch_height, u, v)


def ridge_orientation(
    pattern: str,
    cores: tuple[tuple[float, float], ...],
    deltas: tuple[tuple[float, float], ...],
    arch_height: float,
    u: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Zero-pole orientation: half the sum of delta arguments minus half the core ones.

    A plain arch has no singular point; its ridges follow ``v = h exp(-(u/w)^2)`` bumps, so
    the orientation is the slope angle of that curve.
    """
    u = np.asarray(u, dtype=np.float64)
    v = np.asarray(v, dtype=np.float64)
    if pattern == "arch":
        w = 110.0
        slope = -2.0 * arch_height * u / (w * w) * np.exp(-((u / w) ** 2)) * (1.0 - v / 400.0)
        angle = np.arctan(slope)
    else:
        angle = np.zeros(np.broadcast(u, v).shape)
        for cu, cv in deltas:
            angle = angle + 0.5 * np.arctan2(v - cv, u - cu)
        for cu, cv in cores:
            angle = angle - 0.5 * np.arctan2(v - cv, u - cu)
    return np.mod(angle, math.pi)


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([k & 0xFFFFFFFF for k in keys]))


def _singular_points(
    pattern: str, rng: np.random.Generator
) -> tuple[tuple[tuple[float, float], ...], tuple[tuple[float, float], ...]]:
    cu = float(rng.uniform(-25, 25))
    cv = float(rng.uniform(-10, 50))
    if pattern == "arch":
        return (), ()
    if pattern == "tented_arch":
        return ((cu, cv),), ((cu + float(rng.uniform(-10, 10)), cv - float(rng.uniform(70, 110))),)
    if pattern in ("left_loop", "right_loop"):
        side = -1.0 if pattern == "left_loop" else 1.0
        delta = (cu + side * float(rng.uniform(70, 120)), cv - float(rng.uniform(90, 140)))
        return ((cu, cv),), (delta,)
    gap = float(rng.uniform(20, 45))
    tilt = float(rng.uniform(-0.5, 0.5))
    cores = (
        (cu + gap / 2 * math.sin(tilt), cv + gap / 2 * math.cos(tilt)),
        (cu - gap / 2 * math.sin(tilt), cv - gap / 2 * math.cos(tilt)),
    )
    low = cv - float(rng.uniform(90, 130))
    deltas = (
        (cu - float(rng.uniform(80, 120)), low + float(rng.uniform(-15, 15))),
        (cu + float(rng.uniform(80, 120)), low + float(rng.uniform(-15, 15))),
    )
    return cores, deltas


def _in_finger(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    a, b = FINGER_SEMI_AXES
    return (u / a) ** 2 + (v / b) ** 2 <= 1.0


def master_finger(seed: int, identity: int, finger: int = 1) -> MasterFinger:
    """The master finger of a synthetic person; the same arguments give the same finger."""
    rng = _rng(seed, 0x6D617374, identity, finger)
    pattern = str(rng.choice(PATTERNS, p=PATTERN_WEIGHTS))
    cores, deltas = _singular_points(pattern, rng)
    arch_height = float(rng.uniform(40, 90))
    period = float(rng.uniform(9.0, 10.0))
    target = int(rng.integers(MIN_MINUTIAE, MAX_MINUTIAE + 1))
    spacing = SPACING_PERIODS * period
    a, b = FINGER_SEMI_AXES
    points: list[tuple[float, float]] = []
    singular = cores + deltas
    # Dart throwing inside the finger area: rejects a candidate too close to a minutia or
    # sitting on a singular point (no minutia is extracted right at a core or delta).
    for _ in range(20_000):
        if len(points) == target:
            break
        u = float(rng.uniform(-a, a) * 0.95)
        v = float(rng.uniform(-b, b) * 0.95)
        if (u / a) ** 2 + (v / b) ** 2 > 0.95**2:
            continue
        if any((u - pu) ** 2 + (v - pv) ** 2 < spacing**2 for pu, pv in points):
            continue
        if any((u - su) ** 2 + (v - sv) ** 2 < (2 * period) ** 2 for su, sv in singular):
            continue
        points.append((u, v))
    pos = np.array(points, dtype=np.float64).reshape(-1, 2)
    orient = ridge_orientation(pattern, cores, deltas, arch_height, pos[:, 0], pos[:, 1])
    flip = rng.integers(0, 2, size=len(points)) * math.pi
    theta = np.mod(orient + flip + rng.normal(0.0, math.radians(3.0), size=len(points)), TWO_PI)
    kind = np.where(
        rng.random(len(points)) < 0.55, int(MinutiaKind.RIDGE_ENDING), int(MinutiaKind.BIFURCATION)
    )
    table = np.column_stack([pos, theta, kind.astype(np.float64)])
    return MasterFinger(
        seed=seed,
        identity=identity,
        finger=finger,
        pattern=pattern,
        cores=cores,
        deltas=deltas,
        arch_height=arch_height,
        ridge_period=period,
        minutiae=table,
    )


def _displacement(
    u: npt.NDArray[np.float64], v: npt.NDArray[np.float64], params: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Smooth skin distortion: two low-frequency waves scaled by (r / R)^2, zero at the centre."""
    amp, k1u, k1v, p1, k2u, k2v, p2 = params
    a, b = FINGER_SEMI_AXES
    grow = (u / a) ** 2 + (v / b) ** 2
    du = amp * grow * np.sin(k1u * u + k1v * v + p1)
    dv = amp * grow * np.sin(k2u * u + k2v * v + p2)
    return du, dv


def impression(
    master: MasterFinger, number: int, setting: ImpressionSettings = STANDARD
) -> FingerTemplate:
    """Impression ``number`` of a master finger under a setting; deterministic."""
    code = sum(ord(ch) for ch in setting.name)
    rng = _rng(master.seed, 0x696D70, master.identity, master.finger, number, code)
    table = master.minutiae
    n = table.shape[0]
    keep = rng.random(n) >= rng.uniform(*setting.drop)
    kept = table[keep]
    n_spur = round(rng.uniform(*setting.spurious) * n)
    a, b = FINGER_SEMI_AXES
    su = rng.uniform(-a, a, size=4 * n_spur + 4)
    sv = rng.uniform(-b, b, size=4 * n_spur + 4)
    inside = _in_finger(su, sv)
    su, sv = su[inside][:n_spur], sv[inside][:n_spur]
    s_orient = master.orientation(su, sv)
    s_theta = s_orient + rng.integers(0, 2, size=su.size) * math.pi
    s_theta = s_theta + rng.normal(0.0, math.radians(10.0), size=su.size)
    s_kind = rng.integers(1, 3, size=su.size).astype(np.float64)
    spur = np.column_stack([su, sv, s_theta, s_kind])
    pts = np.concatenate([kept, spur]) if spur.size else kept.copy()

    # Skin distortion; directions follow the field's local rotation (finite differences).
    wave = 2.0 * math.pi / rng.uniform(300.0, 500.0, size=2)
    ang = rng.uniform(0, TWO_PI, size=2)
    params = np.array(
        [
            setting.distortion_px,
            wave[0] * math.cos(ang[0]),
            wave[0] * math.sin(ang[0]),
            rng.uniform(0, TWO_PI),
            wave[1] * math.cos(ang[1]),
            wave[1] * math.sin(ang[1]),
            rng.uniform(0, TWO_PI),
        ]
    )
    u, v, th = pts[:, 0], pts[:, 1], pts[:, 2]
    du, dv = _displacement(u, v, params)
    eps = 2.0
    tu, tv = u + eps * np.cos(th), v + eps * np.sin(th)
    tdu, tdv = _displacement(tu, tv, params)
    u2, v2 = u + du, v + dv
    th2 = np.arctan2(tv + tdv - v2, tu + tdu - u2)

    # Rigid pose of the finger on the sensor, then jitter.
    alpha = math.radians(rng.uniform(-setting.rotation_deg, setting.rotation_deg))
    tx, ty = rng.uniform(-setting.translation_px, setting.translation_px, size=2)
    ca, sa = math.cos(alpha), math.sin(alpha)
    u3 = ca * u2 - sa * v2 + tx + rng.normal(0, setting.position_jitter_px, size=u2.size)
    v3 = sa * u2 + ca * v2 + ty + rng.normal(0, setting.position_jitter_px, size=u2.size)
    th3 = np.mod(
        th2 + alpha + rng.normal(0, math.radians(setting.angle_jitter_deg), size=u2.size), TWO_PI
    )
    x = np.rint(WINDOW_WIDTH / 2 + u3).astype(np.int64)
    y = np.rint(WINDOW_HEIGHT / 2 - v3).astype(np.int64)
    visible = (
        (x >= BORDER) & (x < WINDOW_WIDTH - BORDER) & (y >= BORDER) & (y < WINDOW_HEIGHT - BORDER)
    )
    order = rng.permutation(np.flatnonzero(visible))
    quality = rng.integers(40, 91, size=order.size)
    minutiae = tuple(
        Minutia(
            x=int(x[i]),
            y=int(y[i]),
            theta=float(th3[i]) % TWO_PI,
            kind=MinutiaKind(int(pts[i, 3])),
            quality=int(q),
        )
        for i, q in zip(order, quality, strict=True)
    )
    return FingerTemplate(
        width=WINDOW_WIDTH,
        height=WINDOW_HEIGHT,
        minutiae=minutiae,
        resolution=RESOLUTION,
        finger=master.finger,
        impression=0,  # ISO/IEC 19794-2 impression type: live-scan plain (not the capture number)
        quality=int(rng.integers(50, 91)),
    )


def impressions(
    seed: int,
    identity: int,
    finger: int = 1,
    count: int = 2,
    setting: ImpressionSettings = STANDARD,
) -> list[FingerTemplate]:
    """``count`` impressions of one finger of one synthetic person."""
    master = master_finger(seed, identity, finger)
    return [impression(master, i, setting) for i in range(count)]
