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
from collections.abc import Iterator
from pathlib import Path

from shailoo.common.csvsource import SingleLineReader
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.counting.audits.sampler import Batch

NO_VOTE = ("blank", "overvote", "invalid")
#: Most digits of a count (ballots in a batch, votes, a position): far more than any count,
#: far from the 4,300 digits past which ``int()`` raises on a hostile file's number.
MAX_COUNT_DIGITS = 12


class AuditFileError(InvalidInput):
    """A file the audit refuses (``audit_file_invalid``); ``problems`` lists every reason.

    Each problem names the file (``source``), the line (none for the file as a whole) and
    the column (``where``), so ``str()`` gives lines like ``FILE:3: votes: 'ten' is not a count``.
    """

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path = path
        super().__init__(
            "audit_file_invalid",
            f"The audit cannot use {path}.",
            problems=[problem.located(path) for problem in problems],
        )


def _rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AuditFileError(str(path), [Problem("", f"not UTF-8 at byte {exc.start}")]) from None
    except OSError as exc:
        raise AuditFileError(str(path), [Problem("", exc.strerror or str(exc))]) from None
    # One record per line: a quote left open is refused at its line, never allowed to merge
    # the rows after it into one cell (a batch "box1,600\nbox2" of the second row's count).
    reader = SingleLineReader(text)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise AuditFileError(str(path), [Problem("", f"header: malformed CSV: {exc}", 1)]) from None
    if header is None:
        raise AuditFileError(str(path), [Problem("", "the file is empty", 1)])
    names = [h.strip().lower() for h in header]
    missing = [c for c in columns if c not in names]
    if missing:
        raise AuditFileError(
            str(path),
            [Problem(", ".join(missing), f"missing column(s); expected {','.join(columns)}", 1)],
        )
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, {"": f"malformed CSV: {exc}"}
            continue
        if not any(v.strip() for v in values):
            continue
        line = reader.line_num
        if len(values) != len(names):
            yield line, {"": f"has {len(values)} fields, the header {len(names)}"}
            continue
        yield line, {n: v.strip() for n, v in zip(names, values, strict=True)}


def _count(text: str) -> int | None:
    """``text`` as a count: 1 to :data:`MAX_COUNT_DIGITS` ASCII digits (not "²" nor "٣")."""
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_COUNT_DIGITS:
        return None
    return int(text)


def _shown(text: str) -> str:
    """A cell as a reason quotes it: its first 40 characters."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def read_manifest(path: Path) -> list[Batch]:
    problems: list[Problem] = []
    batches: list[Batch] = []
    first_line: dict[str, int] = {}
    for line, row in _rows(path, ("batch", "ballots")):
        if "" in row:
            problems.append(Problem("", row[""], line))
            continue
        batch, ballots = row["batch"], _count(row["ballots"])
        if not batch:
            problems.append(Problem("batch", "empty", line))
        elif batch in first_line:
            problems.append(
                Problem("batch", f"{batch!r} already on line {first_line[batch]}", line)
            )
        if ballots is None or ballots < 1:
            problems.append(
                Problem("ballots", f"{_shown(row['ballots'])} is not a count >= 1", line)
            )
        if batch and batch not in first_line and ballots:
            first_line[batch] = line
            batches.append(Batch(batch, ballots))
    if not problems and not batches:
        problems.append(Problem("", "no batches"))
    if problems:
        raise AuditFileError(str(path), problems)
    return batches


def read_reported(path: Path) -> dict[str, int]:
    problems: list[Problem] = []
    reported: dict[str, int] = {}
    for line, row in _rows(path, ("option", "votes")):
        if "" in row:
            problems.append(Problem("", row[""], line))
            continue
        option, votes = row["option"], _count(row["votes"])
        if not option:
            problems.append(Problem("option", "empty", line))
        elif option.lower() in NO_VOTE:
            problems.append(Problem("option", f"{option!r} is reserved for ballots", line))
        elif option in reported:
            problems.append(Problem("option", f"{option!r} listed twice", line))
        if votes is None:
            problems.append(Problem("votes", f"{_shown(row['votes'])} is not a count", line))
        if option and option not in reported and votes is not None:
            reported[option] = votes
    if not problems and len(reported) < 2:
        problems.append(Problem("", "an audit needs at least two options"))
    if problems:
        raise AuditFileError(str(path), problems)
    return reported


def read_cvrs(path: Path, options: set[str]) -> dict[tuple[str, int], str]:
    """Cast vote records by (batch, position); votes must name a reported option."""
    problems: list[Problem] = []
    found: dict[tuple[str, int], str] = {}
    for line, row in _rows(path, ("batch", "position", "vote")):
        if "" in row:
            problems.append(Problem("", row[""], line))
            continue
        position = _count(row["position"])
        vote = row["vote"]
        if not row["batch"]:
            problems.append(Problem("batch", "empty", line))
        if position is None or position < 1:
            problems.append(Problem("position", f"{_shown(row['position'])} is not >= 1", line))
        if vote not in options and vote.lower() not in NO_VOTE:
            problems.append(Problem("vote", f"{vote!r} is not a reported option", line))
        key = (row["batch"], position or 0)
        if key in found:
            problems.append(Problem("position", "this ballot already has a record", line))
        found[key] = vote if vote in options else vote.lower()
    if problems:
        raise AuditFileError(str(path), problems)
    return found
