"""Shares through a cycle of ownership: one small linear system per strongly connected set.

When A owns part of B and B owns part of A, what reaches A from outside is counted again each
time round the loop: ``x = A·x + b`` (``A[i, j]`` the share member ``j`` holds in member
``i``, ``b`` what members hold from outside the cycle). Its least solution is the sum of all
walks, ``Σ Aᵏ b``; while some share of the cycle is held from outside, every column of ``A``
sums below 1 somewhere, the spectral radius is below 1 and ``(I − A) x = b`` has exactly that
solution. A closed loop (100% round and round, nobody outside) has ``b = 0`` and the answer 0
without any solve, so it cannot hang.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Final

import numpy as np

__all__ = ["solve_cycle"]

#: Up to this many members a dense solve (LAPACK) is cheapest; above, a sparse one.
DENSE_LIMIT: Final = 1500
#: The fallback's bound on rounds when the system is singular (registry rounding lets shares
#: sum a hair above 1, which can close a loop exactly).
MAX_ROUNDS: Final = 10_000


def solve_cycle(
    size: int,
    rows: Sequence[int],
    cols: Sequence[int],
    shares: Sequence[float],
    outside: np.ndarray,
) -> np.ndarray:
    """The least ``x`` in [0, 1] with ``x = A·x + b`` for each column of ``outside`` (``b``).

    ``A`` is given sparsely (``A[rows[k], cols[k]] += shares[k]``); ``outside`` has one row
    per member. Values are clipped into [0, 1] (rounding only).
    """
    if not outside.any():
        zeros: np.ndarray = np.zeros_like(outside)
        return zeros
    row = np.asarray(rows, dtype=np.int64)
    col = np.asarray(cols, dtype=np.int64)
    val = np.asarray(shares, dtype=np.float64)
    solution: np.ndarray | None
    if size <= DENSE_LIMIT:
        matrix = np.eye(size)
        np.add.at(matrix, (row, col), -val)
        try:
            solution = np.linalg.solve(matrix, outside)
        except np.linalg.LinAlgError:
            solution = None
    else:
        solution = _sparse_solve(size, row, col, val, outside)
    if solution is None or not np.all(np.isfinite(solution)) or solution.min() < -1e-9:
        solution = _iterate(size, row, col, val, outside)
    clipped: np.ndarray = np.clip(solution, 0.0, 1.0)
    return clipped


def _sparse_solve(
    size: int, row: np.ndarray, col: np.ndarray, val: np.ndarray, outside: np.ndarray
) -> np.ndarray | None:
    from scipy.sparse import coo_matrix, identity
    from scipy.sparse.linalg import MatrixRankWarning, spsolve

    matrix = (
        identity(size, format="csc") - coo_matrix((val, (row, col)), shape=(size, size))
    ).tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            solution = spsolve(matrix, outside)
        except (MatrixRankWarning, RuntimeError):
            return None
    result = np.asarray(solution, dtype=np.float64)
    return result.reshape(outside.shape)


def _iterate(
    size: int, row: np.ndarray, col: np.ndarray, val: np.ndarray, outside: np.ndarray
) -> np.ndarray:
    """``x ← min(1, A·x + b)`` from 0: increasing, bounded, the least fixed point."""
    x = np.zeros_like(outside)
    for _ in range(MAX_ROUNDS):
        spread = np.zeros_like(outside)
        np.add.at(spread, row, val[:, None] * x[col])
        nxt: np.ndarray = np.minimum(1.0, spread + outside)
        if np.max(np.abs(nxt - x)) < 1e-15:
            return nxt
        x = nxt
    return x
