"""How well a screen found what the world planted: recall on the planted cases, precision on
what it flagged, and the near misses it wrongly flagged.

A planted positive is found when a flag of its kind names at least one of its entries (for
``unresolved``, when one of its entries waits for a person). A flag is right when it matches
a planted positive of its kind; the background of the synthetic world is clean by
construction, so any other flag is a false alarm, and a flag on a planted near miss is one.
Pure: flags arrive as ``(kind, entry references)`` pairs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shailoo.synth.finance.rows import Planted


@dataclass(frozen=True, slots=True)
class Score:
    """The comparison of a screen with the planted truth."""

    positives: int
    found: int
    flags: int
    right: int
    missed: tuple[Planted, ...]
    near_misses_flagged: tuple[Planted, ...]
    false_alarms: tuple[tuple[str, frozenset[str]], ...]

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.flags if self.flags else 1.0


def score(
    planted: Iterable[Planted],
    flags: Iterable[tuple[str, frozenset[str]]],
    review: Iterable[str] = (),
    *,
    kinds: frozenset[str] | None = None,
) -> Score:
    """Compare ``flags`` (kind, entry references) and the entries sent to ``review`` with
    the ``planted`` cases; ``kinds`` limits recall to those kinds of case."""
    cases = [p for p in planted if kinds is None or p.kind in kinds]
    flag_list = list(flags)
    waiting = set(review)
    by_kind: dict[str, list[frozenset[str]]] = {}
    for kind, refs in flag_list:
        by_kind.setdefault(kind, []).append(refs)

    def named(kind: str, refs: tuple[str, ...]) -> bool:
        if kind == "unresolved":
            return any(ref in waiting for ref in refs)
        return any(set(refs) & flagged for flagged in by_kind.get(kind, ()))

    positives = [p for p in cases if p.positive]
    missed = tuple(p for p in positives if not named(p.kind, p.entry_refs))
    near = tuple(p for p in cases if not p.positive and named(p.kind, p.entry_refs))
    all_positive = [p for p in planted if p.positive] if kinds is not None else positives
    right_keys = {(p.kind, ref) for p in all_positive for ref in p.entry_refs}
    right = [f for f in flag_list if any((f[0], ref) in right_keys for ref in f[1])]
    wrong = tuple(f for f in flag_list if f not in right)
    return Score(
        positives=len(positives),
        found=len(positives) - len(missed),
        flags=len(flag_list),
        right=len(right),
        missed=missed,
        near_misses_flagged=near,
        false_alarms=wrong,
    )
