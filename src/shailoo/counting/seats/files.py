"""Reading the seat commands' CSV files: located problems, decoding and the header.

Shared by the party-list votes file and the district candidates file so both report bad
input the same way: ``FILE:LINE: column: reason``, every problem of the file at once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from shailoo.common.csvsource import SingleLineReader
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

MAX_PROBLEMS = 20
#: Most digits of a vote count: more votes than voters anywhere, yet far from the 4,300 digits
#: past which ``int()`` raises (a hostile file's 5,000-digit count is refused, not a crash).
MAX_VOTE_DIGITS = 12


class VotesFileError(InvalidInput):
    """A file refused, with every problem found (up to :data:`MAX_PROBLEMS`).

    Code ``votes_file_invalid``. Each problem names its file (``source``), line and column
    (``where``): ``str(problem)`` reads ``FILE:LINE: column: reason``.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__(
            "votes_file_invalid", "The seat count cannot use this input.", problems=problems
        )


class Rows(Protocol):
    """A CSV reader: rows, and the line the last row ended on."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


def open_csv(path: Path) -> Rows:
    """A CSV reader over the whole file, decoded as UTF-8 (a byte-order mark is fine).

    One record per line (:class:`~shailoo.common.csvsource.SingleLineReader`): a quote left
    open is refused at its line instead of merging the rows after it into one cell.
    """
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise VotesFileError(
            [Problem("<file>", f"cannot read: {exc.strerror}", source=name)]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        reason = f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8"
        raise VotesFileError([Problem("<file>", reason, line, name)]) from None
    if not text.strip():
        raise VotesFileError([Problem("<file>", "the file is empty", 1, name)])
    return SingleLineReader(text)


def read_header(
    name: str, reader: Rows, required: Sequence[str], optional: Sequence[str]
) -> list[str]:
    """The header's column names, or every problem with it."""
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as exc:
        raise VotesFileError([Problem("<header>", f"CSV: {exc}", 1, name)]) from None
    problems: list[Problem] = []
    known = (*required, *optional)
    for column in required:
        if column not in header:
            reason = f"missing column (the header has {', '.join(header) or 'nothing'})"
            problems.append(Problem(column, reason, 1, name))
    for column in header:
        if column not in known:
            extra = f" and optionally {', '.join(optional)}" if optional else ""
            reason = f"unknown column; expected {', '.join(required)}{extra}"
            problems.append(Problem(column or "<empty>", reason, 1, name))
        elif header.count(column) > 1:
            problems.append(Problem(column, "column given twice", 1, name))
    if problems:
        raise VotesFileError(list(dict.fromkeys(problems)))
    return header


def votes_problem(name: str, line: int, text: str) -> Problem | None:
    """Why ``text`` is not a vote count (a whole number of at most :data:`MAX_VOTE_DIGITS`
    ASCII digits, not negative), or ``None``."""
    digits = text[1:] if text.startswith("-") else text
    if not (digits.isascii() and digits.isdigit()):  # not "--5", "²" nor "٣"
        shown = text if len(text) <= 40 else text[:40] + "…"
        return Problem("votes", f"not a whole number: {shown!r}", line, name)
    if len(digits) > MAX_VOTE_DIGITS:
        reason = f"a number of {len(digits)} digits (at most {MAX_VOTE_DIGITS})"
        return Problem("votes", reason, line, name)
    if int(text) < 0:
        return Problem("votes", f"negative: {text}", line, name)
    return None
