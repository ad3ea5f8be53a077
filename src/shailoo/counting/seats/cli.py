"""``shailoo seats``: allocate list and district seats from CSV files, with reasons.

Party lists (``--votes``):

The CSV has columns ``party,votes`` and optionally ``region`` (one row per party and region,
for the per-region thresholds). Rows for ``AGAINST_ALL`` and ``INVALID`` carry those counts,
so the threshold base "everyone who took part" is the sum of all rows unless ``--voted`` says
more people voted. Districts (``--candidates``): see
:mod:`shailoo.counting.seats.district_file` and :mod:`shailoo.counting.seats.district_cli`;
kg-2021 takes both files and prints both tiers. Bad input is reported as
``FILE:LINE: column: reason`` with exit code 2, and nothing is printed as a result.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import typer
from rich.text import Text

from shailoo.common.cli import console
from shailoo.common.problems import Problem
from shailoo.counting.seats import (
    ListCount,
    ListResult,
    ListRules,
    LotRequired,
    SeatError,
    Tally,
    allocate_list,
    pct,
)
from shailoo.counting.seats.district_cli import (
    elect_all,
    parse_vacated,
    party_seats,
    print_both_tiers,
    print_districts,
)
from shailoo.counting.seats.district_file import read_candidates
from shailoo.counting.seats.files import (
    MAX_PROBLEMS,
    VotesFileError,
    open_csv,
    read_header,
    votes_problem,
)
from shailoo.counting.seats.law import NoSuchSystem, district_count, district_rules, list_rules
from shailoo.law.loader import LawError, format_problem, load_edition
from shailoo.law.schema import Edition

app = typer.Typer(no_args_is_help=True)

AGAINST_ALL = "AGAINST_ALL"
INVALID = "INVALID"
REQUIRED = ("party", "votes")
OPTIONAL = ("region",)


@dataclass
class _Area:
    votes: dict[str, int]
    against_all: int = 0
    invalid: int = 0

    def add(self, party: str, votes: int) -> None:
        if party == AGAINST_ALL:
            self.against_all += votes
        elif party == INVALID:
            self.invalid += votes
        else:
            self.votes[party] = self.votes.get(party, 0) + votes


def read_votes(path: Path, rules: ListRules, voted: int | None = None) -> ListCount:
    """Parse and check the whole file; every problem found is reported, not just the first."""
    name = str(path)
    reader = open_csv(path)
    header = read_header(name, reader, REQUIRED, OPTIONAL)
    problems: list[Problem] = []
    national = _Area({})
    regions: dict[str, _Area] = {}
    seen: dict[tuple[str, str], int] = {}
    order: list[str] = []
    has_region = "region" in header
    while len(problems) < MAX_PROBLEMS:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # one line refused; the reader goes on with the next
            problems.append(Problem("<row>", f"CSV: {exc}", reader.line_num, name))
            continue
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            reason = f"expected {len(header)} fields ({', '.join(header)}), got {len(row)}"
            problems.append(Problem("<row>", reason, line, name))
            continue
        cells = dict(zip(header, (cell.strip() for cell in row), strict=True))
        party, region = cells["party"], cells.get("region", "")
        found = _row_problems(name, line, cells, rules, has_region)
        if found:
            problems.extend(found)
            continue
        votes = int(cells["votes"])
        key = (party, region)
        if key in seen:
            where = f" in region {region!r}" if region else ""
            reason = f"{party!r}{where} is already on line {seen[key]}"
            problems.append(Problem("party", reason, line, name))
            continue
        seen[key] = line
        if party not in (AGAINST_ALL, INVALID) and party not in order:
            order.append(party)
        national.add(party, votes)
        if region:
            regions.setdefault(region, _Area({})).add(party, votes)
    if not problems and not order:
        problems.append(Problem("party", "no party rows in the file", reader.line_num, name))
    if problems:
        raise VotesFileError(problems)
    counted = sum(national.votes.values()) + national.against_all + national.invalid
    if voted is not None and voted < counted:
        reason = f"--voted {voted} is less than the {counted} ballots in the file"
        raise VotesFileError([Problem("--voted", reason, source=name)])
    return ListCount(
        Tally(national.votes, national.against_all, national.invalid, voted),
        {code: Tally(a.votes, a.against_all, a.invalid) for code, a in regions.items()},
        tuple(order),
    )


def _row_problems(
    name: str, line: int, cells: dict[str, str], rules: ListRules, has_region: bool
) -> list[Problem]:
    problems: list[Problem] = []
    if not cells["party"]:
        problems.append(Problem("party", "empty", line, name))
    bad_votes = votes_problem(name, line, cells["votes"])
    if bad_votes is not None:
        problems.append(bad_votes)
    region = cells.get("region", "")
    if has_region and region and rules.regional is not None and region not in rules.regions:
        reason = f"unknown region {region!r}; the law's regions are {', '.join(rules.regions)}"
        problems.append(Problem("region", reason, line, name))
    return problems


@app.command("seats")
def seats(
    law: str = typer.Option(..., "--law", help="Law edition id (kg-2021) or edition file"),
    votes: Path | None = typer.Option(
        None, "--votes", help="Party lists: CSV with columns party,votes[,region]"
    ),
    candidates: Path | None = typer.Option(
        None,
        "--candidates",
        help="Districts: CSV district,candidate,votes[,sex,party]",
    ),
    voted: int | None = typer.Option(
        None, "--voted", min=0, help="Everyone who took part, if more than the file's rows"
    ),
    vacated: list[str] = typer.Option(
        [], "--vacated", help="DISTRICT:CANDIDATE whose seat fell vacant (repeatable)"
    ),
    lot_seed: str | None = typer.Option(
        None, "--lot-seed", help="Seed drawn in public, for a law whose ties go by lot"
    ),
) -> None:
    """Allocate list and district seats under a law edition and explain every step."""
    if votes is None and candidates is None:
        raise _fail("give --votes (party lists), --candidates (districts) or both")
    if voted is not None and votes is None:
        raise _fail("--voted: applies to the party-list file: give --votes")
    if vacated and candidates is None:
        raise _fail("--vacated: applies to district seats: give --candidates")
    edition = _edition(law)
    list_result = None
    outcomes = None
    try:
        lists = list_rules(edition) if votes is not None else None
    except NoSuchSystem as error:
        hint = "give --candidates" if candidates is None else "leave out --votes"
        raise _fail(f"--law: {error}; {hint}") from None
    try:
        districts = district_rules(edition) if candidates is not None else None
    except NoSuchSystem as error:
        hint = "give --votes" if votes is None else "leave out --candidates"
        raise _fail(f"--law: {error}; {hint}") from None
    path = votes
    try:
        if votes is not None and lists is not None:
            list_result = allocate_list(read_votes(votes, lists, voted), lists, lot_seed)
        path = candidates
        if candidates is not None and districts is not None:
            counts = read_candidates(candidates, districts)
            outcomes = elect_all(counts, districts, parse_vacated(vacated, counts), lot_seed)
    except VotesFileError as error:
        for problem in error.problems:
            console.print(Text(str(problem)))
        raise typer.Exit(2) from None
    except LotRequired as error:
        raise _fail(f"{path}: {error}; run again with --lot-seed") from None
    except SeatError as error:
        raise _fail(f"{path}: {error}") from None
    if list_result is not None:
        _print(law, list_result)
        if edition.counting.district is not None and outcomes is None:
            console.print(
                Text(
                    f"note: law {law} also elects deputies in districts: give --candidates "
                    "to allocate those seats"
                )
            )
    if outcomes is not None and districts is not None:
        if list_result is None:
            console.print(Text(f"law {law}:"))
        print_districts(outcomes, districts, district_count(edition))
        if list_result is not None:
            print_both_tiers(list_result.seats, party_seats(outcomes))


def _fail(message: str) -> typer.Exit:
    console.print(Text(message))
    return typer.Exit(2)


def _edition(law: str) -> Edition:
    try:
        return load_edition(law)
    except LawError as error:
        for law_problem in error.problems:
            console.print(Text(f"--law: {format_problem(law_problem)}"))
        raise typer.Exit(2) from None


def _print(law: str, result: ListResult) -> None:
    width = max(len(p.name) for p in result.parties)
    width = max(width, len("party"), len(AGAINST_ALL))
    console.print(Text(f"law {law}: " + result.explain()[0]))
    console.print(Text(f"{'party':<{width}}  {'votes':>10}  {'share':>9}  {'seats':>5}"))
    base = result.base
    for party in sorted(result.parties, key=lambda p: (-p.seats, -p.votes)):
        status = "passed" if party.passed else "below threshold"
        share = pct(party.share)
        console.print(
            Text(
                f"{party.name:<{width}}  {party.votes:>10}  {share:>9}  {party.seats:>5}  {status}"
            )
        )
    for label, count in ((AGAINST_ALL, result.against_all), (INVALID, result.invalid)):
        share = pct(_share(count, base))
        console.print(Text(f"{label:<{width}}  {count:>10}  {share:>9}  {0:>5}"))
    console.print(Text("explanation:"))
    for line in result.explain()[1:]:
        console.print(Text(f"  {line}"))


def _share(count: int, base: int) -> Fraction:
    return Fraction(count, base) if base else Fraction(0)
