"""Import of electoral geography (regions, districts, TECs, polling stations) from CSV.

The file has one row per polling station and carries its region, district and TEC; those are
created or updated on the way. Rows are checked one by one against every rule of
docs/formats.md: a bad row is refused with its line, field and reason while every good row is
kept (a row that is not well-formed CSV too: the reader resynchronises at the next line). A
station number appears once in a file. Re-importing the same file changes nothing; a row that
would move an existing station to another region, district or TEC is refused unless the
import is asked to apply moves, and each move applied is recorded in the ledger.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from shailoo.common.csvsource import CsvSource, Reject, file_sha256, redact
from shailoo.common.problems import Problem
from shailoo.geo import ledger_entries
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
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,16}$")
_BOOL = {"0": False, "1": True}


@dataclass
class GeoSummary:
    """Counts of one geography import; every physical line of the file is accounted for."""

    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: Stations moved to another region, district or TEC (among ``updated``; ledgered).
    moved: int = 0
    rejects: list[Reject] = field(default_factory=list)
    #: The file's physical lines, and those that are neither header nor row: blank lines
    #: and further lines of rows over several lines (``lines = 1 + read + other``).
    lines: int = 0
    other: int = 0

    def line(self) -> str:
        return (
            f"read {self.read}, accepted {self.created + self.updated + self.unchanged} "
            f"(new {self.created}, updated {self.updated}, moved {self.moved}, "
            f"unchanged {self.unchanged}), rejected {len(self.rejects)}; {self.lines} lines: "
            f"1 header, {self.read} rows read, {self.other} blank or continuation"
        )


def import_geography(path: Path, *, actor: str = "cli", allow_moves: bool = False) -> GeoSummary:
    """Create or update every station of the file; refuse bad rows with a located reason.

    A station number may appear once in a file. A row that would move an existing station to
    another region, district or TEC is refused unless ``allow_moves``; then the move is
    applied and recorded in the ledger (``geo.station_moved``) in the import's transaction.
    """
    path = Path(path)
    source = CsvSource(path, COLUMNS)
    summary = GeoSummary()
    regions = {r.code: r for r in Region.objects.all()}
    districts = {d.code: d for d in District.objects.select_related("region")}
    tecs = {t.code: t for t in TerritorialCommission.objects.select_related("region")}
    stations = {
        s.number: s for s in PollingStation.objects.select_related("region", "district", "tec")
    }
    first_line: dict[int, int] = {}
    sha = file_sha256(path) if stations else ""
    with transaction.atomic():
        for item in source:
            summary.read += 1
            if isinstance(item, Reject):
                summary.rejects.append(item)
                continue
            v = {name: item.values[i].strip() for name, i in source.index.items()}
            problem = (
                _check(v) or _repeated(v, item.line, first_line) or _misplaced(v, districts, tecs)
            )
            station = stations.get(int(v["number"])) if problem is None else None
            place = _place(v)
            moving = station is not None and _place_of(station) != place
            if problem is None and station is not None and moving and not allow_moves:
                problem = _move_refused(station, place)
            if problem is not None:
                summary.rejects.append(
                    Reject(
                        problem.where,
                        problem.why,
                        item.line,
                        raw=redact(",".join(item.values)),
                    )
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
            if station is None:
                stations[number] = PollingStation.objects.create(number=number, **attrs)
                summary.created += 1
            elif _differs(station, attrs):
                before = _place_of(station)
                for key, value in attrs.items():
                    setattr(station, key, value)
                station.save()
                summary.updated += 1
                if moving:
                    ledger_entries.station_moved(
                        station,
                        actor=actor,
                        before=before,
                        after=place,
                        file_sha256=sha,
                        line=item.line,
                    )
                    summary.moved += 1
            else:
                summary.unchanged += 1
    summary.lines, summary.other = source.line, source.blank + source.continued
    return summary


#: Longest text of each text column (docs/formats.md); ``*`` marks those that may not be empty.
TEXT_LIMITS: dict[str, int] = {
    "name": 200,
    "address": 300,
    "region_name_ky": 100,
    "region_name_ru": 100,
    "region_name_en": 100,
    "district_name_ky": 100,
    "district_name_ru": 100,
    "tec_name": 200,
}
_NOT_EMPTY = ("name", "address", "tec_name", "region_name_ru")
_REGION_CODES = frozenset(
    ("KG-B", "KG-C", "KG-J", "KG-N", "KG-O", "KG-T", "KG-Y", "KG-GB", "KG-GO", "ABROAD")
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _number(text: str, low: int, high: int) -> int | None:
    """``text`` as an integer within [low, high] when it is plain ASCII digits, else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 7:
        return None
    value = int(text)
    return value if low <= value <= high else None


