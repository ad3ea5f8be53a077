"""The synthetic candidate world: planted ineligibility of every kind, and clean candidates
that really meet the law.

The checks here are written independently of the candidates engine: ages from birth dates,
residence by expanding stays into days, education and records compared with the edition's
values directly. A planted candidate must fail exactly its own rule and no other.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import subprocess
import sys
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from shailoo.law.loader import load_edition
from shailoo.law.schema import EDUCATION_LEVELS, OfficeRules
from shailoo.register.names import name_key
from shailoo.register.pin import check_pin
from shailoo.synth.candidates import (
    BOUNDARIES,
    CANDIDATE_PLANTS,
    PARTICIPANT_PLANTS,
    STATED_FACTS_COLUMNS,
    CandidateSeed,
    CandidateWorld,
    StatedFacts,
    candidate_world,
    stated_facts,
    write_stated_facts_csv,
)
from shailoo.synth.geography import Geography, generate_geography
from shailoo.synth.population import PopulationRow, generate_population
from shailoo.synth.signature_sheets import (
    SIGNATURE_COLUMNS,
    SIGNATURE_PLANTS,
    SignatureSheets,
    signature_sheets,
    write_signatures_csv,
)

SEED, STATIONS, PERSONS = 4, 300, 20_000
POLLING_DAY = date(2027, 3, 14)
RULES = {
    office: getattr(load_edition("kg-2025").candidates.offices, office)
    for office in ("president", "jk_deputy", "local_deputy")
}


@pytest.fixture(scope="module")
def geography() -> Geography:
    return generate_geography(SEED, STATIONS)


@pytest.fixture(scope="module")
def population(geography: Geography) -> list[PopulationRow]:
    return list(generate_population(SEED, PERSONS, geography))


@pytest.fixture(scope="module")
def world(population: list[PopulationRow], geography: Geography) -> CandidateWorld:
    return candidate_world(SEED, population, geography, POLLING_DAY)


# -- independent checks ---------------------------------------------------------------------


def age(born: date, day: date) -> int:
    years = day.year - born.year
    return years - 1 if (day.month, day.day) < (born.month, born.day) else years


def back(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February: the 28th)."""
    return date(day.year - years, day.month, 28 if (day.month, day.day) == (2, 29) else day.day)


def present_days(stays: tuple[tuple[date, date | None], ...], day: date) -> set[int]:
    """Every day present up to ``day``, both ends of a stay counted."""
    days: set[int] = set()
    for start, end in stays:
        days.update(range(start.toordinal(), min(end or day, day).toordinal() + 1))
    return days


def failures(world: CandidateWorld, c: CandidateSeed) -> set[str]:
    """The rules ``c`` fails under kg-2025 (``?`` marks a missing fact), computed here."""
    rules: OfficeRules = RULES[c.office]
    day, reg = world.polling_day, world.registries
    out: set[str] = set()
    if age(c.birth_date, day) < rules.min_age.value:
        out.add("age")
    held = [r.citizenships for r in reg.citizenship if r.pin == c.pin]
    if not held:
        out.add("citizenship?")
    elif rules.citizenship.value not in held[0]:
        out.add("citizenship")
    elif rules.other_citizenship_bars.value and len(held[0]) > 1:
        out.add("other_citizenship")
    stays = [r.stays for r in reg.residence if r.pin == c.pin]
    if not stays:
        out.add("residence?")
    else:
        present = present_days(stays[0], day)
        years = rules.residence_years.value
        if rules.residence_counting.value == "total":
            if len(present) < (day - back(day, years)).days:
                out.add("residence")
        else:
            limit = rules.max_absence_days_per_year
            assert limit is not None
            for k in range(years):
                window = range(back(day, k + 1).toordinal() + 1, back(day, k).toordinal() + 1)
                if sum(d not in present for d in window) > limit.value:
                    out.add("residence")
    tests = [r for r in reg.language_tests if r.pin == c.pin]
    if rules.state_language_required.value:
        if not tests:
            out.add("language?")
        elif tests[0].result != "passed" or tests[0].tested_on > day:
            out.add("language")
    levels = [r.level for r in reg.education if r.pin == c.pin]
    if not levels:
        out.add("education?")
    elif EDUCATION_LEVELS.index(levels[0]) < EDUCATION_LEVELS.index(rules.min_education.value):
        out.add("education")
    for record in (r for r in reg.criminal if r.pin == c.pin):
        bars = rules.criminal_record_bars.value
        if bars == "any" or (bars == "unexpunged" and record.expunged_on is None):
            out.add("criminal")
    served = sum(t.pin == c.pin and t.office == c.office for t in reg.terms)
    if rules.max_terms is not None and served >= rules.max_terms.value:
        out.add("terms")
    return out


