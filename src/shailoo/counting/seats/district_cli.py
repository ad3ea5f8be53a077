"""District seats for ``shailoo seats --candidates``: elect, fill vacancies, print.

The glue between the candidates file, the engine (:func:`elect_district`,
:func:`fill_vacancies`) and the console: one block per district with every candidate's votes,
share and result (elected, passed over by the sex rule and why, tie decided and how), then a
summary with seats filled, vacant, repeat and cancelled districts and seats per party.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from rich.text import Text

from shailoo.common.cli import console
from shailoo.common.problems import Problem
from shailoo.counting.seats.district import DistrictResult, DistrictRules, elect_district
from shailoo.counting.seats.district_file import AGAINST_ALL, INVALID, DistrictCount
from shailoo.counting.seats.figures import pct
from shailoo.counting.seats.files import VotesFileError
from shailoo.counting.seats.vacancy import VacancyResult, fill_vacancies

NO_PARTY = "(no party)"


@dataclass(frozen=True, slots=True)
class DistrictOutcome:
    """One district: its figures, the count's result and, if seats were vacated, the refill."""

    count: DistrictCount
    result: DistrictResult
    vacancy: VacancyResult | None

    @property
    def winners(self) -> tuple[str, ...]:
        return self.vacancy.winners if self.vacancy is not None else self.result.winners

    @property
    def vacant(self) -> int:
        return self.vacancy.vacant if self.vacancy is not None else self.result.vacant


def parse_vacated(items: Sequence[str], counts: Sequence[DistrictCount]) -> dict[str, list[str]]:
    """``DISTRICT:CANDIDATE`` options, checked against the file (located errors)."""
    known = {c.name: {cand.name for cand in c.candidates} for c in counts}
    found: dict[str, list[str]] = {}
    problems: list[Problem] = []
    for item in items:
        district, sep, candidate = item.partition(":")
        if not sep or not district or not candidate:
            reason = f"{item!r}: write DISTRICT:CANDIDATE"
            problems.append(Problem("<option>", reason, source="--vacated"))
        elif district not in known:
            problems.append(Problem(item, f"no district {district!r}", source="--vacated"))
        elif candidate not in known[district]:
            reason = f"no candidate {candidate!r} in district {district!r}"
            problems.append(Problem(item, reason, source="--vacated"))
        else:
            found.setdefault(district, []).append(candidate)
    if problems:
        raise VotesFileError(problems)
    return found


def elect_all(
    counts: Sequence[DistrictCount],
    rules: DistrictRules,
    vacated: Mapping[str, Sequence[str]],
    lot_seed: str | None,
) -> list[DistrictOutcome]:
    """Every district's winners; a vacated seat refilled by the law's vacancy rule."""
    out: list[DistrictOutcome] = []
    for count in counts:
        result = elect_district(count.candidates, count.against_all, rules, lot_seed)
        vacancy = None
        if count.name in vacated:
            left = list(vacated[count.name])
            not_won = [name for name in left if name not in result.winners]
            if not_won:
                reason = f"not elected in district {count.name!r} ({result.status})"
                problems = [
                    Problem(f"{count.name}:{name}", reason, source="--vacated") for name in not_won
                ]
                raise VotesFileError(problems)
            vacancy = fill_vacancies(result, left, rules, lot_seed)
        out.append(DistrictOutcome(count, result, vacancy))
    return out


def party_seats(outcomes: Sequence[DistrictOutcome]) -> dict[str, int]:
    """District seats per party (candidates without a party under :data:`NO_PARTY`)."""
    seats: dict[str, int] = {}
    for outcome in outcomes:
        parties = {c.name: c.party or NO_PARTY for c in outcome.count.candidates}
        for name in outcome.winners:
            seats[parties[name]] = seats.get(parties[name], 0) + 1
    return seats


def print_districts(
    outcomes: Sequence[DistrictOutcome], rules: DistrictRules, law_districts: tuple[int, str]
) -> None:
    """One block per district, then the summary."""
    expected, cite = law_districts
    console.print(
        Text(
            f"districts: {len(outcomes)} in the file, seats per district: {rules.seats}; "
            f"vacancy rule {rules.vacancy_rule}{_cite(rules.cites.get('vacancy_rule', ''))}"
        )
    )
    if len(outcomes) != expected:
        console.print(
            Text(
                f"warning: the law sets {expected} districts{_cite(cite)}, the file has "
                f"{len(outcomes)}: the totals below cover the file only"
            )
        )
    for outcome in outcomes:
        _print_district(outcome, rules)
    _print_summary(outcomes, rules)


