"""The synthetic electoral geography: real regions and rayons, synthetic polling stations.

Pure and deterministic: the same seed and station count give the same stations, numbers and
addresses, so a population generated later (``synth.population``) refers to the same
stations as the geography file an operator imported.

Station numbers are four digits grouped by region in the order of the state classifier
(1xxx Issyk-Kul, 2xxx Jalal-Abad, 3xxx Naryn, 4xxx Batken, 5xxx Osh region, 6xxx Talas,
7xxx Chüy, 8xxx Bishkek, 9001-9499 Osh city, 9501-9999 abroad). A country too large for
that (a region over 999 stations) is numbered the same way in five digits (10001, ...).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from shailoo.synth.places import (
    ABROAD,
    ABROAD_CITIES,
    COMMON_STREETS,
    NAMESAKES,
    REGIONS,
    DistrictPlace,
    RegionPlace,
)

#: Columns of the geography CSV, in order (docs/formats.md).
GEOGRAPHY_COLUMNS: tuple[str, ...] = (
    "number",
    "name",
    "address",
    "region_code",
    "region_name_ky",
    "region_name_ru",
    "region_name_en",
    "district_code",
    "district_name_ky",
    "district_name_ru",
    "tec_code",
    "tec_name",
    "is_abroad",
    "is_remote_voting",
    "capacity",
)
MIN_STATIONS = 10
ABROAD_SHARE = 0.03
REMOTE_SHARE = 0.011


@dataclass(frozen=True, slots=True)
class Region:
    """A region (ISO 3166-2:KG) or the pseudo-region ``ABROAD``."""

    code: str
    name_ky: str
    name_ru: str
    name_en: str
    is_abroad: bool


@dataclass(frozen=True, slots=True)
class District:
    """A rayon, a city of regional significance, or a city district of Bishkek."""

    code: str
    region_code: str
    name_ky: str
    name_ru: str


@dataclass(frozen=True, slots=True)
class Tec:
    """A territorial election commission: one per district, one for voting abroad."""

    code: str
    name: str
    region_code: str


@dataclass(frozen=True, slots=True)
class Station:
    """A polling station, plus what the population generator needs to address dwellings.

    ``locality`` is the address up to the settlement ("Чуйская обл., Сокулукский р-н,
    с. Сокулук"); ``streets`` are the streets of that locality; ``urban`` says whether its
    dwellings are flats.
    """

    number: int
    name: str
    address: str
    region: Region
    district: District | None
    tec: Tec
    is_abroad: bool
    is_remote_voting: bool
    capacity: int
    locality: str
    urban: bool
    streets: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Geography:
    """A whole synthetic electoral geography."""

    seed: int
    regions: tuple[Region, ...]
    districts: tuple[District, ...]
    tecs: tuple[Tec, ...]
    stations: tuple[Station, ...]

    def residential_stations(self) -> tuple[Station, ...]:
        """Stations where persons are registered: all but the special remote-voting ones."""
        return tuple(s for s in self.stations if not s.is_remote_voting)


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` into integer parts proportional to ``weights`` (largest remainder).

    Every part gets at least ``minimum`` when ``total`` allows it.
    """
    if total < 0 or not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
        raise ValueError("allocate needs a non-negative total and positive weights")
    if total == 0:
        return [0] * len(weights)
    floor = minimum if total >= minimum * len(weights) else 0
    rest = total - floor * len(weights)
    scale = rest / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + floor for p in parts]


def _tec_name(district: DistrictPlace, region: RegionPlace) -> str:
    """ "ТИК Баткенского района", "ТИК города Кызыл-Кия", "ТИК Ленинского района г. Бишкек"."""
    if district.name_ru.startswith("город "):
        return "ТИК города " + district.name_ru.removeprefix("город ")
    adjective = district.name_ru.removesuffix(" район")
    name = f"ТИК {adjective[:-2]}ого района"
    if region.code == "KG-GB":
        name += " г. Бишкек"
    return name


