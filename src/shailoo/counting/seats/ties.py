"""Ties in seat allocation: the law's rule (registration order or a seeded public lot).

Kept apart because every allocation (lists, districts, the presidency) breaks its ties the same
way, and an observer must be able to redo a lot with nothing but the seed and SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from shailoo.common.refusals import InvalidInput

TieRule = Literal["registered_first", "lot"]


class SeatError(InvalidInput):
    """The figures or rules cannot be allocated as given (a reason a person can act on)."""

    default_code = "seat_input_invalid"

    def __init__(self, message: str) -> None:
        super().__init__(self.default_code, message)


class LotRequired(SeatError):
    """A tie that decides a seat must be broken by lot, and no lot seed was given."""

    default_code = "lot_required"

    def __init__(self, context: str, tied: Sequence[str]) -> None:
        self.context = context
        self.tied = tuple(tied)
        super().__init__(
            f"tie for {context} between {', '.join(tied)} must be broken by lot: "
            "give the seed drawn in public (lot_seed)"
        )


# -- ties -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TieBreak:
    """A tie that decided something, and how the law's rule broke it."""

    context: str
    tied: tuple[str, ...]
    winners: tuple[str, ...]
    rule: TieRule
    detail: str

    def explain(self) -> str:
        return (
            f"tie for {self.context} between {', '.join(self.tied)}: "
            f"{', '.join(self.winners)} by {self.detail}"
        )


@dataclass(frozen=True, slots=True)
class Ties:
    """The tie rule: registration order (lower ``order`` first), or a seeded public lot.

    The lot ranks each tied name by SHA-256 of ``seed + "\\n" + name``: anyone with the seed
    drawn in public can redo it, and the order of the input never matters.
    """

    rule: TieRule = "registered_first"
    lot_seed: str | None = None

    def lot_key(self, name: str) -> str:
        assert self.lot_seed is not None
        return hashlib.sha256(f"{self.lot_seed}\n{name}".encode()).hexdigest()

    def rank(self, tied: Sequence[tuple[str, int]], context: str) -> list[str]:
        """Tied (name, order) pairs, best first, by the rule."""
        if self.rule == "registered_first":
            return [name for name, _ in sorted(tied, key=lambda item: (item[1], item[0]))]
        if self.lot_seed is None:
            raise LotRequired(context, sorted(name for name, _ in tied))
        return sorted((name for name, _ in tied), key=self.lot_key)

    def detail(self) -> str:
        if self.rule == "registered_first":
            return "the rule 'registered first'"
        return f"lot (SHA-256 with seed {self.lot_seed!r})"


def choose(
    scored: Sequence[tuple[Fraction | int, str, int]],
    k: int,
    ties: Ties,
    context: str,
) -> tuple[list[str], TieBreak | None]:
    """The ``k`` best of (score, name, order), higher score first; a tie at the cut by rule."""
    ordered = sorted(scored, key=lambda item: (-item[0], item[2], item[1]))
    if k <= 0:
        return [], None
    if k >= len(ordered):
        return [name for _, name, _ in ordered], None
    cut = ordered[k - 1][0]
    if ordered[k][0] != cut:
        return [name for _, name, _ in ordered[:k]], None
    above = [name for score, name, _ in ordered if score > cut]
    tied = [(name, order) for score, name, order in ordered if score == cut]
    winners = ties.rank(tied, context)[: k - len(above)]
    tie = TieBreak(context, tuple(n for n, _ in tied), tuple(winners), ties.rule, ties.detail())
    return above + winners, tie
