"""The synthetic world of candidates: parties, candidates, registry facts, participants.

Built on a synthetic population (``synth.population``), so that every candidate, signer and
participant who has a PIN is a person of the register. Each candidate carries at most one
planted ineligibility under the law edition (kg-2025 by default), and passing boundary cases
sit next to the failing ones: a candidate who turns 35 (25) on polling day and one who turns
35 (25) the day after; exactly 15 years of residence and 14; an absence of exactly the
longest allowed and one of 200 days; one term served and two; an expunged record where only
an unexpunged one bars, and where any bars. One candidate lacks a registry record (education),
so that the verdict is "undecided — needs a document". Ages, years, days, levels and terms are
read from the edition, so the boundaries follow the law file.

Registry facts come one record type per registry, each with the day the registry answered
and its reference number. Conventions the checks must share:

* a residence stay ``(start, end)`` counts both days as present; ``end`` None means still
  present, so presence runs to polling day; the days absent between two stays are those
  strictly between one ``end`` and the next ``start``;
* age and residence are judged on polling day; the "last N years" are the N one-year windows
  ending on polling day (a planted absence also falls inside one calendar year when it can);
* no criminal record and no term record mean none; a missing citizenship, residence,
  language or education record means the fact is unknown; an empty tuple of citizenships is
  a stateless person.

Three candidates collect signatures (``synth.signature_sheets``): a president with every
defect planted and a forging collector, a second president one of whose signers also signed
for the first, and a deputy whose sheets carry a signer of another district. Participants
carry the bars the law sets: a foreign-citizen and a stateless trusted person, a police
officer and a person without the right to vote as domestic observers, an international
observer without accreditation.

Where the population has nobody born on a boundary day (or no dual citizen, foreigner,
stateless person or person declared incapable), the world adds a person:
:attr:`CandidateWorld.new_persons` must be appended to the register (``PopulationRow.values()``
in ``POPULATION_COLUMNS`` order) for their PINs to be found.
Pure and deterministic: the same seed, population, geography and day give the same world.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from shailoo.common.csvout import Writer
from shailoo.law.loader import load_edition
from shailoo.law.schema import EDUCATION_LEVELS, Education, Office, OfficeRules, ParticipantRole
from shailoo.register.pin import build_pin
from shailoo.synth.definition import make_definition
from shailoo.synth.geography import Geography
from shailoo.synth.namepools import KYRGYZ, RUSSIAN, feminine, patronymic
from shailoo.synth.population import PopulationRow, age_on
from shailoo.synth.signature_sheets import (
    SignatureSheets,
    clean_voter,
    signature_sheets,
)

Stay = tuple[date, date | None]

#: Columns of the stated-facts CSV read by ``shailoo candidates explain --facts``.
STATED_FACTS_COLUMNS: tuple[str, ...] = (
    "ref",
    "office",
    "birth_date",
    "citizenships",
    "residence_years",
    "state_language",
    "education",
    "criminal_record",
    "terms_served",
)
#: Planted ineligibilities of candidates (the :attr:`CandidateSeed.planted` codes).
CANDIDATE_PLANTS: tuple[str, ...] = (
    "dual_citizenship",
    "foreign_citizen",
    "residence_short",
    "absence_too_long",
    "language_failed",
    "under_age",
    "record_expunged",
    "record_unexpunged",
    "third_term",
    "education_below",
    "missing_document",
)
#: Passing boundary cases (the :attr:`CandidateSeed.boundary` codes).
BOUNDARIES: tuple[str, ...] = (
    "exact_age",
    "residence_exactly",
    "absence_at_limit",
    "one_term",
    "expunged_allowed",
    "minimum_education",
)
#: Planted bars of participants (the :attr:`ParticipantSeed.planted` codes).
PARTICIPANT_PLANTS: tuple[str, ...] = (
    "foreign_citizen",
    "stateless",
    "barred_office",
    "not_a_voter",
    "not_accredited",
)
REGISTRY_DAYS_BEFORE = 50  # registries answer about when nominations are checked
SIGNING_DAYS_BEFORE = (95, 60)  # signatures are collected in this window before polling day
SIGNATURES = {"president": 400, "president_second": 120, "jk_deputy": 150}
LONG_ABSENCE_DAYS = 200

# -- the records ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Party:
    """A registered political party (invented names) and its leader."""

    code: str
    name_ky: str
    name_ru: str
    registered_on: date
    leader_pin: str


@dataclass(frozen=True, slots=True)
class CandidateSeed:
    """A person nominated for an office; ``planted`` is the ineligibility planted in them
    (None: eligible), ``boundary`` the passing boundary case they stand for, if any."""

    ref: str
    pin: str
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: date
    office: Office
    district: int | None  # the Jogorku Kenesh district; None for the others
    party: str | None  # the nominating party's code; None: self-nominated
    list_position: int | None  # on a party list (city kenesh); None otherwise
    planted: str | None
    boundary: str | None = None


@dataclass(frozen=True, slots=True)
class CitizenshipRecord:
    """The citizenship registry: every citizenship a person holds (empty: stateless)."""

    pin: str
    citizenships: tuple[str, ...]
    as_of: date
    reference: str


@dataclass(frozen=True, slots=True)
class ResidenceRecord:
    """The border and address registries: the periods a person was present in the country."""

    pin: str
    stays: tuple[Stay, ...]
    as_of: date
    reference: str


@dataclass(frozen=True, slots=True)
class LanguageTestRecord:
    """The state-language testing centre: the latest result and its certificate."""

    pin: str
    result: Literal["passed", "failed"]
    tested_on: date
    certificate: str
    as_of: date


@dataclass(frozen=True, slots=True)
class EducationRecord:
    """The education registry: the highest level completed and its document."""

    pin: str
    level: Education
    document: str
    as_of: date


@dataclass(frozen=True, slots=True)
class CriminalRecord:
    """The criminal-records registry: one conviction, expunged or not."""

    pin: str
    article: str
    convicted_on: date
    expunged_on: date | None
    as_of: date
    reference: str


@dataclass(frozen=True, slots=True)
class TermRecord:
    """The register of office holders: one term served in an office."""

    pin: str
    office: Office
    start: date
    end: date
    as_of: date
    reference: str


@dataclass(frozen=True, slots=True)
class Registries:
    """What each government registry holds about the candidates."""

    citizenship: tuple[CitizenshipRecord, ...]
    residence: tuple[ResidenceRecord, ...]
    language_tests: tuple[LanguageTestRecord, ...]
    education: tuple[EducationRecord, ...]
    criminal: tuple[CriminalRecord, ...]
    terms: tuple[TermRecord, ...]


@dataclass(frozen=True, slots=True)
class ParticipantSeed:
    """Someone acting in the election other than a candidate. ``citizenships`` empty is a
    stateless person; ``offices`` are offices held (``BarredOffice`` codes); ``accredited``
    is None where the role is not accredited by a commission."""

    ref: str
    role: ParticipantRole
    pin: str | None
    surname: str
    given_name: str
    patronymic: str
    citizenships: tuple[str, ...]
    offices: tuple[str, ...]
    accredited: bool | None
    country: str | None  # where an international observer comes from
    for_candidate: str | None
    for_party: str | None
    planted: str | None


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted ineligibility or bar: whom (a candidate or participant ref), what, details."""

    subject: str
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class StatedFacts:
    """One row of a stated-facts file; None is an unknown fact (an empty cell)."""

    ref: str
    office: Office
    birth_date: date | None
    citizenships: tuple[str, ...] | None
    residence_years: int | None
    state_language: Literal["passed", "failed", "not_taken"] | None
    education: Education | None
    criminal_record: Literal["none", "expunged", "unexpunged"] | None
    terms_served: int | None

    def values(self) -> list[str]:
        """The row as CSV cells, in :data:`STATED_FACTS_COLUMNS` order."""
        citizenships = None
        if self.citizenships is not None:
            citizenships = ";".join(self.citizenships) if self.citizenships else "stateless"
        cells = (
            self.ref,
            self.office,
            self.birth_date.isoformat() if self.birth_date else None,
            citizenships,
            self.residence_years,
            self.state_language,
            self.education,
            self.criminal_record,
            self.terms_served,
        )
        return ["" if cell is None else str(cell) for cell in cells]


