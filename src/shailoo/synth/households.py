"""Households of the synthetic population: who lives together, their names, ages and status.

A household is a family registered at one dwelling: a couple (or a single parent) with
children, sometimes grandparents or a married son with his wife and children, as is common
in Kyrgyzstan. Names follow the family: children carry their father's surname (or, in many
Kyrgyz families, a surname made from the father's name) and a patronymic from his name.
The resulting age pyramid is Kyrgyzstan's: about 36-38% of persons under 18.
"""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from shailoo.synth.namepools import (
    KYRGYZ,
    NamePool,
    feminine,
    patronymic,
    russify,
    surname_from_name,
)

#: Five-year age bands 0-4 ... 95-99 and their weights (percent of the population).
AGE_BANDS: tuple[float, ...] = (
    11.0, 11.0, 9.5, 8.0, 7.0, 7.5, 8.0, 7.5, 6.5, 5.5,
    5.0, 4.5, 3.8, 2.5, 1.5, 0.8, 0.5, 0.25, 0.08, 0.02,
)  # fmt: skip
#: Heads of family households by decade of age, 20s to 70s (weights).
HEAD_DECADES: tuple[float, ...] = (12, 25, 27, 20, 11, 5)
#: Household sizes 1..8 and their weights (mean about 4.3 persons).
HOUSEHOLD_SIZES: tuple[float, ...] = (8, 12, 15, 20, 18, 13, 8, 6)
_SIZE_CUM = list(accumulate(HOUSEHOLD_SIZES))


@dataclass(slots=True)
class Member:
    """One person of a household, before the registry's identifiers are given."""

    surname: str
    given_name: str
    patronymic: str
    sex: str
    age: int
    twin: bool = False  # born the same day as the member listed before


@dataclass(frozen=True, slots=True)
class Family:
    """How a household writes its names: pool, patronymic style, Russian-style spelling."""

    pool: NamePool
    style: str
    russified: bool


def household_size(rng: random.Random) -> int:
    """A household size 1..8 drawn from the national distribution."""
    return bisect(_SIZE_CUM, rng.random() * _SIZE_CUM[-1]) + 1


