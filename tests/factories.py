"""Small builders for geography, election and register rows, so tests state only what matters.

Each builder fills every required field with a plain, valid default and returns the saved
row. Numbers and PINs come from counters, so rows never collide inside one test database.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from shailoo.elections.models import Election
from shailoo.geo.models import District, PollingStation, Region, TerritorialCommission
from shailoo.register.models import Person
from shailoo.register.names import name_key, transliterate
from shailoo.register.pin import build_pin

_serial = itertools.count(1)


def _next() -> int:
    return next(_serial)


def region(code: str | None = None, **fields: Any) -> Region:
    code = code or f"KG-{_next()}"
    defaults = {"name_ky": f"Облус {code}", "name_ru": f"Область {code}", "name_en": code}
    return Region.objects.create(code=code, **{**defaults, **fields})


def district(region_: Region | None = None, code: str | None = None, **fields: Any) -> District:
    region_ = region_ or region()
    code = code or f"D{_next()}"
    defaults = {"name_ky": f"Район {code}", "name_ru": f"Район {code}"}
    return District.objects.create(code=code, region=region_, **{**defaults, **fields})


def tec(
    region_: Region | None = None, code: str | None = None, **fields: Any
) -> TerritorialCommission:
    region_ = region_ or region()
    code = code or f"T{_next()}"
    return TerritorialCommission.objects.create(
        code=code, region=region_, **{"name": f"ТШК {code}", **fields}
    )


def station(
    number: int | None = None,
    *,
    district_: District | None = None,
    tec_: TerritorialCommission | None = None,
    **fields: Any,
) -> PollingStation:
    """A polling station; with no district given it gets a fresh district and TEC."""
    if district_ is None and "district" not in fields:
        district_ = district()
    region_ = fields.pop("region", None) or (
        district_.region if district_ is not None else region()
    )
    tec_ = tec_ or tec(region_)
    number = number if number is not None else 9000 + _next()
    defaults = {
        "name": f"Мектеп №{number}",
        "address": f"Бишкек ш., Ленин көч., {number}",
        "capacity": 3000,
    }
    return PollingStation.objects.create(
        number=number,
        region=region_,
        district=fields.pop("district", district_),
        tec=tec_,
        **{**defaults, **fields},
    )


def election(
    edition: str = "kg-2025",
    polling_day: datetime.date = datetime.date(2027, 3, 14),
    **fields: Any,
) -> Election:
    defaults = {"code": f"e{_next()}", "name": f"Election {edition}", "is_current": True}
    return Election.objects.create(
        law_edition=edition, polling_day=polling_day, **{**defaults, **fields}
    )


def person(
    station_: PollingStation,
    surname: str = "Өмүрова",
    given_name: str = "Айгүл",
    patronymic: str = "Талантовна",
    birth_date: datetime.date = datetime.date(1990, 5, 17),
    sex: str = "F",
    **fields: Any,
) -> Person:
    """A person on ``station_``'s list (eligible) unless ``fields`` say otherwise."""
    pin = fields.pop("pin", None) or build_pin(sex, birth_date, _next())
    defaults: dict[str, Any] = {
        "citizenship": "KG",
        "biometric_registered": True,
        "address": "Бишкек ш., Чүй пр., 1",
        "dwelling_id": f"DW{_next()}",
        "eligible": True,
        "row_hash": "0" * 32,
    }
    return Person.objects.create(
        pin=pin,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        name_key=name_key(surname, given_name, patronymic),
        name_latin=transliterate(f"{surname} {given_name} {patronymic}".strip()),
        sex=sex,
        birth_date=birth_date,
        station=station_,
        **{**defaults, **fields},
    )