EXPECTED = {
    "dual_citizenship": {"other_citizenship"},
    "foreign_citizen": {"citizenship"},
    "residence_short": {"residence"},
    "absence_too_long": {"residence"},
    "language_failed": {"language"},
    "under_age": {"age"},
    "record_expunged": {"criminal"},
    "record_unexpunged": {"criminal"},
    "third_term": {"terms"},
    "education_below": {"education"},
    "missing_document": {"education?"},
}


def register_of(population: list[PopulationRow], world: CandidateWorld) -> dict[str, PopulationRow]:
    return {row.pin: row for row in [*population, *world.new_persons]}


def clean_voter(row: PopulationRow, day: date) -> bool:
    return (
        row.citizenship == "KG"
        and row.other_citizenships == ""
        and not (row.legally_incapable or row.in_confinement)
        and row.biometric_registered
        and (row.death_date is None or row.death_date >= day)
        and age(row.birth_date, day) >= 18
    )


def sheets_of(world: CandidateWorld, ref: str) -> SignatureSheets:
    return next(s for s in world.signatures if s.candidate == ref)


# -- the candidates -------------------------------------------------------------------------


def test_same_seed_same_world_other_seed_other_world(
    world: CandidateWorld, population: list[PopulationRow], geography: Geography
) -> None:
    assert candidate_world(SEED, population, geography, POLLING_DAY) == world
    other = candidate_world(SEED + 1, population, geography, POLLING_DAY)
    assert {c.pin for c in other.candidates} != {c.pin for c in world.candidates}


_DIGEST = """
import hashlib, sys
from datetime import date
from shailoo.synth.candidates import candidate_world
from shailoo.synth.geography import generate_geography
from shailoo.synth.population import generate_population
geo = generate_geography(4, 300)
world = candidate_world(4, list(generate_population(4, 20000, geo)), geo, date(2027, 3, 14))
sys.stdout.write(hashlib.sha256(repr(world).encode()).hexdigest())
"""


