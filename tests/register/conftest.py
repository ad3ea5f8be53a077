"""A small synthetic country for register tests: geography imported, an election current."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from shailoo.synth.geography import Geography, generate_geography, write_geography_csv
from shailoo.synth.population import write_population_csv

SEED = 11
STATIONS = 40
PERSONS = 3000


@dataclass
class World:
    geography: Geography
    geo_csv: Path
    population_csv: Path
    truth_csv: Path
    tmp: Path


@pytest.fixture(scope="session")
def world_files(tmp_path_factory: pytest.TempPathFactory) -> World:
    tmp = tmp_path_factory.mktemp("world")
    geography = generate_geography(SEED, STATIONS)
    geo_csv = tmp / "geography.csv"
    write_geography_csv(geography, geo_csv)
    population_csv, truth_csv = tmp / "population.csv", tmp / "truth.csv"
    write_population_csv(population_csv, SEED, PERSONS, geography, truth_path=truth_csv)
    return World(geography, geo_csv, population_csv, truth_csv, tmp)


@pytest.fixture
def world(db, world_files: World) -> World:
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography

    summary = import_geography(world_files.geo_csv)
    assert not summary.rejects
    Election.objects.create(
        code="test",
        name="Test election",
        polling_day=datetime.date(2027, 3, 14),
        law_edition="kg-2025",
        is_current=True,
    )
    return world_files
