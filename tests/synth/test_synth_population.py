"""The synthetic population extract: format, PINs, planted problems, later extract, bytes."""

from __future__ import annotations

import csv
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from shailoo.register.pin import check_pin
from shailoo.synth.geography import Geography, generate_geography
from shailoo.synth.population import (
    DEFAULT_AS_OF,
    DEFAULT_LATER_AS_OF,
    POPULATION_COLUMNS,
    PROBLEMS,
    PopulationRow,
    Rates,
    age_on,
    evolve_population,
    generate_population,
    row_problems,
    write_population_csv,
)

SEED, STATIONS, PERSONS = 4, 300, 20_000
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass
class Extract:
    rows: list[dict[str, str]]
    truth: dict[str, list[str]]
    problems: Counter[str]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _extract(tmp: Path, later: bool) -> Extract:
    population, truth = tmp / "population.csv", tmp / "truth.csv"
    geography = generate_geography(SEED, STATIONS)
    summary = write_population_csv(
        population, SEED, PERSONS, geography, truth_path=truth, later=later
    )
    by_pin: dict[str, list[str]] = defaultdict(list)
    for row in _read(truth):
        by_pin[row["pin"]].append(row["problem"])
    return Extract(_read(population), dict(by_pin), summary.problems)


@pytest.fixture(scope="module")
def geography() -> Geography:
    return generate_geography(SEED, STATIONS)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    return _extract(tmp_path_factory.mktemp("first"), later=False)


