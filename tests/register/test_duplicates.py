"""Likely duplicate persons: blocking, scoring, and recall on planted duplicates."""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest

from shailoo.register import duplicates
from shailoo.register.duplicates import DEFAULT_THRESHOLD, DuplicatePair, find_likely_duplicates
from shailoo.register.names import name_key, similarity
from shailoo.synth.geography import generate_geography
from shailoo.synth.namepools import KYRGYZ
from shailoo.synth.population import write_population_csv

BORN = date(1990, 5, 17)


def record(pin: str, surname: str, given: str, patronymic: str = "", born: date = BORN,
           sex: str = "M") -> tuple[str, date, str, str]:  # fmt: skip
    return (pin, born, name_key(surname, given, patronymic), sex)


def test_spelling_variants_of_one_person_are_paired() -> None:
    records = [
        record("21705199000001", "Өмүров", "Бакыт", "Асанович"),
        record("21705199000002", "Oмypoв", "Бакыт", "Асанович"),  # Latin look-alikes
        record("21705199000003", "Омуров", "Бакыт", "Асанович"),  # Russian letters
        record("21705199000004", "Токтосунов", "Нурлан", "Маматович"),
    ]
    pairs = find_likely_duplicates(records)
    assert {(p.pin_a, p.pin_b) for p in pairs} == {
        ("21705199000001", "21705199000002"),
        ("21705199000001", "21705199000003"),
        ("21705199000002", "21705199000003"),
    }
    assert all(p.score == 100.0 and "same name key" in p.reason for p in pairs)


def test_vowel_variant_is_paired_with_its_reason() -> None:
    pairs = find_likely_duplicates(
        [
            record("21705199000011", "Маматов", "Асан", "Бакытович"),
            record("21705199000012", "Мамытов", "Асан", "Бакытович"),
        ]
    )
    assert len(pairs) == 1
    assert pairs[0].score >= 95.0 and "vowels" in pairs[0].reason


def test_only_the_same_birth_date_and_sex_are_compared() -> None:
    pairs = find_likely_duplicates(
        [
            record("21705199000021", "Асанов", "Бакыт"),
            record("21805199000022", "Асанов", "Бакыт", born=date(1990, 5, 18)),
            record("11705199000023", "Асанов", "Бакыт", sex="F"),
        ]
    )
    assert pairs == []


def test_siblings_and_one_pin_twice_are_not_pairs() -> None:
    pairs = find_likely_duplicates(
        [
            record("21705199000031", "Асанов", "Үсөн", "Бакытович"),  # twins
            record("21705199000032", "Асанов", "Улан", "Бакытович"),
            record("21705199000033", "Жумабаев", "Эрлан"),
            record("21705199000033", "Жумабаев", "Эрлан"),  # the same PIN read twice
            ("21705199000034", BORN, "", "M"),  # no name key: skipped
            ("21705199000035", BORN, "", "M"),
        ]
    )
    assert pairs == []


def test_pairs_are_ordered_and_canonical() -> None:
    records = [
        record("21705199000049", "Сапаров", "Азамат"),
        record("21705199000041", "Сапаров", "Азамат"),
        record("21705199000045", "Сапарав", "Азамат"),
    ]
    pairs = find_likely_duplicates(records)
    assert all(isinstance(p, DuplicatePair) and p.pin_a < p.pin_b for p in pairs)
    assert [p.score for p in pairs] == sorted((p.score for p in pairs), reverse=True)
    assert pairs[0] == DuplicatePair(
        "21705199000041", "21705199000049", 100.0, "same birth date and sex, same name key"
    )


@pytest.mark.parametrize("threshold", [-1.0, 100.5])
def test_threshold_out_of_range_is_refused(threshold: float) -> None:
    with pytest.raises(ValueError, match="threshold"):
        find_likely_duplicates([], threshold=threshold)


def test_large_blocks_give_the_same_pairs_as_brute_force() -> None:
    rng = random.Random(3)
    records = []
    for n in range(60):
        surname = rng.choice(KYRGYZ.surnames)
        given = rng.choice(KYRGYZ.male)
        records.append(record(f"2170519900{n:04d}", surname, given, "Асанович"))
        if n % 7 == 0:
            records.append(record(f"2170519901{n:04d}", surname.replace("а", "ы", 1), given,
                                  "Асанович"))  # fmt: skip
    assert len(records) > duplicates._MATRIX_FROM
    expected = {
        tuple(sorted((a[0], b[0])))
        for i, a in enumerate(records)
        for b in records[i + 1 :]
        if a[0] != b[0] and similarity(a[2], b[2]) >= DEFAULT_THRESHOLD
    }
    found = {(p.pin_a, p.pin_b) for p in find_likely_duplicates(records)}
    assert found == expected
    assert len(found) >= 9


def test_planted_duplicates_are_found_with_few_false_pairs(tmp_path: Path) -> None:
    geography = generate_geography(21, 200)
    population, truth = tmp_path / "population.csv", tmp_path / "truth.csv"
    write_population_csv(population, 21, 30_000, geography, truth_path=truth)
    with truth.open(encoding="utf-8") as fh:
        planted = {r["pin"] for r in csv.DictReader(fh) if r["problem"] == "duplicate"}
    with population.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    records = [
        (r["pin"], r["birth_date"], name_key(r["surname"], r["given_name"], r["patronymic"]),
         r["sex"])
        for r in rows
    ]  # fmt: skip
    pairs = find_likely_duplicates(records)
    true_pairs = [p for p in pairs if p.pin_a in planted and p.pin_b in planted]
    found = {p.pin_a for p in true_pairs} | {p.pin_b for p in true_pairs}
    assert len(planted) >= 80
    assert len(found) / len(planted) >= 0.95  # recall
    false_pairs = len(pairs) - len(true_pairs)
    assert false_pairs <= len(rows) * 0.0005  # at most 5 per 10,000 persons
    by_pin = defaultdict(list)
    for pin, born, _, sex in records:
        by_pin[pin].append((born, sex))
    assert all(by_pin[p.pin_a] == by_pin[p.pin_b] for p in pairs)
