"""Public turnout: the figures as published at the law's reporting times, and their open data.

Only publications are shown (``turnout.published``), never live counts: a published figure
is frozen when written, so what the public reads at 14:00 is what everyone reads about 14:00
afterwards, and a ballot synced late by an offline device reaches the next publication instead
of changing a figure already out. Nothing here names a voter.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from shailoo.common.csvout import format_row
from shailoo.common.refusals import NotFound, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.geo.models import PollingStation, Region
from shailoo.polling import turnout
from shailoo.polling.models import TurnoutPublication

#: The open data's columns, one row per station of a publication.
CSV_COLUMNS = ("time", "region", "tec", "station", "listed", "voted", "turnout")


def lang() -> str:
    """The page's language among the three a place name is kept in."""
    code = (translation.get_language() or "ru")[:2]
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


def _row(code: str, name: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "listed": int(data.get("listed", 0)),
        "voted": int(data.get("voted", 0)),
        "turnout": data.get("turnout"),
    }


@require_GET
def public(request: HttpRequest) -> HttpResponse:
    """Turnout at one reporting time (the latest by default): the country and its regions,
    and the country's figure at every time published so far."""
    try:
        election = _election(request)
        found = turnout.published(election)
        chosen = _chosen(request, found)
    except Refusal as error:
        return render(request, "polling/public.html", {"refusal": error}, status=error.http_status)
    regions: list[dict[str, Any]] = []
    country: dict[str, Any] | None = None
    if chosen is not None:
        figures = chosen.figures
        country = _row("", gettext("Kyrgyz Republic"), figures.get("country", {}))
        names = {r.code: region_name(r) for r in Region.objects.all()}
        regions = [
            _row(code, names.get(code, code), data)
            for code, data in sorted(figures.get("regions", {}).items())
        ]
    context = {
        "election": election,
        "publications": [(clock(p), p, p.figures.get("country", {})) for p in found],
        "chosen": chosen,
        "chosen_clock": clock(chosen) if chosen is not None else "",
        "country": country,
        "regions": regions,
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


@require_GET
def public_json(request: HttpRequest) -> HttpResponse:
    """Every publication of the election with its figures for the country, regions, TECs and
    stations (listed, voted, turnout, manual issuances, home ballots, ballots by hour)."""
    try:
        election = _election(request)
    except Refusal as error:
        return JsonResponse(error.to_json(), status=error.http_status)
    body = {
        "election": election.code,
        "name": election.name,
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
            for p in turnout.published(election)
        ],
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
