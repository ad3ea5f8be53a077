"""The figures seats are decided on: tallies, thresholds and their checks, exact shares.

Shares are :class:`fractions.Fraction`, so a threshold of 7% is passed or missed by whole votes,
never by a float rounding; ``pct`` and ``show`` only format them for people.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from shailoo.counting.seats.ties import SeatError

Base = Literal["took_part", "valid", "party_votes"]
Comparison = Literal["at_least", "more_than"]
Sex = Literal["female", "male"]
AgainstAllEffect = Literal["none", "repeat_if_leads", "seat_void_if_below"]

BASE_WORDS: dict[str, str] = {
    "took_part": "of those who took part",
    "valid": "of the valid votes",
    "party_votes": "of the votes for parties",
}


@dataclass(frozen=True, slots=True)
class Tally:
    """Votes in one area (the country or a region): per option, "against all", invalid.

    ``took_part`` overrides everyone who took part (the sum of all the figures) when the
    protocol says more people voted than the rows here carry.
    """

    votes: Mapping[str, int]
    against_all: int = 0
    invalid: int = 0
    took_part: int | None = None

    def __post_init__(self) -> None:
        for name, count in [*self.votes.items(), ("against all", self.against_all)]:
            if count < 0:
                raise SeatError(f"{name}: votes cannot be negative ({count})")
        if self.invalid < 0:
            raise SeatError(f"invalid ballots cannot be negative ({self.invalid})")
        counted = self.counted
        if self.took_part is not None and self.took_part < counted:
            raise SeatError(
                f"took part {self.took_part} is less than the {counted} ballots counted"
            )

    @property
    def counted(self) -> int:
        return sum(self.votes.values()) + self.against_all + self.invalid

    def base(self, kind: Base) -> int:
        """The number a share is a share of."""
        if kind == "took_part":
            return self.took_part if self.took_part is not None else self.counted
        if kind == "valid":
            return sum(self.votes.values()) + self.against_all
        return sum(self.votes.values())


@dataclass(frozen=True, slots=True)
class Threshold:
    share: Fraction
    base: Base
    comparison: Comparison
    cite: str = ""

    def minimum(self, base: int) -> int:
        """Fewest votes that pass, of ``base``."""
        need = self.share * base
        if self.comparison == "at_least":
            return math.ceil(need)
        return math.floor(need) + 1

    def words(self) -> str:
        sign = "at least" if self.comparison == "at_least" else "more than"
        return f"{sign} {pct(self.share)} {BASE_WORDS[self.base]}"


@dataclass(frozen=True, slots=True)
class ThresholdCheck:
    """One party against one threshold, with the margin in votes (negative: missed by)."""

    party: str
    area: str
    votes: int
    base: int
    required: int
    threshold: Threshold

    @property
    def passed(self) -> bool:
        return self.votes >= self.required

    @property
    def margin(self) -> int:
        return self.votes - self.required

    def explain(self) -> str:
        share = pct(Fraction(self.votes, self.base)) if self.base else "-"
        verdict = (
            f"passed by {self.margin} votes" if self.passed else f"missed by {-self.margin} votes"
        )
        cite = f" [{self.threshold.cite}]" if self.threshold.cite else ""
        return (
            f"{self.party}: {self.area} threshold ({self.threshold.words()}: "
            f"{self.required} of {self.base}): {self.votes} = {share}, {verdict}{cite}"
        )


def pct(value: Fraction) -> str:
    """A share as a percentage with up to 4 decimals (exact figures stay in the data)."""
    text = f"{float(value * 100):.4f}".rstrip("0").rstrip(".")
    return f"{text}%"


def show(value: Fraction) -> str:
    """An exact number: whole, or the fraction with its decimal."""
    if value.denominator == 1:
        return str(value.numerator)
    return f"{value.numerator}/{value.denominator} (= {float(value):.4f})"
