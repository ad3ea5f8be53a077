"""The CPU half of the register import: read, validate, normalise and decide, batch by batch.

This module is pure (no Django): the same preparation runs in the importer's process for
small files and in worker processes for large ones (:mod:`shailoo.register.prepare_parallel`),
while the importer's process writes to the database. Each :class:`PreparedBatch` carries the
byte offset and line where it starts and just after its last row; the importer commits the
latter as the resume point with the batch.

A PIN that repeats inside one file is refused by :class:`RepeatedPins`, which the writer runs
over the batches in file order: the first occurrence is kept wherever it was prepared.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from shailoo.common.csvsource import CsvSource, Reject
from shailoo.register.eligibility import CompiledRules
from shailoo.register.rowcache import CachedRowChecker
from shailoo.register.rows import COLUMNS, masked_raw
from shailoo.register.statedigest import STATE_SIZE

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
    """Rows ready to store (``PERSON_FIELDS`` order), rejects, and where the batch lies.

    ``pins`` and ``lines`` run parallel to the rows. A worker preparing for SQLite leaves
    ``rows`` empty and puts them, in the same order, in the SQLite file ``staged`` (table
    ``person``), which the writer copies with one ``INSERT … SELECT``.
    """

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    pins: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)
    read: int = 0
    #: Physical lines that are neither a row nor a reject: blank lines and the further lines
    #: of rows whose quoted field runs over a line end (``lines = read + other``).
    other: int = 0
    start_offset: int = 0
    start_line: int = 0
    end_offset: int = 0
    end_line: int = 0
    staged: Path | None = None
    #: Positions (in row order) of rows refused after preparation: repeated PINs.
    dropped: list[int] = field(default_factory=list)
    #: For a staged batch: the rows' states (``register.statedigest.state``, ``STATE_SIZE``
    #: bytes each) end to end, in row order, less the dropped rows; the writer binds them to
    #: the ledger with the batch.
    states: bytes = b""


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

    def checker(self, *, stating: bool = False) -> CachedRowChecker:
        return CachedRowChecker(
            self.stations, self.rules, self.today, self.dates_as_text, stating=stating
        )


_INDEX = {name: i for i, name in enumerate(COLUMNS)}


class _Batcher:
    """Collects prepared rows and rejects in file order."""

    def __init__(self, checker: CachedRowChecker, source: CsvSource, offset: int, line: int):
        self.checker = checker
        self.source = source
        order = [source.index[name] for name in COLUMNS]
        self.order = None if order == list(range(len(COLUMNS))) else order
        self.batch = PreparedBatch(start_offset=offset, start_line=line)
        self._other = 0

    def add(self, item: Any) -> None:
        batch = self.batch
        batch.read += 1
        if isinstance(item, Reject):
            batch.rejects.append(item)
            return
        values = item.values
        if self.order is not None:  # columns in the file's order, mapped to COLUMNS order
            values = [values[i] for i in self.order]
        result = self.checker.check(item.line, values)
        if isinstance(result, Reject):
            batch.rejects.append(result)
        else:
            batch.rows.append(result)
            batch.pins.append(result[0])
            batch.lines.append(item.line)

    @property
    def size(self) -> int:
        return len(self.batch.rows) + len(self.batch.rejects)

    def take(self, at: tuple[int, int] | None = None) -> PreparedBatch:
        """The batch so far, ending where the source stands (a row boundary) or ``at``."""
        source = self.source
        offset, line = at or (source.offset, source.line)
        other = source.blank + source.continued
        batch = self.batch
        self.batch = PreparedBatch(start_offset=offset, start_line=line)
        batch.end_offset, batch.end_line = offset, line
        batch.other, self._other = other - self._other, other
        return batch


def _source(job: PrepareJob, offset: int, line: int) -> tuple[CsvSource, int, int]:
    """A source positioned at ``offset`` (at least the first data row) and where that is."""
    source = CsvSource(job.path, COLUMNS, offset, line)
    with job.path.open("rb") as fh:
        source.read_header(fh)
    if offset <= source.offset:
        return source, source.offset, source.line
    return source, offset, line


def prepare_batches(
    job: PrepareJob, checker: CachedRowChecker | None = None
) -> Iterator[PreparedBatch]:
    """Read the file from the job's start point and yield prepared batches in file order."""
    checker = checker or job.checker()
    source, offset, line = _source(job, job.start_offset, job.start_line)
    batcher = _Batcher(checker, source, offset, line)
    for item in source:
        batcher.add(item)
        # The source's offset after each item is a resume point: a batch may end there.
        if batcher.size >= job.batch_size:
            yield batcher.take()
    yield batcher.take()


