"""Storing donor resolutions: here, or in a process of its own while the screen goes on.

A screen of a million transactions writes a million rows and a few hundred thousand donors;
the database does most of that work, and the screen does not need it done to find its flags
(it has the answers already). So, where it is safe, a forked writer process stores each
batch while this process screens, and the flags are stored only once every batch is.

Where a forked process may not use the database (:mod:`shailoo.common.forking`: inside a
transaction, an in-memory SQLite database, no ``fork``), each batch is stored here, in the
same order and with the same statements: the writer changes the time, never the result.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ProcessPoolExecutor
from types import TracebackType
from typing import Any

from django.db import connection, transaction
from django.db.models.constants import OnConflict

from shailoo.common.forking import can_fork_with_database, close_connection, database_executor
from shailoo.finance import registry_adapters as registries
from shailoo.finance.models import Donor, Transaction

#: A new donor: identity key, kind, name, country, the day first seen (a database value).
DonorRow = tuple[str, str, str, str, Any]
#: A transaction's resolution: identity key (or None), status, score, note, transaction id.
UpdateRow = tuple[str | None, str, float, str, int]

#: How much lower the writer process's priority is where idle scheduling is not offered.
WRITER_NICENESS = 19
#: The donors' ids the writer process has met, by identity key (one run per process).
_known: dict[str, int] = {}


def write(new_donors: list[DonorRow], updates: list[UpdateRow], known: dict[str, int]) -> None:
    """Store a batch: its donors new to this run (a donor stored before is kept as it is),
    then each transaction's donor, status, score and note, in one transaction.
    ``known`` holds the donors' ids already looked up in this run (and gets the batch's)."""
    known.update(donor_ids(sorted(d[0] for d in new_donors if d[0] not in known)))
    fresh = [d for d in new_donors if d[0] not in known]
    table = connection.ops.quote_name(Transaction._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        if fresh:
            _insert_donors(cursor, fresh)
            known.update(donor_ids(sorted(d[0] for d in fresh)))
        cursor.executemany(
            f"UPDATE {table} SET donor_id = %s, resolution = %s, resolution_score = %s,"
            " resolution_note = %s WHERE id = %s",
            [(known.get(key) if key else None, *rest) for key, *rest in updates],
        )


def _insert_donors(cursor: Any, rows: list[DonorRow]) -> None:
    """Insert new donors, a donor stored meanwhile kept as it is (``bulk_create`` with
    ``ignore_conflicts``, without a model instance per donor)."""
    fields = [Donor._meta.get_field(name) for name in ("key", "kind", "name", "country")]
    fields.append(Donor._meta.get_field("first_seen"))
    ops = connection.ops
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    ignore = ops.on_conflict_suffix_sql(fields, OnConflict.IGNORE, None, None)
    cursor.executemany(
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)}"
        f" {ops.quote_name(Donor._meta.db_table)} ({columns})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) {ignore}".rstrip(),
        rows,
    )


def donor_ids(keys: list[str]) -> dict[str, int]:
    """The stored donors' ids by identity key."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), registries.CHUNK):
        part = keys[start : start + registries.CHUNK]
        found.update(Donor.objects.filter(key__in=part).values_list("key", "pk"))
    return found


def _start_there() -> None:
    _known.clear()
    # The writer's work is needed only when the flags are stored: it yields the cores to
    # the resolution and the checks, and takes whatever they leave idle.
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        os.nice(WRITER_NICENESS)


def _write_there(new_donors: list[DonorRow], updates: list[UpdateRow]) -> None:
    write(new_donors, updates, _known)


def can_fork() -> bool:
    """Whether a writer process may store what this process resolves (see the module)."""
    return can_fork_with_database()


class ResolutionWriter:
    """Stores batches of resolutions in order: in a forked process when ``fork`` (and
    :func:`can_fork`), else here. A context manager: leaving it waits until every batch is
    stored (and raises what storing raised, or that the writer died); leaving it on an error
    stores no further batch, the batches stored so far staying stored (each is its own
    transaction)."""

    def __init__(self, fork: bool) -> None:
        self.fork = fork and can_fork()
        self._writer: ProcessPoolExecutor | None = None
        self._running: list[Future[None]] = []
        self._known: dict[str, int] = {}

    def __enter__(self) -> ResolutionWriter:
        if self.fork:
            self._writer = database_executor(1, initializer=_start_there)
        return self

    def submit(self, new_donors: list[DonorRow], updates: list[UpdateRow]) -> None:
        """Store a batch (in the writer, after the batches before it)."""
        if self._writer is None:
            write(new_donors, updates, self._known)
            return
        self._running.append(self._writer.submit(_write_there, new_donors, updates))
        # An error is raised as soon as it is known, not after every batch is sent.
        while self._running and self._running[0].done():
            self._running.pop(0).result()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        writer, self._writer = self._writer, None
        if writer is None:
            return
        running, self._running = self._running, []
        try:
            if error is None:
                for batch in running:
                    batch.result()
                writer.submit(close_connection).result()
        finally:
            writer.shutdown(wait=error is None, cancel_futures=True)
