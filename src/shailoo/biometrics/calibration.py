"""Raw matcher scores mapped to ``-log10(FMR)``, so thresholds are set by false-match rate.

A raw MCC score means nothing to an operator; "one false match in ten thousand comparisons"
does. The calibration is the impostor score distribution of the synthetic finger generator
(standard impressions, whose tail is the heavier): below the
tail point it is the empirical survival function, above it a generalised Pareto tail fitted to the
exceedances (peaks over threshold, maximum likelihood), which extrapolates to rates no sample
of practical size can measure. MCC impostor tails are heavier than exponential, and an
exponential fit would claim rates several times too small; the Pareto shape is kept
``>= 0`` so the extrapolation never gets lighter than exponential. Strengths are capped at
``cap``: beyond it the extrapolation is a guess.

The shipped table ``data/mcc_calibration.json`` is written by ``shailoo biometrics calibrate``
(deterministic by seed; the synthetic impostor scores are made outside the product: this
module only fits and loads); ``default_calibration()`` loads it.
Strengths of independent comparisons add up (see ``shailoo.biometrics.fusion``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shailoo.common import safe_json
from shailoo.common.refusals import InvalidInput

MATCHER_ID = "mcc16b-lssr/2"  # /2: relative-direction tolerance pi/7 in the consolidation
DATA_FILE = "mcc_calibration.json"
FACE_DATA_FILE = "face_calibration.json"
QUANTILE_POINTS = 200


class CalibrationError(InvalidInput):
    """A calibration file that cannot be used, with the file and the reason."""

    default_code = "calibration_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


@dataclass(frozen=True, slots=True)
class ScoreCalibration:
    """Monotone map from a raw score to ``-log10`` of the false-match rate at that score.

    ``scores``/``strengths`` tabulate the empirical part (both non-decreasing) up to
    ``tail_score``, where the survival is ``10 ** -tail_strength``; beyond it the survival is
    generalised Pareto with shape ``tail_shape`` (>= 0; 0 is exponential) and
    ``tail_scale``.
    """

    matcher: str
    scores: tuple[float, ...]
    strengths: tuple[float, ...]
    tail_score: float
    tail_strength: float
    tail_shape: float
    tail_scale: float
    impostors: int
    cap: float = 12.0

    def strength(self, raw: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """``-log10(FMR)`` for each raw score (array in, array out)."""
        s = np.asarray(raw, dtype=np.float64)
        body = np.interp(s, self.scores, self.strengths, left=0.0)
        z = np.maximum(s - self.tail_score, 0.0) / self.tail_scale
        if self.tail_shape > 0:
            extra = np.log10(1.0 + self.tail_shape * z) / self.tail_shape
        else:
            extra = z / math.log(10.0)
        out = np.where(s > self.tail_score, self.tail_strength + extra, body)
        return np.clip(out, 0.0, self.cap)

    def fmr(self, raw: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Estimated false-match rate at each raw score used as a threshold."""
        return np.power(10.0, -self.strength(raw))

    def threshold_for(self, fmr: float) -> float:
        """The smallest raw score whose estimated false-match rate is at most ``fmr``."""
        if not 0.0 < fmr <= 1.0:
            raise ValueError(f"false-match rate must be in (0, 1], got {fmr}")
        target = -math.log10(fmr)
        if target > self.cap:
            raise ValueError(f"FMR {fmr} is beyond the calibrated range (10^-{self.cap:g})")
        if target <= self.tail_strength:
            xs = np.asarray(self.strengths)
            i = int(np.searchsorted(xs, target, side="left"))
            return float(self.scores[min(i, len(self.scores) - 1)])
        excess = target - self.tail_strength
        if self.tail_shape > 0:
            z = (10.0 ** (self.tail_shape * excess) - 1.0) / self.tail_shape
        else:
            z = excess * math.log(10.0)
        return float(self.tail_score + self.tail_scale * z)

    def to_json(self) -> str:
        return json.dumps(
            {
                "matcher": self.matcher,
                "impostors": self.impostors,
                "cap": self.cap,
                "tail": {
                    "score": self.tail_score,
                    "strength": self.tail_strength,
                    "shape": self.tail_shape,
                    "scale": self.tail_scale,
                },
                "scores": [round(v, 7) for v in self.scores],
                "strengths": [round(v, 5) for v in self.strengths],
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, text: str, source: str = "<calibration>") -> ScoreCalibration:
        """Parse and check a calibration; errors name the source and the field."""
        try:  # bounded, and no NaN or Infinity: a calibration of NaN would match anything
            raw: dict[str, Any] = safe_json.loads(text, source=source)
        except safe_json.JsonInputError as exc:
            where = f"line {exc.line} column {exc.column}: " if exc.line else ""
            raise CalibrationError(f"{source}: {where}{exc.reason}") from None
        try:
            scores = tuple(float(v) for v in raw["scores"])
            strengths = tuple(float(v) for v in raw["strengths"])
            cal = cls(
                matcher=str(raw["matcher"]),
                scores=scores,
                strengths=strengths,
                tail_score=float(raw["tail"]["score"]),
                tail_strength=float(raw["tail"]["strength"]),
                tail_shape=float(raw["tail"]["shape"]),
                tail_scale=float(raw["tail"]["scale"]),
                impostors=int(raw["impostors"]),
                cap=float(raw.get("cap", 12.0)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"{source}: missing or invalid field {exc}") from None
        if len(scores) != len(strengths) or len(scores) < 2:
            raise CalibrationError(f"{source}: scores and strengths must be equal, non-trivial")
        if np.any(np.diff(scores) < 0) or np.any(np.diff(strengths) < 0):
            raise CalibrationError(f"{source}: scores and strengths must be non-decreasing")
        if cal.tail_scale <= 0 or cal.tail_shape < 0:
            raise CalibrationError(f"{source}: tail.scale must be > 0 and tail.shape >= 0")
        return cal


def fit(
    impostor_scores: npt.ArrayLike,
    matcher: str = MATCHER_ID,
    tail_fraction: float = 0.01,
    cap: float = 12.0,
) -> ScoreCalibration:
    """Calibrate from impostor scores: empirical body, Pareto tail beyond ``tail_fraction``."""
    s = np.sort(np.asarray(impostor_scores, dtype=np.float64))
    n = s.size
    if n < 1000:
        raise ValueError(f"need at least 1,000 impostor scores to calibrate, got {n}")
    tail_n = max(50, round(tail_fraction * n))
    tail_score = float(s[n - tail_n - 1])
    excess = s[n - tail_n :] - tail_score
    if float(excess.max()) <= 0:
        raise ValueError("impostor tail is degenerate (all scores equal)")
    shape, scale = _fit_pareto(excess)
    tail_strength = -math.log10(tail_n / n)
    # Body: score at evenly spaced strengths from 0 to the tail point.
    levels = np.linspace(0.0, tail_strength, QUANTILE_POINTS)
    survival = np.power(10.0, -levels)
    ranks = np.clip(np.ceil(n * (1.0 - survival)).astype(np.int64), 0, n - 1)
    scores = s[ranks]
    scores[-1] = tail_score
    scores = np.maximum.accumulate(scores)
    return ScoreCalibration(
        matcher=matcher,
        scores=tuple(float(v) for v in scores),
        strengths=tuple(float(v) for v in levels),
        tail_score=tail_score,
        tail_strength=tail_strength,
        tail_shape=shape,
        tail_scale=scale,
        impostors=n,
        cap=cap,
    )


def _fit_pareto(excess: npt.NDArray[np.float64]) -> tuple[float, float]:
    """Generalised Pareto (shape >= 0, scale) of positive exceedances, maximum likelihood."""
    from scipy.stats import genpareto

    positive = excess[excess > 0]
    shape, _, scale = genpareto.fit(positive, floc=0.0)
    if shape < 0:  # a light tail: keep the exponential, which over-states FMR (safe side)
        return 0.0, float(positive.mean())
    return float(shape), float(scale)


def write_calibration(calibration: ScoreCalibration, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(calibration.to_json() + "\n", encoding="utf-8")


def write_face_calibrations(calibrations: dict[str, ScoreCalibration], path: Path) -> None:
    """One file, one calibration per embedding model id."""
    body = {model: json.loads(cal.to_json()) for model, cal in sorted(calibrations.items())}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"models": body}, indent=1) + "\n", encoding="utf-8")