def age_between(rng: random.Random, low: int, high: int) -> int:
    """An age in ``low..high`` drawn from the national age pyramid."""
    low, high = max(0, low), min(99, high)
    if high <= low:
        return max(0, low)
    bands = range(low // 5, high // 5 + 1)
    band = rng.choices(bands, [AGE_BANDS[b] for b in bands])[0]
    return rng.randint(max(low, band * 5), min(high, band * 5 + 4))


def head_age(rng: random.Random) -> int:
    """The age of a family's head (21-79): heads are older than the average adult."""
    decade = rng.choices(range(len(HEAD_DECADES)), HEAD_DECADES)[0]
    return rng.randint(max(21, 20 + 10 * decade), 29 + 10 * decade)


def family_for(rng: random.Random, pool: NamePool, russify_share: float) -> Family:
    """A family's way of writing names, drawn from its people's habits."""
    styles = [s for s, _ in pool.patronymics]
    style = rng.choices(styles, [w for _, w in pool.patronymics])[0]
    return Family(pool, style, pool is KYRGYZ and rng.random() < russify_share)


class Namer:
    """Names for members of one family, consistent between parents and children."""

    def __init__(self, rng: random.Random, family: Family) -> None:
        self.rng = rng
        self.family = family
        self.taken: set[str] = set()

    def given(self, sex: str) -> str:
        pool = self.family.pool
        return self.rng.choice(pool.male if sex == "M" else pool.female)

    def own_given(self, sex: str) -> str:
        """A given name no one in the household has yet (siblings differ)."""
        name = self.given(sex)
        for _ in range(5):
            if name not in self.taken:
                break
            name = self.given(sex)
        self.taken.add(name)
        return name

    def surname(self) -> str:
        return self.rng.choice(self.family.pool.surnames)

    def person(self, sex: str, age: int, family_surname: str, father: str) -> Member:
        """A member with the family surname (masculine form) and a patronymic from father."""
        given = self.own_given(sex)
        surname = family_surname if sex == "M" else feminine(family_surname)
        style = self.family.style
        middle = patronymic(father, sex, style)
        if style == "uulu" and age < 30 and self.rng.random() < 0.1:
            surname, middle = middle, ""  # "Асанбек уулу Нурлан": the patronymic as surname
        return self.spell(Member(surname, given, middle, sex, age))

    def stranger(self, sex: str, age: int) -> Member:
        """A member unrelated to the others (own surname and father)."""
        return self.person(sex, age, self.surname(), self.given("M"))

    def spell(self, member: Member) -> Member:
        if self.family.russified:
            member.surname = russify(member.surname)
            member.given_name = russify(member.given_name)
            member.patronymic = russify(member.patronymic)
        return member


def family_members(rng: random.Random, family: Family, size: int) -> list[Member]:
    """The members of a family household of ``size`` persons (ages as of the extract)."""
    namer = Namer(rng, family)
    if size == 1:
        sex = "M" if rng.random() < 0.5 else "F"
        return [namer.stranger(sex, age_between(rng, 18, 95))]
    grandfather = namer.given("M")
    family_surname = namer.surname()
    members: list[Member] = []
    if rng.random() < 0.85:
        husband_age = head_age(rng)
        head = namer.person("M", husband_age, family_surname, grandfather)
        wife_age = max(18, husband_age - rng.randint(0, 7))
        wife_surname = family_surname if rng.random() < 0.5 else namer.surname()
        wife = namer.person("F", wife_age, wife_surname, namer.given("M"))
        members += [head, wife]
        father, mother_age = head.given_name, wife_age
    else:
        mother_age = max(22, head_age(rng))
        members.append(namer.person("F", mother_age, family_surname, grandfather))
        father = namer.given("M")
    if size - len(members) >= 2 and mother_age < 50 and rng.random() < 0.35:
        # A widowed grandparent lives with the young family.
        granny = "F" if rng.random() < 0.7 else "M"
        elder_age = min(95, mother_age + rng.randint(22, 35))
        members.append(namer.person(granny, elder_age, family_surname, namer.given("M")))
    if size > len(members) and mother_age >= 48 and rng.random() < 0.5:
        # Extended family: a married son, his wife and their children live with the parents.
        son_age = rng.randint(max(18, mother_age - 35), max(18, mother_age - 20))
        son = namer.person("M", son_age, _child_surname(rng, family, family_surname, father),
                           father)  # fmt: skip
        members.append(son)
        if size > len(members):
            daughter_in_law = namer.stranger("F", max(18, son_age - rng.randint(0, 6)))
            members.append(daughter_in_law)
        father, mother_age, family_surname = son.given_name, max(18, son_age - 2), son.surname
    children_surname = _child_surname(rng, family, family_surname, father)
    oldest = max(0, min(mother_age - 19, 35))
    previous: Member | None = None
    while len(members) < size:
        sex = "M" if rng.random() < 0.512 else "F"
        twin = previous is not None and previous.age < 18 and rng.random() < 0.012
        if twin and previous is not None:
            age = previous.age
        else:
            # Elder children are as likely as small ones to still live at home.
            age = oldest - int(rng.random() ** 1.6 * (oldest + 1)) if oldest else 0
        child = namer.person(sex, age, children_surname, father)
        child.twin = twin
        members.append(child)
        previous = child
    return members


def _child_surname(rng: random.Random, family: Family, surname: str, father: str) -> str:
    """Kyrgyz children often take a surname made from the father's name."""
    if family.pool is KYRGYZ and rng.random() < 0.4:
        return surname_from_name(father)
    return surname


def unrelated_adults(rng: random.Random, family: Family, size: int) -> list[Member]:
    """Adults registered together without being a family (a crowded, rented dwelling)."""
    namer = Namer(rng, family)
    return [
        namer.stranger("M" if rng.random() < 0.6 else "F", age_between(rng, 18, 60))
        for _ in range(size)
    ]
