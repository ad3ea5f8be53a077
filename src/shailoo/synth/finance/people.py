"""The caller's persons as the world draws them: who may give (adult, alive, capable, a
citizen), planted persons reserved with their dwellings, owners of companies, and the
background donors' pool.

Reserving a planted person's whole dwelling is what keeps the background from ever brushing a
planted case (a household of donors is itself a sign the screen looks for).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from math import gcd

from shailoo.synth.population import age_on

from .names import full_name
from .rows import PersonLike


def _age_ok(p: PersonLike, start: date, end: date) -> bool:
    if age_on(p.birth_date, start) < 18:
        return False
    death = getattr(p, "death_date", None)
    return death is None or death > end


def _clean_citizen(p: PersonLike, start: date, end: date) -> bool:
    """A citizen who may give: an adult, alive, not declared incapable, not confined."""
    return (
        p.citizenship == "KG"
        and _age_ok(p, start, end)
        and not getattr(p, "legally_incapable", False)
        and not getattr(p, "in_confinement", False)
    )


_SCAN_LIMIT = 400_000


class People:
    """The caller's persons as the world draws them: planted persons (one per dwelling,
    reserved), owners, holders and the background donors' pool."""

    def __init__(
        self, persons: Sequence[PersonLike], rng: random.Random, start: date, end: date
    ) -> None:
        self.persons, self.rng, self.start, self.end = persons, rng, start, end
        self.reserved_pins: set[str] = set()
        self.reserved_homes: set[str] = set()
        self.foreign: list[PersonLike] = []
        self.stateless: list[PersonLike] = []
        self.citizens: list[PersonLike] = []
        self.homes: dict[str, list[PersonLike]] = {}
        for k in range(min(len(persons), _SCAN_LIMIT)):
            p = persons[k]
            if p.citizenship == "KG":
                if _clean_citizen(p, start, end):
                    self.citizens.append(p)
                    self.homes.setdefault(p.dwelling_id, []).append(p)
            elif _age_ok(p, start, end):
                (self.stateless if p.citizenship == "XX" else self.foreign).append(p)
        if len(self.citizens) < 200:
            raise ValueError("the persons hold too few adult citizens for a finance world")

    def reserve(self, p: PersonLike) -> PersonLike:
        self.reserved_pins.add(p.pin)
        self.reserved_homes.add(p.dwelling_id)
        return p

    def free(self, p: PersonLike) -> bool:
        return p.pin not in self.reserved_pins and p.dwelling_id not in self.reserved_homes

    def citizen(self) -> PersonLike:
        """An unreserved citizen who may give, from a dwelling no planted person lives in."""
        for _ in range(1000):
            p = self.citizens[self.rng.randrange(len(self.citizens))]
            if self.free(p):
                return self.reserve(p)
        raise ValueError("no free citizen left for a planted case")

    def any_adult(self) -> PersonLike:
        """Any adult of the register (foreign citizens included): an owner of a company."""
        n = len(self.persons)
        for _ in range(50):
            p = self.persons[self.rng.randrange(n)]
            if _age_ok(p, self.start, self.end):
                return p
        return self.citizens[self.rng.randrange(len(self.citizens))]

    def owner_citizen(self) -> PersonLike:
        return self.citizens[self.rng.randrange(len(self.citizens))]


@dataclass(frozen=True, slots=True)
class Owner:
    """A natural person holding a share: of the register (``pin``) or not."""

    pin: str
    name: str
    country: str


def person_owner(p: PersonLike) -> Owner:
    return Owner(p.pin, full_name(p), p.citizenship)


def donor_pool(people: People, transactions: int, rng: random.Random) -> list[PersonLike]:
    """Citizens who may give, from dwellings no planted person lives in, drawn across all
    the persons: about one per two transactions."""
    persons, n = people.persons, len(people.persons)
    want = max(200, transactions // 2)
    chosen: list[PersonLike] = []
    # Visit the persons in a scrambled order without a set of those seen: a stride coprime
    # with their number from a random start reaches each exactly once.
    step = rng.randrange(n // 3, n) | 1 if n > 3 else 1
    while gcd(step, n) != 1:
        step += 2
    at = rng.randrange(n)
    for _ in range(min(n, want * 6)):
        at = (at + step) % n
        p = persons[at]
        if _clean_citizen(p, people.start, people.end) and people.free(p):
            chosen.append(p)
            if len(chosen) >= want:
                break
    if len(chosen) < 100:
        raise ValueError("the persons hold too few citizens who may give")
    return chosen
