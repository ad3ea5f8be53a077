"""Seats vacated after the count: who takes them, by the law's vacancy rule.

``next_highest`` (kg-2025: "vacancies go to the next-highest candidate") gives each vacated
seat to the best-placed candidate of the district's ranking who was not elected, with the sex
limit kept among the remaining winners: a candidate whose sex already holds ``max_one_sex``
seats is passed over, and that is said. Candidates who vacated a seat never come back. When no
candidate qualifies the seat stays vacant and a new election is held for it (the sources are
silent on that case: the edition marks the choice unconfirmed). ``new_election`` (kg-2021's
single-member districts, unconfirmed) always holds a new election.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shailoo.counting.seats.district import (
    DistrictCandidate,
    DistrictResult,
    DistrictRules,
    VacancyRule,
    rank_all,
)
from shailoo.counting.seats.ties import LotRequired, SeatError, TieBreak, Ties


@dataclass(frozen=True, slots=True)
class Replacement:
    """One vacated seat: who left, who takes it (``None``: new election), who was passed."""

    vacated: str
    successor: str | None
    passed_over: tuple[tuple[str, str], ...]
    tie: TieBreak | None = None

    def explain(self) -> str:
        if self.successor is None:
            why = "; ".join(f"{name} passed over: {reason}" for name, reason in self.passed_over)
            if not why:
                return f"{self.vacated}'s seat: a new election is held for it"
            return f"{self.vacated}'s seat: no candidate may take it ({why}): a new election"
        text = f"{self.vacated}'s seat goes to {self.successor}, the next-highest candidate"
        for name, reason in self.passed_over:
            text += f"; {name} passed over: {reason}"
        if self.tie is not None:
            text += f"; {self.tie.explain()}"
        return text


@dataclass(frozen=True, slots=True)
class VacancyResult:
    """The district's winners after the vacated seats were dealt with."""

    rule: VacancyRule
    winners: tuple[str, ...]
    replacements: tuple[Replacement, ...]
    vacant: int
    cite: str = ""

    def explain(self) -> list[str]:
        cite = f" [{self.cite}]" if self.cite else ""
        out = [f"vacancy rule {self.rule}{cite}"]
        out.extend(f"  {r.explain()}" for r in self.replacements)
        out.append(f"  winners now: {', '.join(self.winners) or '-'}; vacant seats {self.vacant}")
        return out


def fill_vacancies(
    result: DistrictResult,
    vacated: Sequence[str],
    rules: DistrictRules,
    lot_seed: str | None = None,
) -> VacancyResult:
    """Give each seat in ``vacated`` (names of winners, in the order they left) to a successor."""
    if result.status != "elected":
        raise SeatError(f"the district is {result.status}: it has no seats to vacate")
    unknown = [name for name in vacated if name not in result.winners]
    if unknown:
        raise SeatError(f"not elected in this district: {', '.join(unknown)}")
    if len(set(vacated)) != len(vacated):
        raise SeatError("a winner is named twice among the vacated seats")
    gone = set(vacated)
    by_name = {c.name: c for c in result.ranking}
    winners = [by_name[name] for name in result.winners if name not in gone]
    vacant = result.vacant
    cite = rules.cites.get("vacancy_rule", "")
    done: list[Replacement] = []
    if rules.vacancy_rule == "new_election":
        done = [Replacement(name, None, ()) for name in vacated]
        return VacancyResult(
            rules.vacancy_rule, _names(winners), tuple(done), vacant + len(done), cite
        )
    ties = Ties(rules.tie_rule, lot_seed)
    ranking, found = rank_all(result.ranking, ties)
    elected_once = set(result.winners)
    for name in vacated:
        passed: list[tuple[str, str]] = []
        chosen: DistrictCandidate | None = None
        for cand in ranking:
            if cand.name in elected_once or cand.name in gone:
                continue
            if rules.against_all_effect == "seat_void_if_below" and cand.votes < result.against_all:
                passed.append((cand.name, f"fewer votes than against all ({result.against_all})"))
                continue
            if rules.max_one_sex is not None:
                held = sum(w.sex == cand.sex for w in winners)
                if held >= rules.max_one_sex:
                    passed.append((cand.name, f"{held} {cand.sex} winners already (limit)"))
                    continue
            chosen = cand
            break
        if chosen is None:
            vacant += 1
            done.append(Replacement(name, None, tuple(passed)))
            continue
        tie = _deciding_tie(found, chosen, ranking, elected_once | gone, {n for n, _ in passed})
        winners.append(chosen)
        elected_once.add(chosen.name)
        done.append(Replacement(name, chosen.name, tuple(passed), tie))
    return VacancyResult(rules.vacancy_rule, _names(winners), tuple(done), vacant, cite)


def _names(winners: Sequence[DistrictCandidate]) -> tuple[str, ...]:
    return tuple(w.name for w in winners)


def _deciding_tie(
    found: Sequence[TieBreak],
    chosen: DistrictCandidate,
    ranking: Sequence[DistrictCandidate],
    taken: set[str],
    passed: set[str],
) -> TieBreak | None:
    """The tie that put ``chosen`` ahead of an equally placed candidate who could have had it."""
    rivals = [
        c.name
        for c in ranking
        if c.votes == chosen.votes and c.name != chosen.name
        if c.name not in taken and c.name not in passed
    ]
    if not rivals:
        return None
    for tie in found:
        if chosen.name in tie.tied:
            if tie.detail == "lot required":
                raise LotRequired(tie.context, sorted(tie.tied))
            return TieBreak(tie.context, tie.tied, (chosen.name,), tie.rule, tie.detail)
    return None
