"""Preparing a large extract in several worker processes while the importer writes.

The file is cut into byte ranges of about one batch each, at line ends; worker *i* of *n*
prepares ranges *i*, *i + n*, … and the importer takes the results back in file order. Each
worker finds the cuts and counts the lines before them by itself (a fast scan for newlines),
so workers never wait for one another.

A cut at a line end is a row boundary unless a quoted field runs over that line end. Every
range records where it was planned to start and where its reading really ended (a row that
spans the planned end is read whole). :func:`prepare_in_workers` accepts a range only when it
starts exactly where the previous one ended; otherwise — a quoted field ran over the cut — it
prepares that range again in its own process from the true start. The batches are therefore
exactly those of one sequential reading, whatever the file holds.

Batches travel as files in a private spool directory, their names through the queues: a
multiprocessing queue writes to its pipe from a feeder thread, 64 KiB at a time, each write
waiting for the GIL the preparation holds. For SQLite the worker also writes the rows into a
small SQLite file (``staged``) so that the writer copies them with one ``INSERT … SELECT``
instead of binding millions of parameters in its own, busier process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue as queue_module
import shutil
import sqlite3
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from shailoo.common.csvsource import CsvSource
from shailoo.register.prepare import (
    PERSON_FIELDS,
    PreparedBatch,
    PrepareJob,
    prepare_range,
)
from shailoo.register.rows import COLUMNS

#: Table and columns of a staged batch file.
STAGED_TABLE = "person"


def default_workers() -> int:
    """Two workers at least (the writer needs far less than a core), at most four."""
    return max(2, min(4, os.cpu_count() or 2))


class RangePlan:
    """The byte ranges of a file after its header (or after a resume point)."""

    def __init__(self, job: PrepareJob) -> None:
        source = CsvSource(job.path, COLUMNS)
        with job.path.open("rb") as fh:
            source.read_header(fh)
            self.size = os.fstat(fh.fileno()).st_size
            self.base, self.base_line = source.offset, source.line
            if job.start_offset > self.base:
                self.base, self.base_line = job.start_offset, job.start_line
            fh.seek(self.base)
            sample = fh.read(1 << 16)
        rows = max(1, sample.count(b"\n"))
        self.range_bytes = max(1024, len(sample) * job.batch_size // rows)

    def cut(self, fh: BinaryIO, number: int) -> int:
        """Start of range ``number``: the first line start at or after its nominal offset."""
        if number == 0:
            return self.base
        nominal = self.base + number * self.range_bytes
        if nominal >= self.size:
            return self.size
        fh.seek(nominal - 1)
        return nominal - 1 + len(fh.readline())


class _LineCounter:
    """Line number at increasing offsets, counting newlines once through the file."""

    def __init__(self, fh: BinaryIO, offset: int, line: int) -> None:
        self.fh, self.offset, self.line = fh, offset, line

    def at(self, offset: int) -> int:
        self.fh.seek(self.offset)
        remaining = offset - self.offset
        while remaining > 0:
            chunk = self.fh.read(min(remaining, 1 << 20))
            if not chunk:
                break
            self.line += chunk.count(b"\n")
            remaining -= len(chunk)
        self.offset = offset
        return self.line


def stage_rows(rows: list[tuple[Any, ...]], path: Path) -> None:
    """Write prepared rows, in order, to a fresh SQLite file (no journal: it is scratch)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=OFF")
        conn.execute("PRAGMA synchronous=OFF")
        conn.execute(f"CREATE TABLE {STAGED_TABLE} ({', '.join(PERSON_FIELDS)})")
        marks = ", ".join("?" * len(PERSON_FIELDS))
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO {STAGED_TABLE} VALUES ({marks})", rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


class _Orphaned(Exception):
    """The importer's process is gone (killed): the worker stops and clears the spool."""


def _work(
    job: PrepareJob, index: int, workers: int, queue: Any, spool: Path, stage: bool, parent: int
) -> None:
    # The preparation creates no reference cycles; collections would only cost time.
    gc.disable()
    # The writer is the pipeline's critical path: on a busy machine it should get the CPU
    # when it has work, and the workers fill the rest.
    if hasattr(os, "nice"):  # POSIX
        os.nice(5)
    outbox = _Outbox(queue, spool, stage, parent)
    try:
        plan = RangePlan(job)
        # Staging (SQLite) is a first load's path: the checker also computes each person's
        # state (``register.statedigest``), here, in parallel, not in the writer, which
        # binds the states to the ledger with the batch.
        checker = job.checker(stating=stage)
        with job.path.open("rb") as cuts, job.path.open("rb") as counted:
            counter = _LineCounter(counted, plan.base, plan.base_line)
            number = index
            while True:
                start = plan.cut(cuts, number)
                if start >= plan.size and number > 0:
                    outbox.put(("done", number))
                    return
                stop = plan.cut(cuts, number + 1)
                batch = prepare_range(job, checker, start, counter.at(start), stop)
                if checker.states is not None:
                    batch.states = checker.take_states()
                outbox.send(batch, number, stop)
                number += workers
    except _Orphaned:
        shutil.rmtree(spool, ignore_errors=True)
        queue.cancel_join_thread()  # nobody reads the queue any more: do not wait to flush it
    except BaseException:  # report any failure to the parent instead of hanging it
        outbox.put(("error", traceback.format_exc()))