@dataclass(frozen=True, slots=True)
class CandidateWorld:
    """Everything the candidates domain needs, with the manifest of what was planted.

    ``districts`` maps each Jogorku Kenesh district to its stations in the country (the
    carving of ``synth.definition``, stations abroad left out); ``signatures`` holds the
    sheets of the candidates who collected signatures.
    """

    seed: int
    polling_day: date
    law_edition: str
    parties: tuple[Party, ...]
    candidates: tuple[CandidateSeed, ...]
    registries: Registries
    participants: tuple[ParticipantSeed, ...]
    signatures: tuple[SignatureSheets, ...]
    signing_start: date
    signing_end: date
    districts: Mapping[int, tuple[int, ...]]
    new_persons: tuple[PopulationRow, ...]
    planted: tuple[Planted, ...]


# -- finding persons ------------------------------------------------------------------------


def years_before(day: date, years: int, *, leap_to: int = 28) -> date:
    """The same day ``years`` earlier; 29 February becomes the 28th (or ``leap_to`` of
    March when 1: a birthday that must fall after the day)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 2, 28) if leap_to == 28 else date(day.year - years, 3, 1)


class _People:
    """The population as candidates and participants are drawn from it (persons registered
    in the country, not at stations abroad), and the persons the world adds."""

    def __init__(
        self, rows: Sequence[PopulationRow], day: date, rng: random.Random, abroad: set[int]
    ) -> None:
        self.rng, self.day = rng, day
        self.pins = {row.pin for row in rows}
        self.used: set[str] = set()
        self.added: list[PopulationRow] = []
        rows = [row for row in rows if row.station not in abroad]  # living in the country
        self.clean = [row for row in rows if clean_voter(row, day)]
        if len(self.clean) < 200:
            raise ValueError("the population has too few voters for a candidate world")
        self.by_birth: dict[date, list[PopulationRow]] = {}
        for row in self.clean:
            self.by_birth.setdefault(row.birth_date, []).append(row)
        adult = [
            row for row in rows if row.death_date is None and age_on(row.birth_date, day) >= 21
        ]
        self.dual = [
            r for r in adult if r.other_citizenships == "RU" and clean_voter(_sole(r), day)
        ]
        self.foreign = [r for r in adult if r.citizenship not in ("KG", "XX")]
        self.stateless = [r for r in adult if r.citizenship == "XX"]
        self.incapable = [r for r in adult if r.citizenship == "KG" and r.legally_incapable]

    def take(self, row: PopulationRow) -> PopulationRow:
        self.used.add(row.pin)
        return row

    def pick(
        self, low: int, high: int, sex: str | None = None, stations: set[int] | None = None
    ) -> PopulationRow:
        """An unused clean voter aged ``low``-``high`` on polling day (of ``sex``, living at
        one of ``stations``)."""

        def fits(row: PopulationRow) -> bool:
            return (
                row.pin not in self.used
                and low <= age_on(row.birth_date, self.day) <= high
                and (sex is None or row.sex == sex)
                and (stations is None or row.station in stations)
            )

        for _ in range(2000):
            row = self.clean[self.rng.randrange(len(self.clean))]
            if fits(row):
                return self.take(row)
        found = [row for row in self.clean if fits(row)]
        if not found:
            raise ValueError(f"no voter aged {low}-{high} left in the population")
        return self.take(self.rng.choice(found))

    def among(self, rows: list[PopulationRow], low: int) -> PopulationRow | None:
        """An unused person of ``rows`` aged at least ``low``, or None."""
        fit = [r for r in rows if r.pin not in self.used and age_on(r.birth_date, self.day) >= low]
        return self.take(self.rng.choice(fit)) if fit else None

    def born_on(self, birth: date) -> PopulationRow:
        """A clean voter born on ``birth``; a new person when the population has none."""
        fit = [r for r in self.by_birth.get(birth, ()) if r.pin not in self.used]
        return self.take(self.rng.choice(fit)) if fit else self.new(birth)

    def new(
        self, birth: date, citizenship: str = "KG", other: str = "", incapable: bool = False
    ) -> PopulationRow:
        """A person added to the register, living with a voter of the population."""
        rng = self.rng
        sex = rng.choice("MF")
        pool = RUSSIAN if citizenship == "RU" else KYRGYZ
        surname = rng.choice(pool.surnames)
        given = rng.choice(pool.male if sex == "M" else pool.female)
        father = rng.choice(pool.male)
        home = self.clean[rng.randrange(len(self.clean))]
        while True:
            pin = build_pin(sex, birth, rng.randrange(100_000))
            if pin not in self.pins:
                break
        self.pins.add(pin)
        row = PopulationRow(
            pin,
            feminine(surname) if sex == "F" else surname,
            given,
            patronymic(father, sex, "ovich" if pool is RUSSIAN else rng.choice(("ovich", "uulu"))),
            sex,
            birth,
            citizenship,
            other,
            incapable,
            False,
            citizenship == "KG" and not incapable,
            None,
            home.address,
            home.dwelling_id,
            home.station,
        )
        self.added.append(row)
        return self.take(row)


def _sole(row: PopulationRow) -> PopulationRow:
    return replace(row, other_citizenships="")


def _citizenships(row: PopulationRow) -> tuple[str, ...]:
    """Every citizenship the register shows (``XX`` is stateless: none)."""
    main = () if row.citizenship == "XX" else (row.citizenship,)
    return main + tuple(c for c in row.other_citizenships.split(";") if c)


# -- the candidates -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Spec:
    office: Office
    party: int | None = None  # index into the parties; None: self-nominated
    planted: str | None = None
    boundary: str | None = None
    sex: str | None = None
    ages: tuple[int, int] = (0, 0)  # (0, 0): the office's usual range
    in_busiest: bool = False  # lives in the district with the most voters (signs there)


_SPECS: tuple[_Spec, ...] = (
    _Spec("president", 0),  # C01: collects the first signatures
    _Spec("president"),  # C02: collects signatures; one signer also signed for C01
    _Spec("president", 1, boundary="exact_age"),
    _Spec("president", boundary="residence_exactly"),
    _Spec("president", 2, boundary="one_term", ages=(50, 72)),
    _Spec("president", 3, planted="dual_citizenship"),
    _Spec("president", planted="residence_short"),
    _Spec("president", planted="under_age"),
    _Spec("president", 4, planted="third_term", ages=(55, 75)),
    _Spec("jk_deputy", in_busiest=True),  # C10: collects signatures in its district
    _Spec("jk_deputy", 0),
    _Spec("jk_deputy", 1),
    _Spec("jk_deputy", 2, boundary="exact_age"),
    _Spec("jk_deputy", boundary="absence_at_limit"),
    _Spec("jk_deputy", 3, planted="foreign_citizen"),
    _Spec("jk_deputy", planted="absence_too_long"),
    _Spec("jk_deputy", 4, planted="language_failed"),
    _Spec("jk_deputy", planted="under_age"),
    _Spec("jk_deputy", 5, planted="record_expunged", ages=(35, 65)),
    _Spec("jk_deputy", 0, planted="education_below"),
    _Spec("jk_deputy", planted="missing_document"),
    _Spec("local_deputy", 6, boundary="minimum_education", sex="M"),
    _Spec("local_deputy", 6, sex="F"),
    _Spec("local_deputy", 6, boundary="expunged_allowed", sex="M", ages=(35, 65)),
    _Spec("local_deputy", 6, planted="record_unexpunged", sex="F"),
    _Spec("local_deputy", 6, sex="M"),
)
_USUAL_AGES = {"president": (40, 70), "jk_deputy": (28, 65), "local_deputy": (25, 65)}

#: Invented parties (no real party bears these names): code, Kyrgyz name, Russian name.
_PARTIES: tuple[tuple[str, str, str], ...] = (
    ("ak-bulak", "«Ак Булак» партиясы", "Партия «Светлый родник»"),
    ("kut-bereke", "«Кут-Береке» партиясы", "Партия «Благодать»"),
    ("too-shamaly", "«Тоо Шамалы» партиясы", "Партия «Горный ветер»"),
    ("kok-asaba", "«Көк Асаба» партиясы", "Партия «Синее знамя»"),
    ("jashtar-demilgesi", "«Жаштар Демилгеси» партиясы", "Партия «Инициатива молодёжи»"),
    ("taza-suu", "«Таза Суу» партиясы", "Партия «Чистая вода»"),
    ("sary-jaz", "«Сары-Жаз» партиясы", "Партия «Сары-Жаз»"),
)


def _person(spec: _Spec, rules: OfficeRules, people: _People, day: date) -> PopulationRow:
    """The person a spec calls for: an exact birthday, a citizenship, or an age range."""
    min_age = rules.min_age.value
    if spec.boundary == "exact_age":
        return people.born_on(years_before(day, min_age))
    if spec.planted == "under_age":
        return people.born_on(years_before(day + timedelta(days=1), min_age, leap_to=1))
    low, high = spec.ages if spec.ages != (0, 0) else _USUAL_AGES[spec.office]
    low = max(low, min_age)
    birth = years_before(day, (low + high) // 2)
    if spec.planted == "dual_citizenship":
        return people.among(people.dual, low) or people.new(birth, "KG", "RU")
    if spec.planted == "foreign_citizen":
        return people.among(people.foreign, low) or people.new(birth, "KZ")
    return people.pick(low, high, spec.sex)


def _stays(
    spec: _Spec, row: PopulationRow, rules: OfficeRules, day: date, rng: random.Random
) -> tuple[Stay, ...]:
    """The periods a candidate was present in the country, as the spec needs them."""
    born = row.birth_date
    years = rules.residence_years.value
    if spec.boundary == "residence_exactly":  # arrived exactly ``years`` years ago
        return ((years_before(day, years), None),)
    if spec.planted == "residence_short":  # a childhood here, then back for a few years
        childhood = min(6, years - 2)
        return (
            (born, _after(born, childhood) - timedelta(days=1)),
            (years_before(day, years - 1 - childhood), None),
        )
    limit = rules.max_absence_days_per_year
    if spec.boundary == "absence_at_limit" and limit is not None:
        return _with_absences(born, [_long_absence(day, limit.value)])
    if spec.planted == "absence_too_long":
        return _with_absences(born, [_long_absence(day, LONG_ABSENCE_DAYS)])
    absences = []
    if age_on(born, day) >= 40 and rng.random() < 0.4:  # studied or worked abroad long ago
        start = _after(born, 18) + timedelta(days=rng.randint(0, 3 * 365))
        absences.append((start, rng.randint(2 * 365, 4 * 365)))
    for k in range(4):  # short trips, at most one a year
        if rng.random() < 0.5:
            start = years_before(day, k + 1) + timedelta(days=rng.randint(1, 250))
            absences.append((start, rng.randint(7, 60)))
    return _with_absences(born, absences)


def _after(day: date, years: int) -> date:
    return years_before(day, -years)


def _with_absences(born: date, absences: list[tuple[date, int]]) -> tuple[Stay, ...]:
    """Stays from birth, broken by (first day absent, days absent) absences."""
    stays: list[Stay] = []
    start = born
    for first, days in sorted(absences):
        stays.append((start, first - timedelta(days=1)))
        start = first + timedelta(days=days)
    stays.append((start, None))
    return tuple(stays)


def _long_absence(day: date, days: int) -> tuple[date, int]:
    """An absence of ``days`` days inside one of the last years before ``day`` and, when it
    fits, inside one calendar year too (so the year is the same however years are counted)."""
    for k in (2, 1, 3):
        low = years_before(day, k + 1) + timedelta(days=1)
        high = years_before(day, k)
        for year in range(low.year, high.year + 1):
            first, last = max(low, date(year, 1, 1)), min(high, date(year, 12, 31))
            room = (last - first).days + 1
            if room >= days + 10:
                return first + timedelta(days=(room - days) // 2), days
    low = years_before(day, 3) + timedelta(days=1)
    return low + timedelta(days=((years_before(day, 2) - low).days + 1 - days) // 2), days


class _Serials:
    """Document and reference numbers: each drawn once, formatted per registry."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[int] = set()

    def __call__(self, digits: int = 7) -> str:
        while True:
            n = self.rng.randrange(10 ** (digits - 1), 10**digits)
            if n not in self.seen:
                self.seen.add(n)
                return str(n)


