"""Synthetic polling-day figures for the demo: turnout, protocol lines and votes per station.

Pure (numpy, no Django) and deterministic by seed, so the demo's results are the same on every
run. Turnout varies by region (each region draws a level between 55 % and 65 %) and a little by
station; each contest has its own front-runners, and each station's voters lean a little away
from the contest's average, as real precincts do. The figures satisfy the protocol's control
relations by construction: received = issued + spoiled + unused, issued <= voters on the list,
found <= issued, found = invalid + valid votes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np

from shailoo.counting.definition import Contest, ElectionDefinition

#: Regional turnout levels are drawn uniformly from this range; stations vary around them.
TURNOUT_RANGE = (0.55, 0.65)
STATION_TURNOUT_SPREAD = 0.03
INVALID_SHARE = 0.02  # ballots found but not valid (blank or overvoted), on average
SPOILED_SHARE = 0.004  # ballots spoiled while being filled and replaced
TAKEN_AWAY_SHARE = 0.003  # ballots issued but not found in the box

Outcome = Literal["valid", "overvote", "blank"]
_DISTRICT_KINDS = frozenset({"district", "local_district"})


@dataclass(frozen=True, slots=True)
class StationPlace:
    """What the figures of one station depend on."""

    number: int
    region: str
    voters: int


@dataclass(frozen=True, slots=True)
class ContestFigures:
    """One contest's protocol at one station: the base lines and the votes per option."""

    station: int
    contest_id: str
    lines: dict[str, int]
    votes: dict[str, int]
    overvotes: int
    blanks: int

    def ballots(self, rng: random.Random) -> list[tuple[Outcome, str | None]]:
        """Every sheet found in the box as ``(outcome, option voted)``, in a random order."""
        sheets: list[tuple[Outcome, str | None]] = [
            ("valid", option) for option, n in self.votes.items() for _ in range(n)
        ]
        overvote: tuple[Outcome, str | None] = ("overvote", None)
        blank: tuple[Outcome, str | None] = ("blank", None)
        sheets += [overvote] * self.overvotes + [blank] * self.blanks
        rng.shuffle(sheets)
        return sheets


def region_turnout(seed: int, regions: Sequence[str]) -> dict[str, float]:
    """Each region's turnout level, a pure function of the seed and the region code."""
    low, high = TURNOUT_RANGE
    return {
        code: random.Random(f"demo.turnout/{seed}/{code}").uniform(low, high) for code in regions
    }


def _preferences(seed: int, contest: Contest) -> np.ndarray:
    """The contest's average preferences: a few front-runners, "against all" small."""
    rng = np.random.default_rng(
        random.Random(f"demo.preferences/{seed}/{contest.id}").getrandbits(64)
    )
    weights = rng.gamma(0.9, 1.0, size=len(contest.options))
    for i, option in enumerate(contest.options):
        if option.kind == "against_all":
            weights[i] = 0.04 * weights.sum()
    return np.asarray(weights / weights.sum(), dtype=np.float64)


def station_figures(
    seed: int,
    definition: ElectionDefinition,
    places: Sequence[StationPlace],
) -> list[ContestFigures]:
    """The protocol of every contest at every station the definition gives ballots to."""
    turnout = region_turnout(seed, sorted({p.region for p in places}))
    preferences = {c.id: _preferences(seed, c) for c in definition.contests}
    out: list[ContestFigures] = []
    for place in places:
        rng = np.random.default_rng(
            random.Random(f"demo.station/{seed}/{place.number}").getrandbits(64)
        )
        level = turnout[place.region] + rng.uniform(-1, 1) * STATION_TURNOUT_SPREAD
        for voters, contests in _voter_groups(definition, place, rng):
            lines = _lines(voters, level, rng)
            for contest in contests:
                found = lines["ballots_found"]
                invalid = int(rng.binomial(found, INVALID_SHARE))
                overvotes = int(rng.binomial(invalid, 0.6))
                lean = rng.dirichlet(preferences[contest.id] * 60 + 1e-3)
                counts = rng.multinomial(found - invalid, lean)
                out.append(
                    ContestFigures(
                        station=place.number,
                        contest_id=contest.id,
                        lines={**lines, "ballots_invalid": invalid},
                        votes={o.id: int(n) for o, n in zip(contest.options, counts, strict=True)},
                        overvotes=overvotes,
                        blanks=invalid - overvotes,
                    )
                )
    return out


def _voter_groups(
    definition: ElectionDefinition, place: StationPlace, rng: np.random.Generator
) -> list[tuple[int, list[Contest]]]:
    """Who votes in which contests at a station.

    Every voter gets the national contests' sheets (a party list, a president); a station that
    issues several districts' sheets (abroad) gives each voter only the own district's, so its
    voters are shared out among those districts.
    """
    contests = [
        c
        for style in definition.styles_for_station(str(place.number))
        for c in definition.style_contests(style.id)
    ]
    districts = [c for c in contests if c.kind in _DISTRICT_KINDS]
    if len(districts) <= 1:
        return [(place.voters, contests)]
    national = [c for c in contests if c.kind not in _DISTRICT_KINDS]
    shares = rng.multinomial(place.voters, [1 / len(districts)] * len(districts))
    groups = [(int(n), [c]) for n, c in zip(shares, districts, strict=True)]
    return [(place.voters, national), *groups] if national else groups


def _lines(voters: int, level: float, rng: np.random.Generator) -> dict[str, int]:
    """The ballot lines of ``voters`` at turnout ``level``: they balance by construction."""
    issued = min(voters, round(voters * level))
    spoiled = min(voters - issued, int(rng.binomial(issued, SPOILED_SHARE)))
    return {
        "voters_on_list": voters,
        "ballots_received": voters,
        "ballots_issued": issued,
        "ballots_spoiled": spoiled,
        "ballots_unused": voters - issued - spoiled,
        "ballots_found": issued - int(rng.binomial(issued, TAKEN_AWAY_SHARE)),
    }


def shifted(figures: ContestFigures, votes: int) -> ContestFigures:
    """The same protocol with ``votes`` moved from the leader to the runner-up: what a
    rewritten protocol looks like (the total stays, so only the automatic count catches it)."""
    ranked = sorted(figures.votes, key=lambda o: (-figures.votes[o], o))
    leader, second = ranked[0], ranked[1]
    moved = min(votes, figures.votes[leader])
    changed = dict(figures.votes)
    changed[leader] -= moved
    changed[second] += moved
    return replace(figures, votes=changed)


def misadded(figures: ContestFigures) -> ContestFigures:
    """The same protocol with an arithmetic slip: one more ballot written as unused."""
    lines = dict(figures.lines)
    lines["ballots_unused"] += 1
    return replace(figures, lines=lines)
