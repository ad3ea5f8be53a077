"""District contests: plurality (one seat) or SNTV (several), the sex limit, "against all".

See :mod:`shailoo.counting.seats.vacancy` for seats that fall vacant after the count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from shailoo.counting.seats.figures import AgainstAllEffect, Sex
from shailoo.counting.seats.ties import LotRequired, SeatError, TieBreak, TieRule, Ties

#: Who takes a seat vacated after the count (see :mod:`shailoo.counting.seats.vacancy`).
VacancyRule = Literal["next_highest", "new_election"]


@dataclass(frozen=True, slots=True)
class DistrictCandidate:
    """A district candidate; ``order`` is the registration order (1 = first), for ties."""

    name: str
    votes: int
    order: int
    sex: Sex | None = None
    party: str = ""


@dataclass(frozen=True, slots=True)
class DistrictRules:
    """What the law sets for district contests (see :mod:`shailoo.counting.seats.law`)."""

    seats: int
    max_one_sex: int | None = None
    single_sex_cancelled: bool = False
    against_all_effect: AgainstAllEffect = "none"
    tie_rule: TieRule = "registered_first"
    vacancy_rule: VacancyRule = "new_election"
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
    ranking, found = rank_all(candidates, ties)
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


def rank_all(
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