def _education(spec: _Spec, rules: OfficeRules, rng: random.Random) -> Education | None:
    minimum = EDUCATION_LEVELS.index(rules.min_education.value)
    if spec.planted == "missing_document":
        return None
    if spec.planted == "education_below":
        if minimum == 0:
            raise ValueError(f"{spec.office}: no education is below the minimum")
        return EDUCATION_LEVELS[minimum - 1]
    if spec.boundary == "minimum_education":
        return EDUCATION_LEVELS[minimum]
    return EDUCATION_LEVELS[max(minimum, rng.choice((1, 2, 2)))]


class _Registrar:
    """Writes what each registry says about a candidate."""

    def __init__(self, rng: random.Random, day: date) -> None:
        self.rng, self.day = rng, day
        self.as_of = day - timedelta(days=REGISTRY_DAYS_BEFORE)
        self.serial = _Serials(rng)
        self.citizenship: list[CitizenshipRecord] = []
        self.residence: list[ResidenceRecord] = []
        self.language: list[LanguageTestRecord] = []
        self.education: list[EducationRecord] = []
        self.criminal: list[CriminalRecord] = []
        self.terms: list[TermRecord] = []

    def record(self, spec: _Spec, row: PopulationRow, rules: OfficeRules) -> str:
        """Every record of one candidate; returns the detail of what was planted."""
        rng, day, as_of, pin = self.rng, self.day, self.as_of, row.pin
        held = _citizenships(row)
        self.citizenship.append(CitizenshipRecord(pin, held, as_of, f"ГРС-{self.serial(8)}"))
        stays = _stays(spec, row, rules, day, rng)
        self.residence.append(ResidenceRecord(pin, stays, as_of, f"ПС-{self.serial(8)}"))
        tested = day - timedelta(days=rng.randint(90, 4 * 365))
        result: Literal["passed", "failed"] = (
            "failed" if spec.planted == "language_failed" else "passed"
        )
        certificate = f"КЫРГЫЗТЕСТ № {self.serial()}"
        self.language.append(LanguageTestRecord(pin, result, tested, certificate, as_of))
        level = _education(spec, rules, rng)
        if level is not None:
            document = {
                "none": "",
                "secondary": f"Аттестат № {self.serial()}",
                "higher": f"Диплом {rng.choice(('ВС', 'КД', 'ОКД'))} № {self.serial()}",
            }[level]
            self.education.append(EducationRecord(pin, level, document, as_of))
        if spec.planted in ("record_expunged", "record_unexpunged") or (
            spec.boundary == "expunged_allowed"
        ):
            expunged = spec.planted != "record_unexpunged"
            convicted = years_before(day, 12 if expunged else 3) + timedelta(
                days=rng.randint(0, 200)
            )
            self.criminal.append(
                CriminalRecord(
                    pin,
                    f"УК КР, ст. {rng.choice((205, 208, 221, 289, 319))}",
                    convicted,
                    years_before(day, 6) if expunged else None,
                    as_of,
                    f"ИЦ МВД № {self.serial()}",
                )
            )
        served = {"one_term": 1}.get(spec.boundary or "", 0)
        if spec.planted == "third_term":
            served = rules.max_terms.value if rules.max_terms else 2
        for k in range(served):  # the latest term ended two years ago
            start = years_before(day, 2 + 5 * (k + 1))
            end = years_before(day, 2 + 5 * k)
            self.terms.append(
                TermRecord(pin, spec.office, start, end, as_of, f"ЦИК № {self.serial(5)}")
            )
        return _detail(spec, row, held, stays, level, served, day)

    def registries(self) -> Registries:
        return Registries(
            tuple(self.citizenship),
            tuple(self.residence),
            tuple(self.language),
            tuple(self.education),
            tuple(self.criminal),
            tuple(self.terms),
        )


