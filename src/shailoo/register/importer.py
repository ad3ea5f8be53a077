"""Streaming, transactional, idempotent and resumable import of population-registry extracts.

How the guarantees are met:

* **Streaming** — rows are read through :class:`~shailoo.common.csvsource.CsvSource` and
  written in batches; only the PINs already seen in this file are held in memory (to refuse
  a PIN that repeats inside one extract). A large file is prepared by worker processes,
  range by range, and written here in file order (``register.prepare_parallel``).
* **Transactional per batch** — each batch's persons, history, rejects and the run's resume
  point are committed in one transaction, so a crash leaves either the whole batch or none.
* **Idempotent** — each person keeps a digest of its registry row; a row whose digest is
  unchanged is not written, so the same file twice changes nothing.
* **Resumable** — a run interrupted in the middle is found by the file's SHA-256 and continues
  from the committed byte offset; the final state equals that of one clean run.

Writes go through the database cursor with ``executemany`` rather than the ORM: at a national
scale (millions of rows) model instances would dominate the cost. On SQLite the workers stage
each batch in a scratch SQLite file and a first load copies it with one ``INSERT … SELECT``.
A first load into an empty register also drops the PIN index and the secondary indexes and
builds them once at the end; maintained batch by batch, a B-tree filled in random order would
be rewritten by every batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from shailoo.common import csvout
from shailoo.common.csvsource import CsvSource, file_sha256
from shailoo.common.refusals import InvalidInput
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import load_edition
from shailoo.register import ledger_entries
from shailoo.register import state as person_states
from shailoo.register.eligibility import CompiledRules, compile_rules
from shailoo.register.models import ImportReject, ImportRun, Person, PersonChange
from shailoo.register.pin import mask_pin
from shailoo.register.prepare import (
    PERSON_FIELDS,
    PreparedBatch,
    PrepareJob,
    RepeatedPins,
    prepare_batches,
)
from shailoo.register.prepare_parallel import (
    STAGED_TABLE,
    discard,
    prepare_in_workers,
    read_staged,
)
from shailoo.register.rows import COLUMNS
from shailoo.register.statedigest import STATE_SIZE

#: Files larger than this are prepared in worker processes while the main process writes
#: (``register.prepare_parallel``); below it their start-up would cost more than it saves.
PARALLEL_FROM_BYTES = 4 << 20

_PERSON_FIELDS = PERSON_FIELDS
# Fields compared to describe an update in the person's history.
_HISTORY_FIELDS = _PERSON_FIELDS[1:4] + _PERSON_FIELDS[6:19]
#: Counters an ImportRun keeps and its summary reports.
_COUNTERS = ("read", "accepted", "created", "updated", "unchanged", "rejected")
_BOOLEAN_FIELDS = ("legally_incapable", "in_confinement", "biometric_registered", "eligible")


class ImportError_(InvalidInput):
    """The file as a whole cannot be imported (wrong header, no current election)."""

    def __init__(self, message: str) -> None:
        super().__init__("import_refused", message)


@dataclass
class ImportSummary:
    """What one run did; printed as the importer's closing line."""

    run_id: int
    read: int = 0
    accepted: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    #: Blank lines and further lines of rows over several lines: with the header and the
    #: rows read, every physical line of the file (``lines``) is accounted for.
    other: int = 0
    lines: int = 0
    resumed_from_line: int | None = None
    rejects_path: Path | None = None
    extra: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        resumed = (
            f" (resumed after line {self.resumed_from_line})" if self.resumed_from_line else ""
        )
        return (
            f"read {self.read}, accepted {self.accepted} (new {self.created}, "
            f"updated {self.updated}, unchanged {self.unchanged}), rejected {self.rejected}"
            f"{resumed}; {self.lines} lines: 1 header, {self.read} rows read, "
            f"{self.other} blank or continuation"
        )


def current_election() -> Election:
    """The election the register is being prepared for; the import needs its polling day."""
    election = Election.objects.filter(is_current=True).first()
    if election is None:
        raise ImportError_(
            "no current election: create one first with `shailoo elections create CODE --name "
            "NAME --polling-day YYYY-MM-DD --law-edition kg-2025 --current`"
        )
    return election


