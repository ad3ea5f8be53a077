"""Resolving many counterparties on several cores: the index is forked, never copied.

A screen resolves hundreds of thousands of distinct payers against an index of millions of
persons; one core does it in about a minute. Each resolution is independent of the others
and reads the index only, so worker processes forked once the index is built share it (the
operating system copies only the pages they write) and each resolves its share of a batch.
Nothing is pickled but the counterparties and their answers.

Where processes cannot be forked (a platform without ``fork``), or a batch is too small for
the workers to pay their way, the same answers are computed in this process: the pool
changes the time, never the result.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from multiprocessing.pool import Pool
from types import TracebackType
from typing import TYPE_CHECKING

from shailoo.finance.resolution.records import Counterparty, Resolution

if TYPE_CHECKING:
    from shailoo.finance.resolution.index import DonorIndex

#: Below this many counterparties a batch is resolved here: a round trip to the workers
#: costs more than it saves.
MIN_PARALLEL = 4096
#: Counterparties sent to a worker at a time.
CHUNK = 2048

#: The index the forked workers read (set in the parent just before it forks).
_shared: DonorIndex | None = None


def _resolve_chunk(chunk: list[Counterparty]) -> list[Resolution]:
    index = _shared
    if index is None:  # pragma: no cover - a worker forked without an index
        raise RuntimeError("resolver worker started without its index")
    return [index.resolve(cp) for cp in chunk]


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


class ResolverPool:
    """Worker processes forked with ``index``; a context manager (the workers end with it).

    ``workers`` 1 (or no ``fork``) resolves in this process. Not for use in a threaded web
    server's request: forking a process with running threads copies their locks as they are.
    """

    def __init__(
        self, index: DonorIndex, workers: int, *, min_parallel: int = MIN_PARALLEL
    ) -> None:
        self.index = index
        self.workers = max(1, workers)
        self.min_parallel = min_parallel
        self._pool: Pool | None = None

    def __enter__(self) -> ResolverPool:
        global _shared
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            _shared = self.index
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        global _shared
        if self._pool is not None:
            self._pool.close()
            self._pool.join()
            self._pool = None
        _shared = None

    @property
    def parallel(self) -> bool:
        """Whether worker processes are running."""
        return self._pool is not None

    def resolve(self, counterparties: Sequence[Counterparty]) -> list[Resolution]:
        """Each counterparty's resolution, in order (as :meth:`DonorIndex.resolve` gives)."""
        return self.submit(counterparties)()

    def submit(self, counterparties: Sequence[Counterparty]) -> Callable[[], list[Resolution]]:
        """Start resolving ``counterparties``; the call returned waits for the answers (in
        order). The workers resolve while this process does something else."""
        if self._pool is None or len(counterparties) < self.min_parallel:
            done = [self.index.resolve(cp) for cp in counterparties]
            return lambda: done
        step = max(1, min(CHUNK, -(-len(counterparties) // self.workers)))
        chunks = [list(counterparties[i : i + step]) for i in range(0, len(counterparties), step)]
        running = self._pool.map_async(_resolve_chunk, chunks)
        return lambda: [answer for part in running.get() for answer in part]
