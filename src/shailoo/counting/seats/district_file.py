"""The district candidates file: ``district,candidate,votes`` and optionally ``sex``, ``party``.

One row per candidate and district; rows whose candidate is ``AGAINST_ALL`` or ``INVALID``
carry a district's "against all" and invalid ballots. Candidates are registered in the order
of their rows within the district (the tie rule ``registered_first`` uses it), districts in
the order of their first row. Every problem of the file is reported at once, located.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from shailoo.common.problems import Problem
from shailoo.counting.seats.district import DistrictCandidate, DistrictRules
from shailoo.counting.seats.figures import Sex
from shailoo.counting.seats.files import (
    MAX_PROBLEMS,
    VotesFileError,
    open_csv,
    read_header,
    votes_problem,
)

AGAINST_ALL = "AGAINST_ALL"
INVALID = "INVALID"
REQUIRED = ("district", "candidate", "votes")
OPTIONAL = ("sex", "party")
SEXES: dict[str, Sex] = {"female": "female", "f": "female", "male": "male", "m": "male"}


@dataclass
class DistrictCount:
    """One district's rows: its candidates in registration order and the other ballots."""

    name: str
    line: int
    candidates: list[DistrictCandidate] = field(default_factory=list)
    against_all: int = 0
    invalid: int = 0

    @property
    def took_part(self) -> int:
        return sum(c.votes for c in self.candidates) + self.against_all + self.invalid


def read_candidates(path: Path, rules: DistrictRules) -> list[DistrictCount]:
    """Parse and check the whole file; the sex column is required when the law has a sex rule."""
    name = str(path)
    reader = open_csv(path)
    header = read_header(name, reader, REQUIRED, OPTIONAL)
    problems: list[Problem] = []
    if rules.max_one_sex is not None and "sex" not in header:
        reason = f"missing column: the law limits winners of one sex to {rules.max_one_sex}"
        raise VotesFileError([Problem("sex", reason, 1, name)])
    districts: dict[str, DistrictCount] = {}
    seen: dict[tuple[str, str], int] = {}
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
        found = _row_problems(name, line, cells, rules)
        key = (cells["district"], cells["candidate"])
        if not found and key in seen:
            reason = f"{key[1]!r} in district {key[0]!r} is already on line {seen[key]}"
            found.append(Problem("candidate", reason, line, name))
        if found:
            problems.extend(found)
            continue
        seen[key] = line
        district = districts.setdefault(key[0], DistrictCount(key[0], line))
        votes = int(cells["votes"])
        if key[1] == AGAINST_ALL:
            district.against_all = votes
        elif key[1] == INVALID:
            district.invalid = votes
        else:
            sex = SEXES.get(cells.get("sex", "").lower())
            order = len(district.candidates) + 1
            cand = DistrictCandidate(key[1], votes, order, sex, cells.get("party", ""))
            district.candidates.append(cand)
    if not problems:
        if not districts:
            problems.append(Problem("district", "no rows in the file", reader.line_num, name))
        for district in districts.values():
            if not district.candidates:
                reason = f"district {district.name!r} has no candidate rows"
                problems.append(Problem("candidate", reason, district.line, name))
    if problems:
        raise VotesFileError(problems[:MAX_PROBLEMS])
    return list(districts.values())


def _row_problems(
    name: str, line: int, cells: dict[str, str], rules: DistrictRules
) -> list[Problem]:
    problems: list[Problem] = []
    for column in ("district", "candidate"):
        if not cells[column]:
            problems.append(Problem(column, "empty", line, name))
    bad_votes = votes_problem(name, line, cells["votes"])
    if bad_votes is not None:
        problems.append(bad_votes)
    if cells["candidate"] in (AGAINST_ALL, INVALID):
        return problems
    sex = cells.get("sex", "")
    if sex and sex.lower() not in SEXES:
        reason = f"{sex!r} is not female, male, f or m"
        problems.append(Problem("sex", reason, line, name))
    elif not sex and rules.max_one_sex is not None:
        problems.append(Problem("sex", "empty: the law's sex rule needs it", line, name))
    return problems