def _locality(region: RegionPlace, district: DistrictPlace, settlement: str) -> str:
    parts = [region.address_ru]
    if not district.urban:
        parts.append(district.name_ru.replace(" район", " р-н"))
    parts.append(settlement)
    return ", ".join(p for p in parts if p)


class _Namer:
    """Station names as they are: schools by number or namesake, halls, village offices.

    A school often hosts two or three stations, so numbers repeat; a city has more schools
    than a town, a town more than a village.
    """

    SCHOOLS = {"г. Бишкек": 110, "г. Ош": 60}

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def school(self, settlement: str) -> int:
        most = self.SCHOOLS.get(settlement, 20 if settlement.startswith("г. ") else 4)
        return self.rng.randint(1, most)

    def domestic(self, settlement: str, urban: bool) -> str:
        roll = self.rng.random()
        if urban or settlement.startswith("г. "):
            if roll < 0.55:
                return f"СОШ №{self.school(settlement)}"
            if roll < 0.70:
                return f"Гимназия №{self.school(settlement)}"
            if roll < 0.80:
                return f"Школа-гимназия №{self.school(settlement)}"
            if roll < 0.88:
                return f"Лицей №{self.school(settlement)}"
            if roll < 0.95:
                return f"СОШ им. {self.rng.choice(NAMESAKES)}"
            return "Дом культуры"
        if roll < 0.45:
            return f"СОШ им. {self.rng.choice(NAMESAKES)}"
        if roll < 0.70:
            return f"СОШ №{self.school(settlement)}"
        if roll < 0.82:
            return "Дом культуры"
        if roll < 0.92:
            return "Айыл өкмөтү"
        return "Сельский клуб"


def _capacity(rng: random.Random, urban: bool, abroad: bool, remote: bool) -> int:
    if remote:
        return rng.randint(300, 1000)
    if abroad:
        return rng.randint(500, 3000)
    return rng.randint(1200, 3000) if urban else rng.randint(300, 1800)


def _address(rng: random.Random, locality: str, streets: tuple[str, ...]) -> str:
    return f"{locality}, {rng.choice(streets)}, {rng.randint(1, 180)}"