def prepare_range(
    job: PrepareJob, checker: CachedRowChecker, offset: int, line: int, stop: int
) -> PreparedBatch:
    """One batch: the rows from ``offset`` (a row start) through the first row ending at or
    after byte ``stop``. Reading past ``stop`` is how a row that spans it stays whole."""
    source, offset, line = _source(job, offset, line)
    batcher = _Batcher(checker, source, offset, line)
    if offset >= stop:
        return batcher.take((offset, line))
    for item in source:
        batcher.add(item)
        if source.offset >= stop:
            break
    return batcher.take()


# -- PINs that repeat inside one file --------------------------------------------------------


def pins_before(job: PrepareJob) -> dict[int, int]:
    """PINs of rows before the resume point, so a repeat after it is still refused."""
    seen: dict[int, int] = {}
    if not job.start_offset:
        return seen
    source = CsvSource(job.path, COLUMNS)
    for item in source:
        if isinstance(item, Reject):
            continue
        if item.end_offset > job.start_offset:
            break
        pin = item.values[source.index["pin"]].strip()
        if pin.isascii() and pin.isdigit():
            seen.setdefault(int(pin), item.line)
    return seen


class RepeatedPins:
    """Refuses every row whose PIN an earlier row of the same file already had.

    Run by the writer over the batches in file order, so that "earlier" means earlier in the
    file whichever process prepared the batch. Memory: one entry per accepted PIN.
    """

    def __init__(self, job: PrepareJob) -> None:
        self.job = job
        self.seen = pins_before(job)

    def apply(self, batch: PreparedBatch) -> None:
        """Move repeated rows to the batch's rejects (and list them in ``batch.dropped``)."""
        seen = self.seen
        repeats: list[tuple[int, int]] = []
        for position, (pin, line) in enumerate(zip(batch.pins, batch.lines, strict=True)):
            first = seen.setdefault(int(pin), line)
            if first != line:
                repeats.append((position, first))
        if not repeats:
            return
        raw = self._raw_rows(batch, {batch.lines[position] for position, _ in repeats})
        for position, first in repeats:
            line = batch.lines[position]
            batch.rejects.append(
                Reject(
                    "pin",
                    f"repeats the PIN of line {first} of this file",
                    line,
                    raw=masked_raw(raw[line], _INDEX),
                )
            )
        batch.dropped = [position for position, _ in repeats]
        dropped = set(batch.dropped)
        if batch.rows:
            batch.rows = [row for i, row in enumerate(batch.rows) if i not in dropped]
        if batch.states:
            size = STATE_SIZE
            batch.states = b"".join(
                batch.states[i * size : (i + 1) * size]
                for i in range(len(batch.states) // size)
                if i not in dropped
            )

    def _raw_rows(self, batch: PreparedBatch, lines: set[int]) -> dict[int, list[str]]:
        # Rare: re-read the batch's part of the file for the rejected rows as they were written.
        source, _, _ = _source(self.job, batch.start_offset, batch.start_line)
        order = None
        found: dict[int, list[str]] = {}
        for item in source:
            if isinstance(item, Reject) or item.line not in lines:
                continue
            order = order or [source.index[name] for name in COLUMNS]
            found[item.line] = [item.values[i] for i in order]
            if len(found) == len(lines):
                break
        return found
