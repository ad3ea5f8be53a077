"""Seat allocation: party lists, districts and the presidency, each result explaining itself.

Pure and exact: shares, quotas and quotients are :class:`fractions.Fraction`, so a threshold of
7% is passed or missed by whole votes, never by a float rounding. The rules come in as plain
parameters (:mod:`shailoo.counting.seats_law` reads them from a law edition), and every result
carries the evidence an observer needs to redo the count by hand: each threshold check with its
margin in votes, the quota, each party's quotient and remainder, the caps applied, the quota
re-orderings and every tie with the rule that broke it. ``explain()`` renders it as text.
"""

from __future__ import annotations

import hashlib
import heapq
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Literal

Method = Literal["hare_largest_remainder", "droop_largest_remainder", "dhondt", "sainte_lague"]
METHODS: tuple[Method, ...] = (
    "hare_largest_remainder",
    "droop_largest_remainder",
    "dhondt",
    "sainte_lague",
)
Base = Literal["took_part", "valid", "party_votes"]
Comparison = Literal["at_least", "more_than"]
TieRule = Literal["registered_first", "lot"]
Sex = Literal["female", "male"]
QuotaSex = Literal["female", "male", "each"]
ListType = Literal["closed", "open"]
AgainstAllEffect = Literal["none", "repeat_if_leads", "seat_void_if_below"]

BASE_WORDS: dict[str, str] = {
    "took_part": "of those who took part",
    "valid": "of the valid votes",
    "party_votes": "of the votes for parties",
}


class SeatError(ValueError):
    """The figures or rules cannot be allocated as given (a reason a person can act on)."""


class LotRequired(SeatError):
    """A tie that decides a seat must be broken by lot, and no lot seed was given."""

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


# -- figures --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes in one area (the country or a region): per option, "against all", invalid.

    ``took_part`` overrides everyone who took part (the sum of all the figures) when the
    protocol says more people voted than the rows here carry.
    """

    votes: Mapping[str, int]
    against_all: int = 0
    invalid: int = 0
    took_part: int | None = None

    def __post_init__(self) -> None:
        for name, count in [*self.votes.items(), ("against all", self.against_all)]:
            if count < 0:
                raise SeatError(f"{name}: votes cannot be negative ({count})")
        if self.invalid < 0:
            raise SeatError(f"invalid ballots cannot be negative ({self.invalid})")
        counted = self.counted
        if self.took_part is not None and self.took_part < counted:
            raise SeatError(
                f"took part {self.took_part} is less than the {counted} ballots counted"
            )

    @property
    def counted(self) -> int:
        return sum(self.votes.values()) + self.against_all + self.invalid

    def base(self, kind: Base) -> int:
        """The number a share is a share of."""
        if kind == "took_part":
            return self.took_part if self.took_part is not None else self.counted
        if kind == "valid":
            return sum(self.votes.values()) + self.against_all
        return sum(self.votes.values())


@dataclass(frozen=True, slots=True)
class Threshold:
    share: Fraction
    base: Base
    comparison: Comparison
    cite: str = ""

    def minimum(self, base: int) -> int:
        """Fewest votes that pass, of ``base``."""
        need = self.share * base
        if self.comparison == "at_least":
            return math.ceil(need)
        return math.floor(need) + 1

    def words(self) -> str:
        sign = "at least" if self.comparison == "at_least" else "more than"
        return f"{sign} {pct(self.share)} {BASE_WORDS[self.base]}"


@dataclass(frozen=True, slots=True)
class ThresholdCheck:
    """One party against one threshold, with the margin in votes (negative: missed by)."""

    party: str
    area: str
    votes: int
    base: int
    required: int
    threshold: Threshold

    @property
    def passed(self) -> bool:
        return self.votes >= self.required

    @property
    def margin(self) -> int:
        return self.votes - self.required

    def explain(self) -> str:
        share = pct(Fraction(self.votes, self.base)) if self.base else "-"
        verdict = (
            f"passed by {self.margin} votes" if self.passed else f"missed by {-self.margin} votes"
        )
        cite = f" [{self.threshold.cite}]" if self.threshold.cite else ""
        return (
            f"{self.party}: {self.area} threshold ({self.threshold.words()}: "
            f"{self.required} of {self.base}): {self.votes} = {share}, {verdict}{cite}"
        )


def pct(value: Fraction) -> str:
    """A share as a percentage with up to 4 decimals (exact figures stay in the data)."""
    text = f"{float(value * 100):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def show(value: Fraction) -> str:
    """An exact number: whole, or the fraction with its decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator} (= {float(value):.4f})"


