"""Public turnout: the figures as published at the law's reporting times, and their open data.

The page drills down country → region (``?region=KG-C``) → territorial commission
(``?tec=CODE``) → polling station (``?station=N``), each level with its turnout curve through
the day beside the levels above it, a bar chart of the level below and, for the country and a
region, the schematic map of the regions; every chart has its table.

Only publications are shown (``turnout.published``), never live counts: a published figure
is frozen when written, so what the public reads at 14:00 is what everyone reads about 14:00
afterwards, and a ballot synced late by an offline device reaches the next publication instead
of changing a figure already out. Nothing here names a voter.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_noop
from django.views.decorators.http import require_GET, require_safe

from shailoo.common import charts
from shailoo.common.conditional import json_refusal, json_response, newest_of
from shailoo.common.csvout import format_row
from shailoo.common.refusals import NotFound, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.geo.models import PollingStation, Region, TerritorialCommission
from shailoo.polling import turnout
from shailoo.polling.models import TurnoutPublication

#: The open data's columns, one row per station of a publication.
CSV_COLUMNS = ("time", "region", "tec", "station", "listed", "voted", "turnout")


def lang() -> str:
    """The page's language among the three a place name is kept in."""
    code = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in ("ky", "ru", "en") else "ru"


def region_name(region: Region) -> str:
    """A region's name in the page's language."""
    return {"ky": region.name_ky, "en": region.name_en}.get(lang(), "") or region.name_ru


def _election(request: HttpRequest) -> Election:
    """``?election=CODE``, else the current election."""
    return election_named(request.GET.get("election", "").strip()[:50] or None)


def clock(publication: TurnoutPublication) -> str:
    """A publication's reporting time as local ``HH:MM`` (how the selector names it)."""
    return f"{timezone.localtime(publication.as_of, turnout.zone()):%H:%M}"


def _chosen(request: HttpRequest, found: list[TurnoutPublication]) -> TurnoutPublication | None:
    """``?at=HH:MM``, else the latest publication; None when nothing is published yet."""
    wanted = request.GET.get("at", "").strip()[:5]
    if not wanted:
        return found[-1] if found else None
    for publication in found:
        if clock(publication) == wanted:
            return publication
    raise NotFound("turnout_not_published", gettext("No turnout was published at that time."))


def _row(code: str, name: str, data: Mapping[str, Any], href: str = "") -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "listed": int(data.get("listed", 0)),
        "voted": int(data.get("voted", 0)),
        "turnout": data.get("turnout"),
        "manual": int(data.get("manual", 0)),
        "home": int(data.get("home", 0)),
        "href": href,
    }


def percent(value: float | None) -> str:
    """A turnout as the reader's locale writes it (``52,30 %``); a dash for no figure."""
    if value is None:
        return "—"
    # number_format cuts decimals off a float rather than rounding them
    shown = number_format(round(value, 2), decimal_pos=2, use_l10n=True, force_grouping=True)
    return shown + "\u00a0%"


def short_percent(value: float) -> str:
    """A turnout on a chart's axis or in its table: ``20 %`` for a whole value (axis ticks),
    else ``52,31 %``."""
    if round(value, 2).is_integer():
        shown = number_format(round(value), decimal_pos=0, use_l10n=True, force_grouping=True)
        return shown + "\u00a0%"
    return percent(value)


@dataclass
class Place:
    """One step of the drill-down: where it is in the publication's figures and its name."""

    level: str  # "country", "regions", "tecs" or "stations" (the figures' keys)
    code: str
    name: str
    query: dict[str, str] = field(default_factory=dict)


def _station_name(station: PollingStation) -> str:
    return f"№{station.number} {station.name}"


def _path(request: HttpRequest) -> list[Place]:
    """The places from the country down to the one asked for (``?region``, ``?tec`` or
    ``?station``); ``NotFound`` for a code that names nothing."""
    country = Place("country", "", gettext("Kyrgyz Republic"))
    station_text = request.GET.get("station", "").strip()[:12]
    tec_code = request.GET.get("tec", "").strip()[:16]
    region_code = request.GET.get("region", "").strip()[:8]
    station: PollingStation | None = None
    tec: TerritorialCommission | None = None
    region: Region | None = None
    missing = NotFound(
        "turnout_place_unknown",
        gettext("There is no such region, commission or polling station."),
    )
    if station_text:
        if not station_text.isdigit():
            raise missing
        station = (
            PollingStation.objects.select_related("tec__region")
            .filter(number=int(station_text))
            .first()
        )
        if station is None:
            raise missing
        tec = station.tec
    elif tec_code:
        tec = TerritorialCommission.objects.select_related("region").filter(code=tec_code).first()
        if tec is None:
            raise missing
    elif region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise missing
    if tec is not None:
        region = tec.region
    path = [country]
    if region is not None:
        path.append(Place("regions", region.code, region_name(region), {"region": region.code}))
    if tec is not None:
        path.append(Place("tecs", tec.code, tec.name, {"tec": tec.code}))
    if station is not None:
        path.append(
            Place(
                "stations", str(station.number), _station_name(station), {"station": station_text}
            )
        )
    return path


