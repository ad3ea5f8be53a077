"""The public results at each level of the drill-down, as language-neutral JSON.

Country → contest, country → region → TEC → station: each level is one dictionary that the
JSON view sends as it is and the page renders in the reader's language, so the page and its
JSON can never disagree. Figures come from accepted protocols only (``aggregation``);
beside them, how many protocols each unit still misses, and which contests are voted there.
Every unit row is compact whatever the number of candidates: name, protocols accepted of
expected, turnout, the leading option and its share, links (the page and its JSON).

The format is ``shailoo-public-results/1``, described by ``docs/public-results.schema.json``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.urls import reverse

from shailoo.counting.results import aggregation
from shailoo.counting.results.aggregation import ContestResults, Progress, StatusCount, Tally
from shailoo.counting.results.public_names import (
    NATIONAL_KINDS,
    ContestInfo,
    Names,
    contests_of,
    headline,
    names_of,
)
from shailoo.counting.results.public_outcome import outcome
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region, TerritorialCommission

FORMAT = "shailoo-public-results/1"
#: Up to this many contests the national page shows each one in full; past it, the
#: national contests in full and the rest as a list (each with its own page).
INLINE_CONTESTS = 3


def status_json(count: StatusCount | None) -> dict[str, int]:
    count = count or StatusCount("", "")
    return {
        "accepted": count.accepted,
        "reported": count.reported,
        "disputed": count.disputed,
        "missing": count.missing,
        "expected": count.expected,
    }


def complete(count: StatusCount | None) -> bool:
    """Every expected protocol accepted (and at least one expected)."""
    return count is not None and count.expected > 0 and count.accepted == count.expected


def election_json(election: Election) -> dict[str, Any]:
    names = getattr(election, "names", None)  # every language, where names are translated
    if not isinstance(names, Mapping):
        names = names_of(election, "name")
    return {
        "code": election.code,
        "name": str(getattr(election, "stable_name", election.name)),
        "names": {lang: str(text) for lang, text in names.items() if text},
        "polling_day": election.polling_day.isoformat(),
        "law_edition": election.law_edition,
        "url": reverse("results:election", args=[election.code]),
        "json": reverse("results:election_json", args=[election.code]),
    }


def place(
    level: str, code: str, name: str, names: Names, url: str, json_url: str
) -> dict[str, Any]:
    return {
        "level": level,
        "code": code,
        "name": name,
        "names": names,
        "url": url,
        "json": json_url,
    }


def region_place(election: Election, region: Region) -> dict[str, Any]:
    args = [election.code, region.code]
    return place(
        "region",
        region.code,
        region.name_ru,
        names_of(region, "name"),
        reverse("results:region", args=args),
        reverse("results:region_json", args=args),
    )


def tec_place(election: Election, tec: TerritorialCommission) -> dict[str, Any]:
    args = [election.code, tec.code]
    return place(
        "tec",
        tec.code,
        tec.name,
        names_of(tec, "name"),
        reverse("results:tec", args=args),
        reverse("results:tec_json", args=args),
    )


def station_place(election: Election, station: PollingStation) -> dict[str, Any]:
    args = [election.code, station.number]
    return place(
        "station",
        str(station.number),
        station.name,
        names_of(station, "name"),
        reverse("results:station", args=args),
        reverse("results:station_json", args=args),
    )


def country_place(election: Election) -> dict[str, Any]:
    body = election_json(election)
    return place("country", election.code, body["name"], body["names"], body["url"], body["json"])


def path_to(
    election: Election,
    region: Region | None = None,
    tec: TerritorialCommission | None = None,
    station: PollingStation | None = None,
) -> list[dict[str, Any]]:
    """The breadcrumb: country, then the region, TEC and station given."""
    found = [country_place(election)]
    if region is not None:
        found.append(region_place(election, region))
    if tec is not None:
        found.append(tec_place(election, tec))
    if station is not None:
        found.append(station_place(election, station))
    return found


def leader_json(info: ContestInfo, tally: Tally | None) -> dict[str, Any] | None:
    """The option with the most votes in ``tally`` (ballot order first on a tie), and every
    option that has as many (``tied``, empty when it leads alone): a tie is never shown as
    one option leading."""
    if tally is None or not tally.votes_valid:
        return None
    order = info.order(tally.votes)
    best = min(order, key=lambda o: (-int(tally.votes.get(o, 0)), order.index(o)))
    top = int(tally.votes[best])
    level = [o for o in order if int(tally.votes.get(o, 0)) == top]
    return {
        "option": best,
        "names": info.option_names(best),
        "votes": top,
        "share_percent": str(tally.shares()[best]),
        "tied": [{"option": o, "names": info.option_names(o)} for o in level]
        if len(level) > 1
        else [],
    }


def contest_json(
    election: Election,
    info: ContestInfo,
    tally: Tally | None,
    status: StatusCount | None,
    result: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One contest over one unit: its figures, options in ballot order, winners marked."""
    votes = dict(tally.votes) if tally is not None else {}
    share = tally.shares() if tally is not None else {}
    winners = set(result.get("winners", ())) if result else set()
    runoff = set(result.get("runoff", ())) if result else set()
    tied = set(result.get("tied", ())) if result else set()
    ids = info.order([*votes, *(o.id for o in info.options)])
    options = []
    for option_id in ids:
        known = info.option(option_id)
        options.append(
            {
                "option": option_id,
                "kind": known.kind if known is not None else "",
                "names": info.option_names(option_id),
                "party": dict(known.party) if known is not None else {},
                "votes": int(votes.get(option_id, 0)),
                "share_percent": str(share[option_id]) if option_id in share else "0.00",
                "winner": option_id in winners,
                "runoff": option_id in runoff,
                "tied": option_id in tied,
            }
        )
    args = [election.code, info.id]
    return {
        **info.to_json(),
        "url": reverse("results:contest", args=args),
        "json": reverse("results:contest_json", args=args),
        "status": status_json(status),
        "complete": complete(status),
        "protocols": tally.protocols if tally is not None else 0,
        "lines": dict(tally.lines) if tally is not None else {},
        "votes_valid": tally.votes_valid if tally is not None else 0,
        "turnout_percent": str(tally.turnout) if tally is not None and tally.protocols else None,
        "options": options,
        "leader": leader_json(info, tally),
        "outcome": result,
    }


