"""The synthetic geography: real regions, realistic counts, unique numbers, stable bytes."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.synth.geography import (
    GEOGRAPHY_COLUMNS,
    Geography,
    allocate,
    generate_geography,
    write_geography_csv,
)

ISO_CODES = {"KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y", "KG-GB", "KG-GO"}
BLOCKS = {"KG-Y": 1, "KG-J": 2, "KG-N": 3, "KG-B": 4, "KG-O": 5, "KG-T": 6, "KG-C": 7,
          "KG-GB": 8, "KG-GO": 9, "ABROAD": 9}  # fmt: skip


@pytest.fixture(scope="module")
def national() -> Geography:
    return generate_geography(3, 2500)


def test_regions_are_the_real_nine_plus_abroad(national: Geography) -> None:
    codes = {r.code: r for r in national.regions}
    assert set(codes) == ISO_CODES | {"ABROAD"}
    assert codes["KG-C"].name_ru == "Чуйская область" and codes["KG-C"].name_ky == "Чүй облусу"
    assert codes["KG-GB"].name_en == "Bishkek City"
    assert codes["ABROAD"].is_abroad and not codes["KG-O"].is_abroad


def test_national_counts_are_realistic(national: Geography) -> None:
    stations = national.stations
    assert len(stations) == 2500
    assert len(national.tecs) in range(50, 62) and len(national.districts) in range(50, 61)
    assert sum(t.region_code == "ABROAD" for t in national.tecs) == 1
    abroad = sum(s.is_abroad for s in stations)
    remote = sum(s.is_remote_voting for s in stations)
    assert 0.02 <= abroad / 2500 <= 0.04
    assert 0.005 <= remote / 2500 <= 0.015
    per_region = Counter(s.region.code for s in stations)
    largest = {code for code, _ in per_region.most_common(3)}
    assert {"KG-GB", "KG-O"} <= largest
    assert per_region["KG-N"] < per_region["KG-C"]
    assert all(300 <= s.capacity <= 3000 for s in stations)


def test_station_numbers_are_unique_four_digit_and_grouped_by_region(national: Geography) -> None:
    numbers = [s.number for s in national.stations]
    assert len(set(numbers)) == len(numbers)
    assert all(1000 < n < 10000 for n in numbers)
    for station in national.stations:
        assert station.number // 1000 == BLOCKS[station.region.code]
    osh_city = [s.number for s in national.stations if s.region.code == "KG-GO"]
    abroad = [s.number for s in national.stations if s.is_abroad]
    assert max(osh_city) < 9500 < min(abroad)


def test_districts_tecs_and_addresses_are_real_and_consistent(national: Geography) -> None:
    names = {d.name_ru for d in national.districts}
    assert {"Сокулукский район", "Кара-Сууйский район", "Свердловский район"} <= names
    for station in national.stations:
        assert station.address.startswith(station.locality + ", ")
        if station.is_abroad:
            assert station.district is None and station.tec.code == "TEC-ABROAD"
        else:
            assert station.district is not None
            assert station.district.region_code == station.region.code
            assert station.tec.code == f"TEC-{station.district.code}"
            assert station.tec.region_code == station.region.code
    bishkek = [s for s in national.stations if s.region.code == "KG-GB"]
    assert all(s.address.startswith("г. Бишкек, ") for s in bishkek)
    moscow = [s for s in national.stations if "Москва" in s.locality]
    assert moscow and moscow[0].name.startswith("Посольство")
    remote = [s for s in national.stations if s.is_remote_voting]
    assert all(s.urban and not s.is_abroad for s in remote)
    assert not set(national.residential_stations()) & set(remote)


def test_csv_has_exactly_the_agreed_columns(tmp_path: Path, national: Geography) -> None:
    path = tmp_path / "geo.csv"
    assert write_geography_csv(national, path) == 2500
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert tuple(header) == GEOGRAPHY_COLUMNS == (
        "number", "name", "address", "region_code", "region_name_ky", "region_name_ru",
        "region_name_en", "district_code", "district_name_ky", "district_name_ru", "tec_code",
        "tec_name", "is_abroad", "is_remote_voting", "capacity",
    )  # fmt: skip
    assert len(rows) == 2500 and all(len(r) == 15 for r in rows)
    for row in rows:
        assert row[12] in ("0", "1") and row[13] in ("0", "1")
        assert (row[3] == "ABROAD") == (row[12] == "1")
        assert row[0].isdigit() and row[14].isdigit()
        assert all(row[i] for i in (1, 2, 3, 4, 5, 6, 10, 11))
        assert len(row[7]) <= 16 and len(row[10]) <= 16


def test_same_seed_same_bytes_other_seed_other_stations(tmp_path: Path) -> None:
    paths = [tmp_path / f"{n}.csv" for n in range(3)]
    write_geography_csv(generate_geography(9, 300), paths[0])
    write_geography_csv(generate_geography(9, 300), paths[1])
    write_geography_csv(generate_geography(10, 300), paths[2])
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


@pytest.mark.parametrize("count", [10, 40, 137, 2500, 6000])
def test_any_size_has_every_region_and_unique_numbers(count: int) -> None:
    geography = generate_geography(1, count)
    assert len(geography.stations) == count
    assert {s.region.code for s in geography.stations} == ISO_CODES | {"ABROAD"}
    numbers = [s.number for s in geography.stations]
    assert len(set(numbers)) == count and all(0 < n < 1_000_000 for n in numbers)


def test_a_country_too_large_for_four_digits_is_numbered_in_five() -> None:
    numbers = [s.number for s in generate_geography(1, 12_000).stations]
    assert len(set(numbers)) == 12_000
    assert all(10_000 < n < 100_000 for n in numbers)


def test_too_few_stations_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 10"):
        generate_geography(1, 9)


@given(
    st.integers(min_value=0, max_value=5000),
    st.lists(st.floats(min_value=0.01, max_value=1000), min_size=1, max_size=12),
    st.integers(min_value=0, max_value=3),
)
def test_allocate_splits_exactly_and_proportionally(total: int, weights: list[float],
                                                    minimum: int) -> None:  # fmt: skip
    parts = allocate(total, weights, minimum)
    assert sum(parts) == total and len(parts) == len(weights)
    if total >= minimum * len(weights):
        assert min(parts) >= minimum
    scale = (total - (minimum * len(weights) if total >= minimum * len(weights) else 0)) / sum(
        weights
    )
    floor = minimum if total >= minimum * len(weights) else 0
    assert all(abs(p - floor - w * scale) < 1 for p, w in zip(parts, weights, strict=True))


def test_allocate_refuses_bad_weights() -> None:
    with pytest.raises(ValueError):
        allocate(5, [])
    with pytest.raises(ValueError):
        allocate(5, [0.0, 0.0])
