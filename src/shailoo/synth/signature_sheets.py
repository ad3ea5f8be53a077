"""Synthetic signature sheets supporting a nomination, with planted defects and their manifest.

A sheet has numbered lines; each line is one signer (PIN, surname, given name, patronymic,
date signed) and every sheet names the collector who carried it. Most signers are real voters
of the population (so their PINs are in the register) signing in the candidate's territory.
Planted among them, each listed in the manifest with its sheet and line so that tests can
check the verification engine finds it:

* ``forged_name``: a real voter's PIN under another person's name;
* ``harmless_variant``: a real voter whose name is written in another spelling that the
  register's name key unifies (Kyrgyz letters as Russian ones, Latin look-alike letters,
  Дж for Ж, ё as е, a doubled vowel written single, a Latin transliteration) — *not* a defect,
  planted so that the engine is seen to accept it;
* ``duplicate``: the same PIN a second time (the later line is the planted one);
* ``dead_signer``: a person of the territory whose recorded death precedes the day signed;
* ``not_in_register``: a well-formed PIN that no person of the population has;
* ``other_territory``: a voter registered outside the territory (only for a candidate with a
  territory: a president's territory is the whole register);
* ``signed_for_two``: a voter who already signed for another candidate for the same office;
* ``forging_collector``: one collector most of whose lines are forged names (their lines are
  listed as ``forged_name``; :attr:`SignatureSheets.forging_collector` names the collector).

The variant spellings are applied with ``synth.variants`` (written independently of the
matcher) and only the kinds whose folding the register's key documents are used, so tests of
the matcher against them are not circular. Pure and deterministic from the seed and the
candidate's reference.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from shailoo.common.csvout import Writer
from shailoo.register.names import normalise, transliterate
from shailoo.register.pin import build_pin
from shailoo.synth.population import PopulationRow, age_on
from shailoo.synth.variants import VARIANTS, Name

#: Columns of the signature-sheet CSV, in order.
SIGNATURE_COLUMNS: tuple[str, ...] = (
    "sheet",
    "line",
    "collector",
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "signed_on",
)
#: What can be planted, in the order the manifest lists kinds.
SIGNATURE_PLANTS: tuple[str, ...] = (
    "forged_name",
    "harmless_variant",
    "duplicate",
    "dead_signer",
    "not_in_register",
    "other_territory",
    "signed_for_two",
    "forging_collector",
)
#: Lines planted of each scattered kind (``signed_for_two``: one per signer passed in).
PLANT_COUNTS: dict[str, int] = {
    "forged_name": 2,
    "harmless_variant": 3,
    "duplicate": 2,
    "dead_signer": 1,
    "not_in_register": 1,
    "other_territory": 1,
}
LINES_PER_SHEET = 10
SHEETS_PER_COLLECTOR = 5
FORGER_SHARE = 0.7  # share of the forging collector's lines that are forged
#: Spellings the register's name key folds together (``synth.variants`` kinds, plus Latin).
#: Inner-vowel swaps (Маматов/Мамытов) are left out: they may be two different names.
HARMLESS_KINDS: tuple[str, ...] = (
    "kyrgyz_letters",
    "look_alike",
    "dzh",
    "yo",
    "double_vowel",
    "latin",
)


@dataclass(frozen=True, slots=True)
class SignatureRow:
    """One line of a signature sheet, as the collector wrote it down."""

    sheet: int
    line: int
    collector: str
    pin: str
    surname: str
    given_name: str
    patronymic: str
    signed_on: date

    def values(self) -> list[str]:
        """The row as CSV fields, in ``SIGNATURE_COLUMNS`` order."""
        return [
            str(self.sheet),
            str(self.line),
            self.collector,
            self.pin,
            self.surname,
            self.given_name,
            self.patronymic,
            self.signed_on.isoformat(),
        ]


@dataclass(frozen=True, slots=True)
class PlantedSignature:
    """Where a defect (or a harmless variant) was planted, and what it is."""

    sheet: int
    line: int
    kind: str
    pin: str
    detail: str


@dataclass(frozen=True, slots=True)
class SignatureSheets:
    """The sheets of one candidate and the manifest of what was planted in them."""

    candidate: str
    rows: tuple[SignatureRow, ...]
    planted: tuple[PlantedSignature, ...]
    forging_collector: str | None


def clean_voter(row: PopulationRow, day: date) -> bool:
    """Whether ``row`` is beyond doubt a voter on ``day``: an adult citizen of Kyrgyzstan only,
    alive, capable, free, biometrically registered (the synthetic world's plain case)."""
    return (
        row.citizenship == "KG"
        and not row.other_citizenships
        and not row.legally_incapable
        and not row.in_confinement
        and row.biometric_registered
        and row.death_date is None
        and age_on(row.birth_date, day) >= 18
    )


def full_name(row: PopulationRow) -> str:
    """Surname, given name and patronymic as one string (collectors are named so)."""
    return " ".join(part for part in (row.surname, row.given_name, row.patronymic) if part)


def harmless_variant(rng: random.Random, name: Name) -> tuple[Name, str] | None:
    """Another spelling of ``name`` that the register's key unifies, and its kind; None when
    no such kind changes this name. ``latin`` skips names with ё, which the key reads as е
    while the Latin spelling writes ``yo``."""
    kinds = list(HARMLESS_KINDS)
    rng.shuffle(kinds)
    for kind in kinds:
        if kind == "latin":
            if any("ё" in part.lower() for part in name):
                continue
            changed: Name | None = (
                transliterate(name[0]),
                transliterate(name[1]),
                transliterate(name[2]),
            )
        else:
            changed = VARIANTS[kind](rng, name)
        if changed is not None and changed != name:
            return changed, kind
    return None


class _Sheets:
    """The state of one candidate's sheets while they are being written."""

    def __init__(
        self,
        rng: random.Random,
        count: int,
        start: date,
        end: date,
        lines_per_sheet: int,
    ) -> None:
        self.rng = rng
        self.sheets = math.ceil(count / lines_per_sheet)
        self.slots = [divmod(i, lines_per_sheet) for i in range(count)]
        span = (end - start).days
        self.days = [
            start + timedelta(days=s * (span + 1) // self.sheets) for s in range(self.sheets)
        ]
        self.collectors = max(1, math.ceil(self.sheets / SHEETS_PER_COLLECTOR))
        self.kinds: dict[int, str] = {}
        self.shared: dict[int, int] = {}  # slot -> index into also_signed

    def day(self, slot: int) -> date:
        return self.days[self.slots[slot][0]]

    def collector_of(self, slot: int) -> int:
        return self.slots[slot][0] * self.collectors // self.sheets

    def where(self, slot: int) -> tuple[int, int]:
        sheet, line = self.slots[slot]
        return sheet + 1, line + 1


def signature_sheets(
    seed: int,
    population: Sequence[PopulationRow],
    candidate: str,
    count: int,
    signing_start: date,
    signing_end: date,
    *,
    territory: Collection[int] | None = None,
    plant: Collection[str] = SIGNATURE_PLANTS,
    also_signed: Sequence[tuple[str, SignatureRow]] = (),
    exclude: Collection[str] = (),
    lines_per_sheet: int = LINES_PER_SHEET,
) -> SignatureSheets:
    """``count`` signature lines for ``candidate`` (a reference), signed between the dates.

    ``territory`` is the set of station numbers whose voters may sign (None: the whole
    register); ``plant`` the kinds to plant (:data:`SIGNATURE_PLANTS`); ``also_signed`` rows
    of other candidates' sheets, as (candidate, row), whose signers sign here too, later;
    ``exclude`` PINs that must not appear except as planted (candidates, earlier signers).
    Raises ``ValueError`` when the population is too small for what is asked.
    """
    unknown = sorted(set(plant) - set(SIGNATURE_PLANTS))
    if unknown:
        raise ValueError(f"unknown kinds to plant: {', '.join(unknown)}")
    if count < 1 or lines_per_sheet < 1:
        raise ValueError("count and lines_per_sheet must be positive")
    if signing_end < signing_start:
        raise ValueError("signing_end must not be before signing_start")
    rng = random.Random(f"shailoo-signatures:{seed}:{candidate}")
    excluded = set(exclude)
    home = None if territory is None else set(territory)
    voters: list[PopulationRow] = []
    outsiders: list[PopulationRow] = []
    dead: list[PopulationRow] = []
    for row in population:
        if row.pin in excluded:
            continue
        if clean_voter(row, signing_start):
            (voters if home is None or row.station in home else outsiders).append(row)
        elif (
            row.death_date is not None
            and row.death_date < signing_end
            and (home is None or row.station in home)
            and row.citizenship == "KG"
            and not row.legally_incapable
            and age_on(row.birth_date, row.death_date) >= 18
        ):
            dead.append(row)
    sheets = _Sheets(rng, count, signing_start, signing_end, lines_per_sheet)
    rng.shuffle(voters)
    forger = _plan(sheets, plant, also_signed, dead, home is not None)
    forged = sum(kind in ("forged_name", "forging_collector") for kind in sheets.kinds.values())
    needed = count + forged + sheets.collectors + 10  # a forged line takes a name donor too
    if len(voters) < needed:
        raise ValueError(f"{len(voters)} voters in the territory; {needed} are needed")
    collectors = _collectors(voters, sheets.collectors)
    return _write(
        sheets,
        candidate,
        voters,
        outsiders,
        dead,
        also_signed,
        {row.pin for row in population} | excluded,
        collectors,
        forger,
        signing_start,
    )


def _collectors(voters: list[PopulationRow], count: int) -> list[str]:
    """``count`` collectors with distinct names, taken out of the signers."""
    names: list[str] = []
    while len(names) < count:
        name = full_name(voters.pop())
        if name not in names:
            names.append(name)
    return names


def _plan(
    sheets: _Sheets,
    plant: Collection[str],
    also_signed: Sequence[tuple[str, SignatureRow]],
    dead: list[PopulationRow],
    territorial: bool,
) -> int | None:
    """Decide which slot holds which planted kind (``sheets.kinds``); return the forger."""
    rng, count = sheets.rng, len(sheets.slots)
    forger = None
    if "forging_collector" in plant and sheets.collectors >= 2:
        forger = rng.randrange(sheets.collectors)
        own = [i for i in range(count) if sheets.collector_of(i) == forger]
        for i in rng.sample(own, max(1, round(FORGER_SHARE * len(own)))):
            sheets.kinds[i] = "forging_collector"
    free = [i for i in range(count) if sheets.collector_of(i) != forger]
    wanted = [
        kind
        for kind in SIGNATURE_PLANTS
        if kind in PLANT_COUNTS and kind in plant and (kind != "other_territory" or territorial)
        for _ in range(PLANT_COUNTS[kind])
    ]
    if len(free) < len(wanted) + len(also_signed) + 2 * PLANT_COUNTS["duplicate"] + 1:
        raise ValueError(f"{count} lines are too few for what is to be planted")

    def take(candidates: list[int]) -> int:
        slot = rng.choice(candidates)
        free.remove(slot)
        return slot

    for index, (_, row) in enumerate(also_signed):
        later = [i for i in free if sheets.day(i) > row.signed_on]
        slot = take(later or [max(free, key=sheets.day)])
        sheets.kinds[slot] = "signed_for_two"
        sheets.shared[slot] = index
    if "dead_signer" in wanted:
        wanted.remove("dead_signer")
        first_death = min((r.death_date for r in dead if r.death_date), default=None)
        after = [i for i in free if first_death is not None and sheets.day(i) > first_death]
        # A small population may hold nobody in the territory who died before the signing
        # days: then no dead signer is planted (the manifest says what was).
        if after:
            sheets.kinds[take(after)] = "dead_signer"
    for kind in wanted:
        sheets.kinds[take(free)] = kind
    return forger


def _write(
    sheets: _Sheets,
    candidate: str,
    voters: list[PopulationRow],
    outsiders: list[PopulationRow],
    dead: list[PopulationRow],
    also_signed: Sequence[tuple[str, SignatureRow]],
    taken_pins: set[str],
    collectors: list[str],
    forger: int | None,
    signing_start: date,
) -> SignatureSheets:
    """Fill every slot: clean signers, then the planted kinds; build the manifest."""
    rng = sheets.rng
    names: dict[int, tuple[str, Name]] = {}  # slot -> (pin, name as written)
    planted: list[tuple[int, str, str]] = []  # (slot, kind, detail)
    order = sorted(sheets.kinds.items())
    clean = [i for i in range(len(sheets.slots)) if i not in sheets.kinds]
    for i in clean:
        row = voters.pop()
        names[i] = (row.pin, (row.surname, row.given_name, row.patronymic))
    originals = list(clean)
    for i, kind in order:
        detail = ""
        if kind in ("forged_name", "forging_collector"):
            row = voters.pop()
            donor = _donor(voters, row, rng)
            names[i] = (row.pin, (donor.surname, donor.given_name, donor.patronymic))
            detail = "forged by the forging collector" if kind == "forging_collector" else ""
            kind = "forged_name"
        elif kind == "harmless_variant":
            while True:
                row = voters.pop()
                variant = harmless_variant(rng, (row.surname, row.given_name, row.patronymic))
                if variant is not None:
                    break
            names[i], detail = (row.pin, variant[0]), variant[1]
        elif kind == "dead_signer":
            died = [r for r in dead if r.death_date is not None and r.death_date < sheets.day(i)]
            row = rng.choice(died)
            names[i] = (row.pin, (row.surname, row.given_name, row.patronymic))
            detail = f"died {row.death_date}"
        elif kind == "not_in_register":
            names[i] = (_unknown_pin(rng, taken_pins, signing_start), _made_up(voters, rng))
        elif kind == "other_territory":
            if not outsiders:
                raise ValueError("no voter of the population lives outside the territory")
            row = rng.choice(outsiders)
            names[i] = (row.pin, (row.surname, row.given_name, row.patronymic))
            detail = f"registered at station {row.station}"
        elif kind == "signed_for_two":
            other, first = also_signed[sheets.shared[i]]
            names[i] = (first.pin, (first.surname, first.given_name, first.patronymic))
            detail = f"also signed for {other} (sheet {first.sheet}, line {first.line})"
        elif kind == "duplicate":
            original = originals.pop(rng.randrange(len(originals)))
            names[i] = names[original]
            if original > i:  # the later of the two lines is the planted duplicate
                i, original = original, i
            detail = "sheet {}, line {}".format(*sheets.where(original))
        planted.append((i, kind, detail))
    rows = []
    for i in range(len(sheets.slots)):
        sheet, line = sheets.where(i)
        pin, (surname, given, middle) = names[i]
        collector = collectors[sheets.collector_of(i)]
        rows.append(
            SignatureRow(sheet, line, collector, pin, surname, given, middle, sheets.day(i))
        )
    manifest = sorted(
        (
            PlantedSignature(*sheets.where(i), kind, names[i][0], detail)
            for i, kind, detail in planted
        ),
        key=lambda p: (p.sheet, p.line),
    )
    return SignatureSheets(
        candidate,
        tuple(rows),
        tuple(manifest),
        None if forger is None else collectors[forger],
    )


def _donor(voters: list[PopulationRow], signer: PopulationRow, rng: random.Random) -> PopulationRow:
    """A person whose name forges the signer's line, taken out of the signers: one whose
    surname and given name both differ from the signer's under the register's key."""
    for _ in range(1000):
        at = rng.randrange(len(voters))
        donor = voters[at]
        if normalise(donor.surname) != normalise(signer.surname) and normalise(
            donor.given_name
        ) != normalise(signer.given_name):
            voters[at] = voters[-1]
            voters.pop()
            return donor
    raise ValueError("no person with another name to forge a line with")


def _made_up(voters: list[PopulationRow], rng: random.Random) -> Name:
    """A plausible name of nobody in particular: one person's surname, another's names."""
    a, b = rng.choice(voters), rng.choice(voters)
    return a.surname, b.given_name, b.patronymic


def _unknown_pin(rng: random.Random, taken: set[str], day: date) -> str:
    """A well-formed PIN of an adult that no person of the population has."""
    while True:
        born = date.fromordinal(day.toordinal() - rng.randint(20 * 365, 70 * 365))
        pin = build_pin(rng.choice("MF"), born, rng.randrange(100_000))
        if pin not in taken:
            taken.add(pin)
            return pin


def write_signatures_csv(rows: Sequence[SignatureRow], path: Path | str) -> int:
    """Write ``rows`` as a signature-sheet CSV (header :data:`SIGNATURE_COLUMNS`); return the
    number of rows. Cells are written through ``common.csvout`` (no formula runs)."""
    with Path(path).open("w", newline="", encoding="utf-8") as out:
        writer = Writer(out)
        writer.writerow(SIGNATURE_COLUMNS)
        writer.writerows(row.values() for row in rows)
    return len(rows)