def _detail(
    spec: _Spec,
    row: PopulationRow,
    held: tuple[str, ...],
    stays: tuple[Stay, ...],
    level: Education | None,
    served: int,
    day: date,
) -> str:
    """A line saying what makes the candidate ineligible (or the boundary pass)."""
    kind = spec.planted or spec.boundary
    if kind in ("under_age", "exact_age"):
        return f"born {row.birth_date}, aged {age_on(row.birth_date, day)} on {day}"
    if kind in ("dual_citizenship", "foreign_citizen"):
        return "citizenships " + ";".join(held)
    if kind in ("residence_short", "residence_exactly"):
        return f"{_whole_years(_present_days(stays, day), day)} years present in total"
    if kind in ("absence_too_long", "absence_at_limit"):
        left, back = stays[0][1] or day, stays[1][0]
        return f"absent {(back - left).days - 1} days after {left}"
    if kind in ("education_below", "minimum_education"):
        return f"education {level}"
    if kind in ("third_term", "one_term"):
        return f"{served} terms served"
    if kind == "missing_document":
        return "no education record"
    if kind == "language_failed":
        return "state-language test failed"
    if kind in ("record_expunged", "record_unexpunged", "expunged_allowed"):
        return kind.replace("_", " ")
    return ""


def _present_days(stays: tuple[Stay, ...], day: date, since: date | None = None) -> int:
    """Days present up to ``day`` (both ends of a stay counted), from ``since`` if given."""
    total = 0
    for start, end in stays:
        first = max(start, since) if since else start
        last = min(end or day, day)
        total += max(0, (last - first).days + 1)
    return total


