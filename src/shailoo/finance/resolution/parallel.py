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
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any

from shailoo.finance.resolution.records import Counterparty, Resolution

if TYPE_CHECKING:
    from shailoo.finance.resolution.index import DonorIndex

#: Below this many counterparties a batch is resolved here: a round trip to the workers
#: costs more than it saves.
MIN_PARALLEL = 4096
#: Counterparties sent to a worker at a time.
CHUNK = 2048

#: The index the forked workers read, and the counterparties they were forked with (set in
#: the parent just before it forks).
_shared: DonorIndex | None = None
_shared_parties: Sequence[Counterparty] = ()

#: What a worker sends back of a resolution (a module-level function, sent by name): a
#: caller that needs a few plain fields has them sent as a tuple, which costs far less to
#: send than the resolution with its candidates.
Shape = Callable[[Resolution], Any]


def _index() -> DonorIndex:
    if _shared is None:  # pragma: no cover - a worker forked without an index
        raise RuntimeError("resolver worker started without its index")
    return _shared


def _resolve_chunk(chunk: list[Counterparty], shape: Shape | None = None) -> list[Any]:
    resolve = _index().resolve
    if shape is None:
        return [resolve(cp) for cp in chunk]
    return [shape(resolve(cp)) for cp in chunk]


def _resolve_range(start: int, end: int, shape: Shape | None) -> list[Any]:
    """The counterparties the worker was forked with, from ``start`` to ``end``: only the
    numbers cross between the processes, not the counterparties."""
    return _resolve_chunk(list(_shared_parties[start:end]), shape)


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
        self,
        index: DonorIndex,
        workers: int,
        *,
        min_parallel: int = MIN_PARALLEL,
        parties: Sequence[Counterparty] = (),
    ) -> None:
        self.index = index
        self.workers = max(1, workers)
        self.min_parallel = min_parallel
        #: Counterparties the workers are forked with: :meth:`stream` of this very sequence
        #: sends them ranges to resolve instead of the counterparties themselves.
        self.parties = parties
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> ResolverPool:
        global _shared, _shared_parties
        if self.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            _shared, _shared_parties = self.index, self.parties
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context("fork")
            )
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        global _shared, _shared_parties
        if self._pool is not None:
            # On an error nobody waits for the answers still to be found.
            self._pool.shutdown(wait=error is None, cancel_futures=error is not None)
            self._pool = None
        _shared, _shared_parties = None, ()

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
        running = [self._pool.submit(_resolve_chunk, chunk) for chunk in chunks]
        return lambda: [answer for part in running for answer in part.result()]

    def stream(
        self, counterparties: Sequence[Counterparty], shape: Shape | None = None
    ) -> Iterator[Any]:
        """Every counterparty's resolution (``shape``d, when given), in order, each waited for
        when it is reached.

        All of them are handed to the workers at once (a chunk at a time, however few), so
        the workers never wait for the caller, who uses the first answers (stores them)
        while the later ones are found. Without workers each is resolved when reached.
        """
        if self._pool is None:
            answers = map(self.index.resolve, counterparties)
            return answers if shape is None else map(shape, answers)
        pool, size = self._pool, len(counterparties)
        if counterparties is self.parties:  # the workers have them: send where they are
            running = [
                pool.submit(_resolve_range, i, min(i + CHUNK, size), shape)
                for i in range(0, size, CHUNK)
            ]
        else:
            running = [
                pool.submit(_resolve_chunk, list(counterparties[i : i + CHUNK]), shape)
                for i in range(0, size, CHUNK)
            ]
        return (answer for part in running for answer in part.result())
