"""Name rules of the synthetic registry, spelling variants, and the ``shailoo synth`` CLI."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from shailoo.register.duplicates import DEFAULT_THRESHOLD
from shailoo.register.names import name_key, similarity
from shailoo.synth import namepools
from shailoo.synth.cli import app
from shailoo.synth.namepools import feminine, patronymic, russify, surname_from_name
from shailoo.synth.variants import VARIANTS, spelling_variant

POOLS = [value for value in vars(namepools).values() if isinstance(value, namepools.NamePool)]
CYRILLIC_NAME = re.compile(r"^[А-ЯЁӨҮҢа-яёөүң-]+$")


@pytest.mark.parametrize(
    ("father", "sex", "style", "expected"),
    [
        ("Асанбек", "M", "ovich", "Асанбекович"),
        ("Асанбек", "F", "ovich", "Асанбековна"),
        ("Асанбек", "M", "uulu", "Асанбек уулу"),
        ("Асанбек", "F", "uulu", "Асанбек кызы"),
        ("Эсенбай", "M", "ovich", "Эсенбаевич"),
        ("Сергей", "F", "ovich", "Сергеевна"),
        ("Юрий", "M", "ovich", "Юрьевич"),
        ("Илья", "M", "ovich", "Ильич"),
        ("Муса", "F", "ovich", "Мусаевна"),
        ("Шерзод", "M", "ugli", "Шерзод угли"),
        ("Ахмед", "F", "ogly", "Ахмед кызы"),
        ("Вэй", "M", "none", ""),
    ],
)
def test_patronymics(father: str, sex: str, style: str, expected: str) -> None:
    assert patronymic(father, sex, style) == expected


def test_surnames_from_names_and_feminine_forms() -> None:
    assert surname_from_name("Бакыт") == "Бакытов"
    assert surname_from_name("Эсенбай") == "Эсенбаев"
    assert surname_from_name("Алы") == "Алыев"
    assert feminine("Өмүров") == "Өмүрова"
    assert feminine("Никитин") == "Никитина"
    assert feminine("Ковальский") == "Ковальская"
    assert feminine("Шевченко") == "Шевченко" and feminine("Ким") == "Ким"
    assert russify("Айгүл") == "Айгуль" and russify("Өмүрбек") == "Омурбек"


def test_pools_are_cyrillic_and_without_repeats() -> None:
    assert len(POOLS) >= 13
    for pool in POOLS:
        for names in (pool.male, pool.female, pool.surnames):
            assert len(set(names)) == len(names), pool.code
            assert all(CYRILLIC_NAME.match(n) for n in names), pool.code
        assert sum(w for _, w in pool.patronymics) == pytest.approx(1.0)
    national = sum(w for mix in namepools.REGION_MIX.values() for _, w in mix)
    assert national > 0


@given(
    st.sampled_from(namepools.KYRGYZ.surnames + namepools.UZBEK.surnames),
    st.sampled_from(namepools.KYRGYZ.male + namepools.RUSSIAN.female),
    st.sampled_from(["Асанбекович", "Токтосун кызы", "", "Рахимжановна"]),
    st.integers(min_value=0, max_value=2**32),
)
def test_a_spelling_variant_changes_the_name_but_not_the_person(
    surname: str, given_name: str, middle: str, seed: int
) -> None:
    original = (surname, given_name, middle)
    changed, kind = spelling_variant(random.Random(seed), original)
    assert changed != original and kind in VARIANTS
    score = similarity(name_key(*original), name_key(*changed))
    assert score >= DEFAULT_THRESHOLD


runner = CliRunner()


def test_cli_writes_geography_and_population(tmp_path: Path) -> None:
    geo, pop, truth = tmp_path / "geo.csv", tmp_path / "pop.csv", tmp_path / "truth.csv"
    result = runner.invoke(app, ["geo", "--stations", "120", "--seed", "8", "--out", str(geo)])
    assert result.exit_code == 0, result.output
    assert "synth geo: 120 stations" in result.output
    args = ["population", "--persons", "1500", "--seed", "8", "--stations", "120"]
    result = runner.invoke(app, [*args, "--out", str(pop), "--truth", str(truth)])
    assert result.exit_code == 0, result.output
    assert "synth population: 1,500 persons" in result.output
    stations = {line.split(",")[0] for line in geo.read_text(encoding="utf-8").splitlines()[1:]}
    used = {line.rsplit(",", 1)[1] for line in pop.read_text(encoding="utf-8").splitlines()[1:]}
    assert used <= stations
    assert truth.read_text(encoding="utf-8").startswith("pin,problem\n")
    again = tmp_path / "again.csv"
    assert runner.invoke(app, [*args, "--out", str(again)]).exit_code == 0
    assert again.read_bytes() == pop.read_bytes()
    later = tmp_path / "later.csv"
    result = runner.invoke(app, [*args, "--out", str(later), "--later"])
    assert result.exit_code == 0 and "1,515 persons" in result.output


def test_cli_refuses_too_few_stations(tmp_path: Path) -> None:
    result = runner.invoke(app, ["geo", "--stations", "3", "--out", str(tmp_path / "g.csv")])
    assert result.exit_code == 2
    assert not (tmp_path / "g.csv").exists()
