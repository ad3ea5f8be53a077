"""A problem found at a place in an input: the one way every reader says what is wrong where.

Importers, file readers, format parsers and services all refuse input the same way: with
every problem they found, each located precisely enough for a person to go and fix it — the
file and physical line for a text file, the key path for a document (``contests.2.options``),
the column or field for a row. Pure: no Django, so engines and the standalone verifier use it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """``why`` something is wrong, and ``where``: field, column or key path in the input.

    ``line`` is the 1-based physical line of a text file, when known; ``source`` the file or
    input's name when the problem travels without it. Unpacks as ``(where, why)``.
    """

    where: str
    why: str
    line: int | None = None
    source: str = ""

    def __iter__(self) -> Iterator[str]:
        yield self.where
        yield self.why

    def located(self, source: str) -> Problem:
        """The same problem, naming the input it was found in."""
        return Problem(self.where, self.why, self.line, source)

    def place(self) -> str:
        """``source:line``, ``line 12`` or ``source`` — the file-level part of the location."""
        if self.source and self.line is not None:
            return f"{self.source}:{self.line}"
        if self.line is not None:
            return f"line {self.line}"
        return self.source

    def __str__(self) -> str:
        parts = [part for part in (self.place(), self.where) if part]
        return ": ".join([*parts, self.why])

    def to_json(self) -> dict[str, Any]:
        """What APIs return: ``field`` and ``reason``, plus ``line``/``source`` when known."""
        body: dict[str, Any] = {"field": self.where, "reason": self.why}
        if self.line is not None:
            body["line"] = self.line
        if self.source:
            body["source"] = self.source
        return body


def problems_of(items: Iterable[Problem | tuple[str, str]]) -> tuple[Problem, ...]:
    """Problems from problems or ``(where, why)`` pairs, as engines hand them over."""
    return tuple(item if isinstance(item, Problem) else Problem(*item) for item in items)


def describe(problems: Iterable[Problem], limit: int = 50) -> str:
    """One problem per line, at most ``limit`` of them, then how many more there were."""
    lines: list[str] = []
    total = 0
    for total, problem in enumerate(problems, start=1):
        if total <= limit:
            lines.append(str(problem))
    if total > limit:
        lines.append(f"… and {total - limit} more")
    return "\n".join(lines)