def _whole_years(days: int, day: date) -> int:
    """The most whole years (counted back from ``day``) that ``days`` days cover."""
    years = 0
    while days >= (day - years_before(day, years + 1)).days:
        years += 1
    return years


def _residence_years(stays: tuple[Stay, ...], rules: OfficeRules, day: date) -> int:
    """The years of residence a candidate states: in total, or, where the law counts the last
    years, the years back from polling day without a longer absence than allowed."""
    if rules.residence_counting.value == "total":
        return _whole_years(_present_days(stays, day), day)
    limit = rules.max_absence_days_per_year.value if rules.max_absence_days_per_year else 0
    years = 0
    while years < 100:
        low, high = years_before(day, years + 1) + timedelta(days=1), years_before(day, years)
        window = (high - low).days + 1
        present = _present_days(stays, high, low)
        if window - present > limit:
            break
        years += 1
    return years


# -- participants ---------------------------------------------------------------------------

#: International observers (invented): surname, given name, country.
_OBSERVERS: tuple[tuple[str, str, str], ...] = (
    ("Hoffmann", "Katrin", "DE"),
    ("Nowak", "Tomasz", "PL"),
    ("Sato", "Haruki", "JP"),
    ("Lindqvist", "Erik", "SE"),
)


def _participants(
    people: _People, parties: Sequence[Party]
) -> tuple[list[ParticipantSeed], list[Planted]]:
    """Representatives, proxies, observers and media, with the planted bars."""
    day = people.day
    out: list[ParticipantSeed] = []
    planted: list[Planted] = []

    def add(
        role: ParticipantRole,
        row: PopulationRow | None,
        *,
        name: tuple[str, str, str] = ("", "", ""),
        offices: tuple[str, ...] = (),
        accredited: bool | None = None,
        country: str | None = None,
        candidate: str | None = None,
        party: int | None = None,
        plant: str | None = None,
        detail: str = "",
    ) -> None:
        ref = f"R{len(out) + 1:02d}"
        citizenships: tuple[str, ...] = (country,) if country else ()
        if row is not None:
            name = (row.surname, row.given_name, row.patronymic)
            citizenships = _citizenships(row)
        out.append(
            ParticipantSeed(
                ref,
                role,
                row.pin if row is not None else None,
                *name,
                citizenships,
                offices,
                accredited,
                country,
                candidate,
                None if party is None else parties[party].code,
                plant,
            )
        )
        if plant is not None:
            planted.append(Planted(ref, plant, detail))

    def voter() -> PopulationRow:
        return people.pick(25, 70)

    add("candidate_representative", voter(), candidate="C01")
    add("candidate_representative", voter(), candidate="C10")
    add("authorised_representative", voter(), candidate="C01")
    add("authorised_representative", voter(), party=0)
    for ref in ("C01", "C02", "C10"):
        add("trusted_person", voter(), candidate=ref)
    russian = [r for r in people.foreign if r.citizenship == "RU"]
    foreigner = people.among(russian, 21) or people.new(years_before(day, 45), "RU")
    add(
        "trusted_person",
        foreigner,
        candidate="C11",
        plant="foreign_citizen",
        detail="citizen of Russia only",
    )
    stateless = people.among(people.stateless, 21) or people.new(years_before(day, 50), "XX")
    add("trusted_person", stateless, candidate="C01", plant="stateless", detail="no citizenship")
    add("party_representative", voter(), party=0)
    add("party_representative", voter(), party=1)
    add("domestic_observer", voter(), party=2)
    add("domestic_observer", voter(), candidate="C02")
    add("domestic_observer", voter())  # appointed by a civil-society organisation
    add(
        "domestic_observer",
        voter(),
        offices=("law_enforcement",),
        party=3,
        plant="barred_office",
        detail="serving police officer",
    )
    barred = people.among(people.incapable, 21) or people.new(years_before(day, 40), incapable=True)
    add("domestic_observer", barred, plant="not_a_voter", detail="declared legally incapable")
    for k, (surname, given, country) in enumerate(_OBSERVERS):
        last = k == len(_OBSERVERS) - 1
        add(
            "international_observer",
            None,
            name=(surname, given, ""),
            accredited=not last,
            country=country,
            plant="not_accredited" if last else None,
            detail="no accreditation by the CEC" if last else "",
        )
    add("media", voter(), accredited=True)
    add("media", voter(), accredited=True)
    return out, planted