def parse_face_calibrations(text: str, source: str) -> dict[str, ScoreCalibration]:
    try:
        raw = safe_json.loads(text, source=source)
        models = raw["models"]
        if not isinstance(models, dict):
            raise TypeError("models")
    except (safe_json.JsonInputError, KeyError, TypeError) as exc:
        raise CalibrationError(f"{source}: not a face calibration file ({exc})") from None
    return {
        str(model): ScoreCalibration.from_json(json.dumps(body), f"{source}: models.{model}")
        for model, body in models.items()
    }


def load_calibration(path: Path) -> ScoreCalibration:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CalibrationError(f"{path}: cannot read ({exc.strerror})") from None
    return ScoreCalibration.from_json(text, str(path))


@lru_cache(maxsize=1)
def default_calibration() -> ScoreCalibration:
    """The shipped calibration of the MCC matcher (made by ``shailoo biometrics calibrate``)."""
    ref = resources.files("shailoo.biometrics").joinpath("data", DATA_FILE)
    cal = ScoreCalibration.from_json(
        ref.read_text(encoding="utf-8"), f"shailoo/biometrics/data/{DATA_FILE}"
    )
    if cal.matcher != MATCHER_ID:
        raise CalibrationError(
            f"data/{DATA_FILE}: calibrated for {cal.matcher!r}, matcher is {MATCHER_ID!r}; "
            "run `shailoo biometrics calibrate`"
        )
    return cal


@lru_cache(maxsize=1)
def default_face_calibrations() -> dict[str, ScoreCalibration]:
    """Shipped face calibrations by model id (only the synthetic model: a real SDK's model
    must be calibrated on its own impostor scores before its faces are fused)."""
    ref = resources.files("shailoo.biometrics").joinpath("data", FACE_DATA_FILE)
    return parse_face_calibrations(
        ref.read_text(encoding="utf-8"), f"shailoo/biometrics/data/{FACE_DATA_FILE}"
    )
