"""The turnout dashboard of election day, and the button that publishes turnout.

The dashboard shows turnout now in the user's territory (a PEC operator sees the own station,
a TEC operator the TEC, the CEC the country) by region, TEC, station and hour, with what needs
a look: manual issuances, home ballots, second ballots to one voter, devices revoked or with a
wrong clock, stations not opened, and the law's reporting times. These live figures are for
staff only (the public sees publications, ``views_public``).

Publishing turnout changes what the public sees, so only a country-wide assignment may press
the button; anyone else is told so on the dashboard.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.accounts.permissions import (
    grants_of,
    has_permission,
    permission_required,
    scope_filter,
)
from shailoo.accounts.roles import Permission, Scope, grants_permission
from shailoo.common.refusals import Refusal
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region, TerritorialCommission
from shailoo.polling import tally, turnout
from shailoo.polling.labels import CONFLICT_RULE_LABELS, label
from shailoo.polling.models import Device, SecondIssue, StationReport, TurnoutPublication
from shailoo.polling.views_public import region_name
from shailoo.polling.views_shared import (
    LIST_LIMIT,
    case_link,
    chart,
    chosen_election,
    election_day_law,
    polling_hours,
    station_link,
)


def country_wide(user: Any, permission: Permission) -> bool:
    """Whether one of the user's assignments grants ``permission`` over the whole country."""
    return any(
        grant.scope is Scope.COUNTRY and grants_permission(grant, permission)
        for grant in grants_of(user)
    )


@dataclass(frozen=True)
class Line:
    """Turnout of one place: listed, voted, share, manual issuances, home ballots, by hour."""

    code: str
    name: str
    listed: int
    voted: int
    turnout: float | None
    manual: int
    home: int
    by_hour: Mapping[str, int]
    link: str = ""
    opened: bool | None = None
    seconds: int = 0

    def hourly(self, hours: Iterable[int]) -> list[int]:
        return [int(self.by_hour.get(str(h), 0)) for h in hours]


def line(code: str, name: str, data: Mapping[str, Any], **more: Any) -> Line:
    return Line(
        code,
        name,
        int(data.get("listed", 0)),
        int(data.get("voted", 0)),
        data.get("turnout"),
        int(data.get("manual", 0)),
        int(data.get("home", 0)),
        data.get("by_hour", {}),
        **more,
    )


