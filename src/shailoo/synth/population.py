"""The synthetic population-registry extract, with planted problems and their ground truth.

Pure and deterministic: the same seed, size, geography and dates give byte-identical files.
Streaming: persons are generated household by household and written as they come, so memory
stays flat however many millions are asked for (only small counters per birth date and the
few pending duplicate records are kept).

Planted problems, at realistic small rates (:class:`Rates`), are written with their PIN to
an optional truth file (``pin,problem``; see ``docs/formats.md`` for the codes): minors, dead
persons, foreign and stateless persons, dual citizens, persons declared incapable or in
confinement, missing biometrics, the same person registered twice under a spelling
variant, and dwellings with more than ten registered persons.

A *later* extract (:func:`evolve_population`) is the same country some months on: about 2% of
households moved (new address, dwelling and station), about 0.5% of persons died, and new
persons appear (naturalised, returned or newly registered) — for incremental imports.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import random
from bisect import bisect
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import accumulate
from pathlib import Path
from typing import TextIO

from shailoo.register.pin import build_pin
from shailoo.synth.geography import Geography, Station
from shailoo.synth.households import (
    Family,
    Member,
    family_for,
    family_members,
    household_size,
    unrelated_adults,
)
from shailoo.synth.namepools import FOREIGN_CITIZENS, REGION_MIX, SECOND_CITIZENSHIPS, NamePool
from shailoo.synth.variants import spelling_variant

#: Columns of the population CSV, in order (docs/formats.md).
POPULATION_COLUMNS: tuple[str, ...] = (
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "sex",
    "birth_date",
    "citizenship",
    "other_citizenships",
    "legally_incapable",
    "in_confinement",
    "biometric_registered",
    "death_date",
    "address",
    "dwelling_id",
    "station",
)
TRUTH_COLUMNS: tuple[str, ...] = ("pin", "problem")
DEFAULT_AS_OF = date(2026, 1, 1)
DEFAULT_LATER_AS_OF = date(2026, 7, 1)
CROWDED_THRESHOLD = 10  # more persons than this at one dwelling is a planted problem

#: Problem codes of the truth file, in the order they are written for one person.
PROBLEMS: tuple[str, ...] = (
    "minor",
    "dead",
    "foreign",
    "stateless",
    "dual_citizen",
    "incapable",
    "confinement",
    "no_biometrics",
    "duplicate",
    "crowded_dwelling",
    "moved",
    "died",
    "new",
)


@dataclass(frozen=True, slots=True)
class Rates:
    """How often each planted problem occurs (shares of persons unless said otherwise)."""

    foreign_household: float = 0.008  # households of foreign citizens
    stateless: float = 0.001
    dual_citizen: float = 0.015  # of adult citizens
    incapable: float = 0.003  # of adults
    confinement_male: float = 0.005  # of men aged 18-65
    confinement_female: float = 0.0005
    no_biometrics: float = 0.05  # of adult citizens
    death_scale: float = 1.0  # multiplies the age-specific shares of dead persons (~0.5%)
    duplicate: float = 0.002
    persons_per_crowded_dwelling: int = 40_000  # at least one crowded dwelling
    abroad: float = 0.022  # persons registered at stations abroad
    russified: float = 0.35  # Kyrgyz families whose names are in Russian-style spelling
    # A later extract:
    moved: float = 0.02  # of dwellings
    died: float = 0.005  # of living persons, before age weighting
    new: float = 0.01  # new persons, as a share of the first extract


@dataclass(frozen=True, slots=True)
class PopulationRow:
    """One person of the extract (one CSV row), typed."""

    pin: str
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: date
    citizenship: str
    other_citizenships: str
    legally_incapable: bool
    in_confinement: bool
    biometric_registered: bool
    death_date: date | None
    address: str
    dwelling_id: str
    station: int

    def values(self) -> list[str]:
        """The row as CSV fields, in ``POPULATION_COLUMNS`` order."""
        return [
            self.pin,
            self.surname,
            self.given_name,
            self.patronymic,
            self.sex,
            self.birth_date.isoformat(),
            self.citizenship,
            self.other_citizenships,
            "1" if self.legally_incapable else "0",
            "1" if self.in_confinement else "0",
            "1" if self.biometric_registered else "0",
            self.death_date.isoformat() if self.death_date else "",
            self.address,
            self.dwelling_id,
            str(self.station),
        ]


@dataclass
class Summary:
    """What a write produced: counts of rows, dwellings and planted problems."""

    path: Path
    rows: int = 0
    dwellings: int = 0
    problems: Counter[str] = field(default_factory=Counter)
    truth_path: Path | None = None

    def line(self) -> str:
        planted = ", ".join(f"{c} {self.problems[c]}" for c in PROBLEMS if c in self.problems)
        return f"{self.rows:,} persons, {self.dwellings:,} dwellings -> {self.path} ({planted})"


def age_on(birth: date, day: date) -> int:
    """Age in full years on ``day``."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def row_problems(row: PopulationRow, as_of: date) -> list[str]:
    """The planted problems a row shows by its own values (``duplicate`` and
    ``crowded_dwelling`` need the whole file and are added by the generator)."""
    found = []
    adult = age_on(row.birth_date, as_of) >= 18
    if not adult:
        found.append("minor")
    if row.death_date is not None:
        found.append("dead")
    if row.citizenship == "XX":
        found.append("stateless")
    elif row.citizenship != "KG":
        found.append("foreign")
    elif row.other_citizenships:
        found.append("dual_citizen")
    if row.legally_incapable:
        found.append("incapable")
    if row.in_confinement:
        found.append("confinement")
    if adult and not row.biometric_registered:
        found.append("no_biometrics")
    return found


