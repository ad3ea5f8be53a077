"""The CPU half of the register import: read, validate, normalise and decide, batch by batch.

This module is pure (no Django) so that it can run in a separate process while the importer's
main process writes the previous batch to the database: on a two-core machine that overlaps
the Python work with SQLite's. Each :class:`PreparedBatch` carries the byte offset and line
just after its last row, which the importer commits as the resume point with the batch.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import queue as queue_module
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from shailoo.common.csvsource import CsvSource, Reject
from shailoo.register.eligibility import CompiledRules
from shailoo.register.names import key_and_latin
from shailoo.register.rows import COLUMNS, PersonRow, masked_raw, parse_row

# Column order of the values tuple; matches the importer's INSERT.
PERSON_FIELDS: tuple[str, ...] = (
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


@dataclass
class PreparedBatch:
    """Rows ready to store (``PERSON_FIELDS`` order), rejects, and where the batch ends."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0
    end_offset: int = 0
    end_line: int = 0


@dataclass(frozen=True)
class PrepareJob:
    """Everything the preparation needs, picklable so that it can cross to a worker process."""

    path: Path
    stations: dict[int, int]
    rules: CompiledRules
    today: date
    dates_as_text: bool
    batch_size: int
    start_offset: int = 0
    start_line: int = 1


_INDEX = {name: i for i, name in enumerate(COLUMNS)}


def _digest(values: list[str]) -> str:
    return hashlib.blake2b("\x1f".join(values).encode(), digest_size=16).hexdigest()


def _values(row: PersonRow, digest: str, job: PrepareJob) -> tuple[Any, ...]:
    codes = job.rules.fail_codes(
        row.birth_date,
        row.citizenship,
        row.legally_incapable,
        row.in_confinement,
        row.biometric_registered,
        row.death_date,
        row.other_citizenships,
    )
    birth: Any = row.birth_date
    death: Any = row.death_date
    if job.dates_as_text:
        birth = birth.isoformat()
        death = None if death is None else death.isoformat()
    key, latin = key_and_latin(row.surname, row.given_name, row.patronymic)
    return (
        row.pin,
        row.surname,
        row.given_name,
        row.patronymic,
        key,
        latin,
        row.sex,
        birth,
        row.citizenship,
        row.other_citizenships,
        row.legally_incapable,
        row.in_confinement,
        row.biometric_registered,
        death,
        row.address,
        row.dwelling_id,
        job.stations[row.station],
        not codes,
        codes,
        digest,
    )


def _pins_before(job: PrepareJob) -> dict[int, int]:
    """PINs of rows before the resume point, so a repeat after it is still refused."""
    seen: dict[int, int] = {}
    source = CsvSource(job.path, COLUMNS)
    for item in source:
        if isinstance(item, Reject):
            continue
        if item.end_offset > job.start_offset:
            break
        pin = item.values[source.index["pin"]].strip()
        if pin.isdigit():
            seen.setdefault(int(pin), item.line)
    return seen


def prepare_batches(job: PrepareJob) -> Iterator[PreparedBatch]:
    """Read the file from the job's start point and yield prepared batches in file order."""
    seen = _pins_before(job) if job.start_offset else {}
    source = CsvSource(job.path, COLUMNS, job.start_offset, job.start_line)
    batch = PreparedBatch()
    order: list[int] | None = None
    for item in source:
        batch.read += 1
        if isinstance(item, Reject):
            batch.rejects.append(item)
        else:
            if order is None:  # columns in the file's order, mapped once to COLUMNS order
                order = [source.index[name] for name in COLUMNS]
                identity = order == list(range(len(COLUMNS)))
            values = item.values if identity else [item.values[i] for i in order]
            parsed = parse_row(item.line, values, job.stations, job.today)
            if isinstance(parsed, Reject):
                batch.rejects.append(parsed)
            else:
                key = int(parsed.pin)
                first = seen.get(key)
                if first is not None:
                    batch.rejects.append(
                        Reject(
                            item.line,
                            "pin",
                            f"repeats the PIN of line {first} of this file",
                            masked_raw(values, _INDEX),
                        )
                    )
                else:
                    seen[key] = item.line
                    batch.rows.append(_values(parsed, _digest(values), job))
        if len(batch.rows) + len(batch.rejects) >= job.batch_size:
            batch.end_offset, batch.end_line = source.offset, source.line
            yield batch
            batch = PreparedBatch()
    batch.end_offset, batch.end_line = source.offset, source.line
    yield batch


# -- running the preparation in a worker process -------------------------------------------


def _work(job: PrepareJob, queue: Any) -> None:
    # The preparation creates no reference cycles; collections would only cost time.
    gc.disable()
    try:
        for batch in prepare_batches(job):
            queue.put(("batch", batch))
        queue.put(("done", None))
    except BaseException:  # report any failure to the parent instead of hanging it
        queue.put(("error", traceback.format_exc()))


def prepare_in_worker(job: PrepareJob) -> Iterator[PreparedBatch]:
    """Like :func:`prepare_batches`, computed in a child process a few batches ahead.

    The child is stopped when the consumer stops early (a crash while writing, Ctrl+C), so
    nothing runs on after the parent.
    """
    # fork: the child needs nothing but this pure module, and unlike spawn it does not re-run
    # the parent's main script (which may be any program that imports Shailoo). The child
    # touches no inherited connection and ends with os._exit.
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    queue = context.Queue(maxsize=3)
    process = context.Process(target=_work, args=(job, queue), daemon=True)
    # Freeze the parent's objects (Django, models, caches) out of the garbage collector before
    # forking: otherwise every collection in the child walks them and copies their pages.
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
    try:
        while True:
            try:
                kind, payload = queue.get(timeout=1)
            except queue_module.Empty:
                if not process.is_alive():
                    raise RuntimeError(
                        f"register preparation worker exited with code {process.exitcode}"
                    ) from None
                continue
            if kind == "batch":
                yield payload
            elif kind == "done":
                break
            else:
                raise RuntimeError(f"register preparation failed in the worker:\n{payload}")
    finally:
        if process.is_alive():
            process.terminate()
        process.join(timeout=10)
        queue.close()


def batches(job: PrepareJob, parallel: bool) -> Iterator[PreparedBatch]:
    """The job's batches, prepared here or in a worker process."""
    runner: Callable[[PrepareJob], Iterator[PreparedBatch]] = (
        prepare_in_worker if parallel else prepare_batches
    )
    return runner(job)