def summed(stations: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Figures of several stations added up (a territory that is not one region or TEC)."""
    total: dict[str, Any] = {"listed": 0, "voted": 0, "manual": 0, "home": 0, "by_hour": {}}
    for data in stations:
        for key in ("listed", "voted", "manual", "home"):
            total[key] += int(data.get(key, 0))
        for hour, n in data.get("by_hour", {}).items():
            total["by_hour"][hour] = total["by_hour"].get(hour, 0) + int(n)
    total["turnout"] = tally.share(total["voted"], total["listed"])
    return total


def _stations(user: Any) -> QuerySet[PollingStation]:
    return scope_filter(
        user, Permission.POLLING_VIEW, PollingStation.objects.select_related("tec", "region")
    ).order_by("number")


@dataclass(frozen=True)
class SecondRow:
    """A second ballot to one voter, seen from the dashboard (no name: the record has it)."""

    issue: SecondIssue
    vote_link: str
    second_link: str
    case_link: str

    @property
    def rule(self) -> str:
        return label(CONFLICT_RULE_LABELS, self.issue.rule)


@dataclass(frozen=True)
class Publication:
    """One reporting time of the law: published (and what), due now, or still to come."""

    at: datetime.datetime
    published: TurnoutPublication | None
    due: bool

    @property
    def country(self) -> Mapping[str, Any]:
        return self.published.figures.get("country", {}) if self.published else {}


def publications(election: Election, now: datetime.datetime) -> list[Publication]:
    done = {p.as_of: p for p in turnout.published(election)}
    return [
        Publication(at, done.get(at), at <= now and at not in done)
        for at in turnout.reporting_instants(election)
    ]


@require_GET
@permission_required(Permission.POLLING_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Turnout now in the user's territory, by place and hour; manual issuances, home ballots,
    second ballots, devices to look at, stations not opened, and the publication times."""
    user = request.user
    wanted = request.GET.get("station", "").strip().lstrip("№")
    if wanted:
        if wanted.isascii() and wanted.isdigit() and len(wanted) <= 9:
            return redirect("polling:station", number=int(wanted))
        messages.error(request, gettext("A polling station number is a whole number."))
    try:
        election = chosen_election(request)
    except Refusal as error:
        return render(
            request, "polling/dashboard.html", {"refusal": error}, status=error.http_status
        )
    law = election_day_law(election)
    live = turnout.live(election)
    country = country_wide(user, Permission.POLLING_VIEW)
    regions = [
        line(r.code, region_name(r), live["regions"].get(r.code, {}))
        for r in Region.objects.order_by("code")
        if r.code in live["regions"] and has_permission(user, Permission.POLLING_VIEW, r)
    ]
    tec_link = reverse("polling:dashboard")
    tecs = [
        line(t.code, t.name, live["tecs"].get(t.code, {}), link=f"{tec_link}?tec={t.code}")
        for t in TerritorialCommission.objects.order_by("code")
        if t.code in live["tecs"] and has_permission(user, Permission.POLLING_VIEW, t)
    ]
    in_scope = _stations(user)
    numbers = list(in_scope.values_list("number", flat=True))
    figures = live["stations"]
    total = live["country"] if country else summed(figures.get(str(n), {}) for n in numbers)
    wanted_tec = request.GET.get("tec", "").strip()[:16]
    listed_stations = in_scope.filter(tec__code=wanted_tec) if wanted_tec else in_scope
    opened = set(
        StationReport.objects.filter(election=election, kind=StationReport.Kind.OPENING)
        .values_list("station_id", flat=True)
        .distinct()
    )
    seconds = scope_filter(
        user,
        Permission.POLLING_VIEW,
        SecondIssue.objects.filter(election=election),
        "station",
        "first__station",
    ).select_related("station", "first__station")
    per_station: Counter[int] = Counter()
    for here, there in seconds.values_list("station__number", "first__station__number"):
        per_station[here] += 1
        if there != here:
            per_station[there] += 1
    station_lines = [
        line(
            str(s.number),
            s.name,
            figures.get(str(s.number), {}),
            link=reverse("polling:station", args=[s.number]),
            opened=s.pk in opened,
            seconds=per_station.get(s.number, 0),
        )
        for s in listed_stations[:LIST_LIMIT]
    ]
    not_opened = in_scope.exclude(pk__in=opened)
    devices = scope_filter(
        user,
        Permission.POLLING_VIEW,
        Device.objects.filter(
            Q(status=Device.Status.REVOKED) | Q(clock_flagged_at__isnull=False)
        ).select_related("station", "key"),
        "station",
    ).order_by("station__number", "pk")
    seen_hours = {int(h) for h in total.get("by_hour", {})}
    hours = polling_hours(law, seen_hours)
    summary = line("", gettext("Country") if country else gettext("Your territory"), total)
    now = timezone.now()
    times = publications(election, now)
    context = {
        "election": election,
        "country": country,
        "summary": summary,
        "regions": regions,
        "tecs": tecs,
        "stations": station_lines,
        "station_count": listed_stations.count(),
        "wanted_tec": wanted_tec,
        "wanted_tec_name": (
            TerritorialCommission.objects.filter(code=wanted_tec)
            .values_list("name", flat=True)
            .first()
            or wanted_tec
        ),
        "limit": LIST_LIMIT,
        "hours": hours,
        "hour_rows": [(x, x.hourly(hours)) for x in [summary, *regions, *tecs]],
        "chart": chart(hours, summary.hourly(hours)),
        "second_count": seconds.count(),
        "seconds": [
            SecondRow(
                s,
                station_link(user, s.first.station),
                station_link(user, s.station),
                case_link(user, s.case_reference),
            )
            for s in seconds.order_by("-issued_at")[:LIST_LIMIT]
        ],
        "devices": devices[:LIST_LIMIT],
        "device_count": devices.count(),
        "not_opened": not_opened[:LIST_LIMIT],
        "not_opened_count": not_opened.count(),
        "opens_at": law.opens_at(election.polling_day, turnout.zone()),
        "times": times,
        "can_publish": country and any(t.due for t in times),
        "now": now,
    }
    return render(request, "polling/dashboard.html", context)


@require_POST
@permission_required(Permission.POLLING_VIEW)
def publish(request: HttpRequest) -> HttpResponse:
    """Publish the turnout of every reporting time that has come (country-wide users only)."""
    back = redirect("polling:dashboard")
    if not country_wide(request.user, Permission.POLLING_VIEW):
        messages.error(request, gettext("Only the Central Election Commission publishes turnout."))
        return back
    try:
        election = chosen_election(request)
    except Refusal as error:
        messages.error(request, error.message)
        return back
    written = turnout.publish_due(election)
    if written:
        times = ", ".join(f"{timezone.localtime(p.as_of):%H:%M}" for p in written)
        messages.success(request, gettext("Turnout published as of %(times)s.") % {"times": times})
    else:
        messages.info(request, gettext("No turnout figure is due now."))
    return back