# -- the world ------------------------------------------------------------------------------


def _rules(law_edition: str) -> dict[Office, OfficeRules]:
    """The offices' rules, checked to make every planted case fail and every boundary pass."""
    offices = load_edition(law_edition).candidates.offices
    rules: dict[Office, OfficeRules] = {}
    for office in ("president", "jk_deputy", "local_deputy"):
        found = getattr(offices, office)
        if found is None:
            raise ValueError(f"{law_edition} has no rules for {office}")
        rules[office] = found
    president, jk, local = rules["president"], rules["jk_deputy"], rules["local_deputy"]
    problems = []
    if president.residence_counting.value != "total" or president.residence_years.value < 8:
        problems.append("the president's residence is not counted in total years")
    if president.max_terms is None:
        problems.append("the president has no term limit")
    if (
        jk.max_absence_days_per_year is None
        or jk.max_absence_days_per_year.value >= LONG_ABSENCE_DAYS
    ):
        problems.append(f"a deputy may be absent {LONG_ABSENCE_DAYS} days a year")
    if jk.criminal_record_bars.value != "any" or local.criminal_record_bars.value != "unexpunged":
        problems.append("an expunged record must bar a deputy and not a local deputy")
    if not jk.state_language_required.value or not jk.other_citizenship_bars.value:
        problems.append("a deputy needs the state language and no other citizenship")
    if problems:
        raise ValueError(f"{law_edition} does not fit the planted world: " + "; ".join(problems))
    return rules