class RegisterImporter:
    """Import one population-registry extract into the voter register."""

    def __init__(
        self,
        path: Path,
        *,
        actor: str = "cli",
        election: Election | None = None,
        batch_size: int = 10000,
        on_progress: Callable[[int], None] | None = None,
        after_batch: Callable[[int], None] | None = None,
        parallel: bool | None = None,
        workers: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.actor = actor
        self.election = election or current_election()
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.after_batch = after_batch
        self.parallel = parallel
        self.workers = workers
        self._first_load = False
        #: Persons the current batch updated (their states are bound with the batch).
        self._changed_ids: list[int] = []
        law = load_edition(self.election.law_edition)
        self.rules: CompiledRules = compile_rules(law, self.election.polling_day)
        self.today = timezone.localdate()
        self._adapt_date = connection.ops.adapt_datefield_value

    # -- public -------------------------------------------------------------------------
    def run(self, rejects_path: Path | None = None) -> ImportSummary:
        """Import the file (or resume an interrupted run of it) and return the summary."""
        with self.path.open("rb") as fh:
            CsvSource(self.path, COLUMNS).read_header(fh)  # refuse a wrong file before any write
        sha = file_sha256(self.path)
        run = (
            ImportRun.objects.filter(
                kind="register", file_sha256=sha, status=ImportRun.Status.RUNNING
            )
            .order_by("-id")
            .first()
        )
        resumed = run is not None and run.resume_offset > 0
        if run is None:
            run = ImportRun.objects.create(
                kind="register", file_name=self.path.name, file_sha256=sha, actor=self.actor
            )
        stations = dict(PollingStation.objects.values_list("number", "id"))
        summary = ImportSummary(
            run_id=run.pk,
            resumed_from_line=run.resume_line if resumed else None,
            # The lines before the resume point that were not rows (each line is one or other).
            other=run.resume_line - 1 - run.read,
            lines=run.resume_line,
            **{name: getattr(run, name) for name in _COUNTERS},
        )
        # A first load into an empty register: no row can exist yet (repeats inside the file
        # are refused by the preparation), so batches skip the look-up of existing PINs.
        self._first_load = not Person.objects.exists()
        if self._first_load:
            drop_secondary_indexes()
        else:
            ensure_secondary_indexes()  # an interrupted first load left them dropped
        self._stream(run, stations, summary)
        ensure_secondary_indexes()
        run.status = ImportRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        if rejects_path is not None:
            write_rejects(run, rejects_path)
            summary.rejects_path = rejects_path
        return summary

    # -- streaming ----------------------------------------------------------------------
    def _stream(self, run: ImportRun, stations: dict[int, int], summary: ImportSummary) -> None:
        job = PrepareJob(
            path=self.path,
            stations=stations,
            rules=self.rules,
            today=self.today,
            dates_as_text=connection.vendor == "sqlite",
            batch_size=self.batch_size,
            start_offset=run.resume_offset,
            start_line=run.resume_line,
        )
        parallel = self.parallel
        if parallel is None:
            parallel = self.path.stat().st_size - run.resume_offset > PARALLEL_FROM_BYTES
        repeats = RepeatedPins(job)
        if parallel:
            # SQLite: workers stage their rows in scratch SQLite files, copied in one
            # statement per batch; other databases get the rows themselves.
            stage = connection.vendor == "sqlite"
            batches = prepare_in_workers(job, self.workers, stage=stage)
        else:
            batches = prepare_batches(job)
        for batch in batches:
            repeats.apply(batch)
            self._commit(run, batch, summary)

    def _commit(self, run: ImportRun, batch: PreparedBatch, summary: ImportSummary) -> None:
        now = timezone.now()
        # Attaching needs autocommit around the batch's transaction (not so inside an outer
        # atomic block, as in tests); otherwise the staged rows are read and inserted.
        copy = batch.staged is not None and self._first_load and not connection.in_atomic_block
        if batch.staged is not None and not copy:
            batch.rows = read_staged(batch)
        if copy:
            with _raw_cursor() as cur:  # outside the transaction: SQLite requires it
                cur.execute("ATTACH DATABASE ? AS stage", [str(batch.staged)])
        try:
            with transaction.atomic():
                before = _max_person_id()
                self._changed_ids = []
                if copy:
                    created, updated, unchanged = self._copy_staged(batch, now), 0, 0
                else:
                    created, updated, unchanged = self._write_persons(batch.rows, now)
                entry = self._record(run, batch, summary, created, updated, unchanged)
                self._bind_states(batch, copy, before, created, entry)
        finally:
            if copy:
                with _raw_cursor() as cur:
                    cur.execute("DETACH DATABASE stage")
            discard(batch)
        if self.on_progress is not None:
            self.on_progress(batch.end_offset)
        if self.after_batch is not None:
            self.after_batch(batch.end_line)

    def _record(
        self,
        run: ImportRun,
        batch: PreparedBatch,
        summary: ImportSummary,
        created: int,
        updated: int,
        unchanged: int,
    ) -> LedgerEntry:
        """The batch's rejects, counts and resume point, in the batch's transaction."""
        if batch.rejects:
            ImportReject.objects.bulk_create(
                ImportReject(run=run, line=r.line, field=r.where, reason=r.why[:300], raw=r.raw)
                for r in batch.rejects
            )
        summary.read += batch.read
        summary.created += created
        summary.updated += updated
        summary.unchanged += unchanged
        summary.accepted += created + updated + unchanged
        summary.rejected += len(batch.rejects)
        summary.other += batch.other
        summary.lines = batch.end_line
        ImportRun.objects.filter(pk=run.pk).update(
            resume_offset=batch.end_offset,
            resume_line=batch.end_line,
            **{name: getattr(summary, name) for name in _COUNTERS},
        )
        return ledger_entries.import_batch(
            run.pk,
            created=created,
            updated=updated,
            unchanged=unchanged,
            rejected=len(batch.rejects),
        )

    def _bind_states(
        self, batch: PreparedBatch, copy: bool, before: int, created: int, entry: LedgerEntry
    ) -> None:
        """Bind the states of the persons this batch wrote (``register.state``), with the
        batch. A first load binds the states its workers computed, provided the new rows took
        consecutive ids (one ``INSERT … SELECT`` does); otherwise the rows are read back."""
        # ``created`` new ids, all above ``before``: consecutive when the last is
        # ``before + created``.
        if (
            copy
            and created
            and created * STATE_SIZE == len(batch.states)
            and _max_person_id() == before + created
        ):
            person_states.record_consecutive(
                before + 1, batch.states, source=person_states.IMPORT, of=entry.sequence
            )
            return
        if not created and not self._changed_ids:
            return
        with _raw_cursor() as cur:
            mark = _placeholder()
            cur.execute(f"SELECT id FROM {Person._meta.db_table} WHERE id > {mark}", [before])
            inserted = [pk for (pk,) in cur.fetchall()]
        person_states.bind(
            [*inserted, *self._changed_ids], source=person_states.IMPORT, of=entry.sequence
        )

    # -- persistence --------------------------------------------------------------------
    def _copy_staged(self, batch: PreparedBatch, now: object) -> int:
        """A first load from a staged batch: one ``INSERT … SELECT`` (SQLite, attached)."""
        table = Person._meta.db_table
        columns = ", ".join(_PERSON_FIELDS)
        stamp = connection.ops.adapt_datetimefield_value(now)
        with _raw_cursor() as cur:
            if batch.dropped:
                cur.executemany(
                    f"DELETE FROM stage.{STAGED_TABLE} WHERE rowid = ?",
                    [(position + 1,) for position in batch.dropped],
                )
            cur.execute(
                f"INSERT INTO {table} ({columns}, created_at, updated_at) "
                f"SELECT {columns}, ?, ? FROM stage.{STAGED_TABLE} ORDER BY rowid",
                [stamp, stamp],
            )
            return int(cur.rowcount)

    def _write_persons(self, batch: list[tuple[Any, ...]], now: object) -> tuple[int, int, int]:
        if not batch:
            return 0, 0, 0
        table = Person._meta.db_table
        existing: dict[str, tuple[int, str]] = {}
        pins = [] if self._first_load else [values[0] for values in batch]
        mark = _placeholder()
        with _raw_cursor() as cur:
            for chunk in _chunks(pins, 900):
                marks = ",".join([mark] * len(chunk))
                cur.execute(f"SELECT pin, id, row_hash FROM {table} WHERE pin IN ({marks})", chunk)
                for pin, pk, digest in cur.fetchall():
                    existing[pin] = (pk, digest)
        inserts: list[tuple[object, ...]] = []
        changed: list[tuple[int, tuple[object, ...]]] = []
        unchanged = 0
        for values in batch:
            known = existing.get(values[0])
            if known is None:
                inserts.append(values)
            elif known[1] == values[-1]:
                unchanged += 1
            else:
                changed.append((known[0], values))
        ops = connection.ops
        stamp = ops.adapt_datetimefield_value(now)
        if inserts:
            columns = ", ".join((*_PERSON_FIELDS, "created_at", "updated_at"))
            marks = ", ".join([mark] * (len(_PERSON_FIELDS) + 2))
            with _raw_cursor() as cur:
                if connection.vendor == "postgresql":
                    # COPY: an executemany makes a round trip per row (measured 6 s per
                    # 100,000 rows against a local server), COPY streams them.
                    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for values in inserts:
                            copy.write_row((*values, stamp, stamp))
                else:
                    cur.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                        [(*values, stamp, stamp) for values in inserts],
                    )
        if changed:
            self._update(changed, stamp)
        return len(inserts), len(changed), unchanged

    def _update(self, changed: list[tuple[int, tuple[object, ...]]], stamp: object) -> None:
        table = Person._meta.db_table
        names = _PERSON_FIELDS[1:]
        old_rows = {
            row["id"]: row
            for row in Person.objects.filter(pk__in=[pk for pk, _ in changed]).values("id", *names)
        }
        history = []
        for pk, values in changed:
            old = old_rows[pk]
            new = dict(zip(_PERSON_FIELDS, values, strict=True))
            for name in _BOOLEAN_FIELDS:  # SQLite batches carry 0/1
                new[name] = bool(new[name])
            diff = {
                name: [_jsonable(old[name]), _jsonable(new[name])]
                for name in _HISTORY_FIELDS
                if _jsonable(old[name]) != _jsonable(new[name])
            }
            if diff:
                history.append(
                    PersonChange(
                        person_id=pk,
                        actor=self.actor,
                        source=PersonChange.Source.IMPORT,
                        changes=diff,
                    )
                )
        mark = _placeholder()
        assignments = ", ".join(f"{name} = {mark}" for name in names)
        with _raw_cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET {assignments}, updated_at = {mark} WHERE id = {mark}",
                [(*values[1:], stamp, pk) for pk, values in changed],
            )
        PersonChange.objects.bulk_create(history)
        self._changed_ids = [pk for pk, _ in changed]


