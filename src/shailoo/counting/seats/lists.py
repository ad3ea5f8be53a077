"""Party-list contests: thresholds (national and per region), apportionment, list filling.

``allocate_list`` decides seats per party; ``fill_list`` decides who of a party's list takes
them (closed order or preference votes, then the gender quota's re-ordering).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from shailoo.counting.seats.apportion import Apportionment, Method, Party, apportion
from shailoo.counting.seats.figures import Sex, Tally, Threshold, ThresholdCheck
from shailoo.counting.seats.ties import SeatError, TieRule, Ties

QuotaSex = Literal["female", "male", "each"]
ListType = Literal["closed", "open"]


@dataclass(frozen=True, slots=True)
class GenderQuota:
    """At least ``min_share`` of a party's list seats (rounded up) go to ``sex`` (or each)."""

    sex: QuotaSex
    min_share: Fraction
    cite: str = ""


@dataclass(frozen=True, slots=True)
class ListRules:
    """What the law sets for a party-list contest (see :mod:`shailoo.counting.seats.law`)."""

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