class _Pins:
    """Unique PINs: a 5-digit serial per sex and birth date, spread over 00000-99999."""

    def __init__(self) -> None:
        self.used: dict[tuple[str, int], int] = {}

    def next(self, sex: str, birth: date) -> str:
        key = (sex, birth.toordinal())
        count = self.used.get(key, 0)
        if count >= 100_000:
            raise ValueError(f"more than 100,000 persons of one sex born on {birth}")
        self.used[key] = count + 1
        base = (key[1] * 7907 + (49_999 if sex == "M" else 0)) % 100_000
        return build_pin(sex, birth, (base + count * 7919) % 100_000)


def _unit(seed: int, label: str, key: str) -> float:
    """A uniform number in [0, 1) fixed by (seed, label, key): stateless decisions."""
    digest = hashlib.blake2b(f"{seed}:{label}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _death_share(age: int) -> float:
    """Share of persons of this age the registry still lists although they died."""
    if age >= 80:
        return 0.10
    if age >= 70:
        return 0.05
    if age >= 60:
        return 0.02
    if age >= 40:
        return 0.004
    return 0.0008


def _birth_ranges(as_of: date) -> list[tuple[int, int]]:
    """For each age 0..99, the ordinals of the birth dates giving that age on ``as_of``."""

    def years_before(years: int) -> int:
        try:
            return as_of.replace(year=as_of.year - years).toordinal()
        except ValueError:  # 29 February
            return as_of.replace(year=as_of.year - years, day=28).toordinal()

    last = as_of.toordinal() - 1
    return [(years_before(age + 1) + 1, min(last, years_before(age))) for age in range(100)]


class _Country:
    """Everything drawn per household: station, people, citizenship, address."""

    def __init__(self, rng: random.Random, geography: Geography, rates: Rates) -> None:
        self.rng = rng
        self.rates = rates
        stations = geography.residential_stations()
        home = [s for s in stations if not s.is_abroad]
        abroad = [s for s in stations if s.is_abroad]
        if not home:
            raise ValueError("the geography has no polling station to register persons at")
        home_weight = sum(s.capacity for s in home)
        abroad_weight = sum(s.capacity for s in abroad) or 1
        scale = rates.abroad / (1 - rates.abroad) * home_weight / abroad_weight if abroad else 0
        self.stations = [*home, *abroad]
        self.home = home
        weights = [float(s.capacity) for s in home] + [s.capacity * scale for s in abroad]
        self.cumulative = list(accumulate(weights))
        self.home_cumulative = list(accumulate(float(s.capacity) for s in home))
        self.mixes = {
            code: ([p for p, _ in mix], list(accumulate(w for _, w in mix)))
            for code, mix in REGION_MIX.items()
        }
        self.foreign = (FOREIGN_CITIZENS, list(accumulate(w for *_, w in FOREIGN_CITIZENS)))
        self.seconds = (
            [code for code, _ in SECOND_CITIZENSHIPS],
            list(accumulate(w for _, w in SECOND_CITIZENSHIPS)),
        )

    def station(self, home_only: bool = False, rng: random.Random | None = None) -> Station:
        cumulative = self.home_cumulative if home_only else self.cumulative
        at = bisect(cumulative, (rng or self.rng).random() * cumulative[-1])
        return self.stations[min(at, len(cumulative) - 1)]

    def pool(self, station: Station) -> NamePool:
        pools, cumulative = self.mixes[station.region.code]
        return pools[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def foreigner(self) -> tuple[str, NamePool]:
        choices, cumulative = self.foreign
        code, pool, _ = choices[bisect(cumulative, self.rng.random() * cumulative[-1])]
        return code, pool

    def second_citizenship(self) -> str:
        codes, cumulative = self.seconds
        return codes[bisect(cumulative, self.rng.random() * cumulative[-1])]

    def family(self, pool: NamePool) -> Family:
        return family_for(self.rng, pool, self.rates.russified)

    def address(self, station: Station, rng: random.Random | None = None) -> str:
        """A dwelling's address in the station's locality: a flat in town, else a house."""
        rng = rng or self.rng
        street = rng.choice(station.streets)
        house = f"{station.locality}, {street}, д. {rng.randint(1, 250)}"
        if station.urban and rng.random() < 0.7:
            return f"{house}, кв. {rng.randint(1, 150)}"
        return house


class _Generator:
    """The stream of one extract: households, planted problems, pending duplicates."""

    def __init__(
        self, seed: int, persons: int, geography: Geography, as_of: date, rates: Rates
    ) -> None:
        if persons < 0:
            raise ValueError("persons must not be negative")
        self.seed = seed
        self.persons = persons
        self.as_of = as_of
        self.rates = rates
        self.rng = random.Random(f"shailoo-population:{seed}")
        self.country = _Country(self.rng, geography, rates)
        self.pins = _Pins()
        self.dwellings = 0
        self.birth_ranges = _birth_ranges(as_of)

    def birth(self, age: int) -> date:
        low, high = self.birth_ranges[min(age, 99)]
        return date.fromordinal(low + int(self.rng.random() * (max(low, high) - low + 1)))

    def dwelling_id(self, station: Station, tag: str = "") -> str:
        self.dwellings += 1
        return f"{station.number}-{tag}{self.dwellings:07d}"

    def household(self) -> tuple[list[Member], str, str, Station]:
        """Members, citizenship, address and station of the next household."""
        country, rng = self.country, self.rng
        station = country.station()
        size = household_size(rng)
        citizenship = "KG"
        if rng.random() < self.rates.foreign_household and not station.is_abroad:
            citizenship, pool = country.foreigner()
            size = min(size, rng.choice((1, 1, 1, 2, 3)))
        else:
            pool = country.pool(station)
        members = family_members(rng, country.family(pool), size)
        return members, citizenship, country.address(station), station

    def crowded(self) -> tuple[list[Member], str, Station]:
        """A rented dwelling where 11-25 unrelated adults are registered."""
        country, rng = self.country, self.rng
        station = country.station(home_only=True)
        size = rng.randint(CROWDED_THRESHOLD + 1, 25)
        members = [
            unrelated_adults(rng, country.family(country.pool(station)), 1)[0] for _ in range(size)
        ]
        return members, country.address(station), station

    def row(
        self,
        member: Member,
        citizenship: str,
        address: str,
        dwelling: str,
        station: Station,
        birth: date,
        mortal: bool = True,
    ) -> PopulationRow:
        """The registry row of one member: PIN, status flags and planted problems."""
        rng, rates = self.rng, self.rates
        sex = member.sex
        age = age_on(birth, self.as_of)
        adult = age >= 18
        others = ""
        if citizenship == "KG":
            if rng.random() < rates.stateless:
                citizenship = "XX"
            elif adult and rng.random() < rates.dual_citizen:
                others = self.country.second_citizenship()
        if citizenship == "KG":
            if adult:
                biometric = rng.random() >= rates.no_biometrics
            else:
                biometric = age >= 16 and rng.random() < 0.5
        else:
            biometric = False
        incapable = adult and rng.random() < rates.incapable
        confinement_share = rates.confinement_male if sex == "M" else rates.confinement_female
        confined = adult and age <= 65 and rng.random() < confinement_share
        death = None
        if mortal and rng.random() < _death_share(age) * rates.death_scale:
            low = max(birth.toordinal(), self.as_of.toordinal() - 1095)
            death = date.fromordinal(rng.randint(low, self.as_of.toordinal() - 1))
        return PopulationRow(
            self.pins.next(sex, birth),
            member.surname,
            member.given_name,
            member.patronymic,
            sex,
            birth,
            citizenship,
            others,
            incapable,
            confined,
            biometric,
            death,
            address,
            dwelling,
            station.number,
        )

    def duplicate_of(self, row: PopulationRow) -> PopulationRow:
        """The same person registered again under a spelling variant, with a new PIN."""
        rng = self.rng
        (surname, given, middle), _kind = spelling_variant(
            rng, (row.surname, row.given_name, row.patronymic)
        )
        address, dwelling, number = row.address, row.dwelling_id, row.station
        if rng.random() < 0.5:  # registered again at another address
            station = self.country.station()
            address, dwelling = self.country.address(station), self.dwelling_id(station)
            number = station.number
        return replace(
            row,
            pin=self.pins.next(row.sex, row.birth_date),
            surname=surname,
            given_name=given,
            patronymic=middle,
            biometric_registered=row.biometric_registered and rng.random() < 0.3,
            address=address,
            dwelling_id=dwelling,
            station=number,
        )

    def stream(self) -> Iterator[tuple[PopulationRow, list[str]]]:
        """Exactly ``persons`` rows, each with the problems only the whole file shows
        (``duplicate``, ``crowded_dwelling``); :func:`row_problems` gives the others."""
        persons, rng, as_of = self.persons, self.rng, self.as_of
        crowded_count = max(1, persons // self.rates.persons_per_crowded_dwelling)
        crowded_at = deque(int((k + 0.5) * persons / crowded_count) for k in range(crowded_count))
        pending: deque[tuple[int, PopulationRow]] = deque()
        emitted = 0
        while emitted < persons:
            room = persons - emitted - len(pending)
            if pending and (pending[0][0] <= emitted or room <= 0):
                copy = pending.popleft()[1]
                yield copy, ["duplicate"]
                emitted += 1
                continue
            if crowded_at and emitted >= crowded_at[0]:
                crowded_at.popleft()
                members, address, station = self.crowded()
                if len(members) <= room:
                    dwelling = self.dwelling_id(station)
                    for member in members:
                        birth = self.birth(member.age)
                        row = self.row(member, "KG", address, dwelling, station, birth)
                        yield row, ["crowded_dwelling"]
                    emitted += len(members)
                continue
            members, citizenship, address, station = self.household()
            members = members[:room]
            dwelling = self.dwelling_id(station)
            spare = room - len(members)
            birth = as_of
            for member in members:
                birth = birth if member.twin else self.birth(member.age)
                row = self.row(member, citizenship, address, dwelling, station, birth)
                tags = []
                if spare > 0 and rng.random() < self.rates.duplicate:
                    pending.append((emitted + rng.randint(20, 5000), self.duplicate_of(row)))
                    spare -= 1
                    tags.append("duplicate")
                yield row, tags
                emitted += 1


def generate_population(
    seed: int,
    persons: int,
    geography: Geography,
    as_of: date = DEFAULT_AS_OF,
    rates: Rates | None = None,
) -> Iterator[PopulationRow]:
    """The rows of a registry extract as of ``as_of``: ``persons`` of them, streamed."""
    generator = _Generator(seed, persons, geography, as_of, rates or Rates())
    for row, _ in generator.stream():
        yield row


def _later_stream(
    generator: _Generator, later_as_of: date
) -> Iterator[tuple[PopulationRow, list[str]]]:
    """The first extract's rows with moves and deaths applied, then the new persons.

    Whether a dwelling moves or a person died is decided by hashing its identifier with the
    seed, so the decision needs no memory and a duplicate record sharing a dwelling moves
    with it.
    """
    seed, rates, country = generator.seed, generator.rates, generator.country
    if later_as_of <= generator.as_of:
        raise ValueError("the later extract must be dated after the first one")
    first, last = generator.as_of.toordinal() + 1, later_as_of.toordinal()
    for row, tags in generator.stream():
        if _unit(seed, "move", row.dwelling_id) < rates.moved:
            mover = random.Random(f"{seed}:move:{row.dwelling_id}")
            station = country.station(rng=mover)
            row = replace(
                row,
                address=country.address(station, rng=mover),
                station=station.number,
                dwelling_id=f"{station.number}-M{row.dwelling_id.partition('-')[2]}",
            )
            tags.append("moved")
        if row.death_date is None:
            share = rates.died * _death_share(age_on(row.birth_date, later_as_of)) / 0.005
            if _unit(seed, "death", row.pin) < share:
                day = first + int(_unit(seed, "death-day", row.pin) * (last - first + 1))
                death = date.fromordinal(max(day, row.birth_date.toordinal()))
                row = replace(row, death_date=death)
                tags.append("died")
        yield row, tags
    # New persons: naturalised, returned from abroad or newly registered families.
    newcomers = round(generator.persons * rates.new)
    generator.as_of = later_as_of
    generator.birth_ranges = _birth_ranges(later_as_of)
    while newcomers > 0:
        members, _, address, station = generator.household()
        members = members[:newcomers]
        dwelling = generator.dwelling_id(station, "N")
        birth = later_as_of
        for member in members:
            birth = birth if member.twin else generator.birth(member.age)
            row = generator.row(member, "KG", address, dwelling, station, birth, mortal=False)
            yield row, ["new"]
        newcomers -= len(members)


def evolve_population(
    seed: int,
    persons: int,
    geography: Geography,
    as_of: date = DEFAULT_AS_OF,
    later_as_of: date = DEFAULT_LATER_AS_OF,
    rates: Rates | None = None,
) -> Iterator[PopulationRow]:
    """The later extract of the same country: moves, deaths and new persons since ``as_of``.

    Every person of :func:`generate_population` with the same arguments is in it, in the
    same order and with the same PIN; new persons follow at the end.
    """
    generator = _Generator(seed, persons, geography, as_of, rates or Rates())
    for row, _ in _later_stream(generator, later_as_of):
        yield row


def write_population_csv(
    path: Path | str,
    seed: int,
    persons: int,
    geography: Geography,
    truth_path: Path | str | None = None,
    *,
    later: bool = False,
    as_of: date = DEFAULT_AS_OF,
    later_as_of: date = DEFAULT_LATER_AS_OF,
    rates: Rates | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Summary:
    """Write an extract (and, if asked, its truth file); return what was written.

    ``later`` writes the later extract (:func:`evolve_population`) instead of the first.
    ``on_progress`` is called with the number of rows written, every 10,000 rows.
    """
    generator = _Generator(seed, persons, geography, as_of, rates or Rates())
    stream = _later_stream(generator, later_as_of) if later else generator.stream()
    extract_date = later_as_of if later else as_of
    summary = Summary(Path(path), truth_path=Path(truth_path) if truth_path else None)
    with contextlib.ExitStack() as files:
        writer = csv.writer(files.enter_context(_open(path)), lineterminator="\n")
        writer.writerow(POPULATION_COLUMNS)
        truth = None
        if truth_path is not None:
            truth = csv.writer(files.enter_context(_open(truth_path)), lineterminator="\n")
            truth.writerow(TRUTH_COLUMNS)
        for row, tags in stream:
            writer.writerow(row.values())
            problems = row_problems(row, extract_date) + tags
            if problems:
                problems.sort(key=PROBLEMS.index)
                summary.problems.update(problems)
                if truth is not None:
                    truth.writerows([row.pin, code] for code in problems)
            summary.rows += 1
            if on_progress is not None and summary.rows % 10_000 == 0:
                on_progress(summary.rows)
    summary.dwellings = generator.dwellings
    if on_progress is not None:
        on_progress(summary.rows)
    return summary


def _open(path: Path | str) -> TextIO:
    return Path(path).open("w", newline="", encoding="utf-8")