def test_world_does_not_depend_on_the_hash_seed(world: CandidateWorld) -> None:
    """No choice may follow the iteration order of a set of strings."""
    digests = {
        subprocess.run(
            [sys.executable, "-c", _DIGEST],
            env={**os.environ, "PYTHONHASHSEED": str(hash_seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for hash_seed in (1, 2)
    }
    assert digests == {hashlib.sha256(repr(world).encode()).hexdigest()}


def test_a_world_of_twenty_thousand_persons_takes_under_a_second(
    population: list[PopulationRow], geography: Geography
) -> None:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        candidate_world(SEED + 7, population, geography, POLLING_DAY)
        best = min(best, time.perf_counter() - started)
    assert best < 1.0


def test_every_kind_is_planted_where_the_manifest_says(world: CandidateWorld) -> None:
    planted = Counter((c.office, c.planted) for c in world.candidates if c.planted)
    assert {kind for _, kind in planted} == set(CANDIDATE_PLANTS)
    assert planted["president", "under_age"] == planted["jk_deputy", "under_age"] == 1
    assert {c.boundary for c in world.candidates if c.boundary} == set(BOUNDARIES)
    exact = {c.office for c in world.candidates if c.boundary == "exact_age"}
    assert exact == {"president", "jk_deputy"}
    assert {p.kind for p in world.planted} == set(CANDIDATE_PLANTS) | set(PARTICIPANT_PLANTS)
    by_ref = {c.ref: c.planted for c in world.candidates} | {
        p.ref: p.planted for p in world.participants
    }
    assert {(p.subject, p.kind) for p in world.planted} == {
        (ref, kind) for ref, kind in by_ref.items() if kind
    }
    kinds = {p.kind for s in world.signatures for p in s.planted}
    assert kinds == set(SIGNATURE_PLANTS) - {"forging_collector"}
    assert any(s.forging_collector for s in world.signatures)


def test_clean_candidates_meet_the_law_and_planted_ones_fail_only_their_rule(
    world: CandidateWorld,
) -> None:
    for c in world.candidates:
        expected = EXPECTED[c.planted] if c.planted else set()
        assert failures(world, c) == expected, (c.ref, c.planted, c.boundary)


def test_boundary_cases_sit_on_the_boundary(world: CandidateWorld) -> None:
    day = world.polling_day
    for c in world.candidates:
        min_age = RULES[c.office].min_age.value
        if c.boundary == "exact_age":
            assert age(c.birth_date, day) == min_age
            assert age(c.birth_date, day - timedelta(days=1)) == min_age - 1
        if c.planted == "under_age":
            assert age(c.birth_date, day) == min_age - 1
            assert age(c.birth_date, day + timedelta(days=1)) == min_age
        stays = next(r.stays for r in world.registries.residence if r.pin == c.pin)
        years = RULES[c.office].residence_years.value
        needed = (day - back(day, years)).days
        if c.boundary == "residence_exactly":  # arrived 15 years ago to the day
            assert stays == ((back(day, years), None),)
            assert len(present_days(stays, day)) == needed + 1
        if c.planted == "residence_short":
            assert len(present_days(stays, day)) < needed - 300
        if c.boundary == "absence_at_limit" or c.planted == "absence_too_long":
            (_, left), (returned, _) = stays
            assert left is not None
            absent = (returned - left).days - 1
            limit = RULES[c.office].max_absence_days_per_year
            assert limit is not None
            assert absent == (limit.value if c.boundary else 200)
            assert left.year == returned.year  # one calendar year, however years are counted
        served = sum(t.pin == c.pin for t in world.registries.terms)
        assert served == {"one_term": 1}.get(
            c.boundary or "", 2 if c.planted == "third_term" else 0
        )


def test_one_candidate_lacks_a_record_and_no_other_does(world: CandidateWorld) -> None:
    reg = world.registries
    everyone = {c.pin for c in world.candidates}
    assert {r.pin for r in reg.citizenship} == {r.pin for r in reg.residence} == everyone
    assert {r.pin for r in reg.language_tests} == everyone
    missing = everyone - {r.pin for r in reg.education}
    assert missing == {c.pin for c in world.candidates if c.planted == "missing_document"}
    answered = [r.as_of for r in reg.citizenship] + [r.as_of for r in reg.residence]
    answered += [r.as_of for r in reg.education] + [r.as_of for r in reg.language_tests]
    assert all(day < world.polling_day for day in answered)
    references = [r.reference for r in reg.citizenship]
    references += [r.reference for r in reg.residence]
    references += [r.reference for r in reg.criminal]
    assert len(set(references)) == len(references)
    assert all(r.certificate for r in reg.language_tests)


def test_candidates_are_persons_of_the_register(
    world: CandidateWorld, population: list[PopulationRow], geography: Geography
) -> None:
    register = register_of(population, world)
    abroad = {s.number for s in geography.stations if s.is_abroad}
    persons = [c.pin for c in world.candidates] + [p.pin for p in world.participants if p.pin]
    assert not {register[pin].station for pin in persons} & abroad  # they live in the country
    original = {row.pin for row in population}
    assert not original & {row.pin for row in world.new_persons}
    for row in world.new_persons:
        assert check_pin(row.pin, row.birth_date, row.sex) is None
    for c in world.candidates:
        row = register[c.pin]
        assert (row.surname, row.given_name, row.sex, row.birth_date) == (
            c.surname,
            c.given_name,
            c.sex,
            c.birth_date,
        )
        held = next(r.citizenships for r in world.registries.citizenship if r.pin == c.pin)
        assert held[0] == row.citizenship
        if c.planted is None:
            assert clean_voter(row, world.polling_day)
    assert len({c.pin for c in world.candidates}) == len(world.candidates)
    assert all(p.leader_pin in original for p in world.parties)
    codes = {p.code for p in world.parties}
    assert 6 <= len(codes) <= 8
    assert all(c.party is None or c.party in codes for c in world.candidates)


def test_offices_districts_and_lists(world: CandidateWorld, geography: Geography) -> None:
    carved = [n for stations in world.districts.values() for n in stations]
    home = {s.number for s in geography.stations if not s.is_abroad}
    assert len(carved) == len(set(carved)) and set(carved) == home
    assert sorted(world.districts) == list(range(1, 31))  # kg-2025: 30 districts
    by_office = Counter(c.office for c in world.candidates)
    assert min(by_office.values()) >= 5
    for c in world.candidates:
        assert (c.district is not None) == (c.office == "jk_deputy")
        if c.district is not None:
            assert c.district in world.districts
        assert (c.list_position is not None) == (c.office == "local_deputy")
    lists: dict[str, list[CandidateSeed]] = {}
    for c in world.candidates:
        if c.list_position is not None:
            assert c.party is not None
            lists.setdefault(c.party, []).append(c)
    for members in lists.values():
        assert [c.list_position for c in members] == list(range(1, len(members) + 1))
        sexes = Counter(c.sex for c in members)
        assert max(sexes.values()) <= 0.7 * len(members)
    assert any(c.party is None for c in world.candidates)


def test_participants_carry_their_planted_bars(
    world: CandidateWorld, population: list[PopulationRow]
) -> None:
    register = register_of(population, world)
    refs = {c.ref for c in world.candidates}
    codes = {p.code for p in world.parties}
    roles = {p.role for p in world.participants}
    assert roles == {
        "candidate_representative",
        "authorised_representative",
        "trusted_person",
        "party_representative",
        "domestic_observer",
        "international_observer",
        "media",
    }
    for p in world.participants:
        assert p.for_candidate is None or p.for_candidate in refs
        assert p.for_party is None or p.for_party in codes
        if p.pin is not None:
            row = register[p.pin]
            assert (row.surname, row.given_name) == (p.surname, p.given_name)
        if p.planted is None and p.role != "international_observer":
            assert p.pin is not None and clean_voter(register[p.pin], world.polling_day)
            assert p.citizenships == ("KG",) and p.offices == ()
        if p.role == "international_observer":
            assert p.pin is None and p.country and p.citizenships == (p.country,)
            assert p.accredited is (p.planted is None)
    planted = {p.planted: p for p in world.participants if p.planted}
    assert planted["foreign_citizen"].role == "trusted_person"
    assert planted["foreign_citizen"].citizenships == ("RU",)
    assert planted["stateless"].role == "trusted_person"
    assert planted["stateless"].citizenships == ()
    assert planted["barred_office"].role == "domestic_observer"
    assert planted["barred_office"].offices == ("law_enforcement",)
    not_voter = planted["not_a_voter"]
    assert not_voter.role == "domestic_observer" and not_voter.pin is not None
    assert not clean_voter(register[not_voter.pin], world.polling_day)
    assert register[not_voter.pin].legally_incapable


# -- the signature sheets -------------------------------------------------------------------


def test_signers_are_persons_of_the_register_but_the_planted_unknown_ones(
    world: CandidateWorld, population: list[PopulationRow]
) -> None:
    register = register_of(population, world)
    for sheets in world.signatures:
        unknown = {p.pin for p in sheets.planted if p.kind == "not_in_register"}
        assert not unknown & set(register)
        for row in sheets.rows:
            assert check_pin(row.pin) is None
            assert row.pin in register or row.pin in unknown
            assert world.signing_start <= row.signed_on <= world.signing_end
        numbered = [(r.sheet, r.line) for r in sheets.rows]
        assert numbered == sorted(set(numbered))
        assert {r.sheet for r in sheets.rows} == set(range(1, sheets.rows[-1].sheet + 1))


def test_each_planted_line_is_what_the_manifest_says(
    world: CandidateWorld, population: list[PopulationRow]
) -> None:
    register = register_of(population, world)
    candidates = {c.pin for c in world.candidates}
    for sheets in world.signatures:
        at = {(r.sheet, r.line): r for r in sheets.rows}
        pins = Counter(r.pin for r in sheets.rows)
        planted = {(p.sheet, p.line): p for p in sheets.planted}
        for where, row in at.items():
            plant = planted.get(where)
            kind = plant.kind if plant else None
            assert row.pin not in candidates
            person = register.get(row.pin)
            written = name_key(row.surname, row.given_name, row.patronymic)
            if kind in (None, "duplicate", "dead_signer", "other_territory", "signed_for_two"):
                assert person is not None
                assert (row.surname, row.given_name, row.patronymic) == (
                    person.surname,
                    person.given_name,
                    person.patronymic,
                )
            if kind is None:
                assert clean_voter(person, row.signed_on), where
                assert pins[row.pin] == 1 or row.pin in {p.pin for p in sheets.planted}
            elif kind == "forged_name":
                assert person is not None
                assert written != name_key(person.surname, person.given_name, person.patronymic)
            elif kind == "harmless_variant":
                assert person is not None
                assert (row.surname, row.given_name, row.patronymic) != (
                    person.surname,
                    person.given_name,
                    person.patronymic,
                )
                assert written == name_key(person.surname, person.given_name, person.patronymic)
            elif kind == "duplicate":
                assert plant is not None
                match = re.fullmatch(r"sheet (\d+), line (\d+)", plant.detail)
                assert match is not None
                first = at[int(match[1]), int(match[2])]
                assert first.pin == row.pin and (first.sheet, first.line) < where
                assert pins[row.pin] == 2
            elif kind == "dead_signer":
                assert person is not None and person.death_date is not None
                assert person.death_date < row.signed_on
            elif kind == "not_in_register":
                assert person is None


def test_territory_other_candidate_and_forging_collector(
    world: CandidateWorld, population: list[PopulationRow]
) -> None:
    register = register_of(population, world)
    jk = next(c for c in world.candidates if c.ref == sheets_of(world, "C10").candidate)
    assert jk.district is not None
    territory = set(world.districts[jk.district])
    sheets = sheets_of(world, "C10")
    outside = {p.pin for p in sheets.planted if p.kind in ("other_territory", "not_in_register")}
    for row in sheets.rows:
        if row.pin in register:
            assert (register[row.pin].station in territory) == (row.pin not in outside)
    first, second = sheets_of(world, "C01"), sheets_of(world, "C02")
    again = [p for p in second.planted if p.kind == "signed_for_two"]
    assert len(again) == 1
    earlier = [r for r in first.rows if r.pin == again[0].pin]
    later = [r for r in second.rows if r.pin == again[0].pin]
    assert len(earlier) == len(later) == 1 and earlier[0].signed_on < later[0].signed_on
    shared = {r.pin for r in first.rows} & {r.pin for r in second.rows}
    assert shared == {again[0].pin}
    for forging in (first, sheets):
        forged = Counter(
            r.collector
            for r in forging.rows
            for p in forging.planted
            if (p.sheet, p.line) == (r.sheet, r.line) and p.kind == "forged_name"
        )
        lines = Counter(r.collector for r in forging.rows)
        shares = {name: forged[name] / lines[name] for name in lines}
        assert forging.forging_collector is not None
        assert shares.pop(forging.forging_collector) >= 0.6
        assert max(shares.values()) <= 0.1


def test_signature_sheets_refuse_what_they_cannot_plant(
    population: list[PopulationRow],
) -> None:
    start, end = date(2026, 12, 1), date(2027, 1, 10)
    with pytest.raises(ValueError, match="unknown kinds"):
        signature_sheets(1, population, "X", 100, start, end, plant=("forgery",))
    with pytest.raises(ValueError, match="before"):
        signature_sheets(1, population, "X", 100, end, start)
    with pytest.raises(ValueError, match="too few"):
        signature_sheets(1, population, "X", 12, start, end)
    with pytest.raises(ValueError, match="voters in the territory"):
        signature_sheets(1, population, "X", 200, start, end, territory={population[0].station})
    # nobody died before 1990: no dead signer can be planted, and none is claimed
    early = signature_sheets(1, population, "X", 100, date(1990, 1, 1), date(1990, 2, 1))
    assert "dead_signer" not in {p.kind for p in early.planted}
    plain = signature_sheets(1, population, "X", 30, start, end, plant=())
    assert plain.planted == () and plain.forging_collector is None and len(plain.rows) == 30


# -- files ----------------------------------------------------------------------------------


def test_signature_csv_round_trips(world: CandidateWorld, tmp_path: Path) -> None:
    rows = sheets_of(world, "C01").rows
    path = tmp_path / "signatures.csv"
    assert write_signatures_csv(rows, path) == len(rows)
    with path.open(newline="", encoding="utf-8") as fh:
        read = list(csv.reader(fh))
    assert tuple(read[0]) == SIGNATURE_COLUMNS
    assert ",".join(read[0]) == "sheet,line,collector,pin,surname,given_name,patronymic,signed_on"
    assert read[1:] == [row.values() for row in rows]
    assert [date.fromisoformat(r[7]) for r in read[1:]] == [row.signed_on for row in rows]


def test_stated_facts_follow_the_registries(world: CandidateWorld, tmp_path: Path) -> None:
    facts = {f.ref: f for f in stated_facts(world)}
    by_kind = {(c.planted or c.boundary): facts[c.ref] for c in world.candidates}
    assert by_kind["dual_citizenship"].citizenships == ("KG", "RU")
    assert by_kind["residence_short"].residence_years == 14
    assert by_kind["residence_exactly"].residence_years == 15
    assert (by_kind["absence_too_long"].residence_years or 0) < 5
    assert (by_kind["absence_at_limit"].residence_years or 0) >= 5
    assert by_kind["language_failed"].state_language == "failed"
    assert by_kind["missing_document"].education is None
    assert by_kind["record_expunged"].criminal_record == "expunged"
    assert by_kind["record_unexpunged"].criminal_record == "unexpunged"
    assert by_kind["third_term"].terms_served == 2
    for c in world.candidates:
        f = facts[c.ref]
        assert (f.office, f.birth_date) == (c.office, c.birth_date)
        if c.planted is None:
            rules = RULES[c.office]
            assert (f.residence_years or 0) >= rules.residence_years.value
            assert f.citizenships == ("KG",) and f.state_language == "passed"
    stateless = StatedFacts("X1", "local_deputy", None, (), None, "not_taken", None, None, None)
    path = tmp_path / "facts.csv"
    assert write_stated_facts_csv([*facts.values(), stateless], path) == len(facts) + 1
    with path.open(newline="", encoding="utf-8") as fh:
        read = list(csv.reader(fh))
    assert tuple(read[0]) == STATED_FACTS_COLUMNS
    assert read[-1] == ["X1", "local_deputy", "", "stateless", "", "not_taken", "", "", ""]
    cells = {row[0]: dict(zip(read[0], row, strict=True)) for row in read[1:]}
    dual = next(c.ref for c in world.candidates if c.planted == "dual_citizenship")
    missing = next(c.ref for c in world.candidates if c.planted == "missing_document")
    assert cells[dual]["citizenships"] == "KG;RU"
    assert cells[missing]["education"] == ""
    assert cells[missing]["birth_date"] == facts[missing].birth_date.isoformat()


# -- other populations and days -------------------------------------------------------------


def test_persons_the_population_lacks_are_added_to_the_register(
    population: list[PopulationRow], geography: Geography
) -> None:
    """Nobody born on a boundary day, no foreigner, no stateless, no dual citizen and nobody
    incapable: the world adds such persons and still plants everything."""
    day = POLLING_DAY
    boundary = {back(day, n) for n in (25, 35)}
    boundary |= {back(day + timedelta(days=1), n) for n in (25, 35)}
    thinned = [
        row
        for row in population
        if row.birth_date not in boundary
        and row.citizenship == "KG"
        and not row.other_citizenships
        and not row.legally_incapable
    ]
    world = candidate_world(SEED, thinned, geography, day)
    added = {row.pin: row for row in world.new_persons}
    assert not set(added) & {row.pin for row in thinned}
    on_boundary = [c for c in world.candidates if c.birth_date in boundary]
    assert len(on_boundary) == 4
    for c in world.candidates:
        assert failures(world, c) == (EXPECTED[c.planted] if c.planted else set())
        if c in on_boundary or c.planted in ("dual_citizenship", "foreign_citizen"):
            assert c.pin in added and added[c.pin].birth_date == c.birth_date
    planted = {p.planted: p for p in world.participants if p.planted}
    assert planted["foreign_citizen"].citizenships == ("RU",)
    assert planted["stateless"].citizenships == ()
    for kind in ("foreign_citizen", "stateless", "not_a_voter"):
        pin = planted[kind].pin
        assert pin is not None and pin in added
    assert added[planted["not_a_voter"].pin or ""].legally_incapable
    for row in added.values():
        assert check_pin(row.pin, row.birth_date, row.sex) is None


def test_a_population_too_small_is_refused(geography: Geography) -> None:
    rows = list(generate_population(SEED, 300, geography))
    with pytest.raises(ValueError, match="too few voters"):
        candidate_world(SEED, rows, geography, POLLING_DAY)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    seed=st.integers(0, 2**32),
    day=st.dates(min_value=date(2026, 6, 1), max_value=date(2029, 12, 31)),
)
@example(seed=0, day=date(2028, 2, 29))
@example(seed=1, day=date(2028, 2, 28))
@example(seed=2, day=date(2027, 12, 31))
def test_any_seed_and_day_plants_everything_and_keeps_the_clean_clean(
    population: list[PopulationRow], geography: Geography, seed: int, day: date
) -> None:
    world = candidate_world(seed, population, geography, day)
    assert {c.planted for c in world.candidates if c.planted} == set(CANDIDATE_PLANTS)
    for c in world.candidates:
        assert failures(world, c) == (EXPECTED[c.planted] if c.planted else set()), c.ref
        if c.planted == "under_age":
            assert age(c.birth_date, day + timedelta(days=2)) == RULES[c.office].min_age.value
    kinds = {p.kind for s in world.signatures for p in s.planted}
    assert kinds == set(SIGNATURE_PLANTS) - {"forging_collector"}
