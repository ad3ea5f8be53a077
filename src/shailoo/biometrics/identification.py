"""Polling-station identification (1:N) and verification (1:1) over an in-memory gallery.

The service layer decrypts a station's templates once and calls ``Gallery.build``; each
voter at the desk is then ``gallery.identify(fingers, face)``. Every probe finger is
compared with the same finger position of every reference in one compiled loop
(``shailoo.biometrics.mcc.score_many``), scores become ``-log10 FMR`` strengths
(``calibration``) and are fused across fingers and face (``fusion``). The decision threshold
follows from the target FPIR and the gallery size (``FPIR ~= N * FMR``), so a bigger station
automatically gets a stricter per-comparison threshold.

Decisions:

- ``identified``: the best candidate reaches the threshold and no other candidate does;
- ``ambiguous``: a second candidate also reaches the threshold (less ``ambiguity_margin``):
  a duplicate enrolment or a false match; staff must decide, the software does not guess;
- ``not_identified``: nobody reaches the threshold.

A face embedding is used only when the gallery has a calibration for its model; it is compared
only with gallery embeddings of the same model id and dimension, never across models. Pure
module: no Django.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from shailoo.biometrics import mcc
from shailoo.biometrics.calibration import (
    ScoreCalibration,
    default_calibration,
    default_face_calibrations,
)
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.fusion import fused_strength, identification_threshold
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.common.refusals import NotFound

IdentificationDecision = Literal["identified", "not_identified", "ambiguous"]
VerificationDecision = Literal["verified", "not_verified"]
SHORTLIST_MIN = 200
SHORTLIST_FRACTION = 0.10


class UnknownReference(NotFound, LookupError):
    """``verify`` was asked about a reference that is not in the gallery."""

    default_code = "reference_not_found"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


@dataclass(frozen=True, slots=True)
class IdentificationThresholds:
    """Operating point, from configuration (e.g. ``settings.BIOMETRICS_THRESHOLDS``).

    ``target_fpir``: false-positive identification rate per non-mated search;
    ``verify_fmr``: false-match rate of a 1:1 verification; ``ambiguity_margin``: how far
    below the threshold (in ``-log10 FMR`` units) a runner-up still makes the search
    ambiguous (0: only a runner-up that itself reaches the threshold);
    ``max_candidates``: how many ranked candidates a result lists.
    """

    target_fpir: float = 1e-3
    verify_fmr: float = 1e-4
    ambiguity_margin: float = 0.0
    max_candidates: int = 10

    def __post_init__(self) -> None:
        if not 0.0 < self.target_fpir < 1.0:
            raise ValueError(f"target_fpir must be in (0, 1), got {self.target_fpir}")
        if not 0.0 < self.verify_fmr < 1.0:
            raise ValueError(f"verify_fmr must be in (0, 1), got {self.verify_fmr}")
        if self.ambiguity_margin < 0 or self.max_candidates < 1:
            raise ValueError("ambiguity_margin must be >= 0 and max_candidates >= 1")

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> IdentificationThresholds:
        """Build from a settings dictionary; unknown keys are refused by name."""
        known = {"target_fpir", "verify_fmr", "ambiguity_margin", "max_candidates"}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown identification threshold(s): {', '.join(unknown)}")
        kwargs: dict[str, float | int] = {}
        for key, value in values.items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"threshold {key} must be a number, got {value!r}")
            kwargs[key] = int(value) if key == "max_candidates" else float(value)
        return cls(**kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class IdentificationResult:
    """Decision, candidates ``(ref, fused -log10 FMR)`` best first, and the threshold used."""

    decision: IdentificationDecision
    candidates: list[tuple[str, float]]
    threshold: float
    compared: int
    used_face: bool = False


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """1:1 decision and its fused strength; ``threshold`` is ``-log10(verify_fmr)``."""

    decision: VerificationDecision
    score: float
    threshold: float = 0.0


@dataclass(slots=True)
class _FingerIndex:
    stack: mcc.TemplateStack
    entries: npt.NDArray[np.int64]  # gallery entry of each stack position
    position_of: npt.NDArray[np.int64]  # stack position of each gallery entry, -1 if none


@dataclass(slots=True)
class Gallery:
    """Prepared templates of a set of references; build once, query many times.

    Searches in galleries larger than ``SHORTLIST_MIN`` first rank every reference with the
    cheap pre-filter (``mcc.prefilter_many``, summed over the probe's fingers), then run the
    full matcher on the best ``max(SHORTLIST_MIN, SHORTLIST_FRACTION * N)`` only (plus the
    best face candidates); this is what keeps a 3,000-voter search well under 300 ms.
    """

    refs: list[str]
    fingers: dict[int, _FingerIndex]
    faces: dict[str, tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]]
    calibration: ScoreCalibration
    face_calibrations: dict[str, ScoreCalibration] = field(default_factory=dict)
    _position: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        entries: Iterable[tuple[str, dict[int, FingerTemplate], EmbeddingTemplate | None]],
        *,
        calibration: ScoreCalibration | None = None,
        face_calibrations: Mapping[str, ScoreCalibration] | None = None,
    ) -> Gallery:
        """Prepare every reference: ``(ref, fingers by ISO position, optional face)``.

        A reference listed twice is refused: the gallery must say who is who. Faces are
        fused only for models with a calibration (default: the shipped synthetic model's).
        """
        refs: list[str] = []
        per_finger: dict[int, tuple[list[mcc.PreparedTemplate], list[int]]] = {}
        per_model: dict[str, tuple[list[npt.NDArray[np.float32]], list[int]]] = {}
        position: dict[str, int] = {}
        for ref, fingers, face in entries:
            if ref in position:
                raise ValueError(f"reference {ref!r} appears twice in the gallery")
            i = len(refs)
            position[ref] = i
            refs.append(ref)
            for pos, template in fingers.items():
                prepared, owners = per_finger.setdefault(int(pos), ([], []))
                prepared.append(mcc.prepare(template))
                owners.append(i)
            if face is not None:
                vectors, owners = per_model.setdefault(face.model_id, ([], []))
                vectors.append(face.unit())
                owners.append(i)
        fingers_index: dict[int, _FingerIndex] = {}
        for pos, (prep, owners) in per_finger.items():
            entry_of = np.asarray(owners, dtype=np.int64)
            position_of = np.full(len(refs), -1, dtype=np.int64)
            position_of[entry_of] = np.arange(entry_of.size)
            fingers_index[pos] = _FingerIndex(mcc.TemplateStack.of(prep), entry_of, position_of)
        faces = {
            model: (np.vstack(vectors).astype(np.float32), np.asarray(owners, dtype=np.int64))
            for model, (vectors, owners) in per_model.items()
        }
        return cls(
            refs=refs,
            fingers=fingers_index,
            faces=faces,
            calibration=calibration or default_calibration(),
            face_calibrations=dict(
                default_face_calibrations() if face_calibrations is None else face_calibrations
            ),
            _position=position,
        )

    def __len__(self) -> int:
        return len(self.refs)

    def __contains__(self, ref: object) -> bool:
        return ref in self._position

    def _prepare_probe(
        self, probe_fingers: Mapping[int, FingerTemplate]
    ) -> dict[int, mcc.PreparedTemplate]:
        return {
            int(pos): mcc.prepare(t) for pos, t in probe_fingers.items() if int(pos) in self.fingers
        }

    def _face_scores(
        self, face: EmbeddingTemplate | None
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]] | None:
        """Calibrated face strengths and their gallery entries, if the face can be used."""
        if face is None or face.model_id not in self.faces:
            return None
        cal = self.face_calibrations.get(face.model_id)
        vectors, owners = self.faces[face.model_id]
        if cal is None or vectors.shape[1] != face.dim:
            return None
        return cal.strength(vectors @ face.unit()), owners

    def _shortlist(
        self,
        prepared: Mapping[int, mcc.PreparedTemplate],
        face_scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]] | None,
    ) -> npt.NDArray[np.int64] | None:
        n = len(self.refs)
        keep = max(SHORTLIST_MIN, math.ceil(SHORTLIST_FRACTION * n))
        if n <= keep or not prepared:
            return None
        pre = np.zeros(n, dtype=np.float64)
        for pos, probe in prepared.items():
            index = self.fingers[pos]
            pre[index.entries] += mcc.prefilter_many(probe, index.stack)
        chosen = np.argpartition(-pre, keep - 1)[:keep]
        if face_scores is not None:
            strengths, owners = face_scores
            k = min(keep, owners.size)
            chosen = np.union1d(chosen, owners[np.argpartition(-strengths, k - 1)[:k]])
        return np.asarray(chosen, dtype=np.int64)

    def _fused(
        self,
        prepared: Mapping[int, mcc.PreparedTemplate],
        face_scores: tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]] | None,
        entries: npt.NDArray[np.int64] | None,
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
        """Fused strength and number of comparisons per gallery entry (others stay 0)."""
        n = len(self.refs)
        total = np.zeros(n, dtype=np.float64)
        count = np.zeros(n, dtype=np.int64)
        for pos, probe in prepared.items():
            index = self.fingers[pos]
            if entries is None:
                positions = np.arange(len(index.stack), dtype=np.int64)
            else:
                positions = index.position_of[entries]
                positions = positions[positions >= 0]
            raw = mcc.score_many(probe, index.stack, positions)
            owners = index.entries[positions]
            total[owners] += self.calibration.strength(raw)
            count[owners] += 1
        if face_scores is not None:
            strengths, owners = face_scores
            if entries is not None:
                inside = np.isin(owners, entries)
                strengths, owners = strengths[inside], owners[inside]
            total[owners] += strengths
            count[owners] += 1
        return fused_strength(total, count), count

    def identify(
        self,
        probe_fingers: dict[int, FingerTemplate],
        face: EmbeddingTemplate | None = None,
        *,
        thresholds: IdentificationThresholds | None = None,
    ) -> IdentificationResult:
        """Rank the gallery against the probe and decide (see the module docstring)."""
        th = thresholds or IdentificationThresholds()
        threshold = identification_threshold(max(1, len(self.refs)), th.target_fpir)
        if not self.refs:
            return IdentificationResult("not_identified", [], threshold, 0)
        prepared = self._prepare_probe(probe_fingers)
        face_scores = self._face_scores(face)
        shortlist = self._shortlist(prepared, face_scores)
        fused, count = self._fused(prepared, face_scores, shortlist)
        compared = int(np.count_nonzero(count))
        k = min(th.max_candidates, fused.size)
        top = np.argpartition(-fused, k - 1)[:k]
        top = top[np.argsort(-fused[top], kind="stable")]
        candidates = [(self.refs[int(i)], round(float(fused[i]), 4)) for i in top if fused[i] > 0]
        if not candidates or candidates[0][1] < threshold:
            decision: IdentificationDecision = "not_identified"
        elif len(candidates) > 1 and candidates[1][1] >= threshold - th.ambiguity_margin:
            decision = "ambiguous"
        else:
            decision = "identified"
        return IdentificationResult(
            decision, candidates, threshold, compared, face_scores is not None
        )

    def verify(
        self,
        ref: str,
        probe_fingers: dict[int, FingerTemplate],
        face: EmbeddingTemplate | None = None,
        *,
        thresholds: IdentificationThresholds | None = None,
    ) -> VerificationResult:
        """Compare the probe with one reference only (1:1)."""
        th = thresholds or IdentificationThresholds()
        if ref not in self._position:
            raise UnknownReference(f"reference {ref!r} is not in the gallery")
        i = self._position[ref]
        fused, _ = self._fused(
            self._prepare_probe(probe_fingers),
            self._face_scores(face),
            np.array([i], dtype=np.int64),
        )
        score = float(fused[i])
        threshold = -math.log10(th.verify_fmr)
        decision: VerificationDecision = "verified" if score >= threshold else "not_verified"
        return VerificationResult(decision, round(score, 4), threshold)
