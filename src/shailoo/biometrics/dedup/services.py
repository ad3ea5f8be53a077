"""Use cases of national deduplication: run the job over enrolled templates, queue the likely
duplicates, and record staff decisions on the ledger.

The heavy lifting is pure (``dedup.job``, ``dedup.index``, ``dedup.fingerprint_lsh``); this
module reads the enrolled templates through ``shailoo.biometrics.services`` (decrypted only
into the job's run directory, which is deleted when the run is collected), stores the pairs
and checks who acts. Deduplication is national: every check asks for
``biometrics.dedup_adjudicate`` with a country-wide assignment.

Settings (defaults until the lead adds them): ``DEDUP_FACE_THRESHOLD`` (cosine, 0.5),
``DEDUP_STRENGTH_THRESHOLD`` (fused -log10 FMR, 11.0), ``DEDUP_DIR`` (run directories,
``VAR_DIR/dedup``).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import grants_of, require
from shailoo.accounts.roles import Permission, allowed
from shailoo.biometrics import mcc
from shailoo.biometrics import services as biometric_services
from shailoo.biometrics.dedup import job
from shailoo.biometrics.dedup.confirm import Thresholds
from shailoo.biometrics.dedup.models import AdjudicationDecision, DedupRun, DuplicateCandidate
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.biometrics.models import BiometricTemplate
from shailoo.common.actors import Actor, actor_name, is_system
from shailoo.common.refusals import Conflict, InvalidInput, PermissionRefused, Refusal
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.register.models import Person

RUN_ENTRY = "biometrics.dedup_run"
DECISION_ENTRY = "biometrics.dedup_decision"
MIN_REASON = 10
Progress = Callable[[int, int], None]


def require_national(actor: Actor) -> None:
    """Refuse anyone but a system actor or a user with the permission over the whole country."""
    require(actor, Permission.DEDUP_ADJUDICATE)
    if is_system(actor):
        return
    if not allowed(grants_of(actor), Permission.DEDUP_ADJUDICATE, []):
        raise PermissionRefused(
            "forbidden", gettext("Deduplication decisions need a country-wide assignment.")
        )


def thresholds() -> Thresholds:
    return Thresholds(
        face=float(getattr(settings, "DEDUP_FACE_THRESHOLD", 0.5)),
        strength=float(getattr(settings, "DEDUP_STRENGTH_THRESHOLD", 11.0)),
    )


def runs_root() -> Path:
    return Path(getattr(settings, "DEDUP_DIR", settings.VAR_DIR / "dedup"))


# -- reading the enrolled templates ---------------------------------------------------------


@dataclass
class Inputs:
    """The job's inputs from the active enrolments."""

    face: job.FaceInput | None
    fingers: job.FingerInput | None


FACE_CHUNK = 65536


def _active() -> Any:
    return BiometricTemplate.objects.filter(enrolment__active=True)