def _max_person_id() -> int:
    with _raw_cursor() as cur:
        cur.execute(f"SELECT MAX(id) FROM {Person._meta.db_table}")
        found = cur.fetchone()[0]
    return int(found or 0)


def _existing_indexes() -> set[str]:
    with connection.cursor() as cur:
        return set(connection.introspection.get_constraints(cur, Person._meta.db_table))


def _all_indexes() -> list[Any]:
    return [*Person._meta.constraints, *Person._meta.indexes]


def _load_indexes() -> list[Any]:
    """What a first load drops: the PIN's uniqueness and the full secondary indexes.

    The partial indexes stay: they hold few rows (ineligible persons, remote voters), each
    added at the end of its index (the key is constant, the row id grows), while rebuilding
    one would scan the whole table again."""
    return [
        *Person._meta.constraints,
        *(index for index in Person._meta.indexes if index.condition is None),
    ]


def drop_secondary_indexes() -> None:
    """Before a load into an empty register: building an index once, sorted, at the end is
    much cheaper than maintaining it batch by batch. Rows arrive in household order, random
    for the PIN and name-key B-trees, so every batch would rewrite most of their pages
    (measured at a million rows: 9 s of the writer's 12 for the PIN index alone)."""
    present = _existing_indexes()
    _execute_index_sql([i for i in _load_indexes() if i.name in present], create=False)


