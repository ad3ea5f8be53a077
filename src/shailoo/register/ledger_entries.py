"""What the voter register writes to the ledger, called by the register's own use cases.

Each function appends the entry for one change in the caller's transaction, so the entry
commits or rolls back with the change it records (the ledger sits below every domain and
knows none of them; each domain calls it). The register importer records one entry per
committed batch, not per row: the import stays fast, and the entry still pins the batch's
counts and the file's SHA-256, from which the batch can be re-derived. PINs never enter the
ledger: a person is named by row reference and keyed hash.

The kinds and payloads below are part of every ledger already written; changing one would
make old and new entries of the same kind disagree, so add a new kind instead.
"""

from __future__ import annotations

from django.db import transaction

from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry
from shailoo.register.models import ImportRun, ListCorrection, PersonChange, VotingPlaceChange

IMPORT_BATCH = "register.import_batch"
PERSON_CHANGE = "register.person_change"
VOTING_PLACE_CHANGE = "register.voting_place_change"
LIST_CORRECTION = "register.list_correction"
VERDICTS_RECOMPUTED = "register.verdicts_recomputed"
PERSON_STATE = "register.person_state"


def import_batch(
    run_id: int, *, created: int, updated: int, unchanged: int, rejected: int
) -> LedgerEntry:
    """One committed register-import batch, with the run's file digest and resume line."""
    sha, through_line = (
        ImportRun.objects.filter(pk=run_id).values_list("file_sha256", "resume_line").get()
    )
    return ledger.append(
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


def person_change(change: PersonChange) -> LedgerEntry | None:
    """A staff correction, voting-place change or correction answer in a person's history.

    Import updates are written in bulk and covered by their batch entry.
    """
    if change.source == PersonChange.Source.IMPORT:
        return None
    with transaction.atomic():
        return ledger.record(
            PERSON_CHANGE,
            actor=change.actor,
            subject=ledger.ref(change.person),
            data={
                "pin_ref": ledger.pin_ref(change.person.pin),
                "source": change.source,
                "fields": sorted(change.changes),
                "history": ledger.ref(change),
            },
        )


def voting_place_change(request: VotingPlaceChange) -> LedgerEntry:
    """A request to vote elsewhere, applied or refused, with the rule that decided it."""
    with transaction.atomic():
        return ledger.record(
            VOTING_PLACE_CHANGE,
            actor=request.actor,
            subject=ledger.ref(request.person),
            data={
                "pin_ref": ledger.pin_ref(request.person.pin),
                "kind": request.kind,
                "status": request.status,
                "from_station": request.from_station.number,
                "to_station": request.to_station.number,
                "citation": request.citation,
            },
        )


def list_correction(correction: ListCorrection) -> LedgerEntry:
    """A list-correction request when filed, and again each time its status changes."""
    with transaction.atomic():
        return ledger.record(
            LIST_CORRECTION,
            actor=getattr(correction.answered_by, "username", "") or "voter",
            subject=ledger.ref(correction),
            data={
                "pin_ref": ledger.pin_ref(correction.pin),
                "kind": correction.kind,
                "status": correction.status,
                "due_by": str(correction.due_by),
            },
        )


def verdicts_recomputed(
    *, election_code: str, first_id: int, last_id: int, checked: int, changed: int
) -> LedgerEntry:
    """A chunk of eligibility verdicts recomputed for an election (``register reevaluate``)."""
    return ledger.append(
        VERDICTS_RECOMPUTED,
        {
            "changed": changed,
            "checked": checked,
            "election_code": election_code,
            "first_id": first_id,
            "last_id": last_id,
        },
    )


def person_state(
    *, source: str, of: int | None, count: int, first_id: int, last_id: int, digest: str
) -> LedgerEntry:
    """The states of a batch of persons (``register.state``), written with the entry ``of``
    the change that set them: the batch digest over every ``(person id, state)`` pair."""
    return ledger.append(
        PERSON_STATE,
        {
            "count": count,
            "digest": digest,
            "first_id": first_id,
            "last_id": last_id,
            "of": of,
            "scheme": "shailoo-person-state/1",
            "source": source,
        },
    )