def _print_district(outcome: DistrictOutcome, rules: DistrictRules) -> None:
    count, result = outcome.count, outcome.result
    cites = rules.cites
    console.print(
        Text(f"district {count.name} (seats: {rules.seats}): {result.status}; {result.reason}")
    )
    if result.status == "repeat":
        console.print(Text(f"  repeat election{_cite(cites.get('against_all', ''))}"))
    if result.status == "cancelled":
        console.print(Text(f"  cancelled{_cite(cites.get('single_sex_cancelled', ''))}"))
    names = [c.name for c in count.candidates]
    width = max([len(n) for n in names] + [len("candidate"), len(AGAINST_ALL)])
    pwidth = max([len(c.party) for c in count.candidates] + [len("party")])
    console.print(
        Text(
            f"  {'candidate':<{width}}  {'sex':<6}  {'party':<{pwidth}}  {'votes':>9}  "
            f"{'share':>9}  result"
        )
    )
    skipped = dict(result.skipped)
    base = count.took_part
    by_name = {c.name: c for c in count.candidates}
    for cand in result.ranking:
        if cand.name in outcome.winners:
            verdict = "elected"
        elif cand.name in skipped:
            verdict = f"passed over: {skipped[cand.name]}{_cite(cites.get('max_one_sex', ''))}"
        elif cand.name in result.winners:
            verdict = "elected, seat vacated"
        else:
            verdict = "-"
        party = by_name[cand.name].party or "-"
        console.print(
            Text(
                f"  {cand.name:<{width}}  {cand.sex or '-':<6}  {party:<{pwidth}}  "
                f"{cand.votes:>9}  {pct(_share(cand.votes, base)):>9}  {verdict}"
            )
        )
    for label, votes in ((AGAINST_ALL, count.against_all), (INVALID, count.invalid)):
        console.print(
            Text(
                f"  {label:<{width}}  {'':<6}  {'':<{pwidth}}  {votes:>9}  "
                f"{pct(_share(votes, base)):>9}"
            )
        )
    for tie in result.ties:
        console.print(Text(f"  {tie.explain()}{_cite(cites.get('tie_rule', ''))}"))
    if result.vacant and result.status == "elected":
        console.print(
            Text(
                f"  {result.vacant} seats left vacant by the count (no further candidate may "
                "take them): a new election is held for them"
            )
        )
    if outcome.vacancy is not None:
        for line in outcome.vacancy.explain():
            console.print(Text(f"  {line}"))


def _print_summary(outcomes: Sequence[DistrictOutcome], rules: DistrictRules) -> None:
    total = rules.seats * len(outcomes)
    filled = sum(len(o.winners) for o in outcomes)
    repeat = [o.count.name for o in outcomes if o.result.status == "repeat"]
    cancelled = [o.count.name for o in outcomes if o.result.status == "cancelled"]
    console.print(
        Text(
            f"district seats: {filled} of {total} filled, {total - filled} vacant; "
            f"repeat elections: {', '.join(repeat) or 'none'}; "
            f"cancelled: {', '.join(cancelled) or 'none'}"
        )
    )
    seats = party_seats(outcomes)
    for party in sorted(seats, key=lambda p: (-seats[p], p)):
        console.print(Text(f"  {party}: {seats[party]} district seats"))


def print_both_tiers(list_seats: Mapping[str, int], district_seats: Mapping[str, int]) -> None:
    """Seats per party over the list tier and the district tier together."""
    parties = sorted(
        set(list_seats) | set(district_seats),
        key=lambda p: (-(list_seats.get(p, 0) + district_seats.get(p, 0)), p),
    )
    width = max([len(p) for p in parties] + [len("party")])
    lists, districts = sum(list_seats.values()), sum(district_seats.values())
    console.print(
        Text(f"both tiers: {lists} list seats + {districts} district seats = {lists + districts}")
    )
    console.print(Text(f"  {'party':<{width}}  {'list':>5}  {'district':>8}  {'total':>5}"))
    for party in parties:
        a, b = list_seats.get(party, 0), district_seats.get(party, 0)
        console.print(Text(f"  {party:<{width}}  {a:>5}  {b:>8}  {a + b:>5}"))


def _share(count: int, base: int) -> Fraction:
    return Fraction(count, base) if base else Fraction(0)


def _cite(cite: str) -> str:
    return f" [{cite}]" if cite else ""
