"""Streaming, transactional, idempotent and resumable import of population-registry extracts.

How the guarantees are met:

* **Streaming** — rows are read through :class:`~shailoo.common.csvsource.CsvSource` and
  written in batches; only the PINs already seen in this file are held in memory (to refuse
  a PIN that repeats inside one extract).
* **Transactional per batch** — each batch's persons, history, rejects and the run's resume
  point are committed in one transaction, so a crash leaves either the whole batch or none.
* **Idempotent** — each person keeps a digest of its registry row; a row whose digest is
  unchanged is not written, so the same file twice changes nothing.
* **Resumable** — a run interrupted in the middle is found by the file's SHA-256 and continues
  from the committed byte offset; the final state equals that of one clean run.

Writes go through the database cursor with ``executemany`` rather than the ORM: at a national
scale (millions of rows) model instances would dominate the cost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import connection, transaction
from django.dispatch import Signal
from django.utils import timezone

from shailoo.common.csvsource import CsvSource, Reject, file_sha256
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.law.loader import load_edition
from shailoo.register.eligibility import CompiledRules, compile_rules
from shailoo.register.models import ImportReject, ImportRun, Person, PersonChange
from shailoo.register.names import name_key, transliterate
from shailoo.register.rows import COLUMNS, PersonRow, masked_raw, parse_row

#: Sent inside each batch's transaction, after its rows are written. The integrity ledger
#: subscribes to it so that the batch and its ledger entry commit together.
batch_committed = Signal()

_PERSON_FIELDS = (
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "name_key",
    "name_latin",
    "sex",
    "birth_date",
    "citizenship",
    "other_citizenships",
    "legally_incapable",
    "in_confinement",
    "biometric_registered",
    "death_date",
    "address",
    "dwelling_id",
    "station_id",
    "eligible",
    "ineligible_codes",
    "row_hash",
)
# Fields compared to describe an update in the person's history.
_HISTORY_FIELDS = _PERSON_FIELDS[1:4] + _PERSON_FIELDS[6:19]


class ImportError_(Exception):
    """The file as a whole cannot be imported (wrong header, no current election)."""


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
            f"{resumed}"
        )


def _digest(values: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


def current_election() -> Election:
    """The election the register is being prepared for; the import needs its polling day."""
    election = Election.objects.filter(is_current=True).first()
    if election is None:
        raise ImportError_("no current election: create one (admin, or `shailoo demo`) first")
    return election


class RegisterImporter:
    """Import one population-registry extract into the voter register."""

    def __init__(
        self,
        path: Path,
        *,
        actor: str = "cli",
        election: Election | None = None,
        batch_size: int = 5000,
        on_progress: Callable[[int], None] | None = None,
        after_batch: Callable[[int], None] | None = None,
    ) -> None:
        self.path = Path(path)
        self.actor = actor
        self.election = election or current_election()
        self.batch_size = batch_size
        self.on_progress = on_progress
        self.after_batch = after_batch
        law = load_edition(self.election.law_edition)
        self.rules: CompiledRules = compile_rules(law, self.election.polling_day)
        self.today = timezone.localdate()

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
        source = CsvSource(self.path, COLUMNS, run.resume_offset, run.resume_line)
        seen = self._pins_before(run) if resumed else {}
        summary = ImportSummary(
            run_id=run.pk,
            read=run.read,
            accepted=run.accepted,
            created=run.created,
            updated=run.updated,
            unchanged=run.unchanged,
            rejected=run.rejected,
            resumed_from_line=run.resume_line if resumed else None,
        )
        self._stream(run, source, stations, seen, summary)
        run.status = ImportRun.Status.COMPLETED
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "finished_at"])
        if rejects_path is not None:
            write_rejects(run, rejects_path)
            summary.rejects_path = rejects_path
        return summary

    # -- streaming ----------------------------------------------------------------------
    def _pins_before(self, run: ImportRun) -> dict[int, int]:
        """PINs of the rows already committed by the interrupted run, to keep refusing repeats."""
        seen: dict[int, int] = {}
        source = CsvSource(self.path, COLUMNS)
        for item in source:
            if isinstance(item, Reject):
                continue
            if item.end_offset > run.resume_offset:
                break
            pin = item.values[source.index["pin"]].strip()
            if pin.isdigit():
                seen.setdefault(int(pin), item.line)
        return seen

    def _stream(
        self,
        run: ImportRun,
        source: CsvSource,
        stations: dict[int, int],
        seen: dict[int, int],
        summary: ImportSummary,
    ) -> None:
        batch: list[tuple[PersonRow, str]] = []
        rejects: list[Reject] = []
        for item in source:
            if isinstance(item, Reject):
                rejects.append(item)
                summary.read += 1
            else:
                summary.read += 1
                parsed = parse_row(item.line, item.values, source.index, stations, self.today)
                if isinstance(parsed, Reject):
                    rejects.append(parsed)
                else:
                    key = int(parsed.pin)
                    first = seen.get(key)
                    if first is not None:
                        rejects.append(
                            Reject(
                                item.line,
                                "pin",
                                f"repeats the PIN of line {first} of this file",
                                masked_raw(item.values, source.index),
                            )
                        )
                    else:
                        seen[key] = item.line
                        batch.append((parsed, _digest(item.values)))
            if len(batch) + len(rejects) >= self.batch_size:
                self._commit(run, batch, rejects, source, stations, summary)
                batch, rejects = [], []
        self._commit(run, batch, rejects, source, stations, summary)

    def _commit(
        self,
        run: ImportRun,
        batch: list[tuple[PersonRow, str]],
        rejects: list[Reject],
        source: CsvSource,
        stations: dict[int, int],
        summary: ImportSummary,
    ) -> None:
        now = timezone.now()
        with transaction.atomic():
            created, updated, unchanged = self._write_persons(batch, stations, now)
            if rejects:
                ImportReject.objects.bulk_create(
                    ImportReject(
                        run=run, line=r.line, field=r.field, reason=r.reason[:300], raw=r.raw
                    )
                    for r in rejects
                )
            summary.created += created
            summary.updated += updated
            summary.unchanged += unchanged
            summary.accepted += created + updated + unchanged
            summary.rejected += len(rejects)
            ImportRun.objects.filter(pk=run.pk).update(
                resume_offset=source.offset,
                resume_line=source.line,
                read=summary.read,
                accepted=summary.accepted,
                created=summary.created,
                updated=summary.updated,
                unchanged=summary.unchanged,
                rejected=summary.rejected,
            )
            batch_committed.send(
                sender=RegisterImporter,
                run_id=run.pk,
                created=created,
                updated=updated,
                unchanged=unchanged,
                rejected=len(rejects),
            )
        if self.on_progress is not None:
            self.on_progress(source.offset)
        if self.after_batch is not None:
            self.after_batch(source.line)

    # -- persistence --------------------------------------------------------------------
    def _values(self, row: PersonRow, digest: str, stations: dict[int, int]) -> tuple[object, ...]:
        codes = self.rules.fail_codes(
            row.birth_date,
            row.citizenship,
            row.legally_incapable,
            row.in_confinement,
            row.biometric_registered,
            row.death_date,
            row.other_citizenships,
        )
        return (
            row.pin,
            row.surname,
            row.given_name,
            row.patronymic,
            name_key(row.surname, row.given_name, row.patronymic),
            transliterate(f"{row.surname} {row.given_name} {row.patronymic}".strip()),
            row.sex,
            row.birth_date,
            row.citizenship,
            row.other_citizenships,
            row.legally_incapable,
            row.in_confinement,
            row.biometric_registered,
            row.death_date,
            row.address,
            row.dwelling_id,
            stations[row.station],
            not codes,
            codes,
            digest,
        )

    def _write_persons(
        self, batch: list[tuple[PersonRow, str]], stations: dict[int, int], now: object
    ) -> tuple[int, int, int]:
        if not batch:
            return 0, 0, 0
        table = Person._meta.db_table
        existing: dict[str, tuple[int, str]] = {}
        pins = [row.pin for row, _ in batch]
        with connection.cursor() as cur:
            for chunk in _chunks(pins, 900):
                marks = ",".join(["%s"] * len(chunk))
                cur.execute(f"SELECT pin, id, row_hash FROM {table} WHERE pin IN ({marks})", chunk)
                for pin, pk, digest in cur.fetchall():
                    existing[pin] = (pk, digest)
        inserts: list[tuple[object, ...]] = []
        changed: list[tuple[int, tuple[object, ...]]] = []
        unchanged = 0
        for row, digest in batch:
            known = existing.get(row.pin)
            if known is None:
                inserts.append(self._values(row, digest, stations))
            elif known[1] == digest:
                unchanged += 1
            else:
                changed.append((known[0], self._values(row, digest, stations)))
        ops = connection.ops
        stamp = ops.adapt_datetimefield_value(now)
        if inserts:
            columns = ", ".join((*_PERSON_FIELDS, "created_at", "updated_at"))
            marks = ", ".join(["%s"] * (len(_PERSON_FIELDS) + 2))
            with connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO {table} ({columns}) VALUES ({marks})",
                    [(*_adapt(values, ops), stamp, stamp) for values in inserts],
                )
        if changed:
            self._update(changed, stamp, ops)
        return len(inserts), len(changed), unchanged

    def _update(
        self, changed: list[tuple[int, tuple[object, ...]]], stamp: object, ops: object
    ) -> None:
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
            diff = {
                name: [_jsonable(old[name]), _jsonable(new[name])]
                for name in _HISTORY_FIELDS
                if old[name] != new[name]
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
        assignments = ", ".join(f"{name} = %s" for name in names)
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {table} SET {assignments}, updated_at = %s WHERE id = %s",
                [(*_adapt(values[1:], ops), stamp, pk) for pk, values in changed],
            )
        PersonChange.objects.bulk_create(history)


def _adapt(values: tuple[object, ...], ops: object) -> tuple[object, ...]:
    adapt_date = ops.adapt_datefield_value  # type: ignore[attr-defined]
    return tuple(adapt_date(v) if isinstance(v, date) else v for v in values)


def _jsonable(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def write_rejects(run: ImportRun, path: Path) -> int:
    """Write every reject of ``run`` (including those of an interrupted earlier part)."""
    import csv

    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["line", "field", "reason", "row"])
        for reject in run.rejects.order_by("line", "id").iterator(chunk_size=2000):
            writer.writerow([reject.line, reject.field, reject.reason, reject.raw])
            count += 1
    return count