def unit_rows(
    units: Iterable[dict[str, Any]],
    found: Progress,
    results: Mapping[str, ContestResults],
    contests: Mapping[str, ContestInfo],
    head: str | None,
) -> list[dict[str, Any]]:
    """One compact row per unit: its protocols, and the row's contest (the headline one, or
    the only one voted there) with its turnout and leading option."""
    rows = []
    for unit in units:
        code = unit["code"]
        voted = found.expected_in(code)
        contest_id = head if head in voted else (voted[0] if len(voted) == 1 else None)
        tallies = {c: t for c in voted if (t := _tally(results, c, found.level, code))}
        tally = tallies.get(contest_id) if contest_id else None
        turnout = tally.turnout if tally is not None else _turnout(tallies.values())
        info = contests.get(contest_id) if contest_id else None
        rows.append(
            {
                **unit,
                "status": status_json(found.units.get(code)),
                "contests": voted,
                "contest": contest_id,
                "protocols": tally.protocols if tally is not None else 0,
                "turnout_percent": str(turnout) if turnout is not None else None,
                "leader": leader_json(info, tally) if info is not None else None,
            }
        )
    return rows


def _tally(
    results: Mapping[str, ContestResults], contest_id: str, level: str, code: str
) -> Tally | None:
    contest = results.get(contest_id)
    if contest is None:
        return None
    by_level = {"region": contest.regions, "tec": contest.tecs, "station": contest.stations}
    return by_level[level].get(code)


def _turnout(tallies: Iterable[Tally]) -> Decimal | None:
    """Ballots issued ÷ voters on the list over every accepted protocol of a unit whose
    contests differ from station to station (districts): each protocol counts its own
    station's list, so the ratio is the unit's turnout."""
    voters = issued = 0
    for tally in tallies:
        voters += tally.lines["voters_on_list"]
        issued += tally.lines["ballots_issued"]
    if not voters:
        return None
    return (Decimal(issued * 100) / voters).quantize(Decimal("0.01"))


def _seen(found: Progress, results: Mapping[str, ContestResults]) -> set[str]:
    return set(found.contests) | set(results)


def national(election: Election) -> dict[str, Any]:
    """The country: status, every contest (national ones with their outcome), regions."""
    stations = PollingStation.objects.all()
    found = aggregation.progress(election, stations, "region")
    results = aggregation.results(election)
    contests = contests_of(election, _seen(found, results))
    head = headline(contests)
    summaries = []
    for info in contests.values():
        status = found.contests.get(info.id)
        contest = results.get(info.id)
        result = None
        if contest is not None:
            result = outcome(info, contest, election.law_edition, complete(status))
        country = contest.country if contest is not None else None
        summaries.append(contest_json(election, info, country, status, result))
    featured = [
        info.id
        for info in contests.values()
        if len(contests) <= INLINE_CONTESTS or info.kind in NATIONAL_KINDS
    ]
    regions = Region.objects.filter(stations__isnull=False).distinct().order_by("code")
    units = [region_place(election, r) for r in regions]
    return {
        "format": FORMAT,
        "level": "country",
        "election": election_json(election),
        "path": path_to(election),
        "status": status_json(found.total),
        "headline": head,
        "featured": featured,
        "contests": summaries,
        "units": {"level": "region", "rows": unit_rows(units, found, results, contests, head)},
    }