@pytest.fixture(scope="module")
def later(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    return _extract(tmp_path_factory.mktemp("later"), later=True)


def test_columns_in_order_and_exact_row_count(tmp_path: Path, geography: Geography) -> None:
    path = tmp_path / "p.csv"
    write_population_csv(path, SEED, 500, geography)
    with path.open(encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split(",")
    assert tuple(header) == POPULATION_COLUMNS == (
        "pin", "surname", "given_name", "patronymic", "sex", "birth_date", "citizenship",
        "other_citizenships", "legally_incapable", "in_confinement", "biometric_registered",
        "death_date", "address", "dwelling_id", "station",
    )  # fmt: skip
    assert len(_read(path)) == 500


def test_every_pin_is_valid_unique_and_consistent(first: Extract) -> None:
    pins = [r["pin"] for r in first.rows]
    assert len(set(pins)) == len(pins) == PERSONS
    for row in first.rows:
        born = date.fromisoformat(row["birth_date"])
        assert check_pin(row["pin"], born, row["sex"]) is None


def test_field_formats(first: Extract, geography: Geography) -> None:
    residential = {s.number: s for s in geography.residential_stations()}
    for row in first.rows:
        assert row["sex"] in ("M", "F")
        assert date.fromisoformat(row["birth_date"]) < DEFAULT_AS_OF
        assert _COUNTRY.match(row["citizenship"])
        others = row["other_citizenships"]
        assert not others or all(_COUNTRY.match(c) for c in others.split(";"))
        for flag in ("legally_incapable", "in_confinement", "biometric_registered"):
            assert row[flag] in ("0", "1")
        if row["death_date"]:
            assert row["birth_date"] <= row["death_date"] < DEFAULT_AS_OF.isoformat()
        station = residential[int(row["station"])]  # never a remote-voting station
        assert row["address"].startswith(station.locality + ", ")
        assert 0 < len(row["dwelling_id"]) <= 40 and len(row["address"]) <= 300
        assert row["surname"] and row["given_name"]
        assert all(len(row[f]) <= 100 for f in ("surname", "given_name", "patronymic"))


def test_households_and_crowded_dwellings(first: Extract) -> None:
    sizes = Counter(r["dwelling_id"] for r in first.rows)
    crowded = {d for d, n in sizes.items() if n > 10}
    assert 1 <= len(crowded) <= 5
    marked = {p for p, codes in first.truth.items() if "crowded_dwelling" in codes}
    assert marked == {r["pin"] for r in first.rows if r["dwelling_id"] in crowded}
    ordinary = [n for d, n in sizes.items() if d not in crowded]
    assert max(ordinary) <= 10 and 3.5 <= sum(ordinary) / len(ordinary) <= 5
    by_dwelling: dict[str, set[str]] = defaultdict(set)
    for row in first.rows:
        by_dwelling[row["dwelling_id"]].add(row["address"])
    assert all(len(addresses) == 1 for addresses in by_dwelling.values())


def test_age_pyramid_and_planted_rates(first: Extract) -> None:
    n = len(first.rows)
    share = {code: first.problems[code] / n for code in PROBLEMS}
    assert 0.33 <= share["minor"] <= 0.40
    assert 0.002 <= share["dead"] <= 0.01
    assert 0.001 <= share["foreign"] <= 0.01
    assert 0.0003 <= share["stateless"] <= 0.003
    assert 0.005 <= share["dual_citizen"] <= 0.02
    assert 0.0005 <= share["incapable"] <= 0.005
    assert 0.0005 <= share["confinement"] <= 0.005
    assert 0.002 <= share["duplicate"] <= 0.008
    adults = [
        r
        for r in first.rows
        if r["citizenship"] == "KG"
        and age_on(date.fromisoformat(r["birth_date"]), DEFAULT_AS_OF) >= 18
    ]
    missing = sum(r["biometric_registered"] == "0" for r in adults) / len(adults)
    assert 0.035 <= missing <= 0.07
    assert first.problems["moved"] == first.problems["new"] == 0


def test_truth_agrees_with_the_rows(first: Extract) -> None:
    rows = {r["pin"]: r for r in first.rows}
    assert set(first.truth) <= set(rows)
    for codes in first.truth.values():
        assert set(codes) <= set(PROBLEMS) and len(codes) == len(set(codes))
    for pin, row in rows.items():
        typed = PopulationRow(
            pin, row["surname"], row["given_name"], row["patronymic"], row["sex"],
            date.fromisoformat(row["birth_date"]), row["citizenship"], row["other_citizenships"],
            row["legally_incapable"] == "1", row["in_confinement"] == "1",
            row["biometric_registered"] == "1",
            date.fromisoformat(row["death_date"]) if row["death_date"] else None,
            row["address"], row["dwelling_id"], int(row["station"]),
        )  # fmt: skip
        assert typed.values() == [row[c] for c in POPULATION_COLUMNS]
        own = set(first.truth.get(pin, ())) - {"duplicate", "crowded_dwelling"}
        assert own == set(row_problems(typed, DEFAULT_AS_OF))


def test_planted_duplicates_are_the_same_person_under_another_spelling(first: Extract) -> None:
    rows = {r["pin"]: r for r in first.rows}
    planted = [rows[p] for p, codes in first.truth.items() if "duplicate" in codes]
    by_person: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in planted:
        by_person[(row["birth_date"], row["sex"])].append(row)
    assert all(len(group) >= 2 for group in by_person.values())
    spelled_apart = sum(
        1
        for group in by_person.values()
        if len({(r["surname"], r["given_name"], r["patronymic"]) for r in group}) > 1
    )
    assert spelled_apart == len(by_person)


def test_names_are_cyrillic_except_planted_look_alikes(first: Extract) -> None:
    latin = re.compile(r"[A-Za-z]")
    for row in first.rows:
        name = f"{row['surname']} {row['given_name']} {row['patronymic']}"
        if latin.search(name):
            assert "duplicate" in first.truth.get(row["pin"], ())
    peoples = Counter(row["surname"][-2:] for row in first.rows)
    assert peoples["ов"] + peoples["ев"] + peoples["ва"] > len(first.rows) * 0.7
    assert any(r["patronymic"].endswith(("уулу", "кызы")) for r in first.rows)
    assert any(r["patronymic"].endswith(("ович", "овна", "евич", "евна")) for r in first.rows)


def test_same_seed_same_bytes(tmp_path: Path, geography: Geography) -> None:
    outputs = []
    for n, seed in enumerate((SEED, SEED, SEED + 1)):
        pop, truth = tmp_path / f"p{n}.csv", tmp_path / f"t{n}.csv"
        write_population_csv(pop, seed, 3000, geography, truth_path=truth)
        outputs.append((pop.read_bytes(), truth.read_bytes()))
    assert outputs[0] == outputs[1]
    assert outputs[0][0] != outputs[2][0]


def test_generator_streams_and_matches_the_file(tmp_path: Path, geography: Geography) -> None:
    started = time.perf_counter()
    first_row = next(generate_population(SEED, 10_000_000, geography))
    assert time.perf_counter() - started < 2.0  # nothing is built up front
    path = tmp_path / "p.csv"
    write_population_csv(path, SEED, 200, geography)
    rows = list(generate_population(SEED, 200, geography))
    assert rows[0] == first_row
    assert [r.values() for r in rows] == [list(r.values()) for r in _read(path)]


def test_later_extract_moves_deaths_and_newcomers(first: Extract, later: Extract) -> None:
    assert len(later.rows) == PERSONS + round(PERSONS * Rates().new)
    before = {r["pin"]: r for r in first.rows}
    assert [r["pin"] for r in later.rows[:PERSONS]] == [r["pin"] for r in first.rows]
    moved = died = 0
    for row in later.rows[:PERSONS]:
        old = before[row["pin"]]
        changed = {c for c in POPULATION_COLUMNS if row[c] != old[c]}
        assert changed <= {"address", "dwelling_id", "station", "death_date"}
        if "dwelling_id" in changed:
            moved += 1
            assert "moved" in later.truth[row["pin"]]
        if "death_date" in changed:
            died += 1
            assert not old["death_date"]
            assert DEFAULT_AS_OF.isoformat() < row["death_date"] <= DEFAULT_LATER_AS_OF.isoformat()
            assert {"died", "dead"} <= set(later.truth[row["pin"]])
    assert 0.01 <= moved / PERSONS <= 0.035
    assert 0.002 <= died / PERSONS <= 0.01
    newcomers = later.rows[PERSONS:]
    assert all("new" in later.truth[r["pin"]] for r in newcomers)
    assert len({r["pin"] for r in later.rows}) == len(later.rows)
    for row in newcomers:
        assert check_pin(row["pin"], date.fromisoformat(row["birth_date"]), row["sex"]) is None
        assert row["birth_date"] < DEFAULT_LATER_AS_OF.isoformat() and not row["death_date"]


def test_evolve_population_is_the_later_file(tmp_path: Path, geography: Geography) -> None:
    path = tmp_path / "later.csv"
    write_population_csv(path, SEED, 400, geography, later=True)
    rows = [r.values() for r in evolve_population(SEED, 400, geography)]
    assert rows == [list(r.values()) for r in _read(path)]
    again = tmp_path / "again.csv"
    write_population_csv(again, SEED, 400, geography, later=True)
    assert path.read_bytes() == again.read_bytes()


def test_bad_arguments_are_refused(tmp_path: Path, geography: Geography) -> None:
    with pytest.raises(ValueError, match="negative"):
        next(generate_population(SEED, -1, geography))
    with pytest.raises(ValueError, match="after"):
        next(evolve_population(SEED, 10, geography, later_as_of=DEFAULT_AS_OF))
    empty = tmp_path / "empty.csv"
    summary = write_population_csv(empty, SEED, 0, geography)
    assert summary.rows == 0 and empty.read_text(encoding="utf-8").count("\n") == 1


def test_summary_counts(tmp_path: Path, geography: Geography) -> None:
    seen: list[int] = []
    summary = write_population_csv(
        tmp_path / "p.csv", SEED, 25_000, geography, on_progress=seen.append
    )
    assert summary.rows == 25_000 and summary.truth_path is None
    assert seen == [10_000, 20_000, 25_000]
    assert 4_000 < summary.dwellings < 8_000
    assert "25,000 persons" in summary.line() and "duplicate" in summary.line()