def ensure_secondary_indexes() -> None:
    """Rebuild any index a load (or an interrupted load) left dropped.

    Repeated PINs cannot come from the import (it refuses them); should someone have added a
    person with an imported PIN while the first load ran, the PIN index cannot be rebuilt and
    the import says which PINs to resolve.
    """
    present = _existing_indexes()
    try:
        with transaction.atomic():  # a savepoint: PostgreSQL can still answer after a failure
            _execute_index_sql([i for i in _all_indexes() if i.name not in present], create=True)
    except IntegrityError as exc:
        repeated = (
            Person.objects.values("pin")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("pin", flat=True)[:5]
        )
        shown = ", ".join(mask_pin(pin) for pin in repeated)
        raise ImportError_(
            f"the PIN index cannot be rebuilt: the register holds repeated PINs ({shown}); "
            "resolve them in the admin and run the import again"
        ) from exc


def _execute_index_sql(indexes: list[Any], *, create: bool) -> None:
    # The SQL comes from Django's schema editor, executed on a plain cursor: SQLite's editor
    # refuses to open inside a transaction, and an index statement needs none of its care.
    if not indexes:
        return
    editor = connection.schema_editor()
    editor.deferred_sql = []  # normally set on entering the editor's context
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Django's foreign keys are deferred; PostgreSQL will not index a table with
            # checks pending in the same transaction, so run them now.
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for index in indexes:
            statement = (
                index.create_sql(Person, editor) if create else index.remove_sql(Person, editor)
            )
            cur.execute(str(statement))


@contextmanager
def _raw_cursor() -> Iterator[Any]:
    """The driver's own cursor: Django's debug cursor would keep every executemany parameter
    list of a national import in memory (``connection.queries``) when DEBUG is on."""
    connection.ensure_connection()
    cur = connection.connection.cursor()
    try:
        yield cur
    finally:
        cur.close()


def _placeholder() -> str:
    return "?" if connection.vendor == "sqlite" else "%s"


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_rejects(run: ImportRun, path: Path) -> int:
    """Write every reject of ``run`` (including those of an interrupted earlier part).

    The rows are the file's own text: cells a spreadsheet would run are neutralised.
    """
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csvout.Writer(fh)
        writer.writerow(["line", "field", "reason", "row"])
        for reject in run.rejects.order_by("line", "id").iterator(chunk_size=2000):
            writer.writerow([reject.line, reject.field, reject.reason, reject.raw])
            count += 1
    return count