def face_model_for_run(model_id: str | None = None) -> str | None:
    """``model_id``, else ``BIOMETRICS_FACE_MODEL``, else the model most persons have."""
    model = model_id or biometric_services.face_model()
    if model:
        return model
    counts = (
        _active()
        .filter(kind=biometric_services.EMBEDDING)
        .values("model_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "model_id")
    )
    first = counts.first()
    return None if first is None else str(first["model_id"])


def _face_chunks(model: str, refs: list[int], dim: int) -> Iterator[npt.NDArray[np.float32]]:
    """Unit vectors in ``refs`` order, decrypted a chunk at a time (never all in memory)."""
    query = (
        _active()
        .filter(kind=biometric_services.EMBEDDING, model_id=model)
        .select_related("enrolment")
        .order_by("enrolment__person_id", "pk")
    )
    batch: list[npt.NDArray[np.float32]] = []
    for position, row in enumerate(query.iterator(chunk_size=2000)):
        value = biometric_services.decode_stored(row)
        moved = position >= len(refs) or row.enrolment.person_id != refs[position]
        if moved or not isinstance(value, EmbeddingTemplate):
            raise Conflict("dedup_inputs", gettext("Enrolments changed during the run."))
        if value.dim != dim:
            raise Refusal(
                "embedding_dimension",
                gettext("Person %(id)s has a %(dim)s-d embedding of model %(model)s.")
                % {"id": refs[position], "dim": value.dim, "model": model},
            )
        batch.append(value.unit())
        if len(batch) == FACE_CHUNK:
            yield np.vstack(batch)
            batch = []
    if batch:
        yield np.vstack(batch)


def load_inputs(model_id: str | None = None) -> Inputs:
    """Face vectors of one model (streamed) and prepared fingers, per person.

    Persons whose face is of another model count as persons without a face: embeddings of
    different models are never compared. Prepared fingerprints are held in memory (about
    16 KiB a person with two fingers), which suits the fingerprint-only population; for
    every enrolled person of a country, run on a worker with the memory for it.
    """
    model = face_model_for_run(model_id)
    face_input = None
    face_people: list[int] = []
    if model is not None:
        rows = (
            _active()
            .filter(kind=biometric_services.EMBEDDING, model_id=model)
            .order_by("enrolment__person_id", "pk")
        )
        face_people = list(rows.values_list("enrolment__person_id", flat=True))
        if len(face_people) != len(set(face_people)):
            raise InvalidInput(
                "embedding_twice", gettext("A person has two active faces of one model.")
            )
    if face_people:
        assert model is not None
        sample = _active().filter(kind=biometric_services.EMBEDDING, model_id=model).first()
        first = None if sample is None else biometric_services.decode_stored(sample)
        dim = first.dim if isinstance(first, EmbeddingTemplate) else 0
        face_input = job.FaceInput(
            model,
            dim,
            np.asarray(face_people, dtype=np.int64),
            _face_chunks(model, face_people, dim),
        )
    fingers: dict[int, dict[int, mcc.PreparedTemplate]] = {}
    finger_rows = (
        _active()
        .exclude(kind=biometric_services.EMBEDDING)
        .filter(finger__isnull=False)
        .select_related("enrolment")
        .order_by("enrolment__person_id", "pk")
    )
    for row in finger_rows.iterator(chunk_size=2000):
        value = biometric_services.decode_stored(row)
        if isinstance(value, FingerTemplate) and row.finger is not None:
            fingers.setdefault(row.enrolment.person_id, {})[row.finger] = mcc.prepare(value)
    finger_people = sorted(fingers)
    finger_input = None
    if finger_people:
        with_face = set(face_people)
        lsh_rows = [i for i, p in enumerate(finger_people) if p not in with_face]
        finger_input = job.FingerInput(
            np.asarray(finger_people, dtype=np.int64),
            [fingers[p] for p in finger_people],
            np.asarray(lsh_rows, dtype=np.int64),
        )
    return Inputs(face_input, finger_input)


# -- running ---------------------------------------------------------------------------------


def start_run(
    actor: Actor,
    *,
    scheduler: str | None = None,
    workers: int = 0,
    progress: Progress | None = None,
    config: job.JobConfig | None = None,
) -> DedupRun:
    """Prepare and run a national deduplication, then queue what it found."""
    require_national(actor)
    config = config or job.JobConfig(thresholds=thresholds())
    inputs = load_inputs()
    face_cals = biometric_services.calibrations()[1]
    finger_cal = biometric_services.calibrations()[0]
    run = DedupRun.objects.create(actor=actor_name(actor), config=config.to_json())
    run.run_dir = str(runs_root() / f"run-{run.pk:06d}")
    run.save(update_fields=["run_dir"])
    try:
        manifest = job.prepare(
            Path(run.run_dir),
            face=inputs.face,
            fingers=inputs.fingers,
            config=config,
            face_calibration=face_cals.get(inputs.face.model_id) if inputs.face else None,
            finger_calibration=finger_cal,
        )
    except job.JobError as exc:
        run.status, run.error = DedupRun.Status.INTERRUPTED, str(exc)
        run.save(update_fields=["status", "error"])
        raise Refusal("dedup_failed", str(exc)) from None
    run.model_id = manifest.model_id or ""
    run.faces, run.finger_only = manifest.faces, manifest.lsh_persons
    run.partitions = len(manifest.partitions)
    run.save(update_fields=["model_id", "faces", "finger_only", "partitions"])
    return _run(run, actor, scheduler, workers, progress)


def resume_run(
    run_id: int,
    actor: Actor,
    *,
    scheduler: str | None = None,
    workers: int = 0,
    progress: Progress | None = None,
) -> DedupRun:
    """Continue an interrupted run from its checkpoints."""
    require_national(actor)
    run = DedupRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Refusal("no_run", gettext("There is no deduplication run %(id)s.") % {"id": run_id})
    if run.status == DedupRun.Status.FINISHED:
        raise Refusal(
            "run_finished", gettext("Run %(id)s is finished; start a new one.") % {"id": run_id}
        )
    return _run(run, actor, scheduler, workers, progress)


def _run(
    run: DedupRun, actor: Actor, scheduler: str | None, workers: int, progress: Progress | None
) -> DedupRun:
    path = Path(run.run_dir)

    def tick(done: int, total: int) -> None:
        DedupRun.objects.filter(pk=run.pk).update(partitions_done=done)
        if progress:
            progress(done, total)

    run.status, run.error = DedupRun.Status.RUNNING, ""
    run.save(update_fields=["status", "error"])
    try:
        job.run(path, scheduler=scheduler, workers=workers, progress=tick)
        found = job.collect(path)
    except (job.JobError, OSError) as exc:
        run.status, run.error = DedupRun.Status.INTERRUPTED, str(exc)[:2000]
        run.save(update_fields=["status", "error"])
        raise Conflict("dedup_interrupted", str(exc)) from None
    except BaseException as exc:  # a worker error or Ctrl+C: keep the run resumable
        run.status, run.error = DedupRun.Status.INTERRUPTED, f"{type(exc).__name__}: {exc}"[:2000]
        run.save(update_fields=["status", "error"])
        raise
    record_candidates(run, found, actor)
    job.discard_inputs(path)
    run.refresh_from_db()
    return run


def record_candidates(run: DedupRun, found: job.Candidates, actor: Actor) -> int:
    """Queue new pairs (refresh the scores of open ones) and close the run, in one transaction."""
    known = set(
        Person.objects.filter(pk__in=set(found.a.tolist()) | set(found.b.tolist())).values_list(
            "pk", flat=True
        )
    )
    queued = 0
    with transaction.atomic():
        for i in range(len(found)):
            a, b = int(found.a[i]), int(found.b[i])
            if a not in known or b not in known:
                continue
            face = float(found.face[i])
            values = {
                "run": run,
                "face_score": None if math.isnan(face) else face,
                "fused_strength": float(found.fused[i]),
                "evidence": found.evidence[i],
            }
            existing = DuplicateCandidate.objects.filter(person_a_id=a, person_b_id=b).first()
            if existing is None:
                DuplicateCandidate.objects.create(person_a_id=a, person_b_id=b, **values)
                queued += 1
            elif existing.status == DuplicateCandidate.Status.OPEN:
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.save()
        run.status = DedupRun.Status.FINISHED
        run.finished_at = timezone.now()
        run.candidates, run.queued = len(found), queued
        run.partitions_done = run.partitions
        run.save()
        ledger.record(
            RUN_ENTRY,
            actor=actor_name(actor),
            subject=ledger.ref(run),
            data={
                "model_id": run.model_id,
                "faces": run.faces,
                "finger_only": run.finger_only,
                "candidates": len(found),
                "queued": queued,
                "face_threshold": run.config.get("thresholds", {}).get("face", 0.0),
                "strength_threshold": run.config.get("thresholds", {}).get("strength", 0.0),
            },
        )
    return queued


# -- adjudication ----------------------------------------------------------------------------


def open_queue() -> Any:
    """Open pairs, strongest evidence first."""
    return DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).select_related(
        "person_a__station", "person_b__station", "run"
    )


