"""Forked processes that read or write the database alongside this one: when it is safe.

A long job (the finance screen over a country's register) runs faster when a forked process
reads half of a table or stores results while this one works. Forking is safe only where:

* the platform forks;
* this process is not inside a transaction: the forked process's own connection could not
  see what the transaction has not committed (and a test's rolled-back world is one);
* the database is not an in-memory SQLite one, which a forked process would copy instead of
  share.

The connection is closed before the fork (each process then opens its own: a connection
must never be shared by two processes) and reopened here when next used.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from django.db import connection


def can_fork_with_database() -> bool:
    """Whether a forked process may use the database alongside this one (see above)."""
    if "fork" not in multiprocessing.get_all_start_methods() or connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())


def database_executor(
    processes: int = 1, initializer: Callable[[], Any] | None = None
) -> ProcessPoolExecutor:
    """An executor of ``processes`` forked processes, each opening its own connection when it
    first queries (only where :func:`can_fork_with_database`). A process that dies (killed
    for memory) fails the tasks it was given, rather than leaving them waited for."""
    connection.close()
    executor = ProcessPoolExecutor(
        processes, mp_context=multiprocessing.get_context("fork"), initializer=initializer
    )
    # The processes are forked at the first task: now, while no connection is open here
    # (this process may open one again before it hands them any work).
    executor.submit(_ready).result()
    return executor


def _ready() -> None:
    """The first task of a forked process: it has started."""


def close_connection() -> None:
    """Close this process's connection: a forked worker's last task, so that it leaves the
    database as a client should, not by its socket closing under it."""
    connection.close()