def _children(place: Place) -> list[Place]:
    """The places one level below ``place``, in their official order."""
    if place.level == "country":
        return [
            Place("regions", r.code, region_name(r), {"region": r.code})
            for r in Region.objects.order_by("code")
        ]
    if place.level == "regions":
        return [
            Place("tecs", t.code, t.name, {"tec": t.code})
            for t in TerritorialCommission.objects.filter(region__code=place.code).order_by("code")
        ]
    if place.level == "tecs":
        return [
            Place("stations", str(s.number), _station_name(s), {"station": str(s.number)})
            for s in PollingStation.objects.filter(tec__code=place.code).order_by("number")
        ]
    return []


def _figure(publication: TurnoutPublication, place: Place) -> Mapping[str, Any] | None:
    figures = publication.figures
    if place.level == "country":
        found: Any = figures.get("country")
    else:
        found = figures.get(place.level, {}).get(place.code)
    return found if isinstance(found, Mapping) else None


def _link(request: HttpRequest, query: Mapping[str, str]) -> str:
    """``?…`` for a place, keeping the election and the reporting time asked for."""
    kept = {k: request.GET[k][:50] for k in ("election", "at") if request.GET.get(k, "").strip()}
    text = urlencode({**kept, **query})
    return f"?{text}" if text else "?"


#: The bar chart's title and the table's first header for each level below a place.
LEVEL_HEADERS = {
    "regions": (gettext_noop("Turnout by region"), gettext_noop("Region")),
    "tecs": (
        gettext_noop("Turnout by territorial election commission"),
        gettext_noop("Territorial election commission"),
    ),
    "stations": (gettext_noop("Turnout by polling station"), gettext_noop("Polling station")),
}


def _curve(found: list[TurnoutPublication], path: list[Place]) -> charts.Chart:
    """Turnout at every reporting time so far, for each place of the path."""
    series = []
    for place in path:
        values = []
        for publication in found:
            figure = _figure(publication, place)
            share = None if figure is None else figure.get("turnout")
            values.append(None if share is None else float(share))
        series.append(charts.Series(place.name, tuple(values)))
    return charts.line_chart(
        series,
        title=gettext("Turnout through the day"),
        x_labels=[clock(p) for p in found],
        value_header=gettext("Turnout"),
        fmt=short_percent,
        label_header=gettext("Reporting time"),
    )


def _bars(level: str, rows: list[dict[str, Any]]) -> charts.Chart:
    """The level below as bars, highest turnout first (places without a figure last)."""
    title, header = LEVEL_HEADERS[level]
    ranked = sorted(rows, key=lambda r: (r["turnout"] is None, -(r["turnout"] or 0.0)))
    return charts.bar_chart(
        [
            charts.Bar(r["name"], float(r["turnout"] or 0.0), percent(r["turnout"]), href=r["href"])
            for r in ranked
        ],
        title=gettext(title),
        value_header=gettext("Turnout"),
        label_header=gettext(header),
    )