def adjudicate(
    candidate: DuplicateCandidate, outcome: str, reason: str, actor: Actor
) -> AdjudicationDecision:
    """Decide a pair: same person or different persons, with a mandatory reason.

    The decision and its ledger entry (persons by ``pin_ref``, the reason by its SHA-256)
    commit together; a pair is decided once.
    """
    require_national(actor)
    if outcome not in AdjudicationDecision.Outcome.values:
        raise InvalidInput("bad_outcome", gettext("Choose same person or different persons."))
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise Refusal(
            "reason_required",
            gettext("Write the reason for the decision (at least %(n)s characters).")
            % {"n": MIN_REASON},
        )
    with transaction.atomic():
        locked = (
            DuplicateCandidate.objects.select_for_update(of=("self",))
            .select_related("person_a", "person_b")
            .get(pk=candidate.pk)
        )
        if locked.status != DuplicateCandidate.Status.OPEN:
            raise Conflict("already_decided", gettext("This pair has already been decided."))
        decision = AdjudicationDecision.objects.create(
            candidate=locked,
            outcome=outcome,
            reason=reason,
            decided_by=None if isinstance(actor, str) else actor,
            actor=actor_name(actor),
        )
        locked.status = DuplicateCandidate.Status.DECIDED
        locked.save(update_fields=["status", "updated_at"])
        entry = ledger.record(
            DECISION_ENTRY,
            actor=actor_name(actor),
            subject=ledger.ref(locked),
            data={
                "outcome": outcome,
                "person_a": ledger.pin_ref(locked.person_a.pin),
                "person_b": ledger.pin_ref(locked.person_b.pin),
                "run": locked.run_id,
                "fused_strength": round(locked.fused_strength, 3),
                "face_score": None if locked.face_score is None else round(locked.face_score, 4),
                "reason_sha256": hashlib.sha256(reason.encode("utf-8")).hexdigest(),
            },
        )
        decision.ledger_sequence = entry.sequence
        decision.save(update_fields=["ledger_sequence"])
    candidate.status = DuplicateCandidate.Status.DECIDED
    if outcome == AdjudicationDecision.Outcome.SAME_PERSON:
        # One person enrolled twice may vote twice: the rapid-response groups' door.
        station = locked.person_a.station
        incidents.raise_alert(
            "biometrics",
            "duplicate_enrolment",
            category="multiple_voting",
            summary="A person confirmed enrolled twice (biometric deduplication)",
            station=station.number if station is not None else None,
            subject=ledger.ref(locked),
            evidence={
                "person_a": ledger.pin_ref(locked.person_a.pin),
                "person_b": ledger.pin_ref(locked.person_b.pin),
                "run": locked.run_id,
                "decision_entry": entry.sequence,
            },
            severity="high",
        )
    return decision
