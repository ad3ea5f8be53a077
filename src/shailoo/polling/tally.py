"""Turnout arithmetic (pure): ballots issued by hour, summed up the commission hierarchy.

Kept apart from the database so that the sums are tested on their own: a country figure is
the sum of its regions', a region's of its TECs' and stations', and a share is never computed
over an empty list (the 2021 results site showed shares summing past 150 %; here a figure
that cannot be right cannot be built).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Row:
    """Ballots issued at one station in one local hour, by method and kind."""

    station: int
    hour: int
    ballots: int
    manual: int = 0
    home: int = 0


@dataclass(frozen=True, slots=True)
class Place:
    """Where a station sits: its TEC and region codes."""

    tec: str
    region: str


def _empty() -> dict[str, Any]:
    return {"listed": 0, "voted": 0, "manual": 0, "home": 0, "by_hour": {}}


def _add(into: dict[str, Any], row: Row) -> None:
    into["voted"] += row.ballots
    into["manual"] += row.manual
    into["home"] += row.home
    hours: dict[str, int] = into["by_hour"]
    hours[str(row.hour)] = hours.get(str(row.hour), 0) + row.ballots


def share(voted: int, listed: int) -> float | None:
    """Turnout in per cent with two decimals; None where nobody is listed."""
    return None if listed <= 0 else round(100.0 * voted / listed, 2)


def figures(
    rows: Iterable[Row], listed: Mapping[int, int], places: Mapping[int, Place]
) -> dict[str, Any]:
    """Listed, voted, manual and home ballots, and ballots by hour, for every level.

    Stations without a place (none should exist) are counted in the country only, so the
    country total never loses a ballot.
    """
    country = _empty()
    regions: dict[str, dict[str, Any]] = {}
    tecs: dict[str, dict[str, Any]] = {}
    stations: dict[str, dict[str, Any]] = {}
    for number, place in places.items():
        for level, code in ((regions, place.region), (tecs, place.tec), (stations, str(number))):
            level.setdefault(code, _empty())["listed"] += listed.get(number, 0)
    country["listed"] = sum(listed.values())
    for row in rows:
        if row.ballots < 0 or row.manual < 0 or row.home < 0:
            raise ValueError(f"negative count for station {row.station}")
        _add(country, row)
        where = places.get(row.station)
        if where is None:
            continue
        _add(regions[where.region], row)
        _add(tecs[where.tec], row)
        _add(stations[str(row.station)], row)
    for figure in (country, *regions.values(), *tecs.values(), *stations.values()):
        figure["turnout"] = share(figure["voted"], figure["listed"])
    return {"country": country, "regions": regions, "tecs": tecs, "stations": stations}
