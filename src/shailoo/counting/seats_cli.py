"""``shailoo results seats``: allocate party-list seats from a CSV of votes, with reasons.

The CSV has columns ``party,votes`` and optionally ``region`` (one row per party and region,
for the per-region thresholds). Rows for ``AGAINST_ALL`` and ``INVALID`` carry those counts,
so the threshold base "everyone who took part" is the sum of all rows unless ``--voted`` says
more people voted. Bad input is reported as ``FILE:LINE: column: reason`` with exit code 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import typer
from rich.text import Text

from shailoo.common.cli import console
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
from shailoo.counting.seats_law import list_rules
from shailoo.law.loader import LawError, load_edition

app = typer.Typer(no_args_is_help=True)

AGAINST_ALL = "AGAINST_ALL"
INVALID = "INVALID"
REQUIRED = ("party", "votes")
OPTIONAL = ("region",)
MAX_PROBLEMS = 20


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the votes file, where an editor can jump to it."""

    file: str
    line: int | None
    column: str
    reason: str

    def format(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.column}: {self.reason}"


class VotesFileError(Exception):
    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


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
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise VotesFileError(
            [Problem(name, None, "<file>", f"cannot read: {exc.strerror}")]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise VotesFileError([Problem(name, line, "<file>", reason)]) from None
    if not text.strip():
        raise VotesFileError([Problem(name, 1, "<file>", "the file is empty")])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as exc:
        raise VotesFileError([Problem(name, 1, "<header>", f"CSV: {exc}")]) from None
    problems = _check_header(name, header)
    if problems:
        raise VotesFileError(problems)
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
        except csv.Error as exc:
            problems.append(Problem(name, reader.line_num, "<row>", f"CSV: {exc}"))
            break
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            reason = f"expected {len(header)} fields ({', '.join(header)}), got {len(row)}"
            problems.append(Problem(name, line, "<row>", reason))
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
            problems.append(Problem(name, line, "party", reason))
            continue
        seen[key] = line
        if party not in (AGAINST_ALL, INVALID) and party not in order:
            order.append(party)
        national.add(party, votes)
        if region:
            regions.setdefault(region, _Area({})).add(party, votes)
    if not problems and not order:
        problems.append(Problem(name, reader.line_num, "party", "no party rows in the file"))
    if problems:
        raise VotesFileError(problems)
    counted = sum(national.votes.values()) + national.against_all + national.invalid
    if voted is not None and voted < counted:
        reason = f"--voted {voted} is less than the {counted} ballots in the file"
        raise VotesFileError([Problem(name, None, "--voted", reason)])
    return ListCount(
        Tally(national.votes, national.against_all, national.invalid, voted),
        {code: Tally(a.votes, a.against_all, a.invalid) for code, a in regions.items()},
        tuple(order),
    )


def _check_header(name: str, header: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    known = (*REQUIRED, *OPTIONAL)
    for column in REQUIRED:
        if column not in header:
            reason = f"missing column (the header has {', '.join(header) or 'nothing'})"
            problems.append(Problem(name, 1, column, reason))
    for column in header:
        if column not in known:
            reason = f"unknown column; expected {', '.join(REQUIRED)} and optionally region"
            problems.append(Problem(name, 1, column or "<empty>", reason))
        elif header.count(column) > 1:
            problems.append(Problem(name, 1, column, "column given twice"))
    return list(dict.fromkeys(problems))


def _row_problems(
    name: str, line: int, cells: dict[str, str], rules: ListRules, has_region: bool
) -> list[Problem]:
    problems: list[Problem] = []
    if not cells["party"]:
        problems.append(Problem(name, line, "party", "empty"))
    votes = cells["votes"]
    if not votes.lstrip("-").isdigit() or not votes.isascii():
        problems.append(Problem(name, line, "votes", f"not a whole number: {votes!r}"))
    elif int(votes) < 0:
        problems.append(Problem(name, line, "votes", f"negative: {votes}"))
    region = cells.get("region", "")
    if has_region and region and rules.regional is not None and region not in rules.regions:
        reason = f"unknown region {region!r}; the law's regions are {', '.join(rules.regions)}"
        problems.append(Problem(name, line, "region", reason))
    return problems


@app.command("seats")
def seats(
    law: str = typer.Option(..., "--law", help="Law edition id (kg-2021) or edition file"),
    votes: Path = typer.Option(..., "--votes", help="CSV with columns party,votes[,region]"),
    voted: int | None = typer.Option(
        None, "--voted", min=0, help="Everyone who took part, if more than the file's rows"
    ),
    lot_seed: str | None = typer.Option(
        None, "--lot-seed", help="Seed drawn in public, for a law whose ties go by lot"
    ),
) -> None:
    """Allocate party-list seats under a law edition and explain every step."""
    try:
        rules = list_rules(load_edition(law))
    except LawError as error:
        for law_problem in error.problems:
            console.print(Text(f"--law: {law_problem.format(error.source)}"))
        raise typer.Exit(2) from None
    except SeatError as error:
        console.print(Text(f"--law: {error}"))
        raise typer.Exit(2) from None
    try:
        count = read_votes(votes, rules, voted)
        result = allocate_list(count, rules, lot_seed)
    except VotesFileError as error:
        for problem in error.problems:
            console.print(Text(problem.format()))
        raise typer.Exit(2) from None
    except LotRequired as error:
        console.print(Text(f"{votes}: {error}; run again with --lot-seed"))
        raise typer.Exit(2) from None
    except SeatError as error:
        console.print(Text(f"{votes}: {error}"))
        raise typer.Exit(2) from None
    _print(law, result)


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