def _districts(geography: Geography, law_edition: str, day: date) -> dict[int, tuple[int, ...]]:
    """The Jogorku Kenesh districts as ``synth.definition`` carves them, without abroad."""
    abroad = {s.number for s in geography.stations if s.is_abroad}
    definition = make_definition(
        [(str(s.number), s.region.code, s.tec.code) for s in geography.stations],
        seed=0,
        law_edition=law_edition,
        election_date=day,
        election_id="districts",
    )
    districts: dict[int, tuple[int, ...]] = {}
    for style in definition.ballot_styles:
        if style.id.startswith("style-d"):
            home = tuple(int(n) for n in style.stations if int(n) not in abroad)
            districts[int(style.id.removeprefix("style-d"))] = home
    return districts


def candidate_world(
    seed: int,
    population: Sequence[PopulationRow],
    geography: Geography,
    polling_day: date,
    *,
    law_edition: str = "kg-2025",
) -> CandidateWorld:
    """The candidates, parties, registry facts, signature sheets and participants of an
    election on ``polling_day``, planted as the module says. Raises ``ValueError`` when the
    population is too small or the edition's rules would not refuse the planted cases."""
    rules = _rules(law_edition)
    rng = random.Random(f"shailoo-candidates:{seed}")
    day = polling_day
    abroad = {station.number for station in geography.stations if station.is_abroad}
    people = _People(population, day, rng, abroad)
    districts = _districts(geography, law_edition, day)
    if not districts:
        raise ValueError(f"{law_edition} has no Jogorku Kenesh districts")
    district_of = {station: n for n, stations in districts.items() for station in stations}
    voters_in: dict[int, int] = dict.fromkeys(districts, 0)
    for row in people.clean:
        if row.station in district_of:
            voters_in[district_of[row.station]] += 1
    busiest = max(sorted(voters_in), key=voters_in.__getitem__)
    parties = [
        Party(code, ky, ru, years_before(day, rng.randint(3, 20)), people.pick(35, 70).pin)
        for code, ky, ru in _PARTIES
    ]
    registrar = _Registrar(rng, day)
    candidates: list[CandidateSeed] = []
    planted: list[Planted] = []
    positions: dict[int, int] = {}
    for k, spec in enumerate(_SPECS, 1):
        ref, rule = f"C{k:02d}", rules[spec.office]
        if spec.in_busiest:
            row = people.pick(*_USUAL_AGES[spec.office], stations=set(districts[busiest]))
        else:
            row = _person(spec, rule, people, day)
        detail = registrar.record(spec, row, rule)
        district = None
        if spec.office == "jk_deputy":
            district = district_of.get(row.station) or rng.choice(sorted(districts))
        position = None
        if spec.office == "local_deputy" and spec.party is not None:
            position = positions[spec.party] = positions.get(spec.party, 0) + 1
        candidates.append(
            CandidateSeed(
                ref,
                row.pin,
                row.surname,
                row.given_name,
                row.patronymic,
                row.sex,
                row.birth_date,
                spec.office,
                district,
                None if spec.party is None else parties[spec.party].code,
                position,
                spec.planted,
                spec.boundary,
            )
        )
        if spec.planted is not None:
            planted.append(Planted(ref, spec.planted, detail))
    participants, barred = _participants(people, parties)
    planted += barred
    start = day - timedelta(days=SIGNING_DAYS_BEFORE[0])
    end = day - timedelta(days=SIGNING_DAYS_BEFORE[1])
    taken = set(people.used)
    first = signature_sheets(
        seed, population, "C01", SIGNATURES["president"], start, end, exclude=taken
    )
    taken |= {row.pin for row in first.rows}
    marked = {p.pin for p in first.planted}  # a duplicate's first line is not planted
    shared = next(r for r in first.rows if r.pin not in marked and r.signed_on < end)
    second = signature_sheets(
        seed,
        population,
        "C02",
        SIGNATURES["president_second"],
        start,
        end,
        plant=("harmless_variant", "signed_for_two"),
        also_signed=[("C01", shared)],
        exclude=taken,
    )
    taken |= {row.pin for row in second.rows}
    jk = next(c for c, spec in zip(candidates, _SPECS, strict=True) if spec.in_busiest)
    # A small country's district has few voters: fewer lines, leaving room for the name
    # donors and collectors the planted lines need.
    available = voters_in[jk.district or busiest]
    jk_lines = min(SIGNATURES["jk_deputy"], max(20, (available - 30) * 2 // 3))
    while True:
        try:
            third = signature_sheets(
                seed,
                population,
                jk.ref,
                jk_lines,
                start,
                end,
                territory=districts[jk.district or busiest],
                exclude=taken,
            )
            break
        except ValueError:
            if jk_lines <= 10:
                raise
            jk_lines = max(10, jk_lines * 3 // 4)
    return CandidateWorld(
        seed,
        day,
        law_edition,
        tuple(parties),
        tuple(candidates),
        registrar.registries(),
        tuple(participants),
        (first, second, third),
        start,
        end,
        districts,
        tuple(people.added),
        tuple(planted),
    )


# -- stated facts and files -----------------------------------------------------------------


def stated_facts(world: CandidateWorld) -> list[StatedFacts]:
    """The candidates' facts as a nominee would state them, from the registries' records
    (an unknown fact where a registry has no record)."""
    rules = _rules(world.law_edition)
    day = world.polling_day
    registries = world.registries
    held = {r.pin: r.citizenships for r in registries.citizenship}
    stays = {r.pin: r.stays for r in registries.residence}
    tests = {r.pin: r.result for r in registries.language_tests}
    levels = {r.pin: r.level for r in registries.education}
    records: dict[str, list[CriminalRecord]] = {}
    for record in registries.criminal:
        records.setdefault(record.pin, []).append(record)
    out = []
    for c in world.candidates:
        convictions = records.get(c.pin, [])
        criminal: Literal["none", "expunged", "unexpunged"] = "none"
        if any(r.expunged_on is None or r.expunged_on > day for r in convictions):
            criminal = "unexpunged"
        elif convictions:
            criminal = "expunged"
        served = sum(t.pin == c.pin and t.office == c.office for t in registries.terms)
        residence = stays.get(c.pin)
        out.append(
            StatedFacts(
                c.ref,
                c.office,
                c.birth_date,
                held.get(c.pin),
                None if residence is None else _residence_years(residence, rules[c.office], day),
                tests.get(c.pin, "not_taken"),
                levels.get(c.pin),
                criminal,
                served,
            )
        )
    return out


def write_stated_facts_csv(facts: Sequence[StatedFacts], path: Path | str) -> int:
    """Write a stated-facts CSV (header :data:`STATED_FACTS_COLUMNS`); return the rows."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = Writer(out)
        writer.writerow(STATED_FACTS_COLUMNS)
        writer.writerows(f.values() for f in facts)
    return len(facts)