def generate_geography(seed: int, stations: int = 2500) -> Geography:
    """Build the electoral geography for ``stations`` polling stations, deterministically.

    About 3% of the stations are abroad (most in Russia), about 1% are special
    remote-voting stations in the regional centres, and the rest are spread over the
    regions by population share (Osh region, Bishkek and Jalal-Abad largest) and over each
    region's districts by their population.
    """
    if stations < MIN_STATIONS:
        raise ValueError(f"a country needs at least {MIN_STATIONS} polling stations")
    rng = random.Random(f"shailoo-geography:{seed}")
    abroad_count = max(1, round(stations * ABROAD_SHARE))
    remote_count = round(stations * REMOTE_SHARE) if stations >= 50 else 0
    domestic = stations - abroad_count - remote_count
    per_region = allocate(domestic, [r.share for r in REGIONS], minimum=1)
    remote_per_region = allocate(remote_count, [r.share for r in REGIONS])
    sizes = [p + r for p, r in zip(per_region, remote_per_region, strict=True)]
    fits = max(sizes[:-1]) <= 999 and sizes[-1] <= 499 and abroad_count <= 499
    width = 1000 if fits else 10000
    namer = _Namer(rng)
    regions: list[Region] = []
    districts: list[District] = []
    tecs: list[Tec] = []
    out: list[Station] = []
    for place, count, remote in zip(REGIONS, per_region, remote_per_region, strict=True):
        region = Region(place.code, place.name_ky, place.name_ru, place.name_en, False)
        regions.append(region)
        streets = place.streets or COMMON_STREETS
        number = place.block * width
        used: list[tuple[District, Tec, DistrictPlace]] = []
        per_district = allocate(count, [d.weight for d in place.districts])
        for index, (dplace, dcount) in enumerate(zip(place.districts, per_district, strict=True)):
            if dcount == 0:
                continue
            district = District(
                f"{place.code}-{index + 1:02d}", place.code, dplace.name_ky, dplace.name_ru
            )
            tec = Tec(f"TEC-{district.code}", _tec_name(dplace, place), place.code)
            districts.append(district)
            tecs.append(tec)
            used.append((district, tec, dplace))
            weights = [3.0] + [1.0] * (len(dplace.settlements) - 1)
            for _ in range(dcount):
                settlement = rng.choices(dplace.settlements, weights)[0]
                locality = _locality(place, dplace, settlement)
                urban = dplace.urban or settlement.startswith("г. ")
                number += 1
                out.append(
                    Station(
                        number=number,
                        name=namer.domestic(settlement, urban),
                        address=_address(rng, locality, streets),
                        region=region,
                        district=district,
                        tec=tec,
                        is_abroad=False,
                        is_remote_voting=False,
                        capacity=_capacity(rng, urban, False, False),
                        locality=locality,
                        urban=urban,
                        streets=streets,
                    )
                )
        # Remote-voting stations stand in the regional centre: the first city, else the
        # most populous rayon.
        district, tec, dplace = next(
            (u for u in used if u[2].urban), max(used, key=lambda u: u[2].weight)
        )
        locality = _locality(place, dplace, dplace.settlements[0])
        for k in range(remote):
            number += 1
            out.append(
                Station(
                    number=number,
                    name=f"Специальный участок удалённого голосования №{k + 1}",
                    address=_address(rng, locality, streets),
                    region=region,
                    district=district,
                    tec=tec,
                    is_abroad=False,
                    is_remote_voting=True,
                    capacity=_capacity(rng, True, False, True),
                    locality=locality,
                    urban=True,
                    streets=streets,
                )
            )
    out.extend(_abroad_stations(rng, abroad_count, 9 * width + width // 2 + 1))
    regions.append(Region(ABROAD.code, ABROAD.name_ky, ABROAD.name_ru, ABROAD.name_en, True))
    tecs.append(out[-1].tec)
    return Geography(seed, tuple(regions), tuple(districts), tuple(tecs), tuple(out))


def _abroad_stations(rng: random.Random, count: int, first: int) -> list[Station]:
    region = Region(ABROAD.code, ABROAD.name_ky, ABROAD.name_ru, ABROAD.name_en, True)
    tec = Tec("TEC-ABROAD", "ТИК по организации голосования за рубежом", ABROAD.code)
    per_city = allocate(count, [c.weight for c in ABROAD_CITIES])
    out: list[Station] = []
    number = first
    for city, city_count in zip(ABROAD_CITIES, per_city, strict=True):
        locality = f"{city.country}, г. {city.city}"
        for k in range(city_count):
            if k == 0:
                name = city.mission
                if not name.startswith("Посольство") and "при ООН" not in name:
                    name = f"{name}, г. {city.city}"
            else:
                name = f"Избирательный участок в г. {city.city} №{k + 1}"
            out.append(
                Station(
                    number=number,
                    name=name,
                    address=_address(rng, locality, city.streets),
                    region=region,
                    district=None,
                    tec=tec,
                    is_abroad=True,
                    is_remote_voting=False,
                    capacity=_capacity(rng, True, True, False),
                    locality=locality,
                    urban=True,
                    streets=city.streets,
                )
            )
            number += 1
    return out


def station_row(station: Station) -> list[str]:
    """One station as a row of the geography CSV (``GEOGRAPHY_COLUMNS``)."""
    district = station.district
    region = station.region
    return [
        str(station.number),
        station.name,
        station.address,
        region.code,
        region.name_ky,
        region.name_ru,
        region.name_en,
        district.code if district else "",
        district.name_ky if district else "",
        district.name_ru if district else "",
        station.tec.code,
        station.tec.name,
        "1" if station.is_abroad else "0",
        "1" if station.is_remote_voting else "0",
        str(station.capacity),
    ]


def write_geography_csv(geography: Geography, path: Path | str) -> int:
    """Write the geography as CSV (UTF-8, header, one row per station); return the rows."""
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(GEOGRAPHY_COLUMNS)
        for station in geography.stations:
            writer.writerow(station_row(station))
    return len(geography.stations)
