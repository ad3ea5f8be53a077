"""The audit's input files: ballot manifest, reported tallies, cast vote records (CSV).

Small files read whole; every problem is reported with file, line, column and reason, and all
problems of a file are collected before refusing it, so an operator fixes a file in one pass.

* manifest: ``batch,ballots`` — one row per container of paper ballots;
* reported: ``option,votes`` — the contest's reported result, one row per option (options
  with no votes too: a vote for them in the sample must be explainable);
* cast vote records (comparison audits): ``batch,position,vote`` — what the count recorded
  for each ballot; ``vote`` is an option id or ``blank``/``overvote``/``invalid``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shailoo.counting.audits.sampler import Batch

NO_VOTE = ("blank", "overvote", "invalid")


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class AuditFileError(ValueError):
    """A file the audit refuses; ``problems`` lists every located reason."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(f"{path}: {p}" for p in problems[:50]))


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AuditFileError(
            str(path), [Problem(0, "", f"not UTF-8 at byte {exc.start}")]
        ) from None
    except OSError as exc:
        raise AuditFileError(str(path), [Problem(0, "", exc.strerror or str(exc))]) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        raise AuditFileError(str(path), [Problem(1, "", "the file is empty")])
    names = [h.strip().lower() for h in header]
    missing = [c for c in columns if c not in names]
    if missing:
        raise AuditFileError(
            str(path),
            [Problem(1, ", ".join(missing), f"missing column(s); expected {','.join(columns)}")],
        )
    for values in reader:
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(names):
            yield line, {"": f"has {len(values)} fields, the header {len(names)}"}
            continue
        yield line, {n: v.strip() for n, v in zip(names, values, strict=True)}


def _count(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def read_manifest(path: Path) -> list[Batch]:
    problems: list[Problem] = []
    batches: list[Batch] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(path, ("batch", "ballots")):
        if "" in row:
            problems.append(Problem(line, "", row[""]))
            continue
        batch, ballots = row["batch"], _count(row["ballots"])
        if not batch:
            problems.append(Problem(line, "batch", "empty"))
        elif batch in first_line:
            problems.append(
                Problem(line, "batch", f"{batch!r} already on line {first_line[batch]}")
            )
        if ballots is None or ballots < 1:
            problems.append(Problem(line, "ballots", f"{row['ballots']!r} is not a count >= 1"))
        if batch and batch not in first_line and ballots:
            first_line[batch] = line
            batches.append(Batch(batch, ballots))
    if not problems and not batches:
        problems.append(Problem(0, "", "no batches"))
    if problems:
        raise AuditFileError(str(path), problems)
    return batches


def read_reported(path: Path) -> dict[str, int]:
    problems: list[Problem] = []
    reported: dict[str, int] = {}
    for line, row in _rows(path, ("option", "votes")):
        if "" in row:
            problems.append(Problem(line, "", row[""]))
            continue
        option, votes = row["option"], _count(row["votes"])
        if not option:
            problems.append(Problem(line, "option", "empty"))
        elif option.lower() in NO_VOTE:
            problems.append(Problem(line, "option", f"{option!r} is reserved for ballots"))
        elif option in reported:
            problems.append(Problem(line, "option", f"{option!r} listed twice"))
        if votes is None:
            problems.append(Problem(line, "votes", f"{row['votes']!r} is not a count"))
        if option and option not in reported and votes is not None:
            reported[option] = votes
    if not problems and len(reported) < 2:
        problems.append(Problem(0, "", "an audit needs at least two options"))
    if problems:
        raise AuditFileError(str(path), problems)
    return reported


def read_cvrs(path: Path, options: set[str]) -> dict[tuple[str, int], str]:
    """Cast vote records by (batch, position); votes must name a reported option."""
    problems: list[Problem] = []
    found: dict[tuple[str, int], str] = {}
    for line, row in _rows(path, ("batch", "position", "vote")):
        if "" in row:
            problems.append(Problem(line, "", row[""]))
            continue
        position = _count(row["position"])
        vote = row["vote"]
        if not row["batch"]:
            problems.append(Problem(line, "batch", "empty"))
        if position is None or position < 1:
            problems.append(Problem(line, "position", f"{row['position']!r} is not >= 1"))
        if vote not in options and vote.lower() not in NO_VOTE:
            problems.append(Problem(line, "vote", f"{vote!r} is not a reported option"))
        key = (row["batch"], position or 0)
        if key in found:
            problems.append(Problem(line, "position", "this ballot already has a record"))
        found[key] = vote if vote in options else vote.lower()
    if problems:
        raise AuditFileError(str(path), problems)
    return found
