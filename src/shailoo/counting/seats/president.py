"""The presidency: a first-round majority of the law's base, else a run-off of the top ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from shailoo.counting.seats.figures import AgainstAllEffect, Base, Comparison, Tally, Threshold, pct
from shailoo.counting.seats.ties import SeatError, TieBreak, TieRule, Ties, choose


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
