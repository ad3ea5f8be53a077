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


def connect() -> None:
    """Subscribe the receivers (called once from the app's ready())."""
    from shailoo.register.importer import batch_committed

    batch_committed.connect(record_import_batch, dispatch_uid="integrity.register_import_batch")
