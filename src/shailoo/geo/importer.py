"""Import of electoral geography (regions, districts, TECs, polling stations) from CSV.

The file has one row per polling station and carries its region, district and TEC; those are
created or updated on the way. Rows are checked one by one: a bad row is refused with its line,
field and reason while every good row is kept. Re-importing the same file changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from shailoo.common.csvsource import CsvSource, Reject, redact
from shailoo.common.problems import Problem
from shailoo.geo.models import District, PollingStation, Region, TerritorialCommission

COLUMNS: tuple[str, ...] = (
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
_REGION_CODE = re.compile(r"^(KG-[A-Z]{1,2}|ABROAD)$")
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")
_BOOL = {"0": False, "1": True}


@dataclass
class GeoSummary:
    """Counts of one geography import."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[Reject] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"read {self.read}, accepted {self.created + self.updated + self.unchanged} "
            f"(new {self.created}, updated {self.updated}, unchanged {self.unchanged}), "
            f"rejected {len(self.rejects)}"
        )


def import_geography(path: Path) -> GeoSummary:
    """Create or update every station of the file; refuse bad rows with a located reason."""
    source = CsvSource(Path(path), COLUMNS)
    summary = GeoSummary()
    regions = {r.code: r for r in Region.objects.all()}
    districts = {d.code: d for d in District.objects.all()}
    tecs = {t.code: t for t in TerritorialCommission.objects.all()}
    stations = {s.number: s for s in PollingStation.objects.all()}
    with transaction.atomic():
        for item in source:
            summary.read += 1
            if isinstance(item, Reject):
                summary.rejects.append(item)
                continue
            v = {name: item.values[i].strip() for name, i in source.index.items()}
            problem = _check(v)
            if problem:
                summary.rejects.append(
                    Reject(problem.where, problem.why, item.line, raw=redact(",".join(item.values)))
                )
                continue
            region = _upsert(
                regions,
                v["region_code"],
                Region,
                {
                    "name_ky": v["region_name_ky"],
                    "name_ru": v["region_name_ru"],
                    "name_en": v["region_name_en"],
                    "is_abroad": v["region_code"] == "ABROAD",
                },
            )
            district = None
            if v["district_code"]:
                known = districts.get(v["district_code"])
                if known is not None and known.region_id != region.pk:
                    summary.rejects.append(
                        Reject(
                            "district_code",
                            f"district {known.code} lies in region "
                            f"{known.region.code}, not {region.code}",
                            item.line,
                        )
                    )
                    continue
                district = _upsert(
                    districts,
                    v["district_code"],
                    District,
                    {
                        "region": region,
                        "name_ky": v["district_name_ky"],
                        "name_ru": v["district_name_ru"],
                    },
                )
            known_tec = tecs.get(v["tec_code"])
            if known_tec is not None and known_tec.region_id != region.pk:
                summary.rejects.append(
                    Reject("tec_code", f"TEC {known_tec.code} lies in another region", item.line)
                )
                continue
            tec = _upsert(
                tecs,
                v["tec_code"],
                TerritorialCommission,
                {"name": v["tec_name"], "region": region},
            )
            attrs = {
                "name": v["name"],
                "address": v["address"],
                "region": region,
                "district": district,
                "tec": tec,
                "is_abroad": _BOOL[v["is_abroad"]],
                "is_remote_voting": _BOOL[v["is_remote_voting"]],
                "capacity": int(v["capacity"]),
            }
            number = int(v["number"])
            station = stations.get(number)
            if station is None:
                stations[number] = PollingStation.objects.create(number=number, **attrs)
                summary.created += 1
            elif _differs(station, attrs):
                for key, value in attrs.items():
                    setattr(station, key, value)
                station.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
    return summary


def _check(v: dict[str, str]) -> Problem | None:
    if not v["number"].isdigit() or not 0 < int(v["number"]) < 1_000_000:
        return Problem("number", f"must be a positive station number, not {v['number']!r}")
    for name in ("name", "address", "tec_name", "region_name_ru"):
        if not v[name]:
            return Problem(name, "is empty")
    if not _REGION_CODE.match(v["region_code"]):
        return Problem(
            "region_code", f"must be an ISO 3166-2:KG code or ABROAD, not {v['region_code']!r}"
        )
    if v["district_code"] and not _CODE.match(v["district_code"]):
        return Problem("district_code", "must be 1-16 letters, digits, '.', '_' or '-'")
    if not _CODE.match(v["tec_code"]):
        return Problem("tec_code", "must be 1-16 letters, digits, '.', '_' or '-'")
    for name in ("is_abroad", "is_remote_voting"):
        if v[name] not in _BOOL:
            return Problem(name, "must be 0 or 1")
    if (v["region_code"] == "ABROAD") != (v["is_abroad"] == "1"):
        return Problem("is_abroad", "must be 1 exactly for stations of region ABROAD")
    if not v["capacity"].isdigit() or not 0 < int(v["capacity"]) <= 100_000:
        return Problem("capacity", f"must be a positive number of voters, not {v['capacity']!r}")
    return None


def _upsert(cache: dict[str, Any], code: str, model: Any, attrs: dict[str, Any]) -> Any:
    obj = cache.get(code)
    if obj is None:
        obj = model.objects.create(code=code, **attrs)
        cache[code] = obj
    elif _differs(obj, attrs):
        for key, value in attrs.items():
            setattr(obj, key, value)
        obj.save()
    return obj


def _differs(obj: object, attrs: dict[str, object]) -> bool:
    return any(getattr(obj, key) != value for key, value in attrs.items())