class _Outbox:
    """A worker's side of its queue: batches as spool files, and a watch on the parent."""

    def __init__(self, queue: Any, spool: Path, stage: bool, parent: int) -> None:
        self.queue, self.spool, self.stage, self.parent = queue, spool, stage, parent

    def send(self, batch: PreparedBatch, number: int, stop: int) -> None:
        if self.stage and batch.rows:
            batch.staged = self.spool / f"batch-{number}.sqlite3"
            stage_rows(batch.rows, batch.staged)
            batch.rows = []
        path = self.spool / f"batch-{number}.pickle"
        path.write_bytes(pickle.dumps((batch, stop), protocol=pickle.HIGHEST_PROTOCOL))
        self.put(("batch", number, path))

    def put(self, message: tuple[Any, ...]) -> None:
        # A killed importer (SIGKILL) cannot stop its workers; they notice that they have
        # been re-parented instead of waiting forever on a full queue.
        while True:
            if os.getppid() != self.parent:
                raise _Orphaned
            try:
                self.queue.put(message, timeout=1)
                return
            except queue_module.Full:
                continue


def read_staged(batch: PreparedBatch) -> list[tuple[Any, ...]]:
    """A staged batch's rows, in order, less the dropped ones (for an update, not a load)."""
    if batch.staged is None:
        return batch.rows
    conn = sqlite3.connect(batch.staged)
    try:
        rows = conn.execute(f"SELECT * FROM {STAGED_TABLE} ORDER BY rowid").fetchall()
    finally:
        conn.close()
    dropped = set(batch.dropped)
    return [row for i, row in enumerate(rows) if i not in dropped]


def discard(batch: PreparedBatch) -> None:
    """Remove a batch's staged file, once written or when the batch is not used."""
    if batch.staged is not None:
        batch.staged.unlink(missing_ok=True)


def prepare_in_workers(
    job: PrepareJob, workers: int | None = None, *, stage: bool = False
) -> Iterator[PreparedBatch]:
    """Like :func:`~shailoo.register.prepare.prepare_batches`, prepared by worker processes.

    Batches come in file order. The consumer must :func:`discard` each staged batch after
    use. The workers are stopped when the consumer stops early (a crash while writing,
    Ctrl+C), so nothing runs on after the parent.
    """
    count = workers or default_workers()
    # fork: a child needs nothing but these pure modules, and unlike spawn it does not re-run
    # the parent's main script (which may be any program that imports Shailoo). The children
    # touch no inherited connection and end with os._exit.
    methods = multiprocessing.get_all_start_methods()
    context: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    spool = Path(tempfile.mkdtemp(prefix="shailoo-register-"))
    queues = [context.Queue(maxsize=2) for _ in range(count)]
    processes = [
        context.Process(
            target=_work,
            args=(job, i, count, queues[i], spool, stage, os.getpid()),
            daemon=True,
        )
        for i in range(count)
    ]
    # Freeze the parent's objects (Django, models, caches) out of the garbage collector before
    # forking: otherwise every collection in a child walks them and copies their pages.
    gc.freeze()
    try:
        for process in processes:
            process.start()
    finally:
        gc.unfreeze()
    try:
        yield from _in_order(job, queues, processes)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
        for q in queues:
            q.close()
        shutil.rmtree(spool, ignore_errors=True)


def _in_order(job: PrepareJob, queues: list[Any], processes: list[Any]) -> Iterator[PreparedBatch]:
    checker = None
    plan = RangePlan(job)
    offset, line = plan.base, plan.base_line
    number = 0
    while True:
        message = _receive(queues[number % len(queues)], processes[number % len(queues)])
        if message[0] == "done":
            return
        batch, stop = message
        if offset >= stop and number > 0:
            discard(batch)  # an earlier batch read through all of this range
        else:
            if offset != batch.start_offset:
                # A quoted field ran over the cut: prepare this range from the true start.
                discard(batch)
                checker = checker or job.checker()
                batch = prepare_range(job, checker, offset, line, stop)
            offset, line = batch.end_offset, batch.end_line
            yield batch
        number += 1


def _receive(queue: Any, process: Any) -> tuple[Any, ...]:
    while True:
        try:
            message = queue.get(timeout=1)
        except queue_module.Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"register preparation worker exited with code {process.exitcode}"
                ) from None
            continue
        kind = message[0]
        if kind == "error":
            raise RuntimeError(f"register preparation failed in a worker:\n{message[1]}")
        if kind == "done":
            return ("done",)
        path: Path = message[2]
        batch, stop = pickle.loads(path.read_bytes())
        path.unlink()
        return batch, stop