def _check(v: dict[str, str]) -> Problem | None:
    """The first way the row breaks a documented rule of its own fields (docs/formats.md)."""
    if _number(v["number"], 1, 999_999) is None:
        return Problem("number", f"must be a station number 1-999999, not {v['number'][:20]!r}")
    for name, limit in TEXT_LIMITS.items():
        text = v[name]
        if len(text) > limit:
            return Problem(name, f"longer than {limit} characters ({len(text)})")
        if _CONTROL.search(text):
            return Problem(name, "holds a control character (a tab or a line end)")
    for name in _NOT_EMPTY:
        if not v[name]:
            return Problem(name, "is empty")
    if v["region_code"] not in _REGION_CODES:
        return Problem(
            "region_code",
            f"must be one of {', '.join(sorted(_REGION_CODES))}, not {v['region_code'][:20]!r}",
        )
    if v["district_code"]:
        if not _CODE.match(v["district_code"]):
            return Problem("district_code", "must be 1-16 letters, digits, '.', '_' or '-'")
        if v["region_code"] == "ABROAD":
            return Problem("district_code", "must be empty for a station abroad")
        for name in ("district_name_ky", "district_name_ru"):
            if not v[name]:
                return Problem(name, "is empty although district_code is given")
    else:
        for name in ("district_name_ky", "district_name_ru"):
            if v[name]:
                return Problem(name, "must be empty when district_code is")
    if not _CODE.match(v["tec_code"]):
        return Problem("tec_code", "must be 1-16 letters, digits, '.', '_' or '-'")
    for name in ("is_abroad", "is_remote_voting"):
        if v[name] not in _BOOL:
            return Problem(name, "must be 0 or 1")
    if (v["region_code"] == "ABROAD") != (v["is_abroad"] == "1"):
        return Problem("is_abroad", "must be 1 exactly for stations of region ABROAD")
    if _number(v["capacity"], 1, 100_000) is None:
        return Problem(
            "capacity", f"must be a number of voters 1-100000, not {v['capacity'][:20]!r}"
        )
    return None


def _repeated(v: dict[str, str], line: int, first_line: dict[int, int]) -> Problem | None:
    """A station number already met in this file (the first row is kept, the line named)."""
    number = int(v["number"])
    first = first_line.setdefault(number, line)
    if first == line:
        return None
    return Problem(
        "number",
        f"station {number} is already on line {first} of this file; a station appears once",
    )


def _misplaced(
    v: dict[str, str], districts: dict[str, Any], tecs: dict[str, Any]
) -> Problem | None:
    """A district or TEC code that an earlier row or import placed in another region."""
    region = v["region_code"]
    known = districts.get(v["district_code"]) if v["district_code"] else None
    if known is not None and known.region.code != region:
        return Problem(
            "district_code",
            f"district {known.code} lies in region {known.region.code}, not {region}",
        )
    known_tec = tecs.get(v["tec_code"])
    if known_tec is not None and known_tec.region.code != region:
        return Problem(
            "tec_code", f"TEC {known_tec.code} lies in region {known_tec.region.code}, not {region}"
        )
    return None


def _place(v: dict[str, str]) -> dict[str, str]:
    return {"region": v["region_code"], "district": v["district_code"], "tec": v["tec_code"]}


def _place_of(station: PollingStation) -> dict[str, str]:
    return {
        "region": station.region.code,
        "district": station.district.code if station.district is not None else "",
        "tec": station.tec.code,
    }


def _move_refused(station: PollingStation, place: dict[str, str]) -> Problem:
    now = _place_of(station)
    changed = [key for key in ("region", "district", "tec") if now[key] != place[key]]
    where = {"region": "region_code", "district": "district_code", "tec": "tec_code"}[changed[0]]
    moves = "; ".join(f"{key} {now[key] or '-'} -> {place[key] or '-'}" for key in changed)
    return Problem(
        where,
        f"would move station {station.number} ({moves}); a move is applied only when asked "
        "for (shailoo geo import --allow-moves), and is then recorded in the ledger",
    )


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