def _map(request: HttpRequest, publication: TurnoutPublication) -> charts.Chart:
    """The regions on the schematic map, shaded by turnout, each a link to its page."""
    tiles = []
    for region in Region.objects.order_by("code"):
        figure = publication.figures.get("regions", {}).get(region.code)
        share = figure.get("turnout") if isinstance(figure, Mapping) else None
        tiles.append(
            charts.Tile(
                region.code,
                region_name(region),
                None if share is None else float(share),
                percent(share),
                href=_link(request, {"region": region.code}),
            )
        )
    return charts.cartogram(
        tiles,
        title=gettext("Map of turnout by region"),
        value_header=gettext("Turnout"),
        fmt=short_percent,
        label_header=gettext("Region"),
        no_data_label=gettext("No figure published"),
    )


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Turnout at one reporting time (the latest by default) of a place and the places one
    level below it, with the place's figure (and those of the places above it) at every time
    published so far, as tables and charts."""
    try:
        election = _election(request)
        found = turnout.published(election)
        chosen = _chosen(request, found)
        path = _path(request)
    except Refusal as error:
        return render(request, "polling/public.html", {"refusal": error}, status=error.http_status)
    here = path[-1]
    children = _children(here)
    current: dict[str, Any] | None = None
    rows: list[dict[str, Any]] = []
    context_charts: dict[str, charts.Chart] = {}
    if chosen is not None:
        current = _row(here.code, here.name, _figure(chosen, here) or {})
        rows = [
            _row(c.code, c.name, _figure(chosen, c) or {}, _link(request, c.query))
            for c in children
        ]
        context_charts["curve"] = _curve(found, path)
        if rows:
            context_charts["bars"] = _bars(children[0].level, rows)
        if here.level in ("country", "regions"):
            context_charts["map"] = _map(request, chosen)
    context = {
        "election": election,
        "publications": [(clock(p), p, p.figures.get("country", {})) for p in found],
        "chosen": chosen,
        "chosen_clock": clock(chosen) if chosen is not None else "",
        "level": here.level,
        "here": here,
        "crumbs": [(p.name, _link(request, p.query)) for p in path[:-1]],
        "current": current,
        "country": current if here.level == "country" else None,
        "regions": rows if here.level == "country" else [],
        "children": rows,
        "child_header": gettext(LEVEL_HEADERS[children[0].level][1]) if children else "",
        "charts": context_charts,
        "reporting_times": [
            f"{timezone.localtime(t, turnout.zone()):%H:%M}"
            for t in turnout.reporting_instants(election)
        ],
    }
    return render(request, "polling/public.html", context)


def station_rows(publication: TurnoutPublication) -> Iterator[list[object]]:
    """One CSV row per station of ``publication``, in station order."""
    where = {
        str(number): (region, tec)
        for number, region, tec in PollingStation.objects.values_list(
            "number", "region__code", "tec__code"
        )
    }
    at = timezone.localtime(publication.as_of, turnout.zone()).isoformat()
    stations: Mapping[str, Mapping[str, Any]] = publication.figures.get("stations", {})
    for number in sorted(stations, key=lambda n: (len(n), n)):
        data = stations[number]
        region, tec = where.get(number, ("", ""))
        share = data.get("turnout")
        yield [
            at,
            region,
            tec,
            number,
            int(data.get("listed", 0)),
            int(data.get("voted", 0)),
            "" if share is None else f"{share:.2f}",
        ]


@require_GET
def public_csv(request: HttpRequest) -> HttpResponse:
    """Station-level turnout of one publication (the latest by default) as CSV."""
    try:
        election = _election(request)
        chosen = _chosen(request, turnout.published(election))
    except Refusal as error:
        return render(request, "polling/public.html", {"refusal": error}, status=error.http_status)

    def lines() -> Iterator[str]:
        yield format_row(CSV_COLUMNS)
        if chosen is not None:
            for row in station_rows(chosen):
                yield format_row(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    suffix = f"-{clock(chosen).replace(':', '')}" if chosen is not None else ""
    response["Content-Disposition"] = f'attachment; filename="turnout-{election.code}{suffix}.csv"'
    return response


def _iso(moment: datetime.datetime) -> str:
    return timezone.localtime(moment, turnout.zone()).isoformat()


@require_safe
def public_json(request: HttpRequest) -> HttpResponse:
    """Every publication of the election with its figures for the country, regions, TECs and
    stations (listed, voted, turnout, manual issuances, home ballots, ballots by hour).

    A publication is frozen when written, so the answer changes only when one is added: its
    ``Last-Modified`` is the newest publication's, and a program polling through the day
    gets ``304`` between reporting times."""
    try:
        election = _election(request)
    except Refusal as error:
        return json_refusal(error)
    found = turnout.published(election)
    body = {
        "election": election.code,
        "name": str(election.name),
        "names": {code: text for code, text in election.names.items() if text},
        "polling_day": election.polling_day.isoformat(),
        "publications": [
            {
                "as_of": _iso(p.as_of),
                "published_at": _iso(p.published_at),
                **{
                    level: p.figures.get(level, {})
                    for level in ("country", "regions", "tecs", "stations")
                },
            }
            for p in found
        ],
    }
    changed = newest_of(p.published_at for p in found)
    return json_response(request, body, last_modified=changed)
