"""Apportionment: seats among parties by largest remainder (Hare, Droop) or highest averages
(D'Hondt, Sainte-Laguë), with a per-party cap whose surplus goes round again.

Every round keeps its quota or averages, so ``explain()`` lets anyone redo it by hand.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Literal

from shailoo.counting.seats.figures import show
from shailoo.counting.seats.ties import SeatError, TieBreak, Ties, choose

Method = Literal["hare_largest_remainder", "droop_largest_remainder", "dhondt", "sainte_lague"]
METHODS: tuple[Method, ...] = (
    "hare_largest_remainder",
    "droop_largest_remainder",
    "dhondt",
    "sainte_lague",
)


@dataclass(frozen=True, slots=True)
class Party:
    """A party list with its votes; ``order`` is its registration order (1 = first)."""

    name: str
    votes: int
    order: int


@dataclass(frozen=True, slots=True)
class RoundLine:
    """One party in one round: largest remainder (quotient, remainder) or divisor figures."""

    name: str
    votes: int
    seats: int
    quotient: Fraction | None = None
    automatic: int | None = None
    remainder: Fraction | None = None
    last_average: Fraction | None = None
    next_average: Fraction | None = None


@dataclass(frozen=True, slots=True)
class Round:
    """One pass of the method over the parties still in play, for ``seats`` seats."""

    method: Method
    seats: int
    quota: Fraction | None
    lines: tuple[RoundLine, ...]
    total: int = 0
    cutoff: Fraction | None = None
    ties: tuple[TieBreak, ...] = ()
    caps: tuple[CapApplied, ...] = ()

    def explain(self) -> list[str]:
        out: list[str] = []
        if self.quota is not None:
            if self.method == "hare_largest_remainder":
                how = f"{self.total} votes / {self.seats} seats"
                out.append(f"Hare quota: {how} = {show(self.quota)}")
            else:
                how = f"floor({self.total} votes / ({self.seats} seats + 1)) + 1"
                out.append(f"Droop quota: {how} = {show(self.quota)}")
            for line in self.lines:
                assert line.quotient is not None and line.remainder is not None
                out.append(
                    f"  {line.name}: {line.votes} / quota = {float(line.quotient):.4f}: "
                    f"{line.automatic} by the quota, remainder {float(line.remainder):.4f}, "
                    f"seats {line.seats}"
                )
        else:
            name = (
                "D'Hondt (1, 2, 3, ...)"
                if self.method == "dhondt"
                else "Sainte-Laguë (1, 3, 5, ...)"
            )
            cutoff = show(self.cutoff) if self.cutoff is not None else "-"
            out.append(f"{name} for {self.seats} seats: last seat at average {cutoff}")
            for line in self.lines:
                last = show(line.last_average) if line.last_average is not None else "-"
                nxt = show(line.next_average) if line.next_average is not None else "-"
                out.append(
                    f"  {line.name}: {line.votes} votes, seats {line.seats}, "
                    f"last average won {last}, next average {nxt}"
                )
        out.extend(tie.explain() for tie in self.ties)
        out.extend(cap.explain() for cap in self.caps)
        return out


@dataclass(frozen=True, slots=True)
class CapApplied:
    party: str
    wanted: int
    cap: int
    cite: str = ""

    def explain(self) -> str:
        cite = f" [{self.cite}]" if self.cite else ""
        return (
            f"{self.party}: capped at {self.cap} seats (the method gave {self.wanted}); "
            f"{self.wanted - self.cap} seats go to the others{cite}"
        )


@dataclass(frozen=True, slots=True)
class Apportionment:
    """Seats per party after all rounds; ``unfilled`` seats found no party under the cap."""

    seats: Mapping[str, int]
    rounds: tuple[Round, ...]
    unfilled: int

    @property
    def ties(self) -> tuple[TieBreak, ...]:
        return tuple(tie for round_ in self.rounds for tie in round_.ties)

    @property
    def caps(self) -> tuple[CapApplied, ...]:
        return tuple(cap for round_ in self.rounds for cap in round_.caps)

    def explain(self) -> list[str]:
        out: list[str] = []
        for index, round_ in enumerate(self.rounds):
            if index:
                out.append(f"round {index + 1}, among the parties under the cap:")
            out.extend(round_.explain())
        if self.unfilled:
            out.append(f"{self.unfilled} seats left unfilled: every party in play is capped")
        return out


def apportion(
    parties: Sequence[Party],
    seats: int,
    method: Method,
    ties: Ties | None = None,
    cap: int | None = None,
    cap_cite: str = "",
) -> Apportionment:
    """Allocate ``seats`` among ``parties`` by ``method``; a party above ``cap`` is held at it.

    The seats a capped party would have had go to the others by running the method again over
    the parties still under the cap, until no one is over it (the surplus is redistributed).
    """
    ties = ties or Ties()
    if seats < 0:
        raise SeatError(f"seats cannot be negative ({seats})")
    names = [p.name for p in parties]
    if len(set(names)) != len(names):
        raise SeatError("a party is listed twice")
    for party in parties:
        if party.votes < 0:
            raise SeatError(f"{party.name}: votes cannot be negative ({party.votes})")
    result: dict[str, int] = {p.name: 0 for p in parties}
    active = list(parties)
    remaining = seats
    rounds: list[Round] = []
    while active and remaining > 0:
        round_ = _round(active, remaining, method, ties)
        won = {line.name: line.seats for line in round_.lines}
        over = [p for p in active if cap is not None and won[p.name] > cap]
        if not over or cap is None:
            rounds.append(round_)
            result.update(won)
            remaining -= sum(won.values())
            break
        capped = tuple(CapApplied(p.name, won[p.name], cap, cap_cite) for p in over)
        rounds.append(replace(round_, caps=capped))
        for party in over:
            result[party.name] = cap
            remaining -= cap
        active = [p for p in active if p not in over]
    return Apportionment(result, tuple(rounds), remaining)


def _round(parties: Sequence[Party], seats: int, method: Method, ties: Ties) -> Round:
    total = sum(p.votes for p in parties)
    if total == 0:
        lines = tuple(RoundLine(p.name, 0, 0) for p in parties)
        return Round(method, seats, None, lines)
    if method in ("hare_largest_remainder", "droop_largest_remainder"):
        return _largest_remainder(parties, seats, method, total, ties)
    return _divisor(parties, seats, method, ties)


def _largest_remainder(
    parties: Sequence[Party], seats: int, method: Method, total: int, ties: Ties
) -> Round:
    if method == "hare_largest_remainder":
        quota = Fraction(total, seats)
    else:
        quota = Fraction(total // (seats + 1) + 1)
    quotients = {p.name: p.votes / quota for p in parties}
    automatic = {name: math.floor(q) for name, q in quotients.items()}
    remainders = {name: quotients[name] - automatic[name] for name in quotients}
    won = dict(automatic)
    left = seats - sum(automatic.values())
    found: list[TieBreak] = []
    # A Droop quota on very few votes can leave more seats than parties with votes: whole
    # cycles over those parties first. A party without votes never gets a seat.
    voted = [p for p in parties if p.votes > 0]
    cycles, left = divmod(left, len(voted))
    for party in voted:
        won[party.name] += cycles
    scored = [(remainders[p.name], p.name, p.order) for p in voted]
    chosen, tie = choose(scored, left, ties, "the last seat by largest remainder")
    for name in chosen:
        won[name] += 1
    if tie is not None:
        found.append(tie)
    lines = tuple(
        RoundLine(
            p.name,
            p.votes,
            won[p.name],
            quotient=quotients[p.name],
            automatic=automatic[p.name],
            remainder=remainders[p.name],
        )
        for p in parties
    )
    return Round(method, seats, quota, lines, total, ties=tuple(found))


def _divisor(parties: Sequence[Party], seats: int, method: Method, ties: Ties) -> Round:
    """Highest averages, one seat at a time from a heap; a tie at the last seat by rule.

    A party's averages strictly fall as it wins, so the seats won are the ``seats`` highest
    averages. The heap breaks equal averages by registration order; when averages equal to the
    last one won are left over, the tie is decided again by the law's rule (:func:`choose`).
    """

    def divisor(won: int) -> int:
        return won + 1 if method == "dhondt" else 2 * won + 1

    orders = {p.name: p.order for p in parties}
    votes = {p.name: p.votes for p in parties}
    won = {p.name: 0 for p in parties}
    heap = [(-Fraction(p.votes), p.order, p.name) for p in parties if p.votes > 0]
    heapq.heapify(heap)
    for _ in range(seats):
        _, order, name = heapq.heappop(heap)
        won[name] += 1
        heapq.heappush(heap, (-Fraction(votes[name], divisor(won[name])), order, name))

    def last(name: str) -> Fraction:
        return Fraction(votes[name], divisor(won[name] - 1))

    cutoff = min((last(name) for name in won if won[name]), default=None)
    found: tuple[TieBreak, ...] = ()
    waiting = [name for average, _, name in heap if -average == cutoff]
    if cutoff is not None and waiting:
        at_cut = [name for name in won if won[name] and last(name) == cutoff]
        scored = [(cutoff, name, orders[name]) for name in at_cut + waiting]
        chosen, tie = choose(scored, len(at_cut), ties, "the last seat by highest average")
        for name in at_cut:
            won[name] -= 1
        for name in chosen:
            won[name] += 1
        found = (tie,) if tie is not None else ()
    lines = tuple(
        RoundLine(
            p.name,
            p.votes,
            won[p.name],
            last_average=last(p.name) if won[p.name] else None,
            next_average=Fraction(p.votes, divisor(won[p.name])),
        )
        for p in parties
    )
    total = sum(p.votes for p in parties)
    return Round(method, seats, None, lines, total, cutoff=cutoff, ties=found)