# -- apportionment --------------------------------------------------------------------------


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


# -- party lists: thresholds, apportionment, list filling -----------------------------------


@dataclass(frozen=True, slots=True)
class GenderQuota:
    """At least ``min_share`` of a party's list seats (rounded up) go to ``sex`` (or each)."""

    sex: QuotaSex
    min_share: Fraction
    cite: str = ""


@dataclass(frozen=True, slots=True)
class ListRules:
    """What the law sets for a party-list contest (see :mod:`shailoo.counting.seats_law`)."""

    seats: int
    method: Method
    national: Threshold | None = None
    regional: Threshold | None = None
    regions: tuple[str, ...] = ()
    seat_cap: int | None = None
    tie_rule: TieRule = "registered_first"
    list_type: ListType = "closed"
    gender_quota: GenderQuota | None = None
    cites: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ListCount:
    """The count of a list contest: national figures and, optionally, per region.

    ``order`` is the parties' registration order (for the tie rule); by default the order of
    ``national.votes``.
    """

    national: Tally
    regions: Mapping[str, Tally] = field(default_factory=dict)
    order: tuple[str, ...] = ()

    def registration(self) -> dict[str, int]:
        names = self.order or tuple(self.national.votes)
        missing = sorted(set(self.national.votes) - set(names))
        if missing:
            raise SeatError(f"no registration order for {', '.join(missing)}")
        return {name: index + 1 for index, name in enumerate(names)}


@dataclass(frozen=True, slots=True)
class PartyOutcome:
    name: str
    votes: int
    share: Fraction
    passed: bool
    seats: int


@dataclass(frozen=True, slots=True)
class ListResult:
    """Seats of a list contest with everything that decided them."""

    rules: ListRules
    base: int
    against_all: int
    invalid: int
    parties: tuple[PartyOutcome, ...]
    checks: tuple[ThresholdCheck, ...]
    apportionment: Apportionment | None
    warnings: tuple[str, ...] = ()

    @property
    def seats(self) -> dict[str, int]:
        return {p.name: p.seats for p in self.parties}

    @property
    def passed(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parties if p.passed)

    def explain(self) -> list[str]:
        rules = self.rules
        out = [
            f"{rules.seats} seats by {rules.method}; {self.base} took part "
            f"({self.against_all} against all, {self.invalid} invalid)"
        ]
        out.extend(f"warning: {text}" for text in self.warnings)
        out.extend(check.explain() for check in self.checks)
        if not self.passed:
            out.append("no party passed the threshold: no seats are allocated")
        if self.apportionment is not None:
            out.extend(self.apportionment.explain())
        return out