def contest_page(election: Election, info: ContestInfo) -> dict[str, Any]:
    """One contest in full: its outcome, and its regions (or, for a contest voted in one
    region only, that region's TECs)."""
    stations = PollingStation.objects.all()
    found = aggregation.progress(election, stations, "region")
    results = aggregation.results(election, contests=[info.id])
    status = found.contests.get(info.id)
    contest = results.get(info.id)
    result = outcome(info, contest, election.law_edition, complete(status)) if contest else None
    summary = contest_json(election, info, contest.country if contest else None, status, result)
    _only(found, info.id)
    level_found = found
    if len(found.units) == 1:
        region = Region.objects.get(code=next(iter(found.units)))
        level_found = aggregation.progress(election, stations.filter(region=region), "tec")
        _only(level_found, info.id)
        tecs = TerritorialCommission.objects.filter(code__in=level_found.units).order_by("code")
        units = [tec_place(election, t) for t in tecs]
    else:
        regions = Region.objects.filter(code__in=found.units).order_by("code")
        units = [region_place(election, r) for r in regions]
    here = place(
        "contest",
        info.id,
        info.titles.get("ru", info.id),
        info.titles,
        summary["url"],
        summary["json"],
    )
    return {
        "format": FORMAT,
        "level": "contest",
        "election": election_json(election),
        "path": [*path_to(election), here],
        "contest": summary,
        "units": {
            "level": level_found.level,
            "rows": unit_rows(units, level_found, results, {info.id: info}, info.id),
        },
    }


def _only(found: Progress, contest_id: str) -> None:
    """Keep one contest's statuses in ``found`` (a contest page counts only its protocols)."""
    cells = {key: count for key, count in found.cells.items() if key[0] == contest_id}
    found.cells = cells
    found.units = {}
    for (_, unit), count in cells.items():
        found.units[unit] = count


def area(
    election: Election,
    level: str,
    stations: Any,
    unit: dict[str, Any],
    path: list[dict[str, Any]],
    units: list[dict[str, Any]],
) -> dict[str, Any]:
    """A region (its TECs) or a TEC (its stations): status, contests voted there, rows."""
    below = {"region": "tec", "tec": "station"}[level]
    found = aggregation.progress(election, stations, below)
    results = aggregation.results(election, stations)
    contests = {
        cid: info
        for cid, info in contests_of(election, _seen(found, results)).items()
        if cid in found.contests or cid in results
    }
    head = headline(contests) or headline_of(found, contests)
    summaries = [
        contest_json(
            election,
            info,
            results[info.id].country if info.id in results else None,
            found.contests.get(info.id),
        )
        for info in contests.values()
    ]
    return {
        "format": FORMAT,
        "level": level,
        "election": election_json(election),
        "path": path,
        level: unit,
        "status": status_json(found.total),
        "headline": head,
        "contests": summaries,
        "units": {"level": below, "rows": unit_rows(units, found, results, contests, head)},
    }


def headline_of(found: Progress, contests: Mapping[str, ContestInfo]) -> str | None:
    """In an area with no national contest, the one contest voted there, if only one."""
    voted = [c for c in contests if c in found.contests]
    return voted[0] if len(voted) == 1 else None


def region_page(election: Election, region: Region) -> dict[str, Any]:
    stations = PollingStation.objects.filter(region=region)
    tecs = TerritorialCommission.objects.filter(stations__region=region).distinct()
    units = [tec_place(election, t) for t in tecs.order_by("code")]
    unit = region_place(election, region)
    return area(election, "region", stations, unit, path_to(election, region), units)


def tec_page(election: Election, tec: TerritorialCommission) -> dict[str, Any]:
    stations = PollingStation.objects.filter(tec=tec)
    units = [station_place(election, s) for s in stations.order_by("number")]
    unit = tec_place(election, tec)
    return area(election, "tec", stations, unit, path_to(election, tec.region, tec), units)


def index(elections: Iterable[Election]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "level": "index",
        "elections": [election_json(e) for e in elections],
    }
