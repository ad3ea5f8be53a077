"""Signal receivers that turn other domains' commits into ledger entries.

A receiver runs inside the sender's transaction, so the ledger entry commits or rolls back
with the change it records. The register importer sends one signal per batch (thousands of
rows), and we append one entry per batch, not per row: the import stays fast, and the
entry still pins the batch's counts and the file's SHA-256, from which the batch can be
re-derived.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction

from shailoo.integrity import ledger

IMPORT_BATCH = "register.import_batch"


def record_import_batch(
    sender: object,
    *,
    run_id: int,
    created: int,
    updated: int,
    unchanged: int,
    rejected: int,
    **kwargs: Any,
) -> None:
    """One ledger entry per committed register-import batch."""
    import_run = apps.get_model("register", "ImportRun")
    sha, through_line = (
        import_run.objects.filter(pk=run_id).values_list("file_sha256", "resume_line").get()
    )
    ledger.append(
        IMPORT_BATCH,
        {
            "run_id": run_id,
            "file_sha256": sha,
            "through_line": through_line,
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "rejected": rejected,
        },
    )


def _record(kind: str, **kwargs: Any) -> None:
    # Joins the saving transaction when there is one (then both commit together); a save
    # made in autocommit mode gets its entry in a transaction of its own right after.
    with transaction.atomic():
        ledger.record(kind, **kwargs)


def record_person_change(sender: object, *, instance: Any, created: bool, **kwargs: Any) -> None:
    """A staff correction, voting-place change or correction answer in a person's history.

    Import updates are written in bulk (no per-row signal) and covered by their batch entry.
    The PIN never enters the ledger: the person is named by row reference and keyed hash.
    """
    if not created or instance.source == "import":
        return
    _record(
        "register.person_change",
        actor=instance.actor,
        subject=ledger.ref(instance.person),
        data={
            "pin_ref": ledger.pin_ref(instance.person.pin),
            "source": instance.source,
            "fields": sorted(instance.changes),
            "history": ledger.ref(instance),
        },
    )


def record_voting_place_change(
    sender: object, *, instance: Any, created: bool, **kwargs: Any
) -> None:
    """Every request to vote elsewhere, applied or refused, with the rule that decided it."""
    if not created:
        return
    _record(
        "register.voting_place_change",
        actor=instance.actor,
        subject=ledger.ref(instance.person),
        data={
            "pin_ref": ledger.pin_ref(instance.person.pin),
            "kind": instance.kind,
            "status": instance.status,
            "from_station": instance.from_station.number,
            "to_station": instance.to_station.number,
            "citation": instance.citation,
        },
    )


def record_correction(sender: object, *, instance: Any, created: bool, **kwargs: Any) -> None:
    """A list-correction request when filed and each time its status changes."""
    _record(
        "register.list_correction",
        actor=getattr(instance.answered_by, "username", "") or "voter",
        subject=ledger.ref(instance),
        data={
            "pin_ref": ledger.pin_ref(instance.pin),
            "kind": instance.kind,
            "status": instance.status,
            "due_by": str(instance.due_by),
        },
    )


def record_verdicts_recomputed(sender: object, **kwargs: Any) -> None:
    """A chunk of eligibility verdicts recomputed for an election (``register reevaluate``)."""
    kwargs.pop("signal", None)
    ledger.append("register.verdicts_recomputed", {k: kwargs[k] for k in sorted(kwargs)})


def connect() -> None:
    """Subscribe the receivers (called once from the app's ready())."""
    from django.db.models.signals import post_save

    from shailoo.register.importer import batch_committed

    batch_committed.connect(record_import_batch, dispatch_uid="integrity.register_import_batch")
    from shailoo.register.verdicts import verdicts_recomputed

    verdicts_recomputed.connect(record_verdicts_recomputed, dispatch_uid="integrity.verdicts")
    person_change = apps.get_model("register", "PersonChange")
    voting_place = apps.get_model("register", "VotingPlaceChange")
    correction = apps.get_model("register", "ListCorrection")
    post_save.connect(record_person_change, sender=person_change, dispatch_uid="integrity.pc")
    post_save.connect(record_voting_place_change, sender=voting_place, dispatch_uid="integrity.vp")
    post_save.connect(record_correction, sender=correction, dispatch_uid="integrity.lc")