def allocate_list(count: ListCount, rules: ListRules, lot_seed: str | None = None) -> ListResult:
    """Thresholds, then the method over the parties that passed all of them, then caps.

    "Against all" and invalid ballots count in a ``took_part`` base and never get seats.
    """
    order = count.registration()
    national = count.national
    checks: list[ThresholdCheck] = []
    warnings: list[str] = []
    failed: set[str] = set()
    if rules.national is not None:
        base = national.base(rules.national.base)
        need = rules.national.minimum(base)
        for name, votes in national.votes.items():
            check = ThresholdCheck(name, "national", votes, base, need, rules.national)
            checks.append(check)
            if not check.passed:
                failed.add(name)
    if rules.regional is not None:
        unknown = sorted(set(count.regions) - set(rules.regions))
        if unknown:
            raise SeatError(
                f"regions {', '.join(unknown)} are not among the law's regions "
                f"({', '.join(rules.regions)})"
            )
        if not count.regions:
            warnings.append(
                f"the law sets a threshold in each region ({rules.regional.words()}) but "
                "no regional figures were given: it was NOT checked"
            )
        else:
            for region in rules.regions:
                tally = count.regions.get(region, Tally({}))
                base = tally.base(rules.regional.base)
                need = rules.regional.minimum(base)
                for name in national.votes:
                    votes = tally.votes.get(name, 0)
                    check = ThresholdCheck(name, region, votes, base, need, rules.regional)
                    checks.append(check)
                    if not check.passed:
                        failed.add(name)
    passing = [
        Party(name, votes, order[name])
        for name, votes in national.votes.items()
        if name not in failed
    ]
    apportionment = None
    if passing:
        apportionment = apportion(
            passing,
            rules.seats,
            rules.method,
            Ties(rules.tie_rule, lot_seed),
            rules.seat_cap,
            rules.cites.get("seat_cap", ""),
        )
    won = apportionment.seats if apportionment is not None else {}
    share_base = national.base(rules.national.base if rules.national else "took_part")
    outcomes = tuple(
        PartyOutcome(
            name,
            votes,
            Fraction(votes, share_base) if share_base else Fraction(0),
            name not in failed,
            won.get(name, 0),
        )
        for name, votes in national.votes.items()
    )
    return ListResult(
        rules,
        national.base("took_part"),
        national.against_all,
        national.invalid,
        outcomes,
        tuple(checks),
        apportionment,
        tuple(warnings),
    )


@dataclass(frozen=True, slots=True)
class Candidate:
    """A list candidate: ``position`` on the registered list (1 = top)."""

    name: str
    sex: Sex
    position: int
    preference_votes: int = 0


@dataclass(frozen=True, slots=True)
class QuotaMove:
    up: str
    down: str
    sex: Sex

    def explain(self) -> str:
        return f"{self.up} ({self.sex}) moves up in place of {self.down} to meet the quota"


@dataclass(frozen=True, slots=True)
class ListFill:
    """Who of a party's list takes its seats, after preference and quota re-ordering."""

    party: str
    seats: int
    ranking: tuple[str, ...]
    elected: tuple[str, ...]
    moves: tuple[QuotaMove, ...]
    shortfall: int
    note: str

    def explain(self) -> list[str]:
        out = [f"{self.party}: {self.seats} seats; {self.note}"]
        out.extend(f"  {move.explain()}" for move in self.moves)
        if self.shortfall:
            out.append(f"  quota short by {self.shortfall}: no further candidate of that sex")
        out.append(f"  elected: {', '.join(self.elected) or '-'}")
        return out


def fill_list(
    party: str,
    candidates: Sequence[Candidate],
    seats: int,
    list_type: ListType = "closed",
    quota: GenderQuota | None = None,
) -> ListFill:
    """Seat a party's candidates: list order (closed) or preference votes (open), then quota.

    The quota rule: while a protected sex holds fewer than ``ceil(min_share x seats)`` of the
    party's seats, the best-placed candidate of that sex not yet elected moves up and the
    lowest-placed elected candidate of the other sex gives way. With ``each`` the guarantee is
    at most half the seats (rounded down), so the two sexes never compete for the same seat.
    """
    if list_type == "closed":
        ranked = sorted(candidates, key=lambda c: c.position)
        note = "closed list: registered order"
    else:
        ranked = sorted(candidates, key=lambda c: (-c.preference_votes, c.position))
        note = "open list: preference votes, ties by list position"
    elected = list(ranked[: min(seats, len(ranked))])
    moves: list[QuotaMove] = []
    shortfall = 0
    if quota is not None and elected:
        protected: tuple[Sex, ...] = ("female", "male") if quota.sex == "each" else (quota.sex,)
        need = math.ceil(quota.min_share * len(elected))
        if quota.sex == "each":
            need = min(need, len(elected) // 2)
        note += f"; quota: at least {need} of each protected sex ({', '.join(protected)})"
        for sex in protected:
            while sum(c.sex == sex for c in elected) < need:
                waiting = [c for c in ranked if c.sex == sex and c not in elected]
                giving = [c for c in elected if c.sex != sex]
                if not waiting or not giving:
                    shortfall += need - sum(c.sex == sex for c in elected)
                    break
                down = giving[-1]
                up = waiting[0]
                elected.remove(down)
                elected.append(up)
                elected.sort(key=ranked.index)
                moves.append(QuotaMove(up.name, down.name, sex))
    return ListFill(
        party,
        seats,
        tuple(c.name for c in ranked),
        tuple(c.name for c in elected),
        tuple(moves),
        shortfall,
        note,
    )


# -- districts ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DistrictCandidate:
    name: str
    votes: int
    order: int
    sex: Sex | None = None


@dataclass(frozen=True, slots=True)
class DistrictRules:
    seats: int
    max_one_sex: int | None = None
    single_sex_cancelled: bool = False
    against_all_effect: AgainstAllEffect = "none"
    tie_rule: TieRule = "registered_first"
    cites: Mapping[str, str] = field(default_factory=dict)


DistrictStatus = Literal["elected", "repeat", "cancelled"]


@dataclass(frozen=True, slots=True)
class DistrictResult:
    """Winners of a district, or why there are none (repeat election, cancelled)."""

    status: DistrictStatus
    winners: tuple[str, ...]
    ranking: tuple[DistrictCandidate, ...]
    against_all: int
    skipped: tuple[tuple[str, str], ...]
    vacant: int
    ties: tuple[TieBreak, ...]
    reason: str

    def explain(self) -> list[str]:
        out = [f"district: {self.status}; {self.reason}"]
        for rank, cand in enumerate(self.ranking, 1):
            mark = "elected" if cand.name in self.winners else ""
            sex = f", {cand.sex}" if cand.sex else ""
            out.append(f"  {rank}. {cand.name} ({cand.votes} votes{sex}) {mark}".rstrip())
        out.append(f"  against all: {self.against_all} votes")
        out.extend(f"  {name} passed over: {why}" for name, why in self.skipped)
        if self.vacant:
            out.append(f"  {self.vacant} seats vacant: a new election is needed for them")
        out.extend(f"  {tie.explain()}" for tie in self.ties)
        return out


def elect_district(
    candidates: Sequence[DistrictCandidate],
    against_all: int,
    rules: DistrictRules,
    lot_seed: str | None = None,
) -> DistrictResult:
    """Plurality (1 seat) or SNTV (several): most votes win, subject to the sex limit.

    With ``max_one_sex``, a candidate whose sex already holds that many seats is passed over
    for the best-placed candidate of the other sex (for 3 seats and a limit of 2: the third
    seat goes to the best-placed of the other sex). "Against all" ahead of the leader means a
    repeat election (``repeat_if_leads``); with ``seat_void_if_below`` each winner with fewer
    votes than "against all" leaves the seat vacant.
    """
    names = [c.name for c in candidates]
    if len(set(names)) != len(names):
        raise SeatError("a candidate is listed twice")
    if any(c.votes < 0 for c in candidates) or against_all < 0:
        raise SeatError("votes cannot be negative")
    if rules.max_one_sex is not None and any(c.sex is None for c in candidates):
        raise SeatError("the sex rule needs every candidate's sex")
    sexes = {c.sex for c in candidates}
    if rules.single_sex_cancelled and rules.max_one_sex is not None and len(sexes) == 1:
        only = next(iter(sexes))
        return DistrictResult(
            "cancelled",
            (),
            tuple(candidates),
            against_all,
            (),
            rules.seats,
            (),
            f"every candidate is {only}: the district election is cancelled",
        )
    ties = Ties(rules.tie_rule, lot_seed)
    ranking, found = _rank_all(candidates, ties)
    winners: list[DistrictCandidate] = []
    skipped: list[tuple[str, str]] = []
    for cand in ranking:
        if len(winners) == rules.seats:
            break
        if rules.max_one_sex is not None:
            held = sum(w.sex == cand.sex for w in winners)
            if held >= rules.max_one_sex:
                skipped.append((cand.name, f"{held} {cand.sex} winners already (limit)"))
                continue
        winners.append(cand)
    relevant = _relevant_ties(found, {w.name for w in winners}, {name for name, _ in skipped})
    leader = ranking[0].votes if ranking else 0
    if rules.against_all_effect == "repeat_if_leads" and against_all > leader:
        return DistrictResult(
            "repeat",
            (),
            tuple(ranking),
            against_all,
            (),
            rules.seats,
            relevant,
            f"against all ({against_all}) beats the leader ({leader}): repeat election",
        )
    vacant = rules.seats - len(winners)
    reason = "most votes win"
    if rules.against_all_effect == "seat_void_if_below":
        below = [w for w in winners if w.votes < against_all]
        winners = [w for w in winners if w not in below]
        vacant += len(below)
        if below:
            reason += f"; {len(below)} winners below against all ({against_all}) lose the seat"
    return DistrictResult(
        "elected",
        tuple(w.name for w in winners),
        tuple(ranking),
        against_all,
        tuple(skipped),
        vacant,
        relevant,
        reason,
    )


def _rank_all(
    candidates: Sequence[DistrictCandidate], ties: Ties
) -> tuple[list[DistrictCandidate], list[TieBreak]]:
    """Every candidate by votes; each group of equal votes ordered by the tie rule."""
    groups: dict[int, list[DistrictCandidate]] = {}
    for cand in candidates:
        groups.setdefault(cand.votes, []).append(cand)
    ranking: list[DistrictCandidate] = []
    found: list[TieBreak] = []
    for votes in sorted(groups, reverse=True):
        group = groups[votes]
        if len(group) == 1:
            ranking.extend(group)
            continue
        by_name = {c.name: c for c in group}
        context = f"places with {votes} votes"
        try:
            order = ties.rank([(c.name, c.order) for c in group], context)
        except LotRequired:
            order = [c.name for c in sorted(group, key=lambda c: c.order)]
            found.append(TieBreak(context, tuple(order), (), ties.rule, "lot required"))
            ranking.extend(by_name[name] for name in order)
            continue
        found.append(TieBreak(context, tuple(order), tuple(order), ties.rule, ties.detail()))
        ranking.extend(by_name[name] for name in order)
    return ranking, found


def _relevant_ties(
    found: Sequence[TieBreak], winners: set[str], skipped: set[str]
) -> tuple[TieBreak, ...]:
    """Ties that decide who is elected: the group has winners and others not elected only
    because of the tie (a candidate passed over by the sex rule lost to the rule, not the tie).
    """
    out: list[TieBreak] = []
    for tie in found:
        inside = [name for name in tie.tied if name in winners]
        losers = [name for name in tie.tied if name not in winners and name not in skipped]
        if inside and losers:
            if tie.detail == "lot required":
                raise LotRequired(tie.context, sorted(tie.tied))
            out.append(TieBreak(tie.context, tie.tied, tuple(inside), tie.rule, tie.detail))
    return tuple(out)


# -- the presidency -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PresidentRules:
    majority_share: Fraction
    majority_base: Base
    majority_comparison: Comparison
    runoff_top: int = 2
    runoff_within_days: int | None = None
    against_all_effect: AgainstAllEffect = "none"
    tie_rule: TieRule = "registered_first"
    cites: Mapping[str, str] = field(default_factory=dict)


PresidentStatus = Literal["elected", "runoff", "repeat"]


@dataclass(frozen=True, slots=True)
class PresidentResult:
    round: int
    status: PresidentStatus
    winner: str | None
    runoff: tuple[str, ...]
    base: int
    required: int | None
    candidates: tuple[tuple[str, int], ...]
    against_all: int
    ties: tuple[TieBreak, ...]
    reason: str

    def explain(self) -> list[str]:
        out = [f"round {self.round}: {self.status}; {self.reason}"]
        for name, votes in self.candidates:
            share = pct(Fraction(votes, self.base)) if self.base else "-"
            out.append(f"  {name}: {votes} votes = {share}")
        out.append(f"  against all: {self.against_all} votes")
        out.extend(f"  {tie.explain()}" for tie in self.ties)
        return out


def president_first_round(
    votes: Mapping[str, int],
    rules: PresidentRules,
    against_all: int = 0,
    invalid: int = 0,
    took_part: int | None = None,
    order: Sequence[str] = (),
    lot_seed: str | None = None,
) -> PresidentResult:
    """Elected with the majority the law sets (of its base), else a run-off of the top ones."""
    tally = Tally(votes, against_all, invalid, took_part)
    base = tally.base(rules.majority_base)
    threshold = Threshold(rules.majority_share, rules.majority_base, rules.majority_comparison)
    required = threshold.minimum(base)
    ranks = _orders(votes, order)
    listed = tuple(sorted(votes.items(), key=lambda item: (-item[1], ranks[item[0]])))
    leader = listed[0][1] if listed else 0
    if _against_all_leads(rules, against_all, leader):
        return PresidentResult(
            1,
            "repeat",
            None,
            (),
            base,
            required,
            listed,
            against_all,
            (),
            f"against all ({against_all}) beats the leader ({leader}): repeat election",
        )
    winners = [name for name, count in listed if count >= required]
    cite = rules.cites.get("majority", "")
    if winners:
        winner = winners[0]
        return PresidentResult(
            1,
            "elected",
            winner,
            (),
            base,
            required,
            listed,
            against_all,
            (),
            f"{winner} has {votes[winner]} votes, the majority needed is {required} "
            f"({threshold.words()}: {base}){_cite(cite)}",
        )
    scored = [(count, name, ranks[name]) for name, count in listed]
    ties = Ties(rules.tie_rule, lot_seed)
    chosen, tie = choose(scored, rules.runoff_top, ties, "a place in the run-off")
    days = f" within {rules.runoff_within_days} days" if rules.runoff_within_days else ""
    return PresidentResult(
        1,
        "runoff",
        None,
        tuple(chosen),
        base,
        required,
        listed,
        against_all,
        (tie,) if tie else (),
        f"no one has the {required} votes needed ({threshold.words()}: {base}); run-off"
        f"{days} between {', '.join(chosen)}{_cite(cite)}",
    )


def president_runoff(
    votes: Mapping[str, int],
    rules: PresidentRules,
    against_all: int = 0,
    invalid: int = 0,
    order: Sequence[str] = (),
    lot_seed: str | None = None,
) -> PresidentResult:
    """The run-off: most votes wins; a tie goes by the law's rule."""
    tally = Tally(votes, against_all, invalid)
    base = tally.base("took_part")
    ranks = _orders(votes, order)
    listed = tuple(sorted(votes.items(), key=lambda item: (-item[1], ranks[item[0]])))
    leader = listed[0][1] if listed else 0
    if _against_all_leads(rules, against_all, leader):
        return PresidentResult(
            2,
            "repeat",
            None,
            (),
            base,
            None,
            listed,
            against_all,
            (),
            f"against all ({against_all}) beats the leader ({leader}): repeat election",
        )
    scored = [(count, name, ranks[name]) for name, count in listed]
    chosen, tie = choose(scored, 1, Ties(rules.tie_rule, lot_seed), "the run-off")
    if not chosen:
        raise SeatError("a run-off needs candidates")
    winner = chosen[0]
    return PresidentResult(
        2,
        "elected",
        winner,
        (),
        base,
        None,
        listed,
        against_all,
        (tie,) if tie else (),
        f"{winner} has the most votes in the run-off",
    )


def _against_all_leads(rules: PresidentRules, against_all: int, leader: int) -> bool:
    return rules.against_all_effect == "repeat_if_leads" and against_all > leader


def _orders(votes: Mapping[str, int], order: Sequence[str]) -> dict[str, int]:
    names = list(order) or list(votes)
    missing = sorted(set(votes) - set(names))
    if missing:
        raise SeatError(f"no registration order for {', '.join(missing)}")
    return {name: index + 1 for index, name in enumerate(names)}


def _cite(cite: str) -> str:
    return f" [{cite}]" if cite else ""
