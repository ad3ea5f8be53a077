"""Staff pages of election day: the turnout dashboard, a station's record, home voting.

Pages name their permission (``accounts.roles.PAGES``): the dashboard and the station record
need ``polling.view``, the home-voting requests ``polling.home_voting``; what a page lists is
cut to the user's territory (a PEC operator sees the own station, a TEC operator the TEC),
and a station outside it is refused. Publishing turnout changes what the public sees, so only
a country-wide assignment may press the button; anyone else is told so on the dashboard.

Live figures are for staff only (the public sees publications, ``views_public``). No page
shows a PIN or a template: a voter is named by surname, initials and the row of the precinct
list, and every page that names voters writes the personal-data access log.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import (
    grants_of,
    has_permission,
    permission_required,
    require,
    scope_filter,
)
from shailoo.accounts.roles import Permission, Scope, grants_permission
from shailoo.common.refusals import InvalidInput, NotFound, PermissionRefused, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.geo.models import PollingStation, Region, TerritorialCommission
from shailoo.integrity.models import SecurityEvent
from shailoo.law.loader import load_edition
from shailoo.polling import home_voting, reports, tally, turnout
from shailoo.polling.models import (
    CheckIn,
    Device,
    HomeVotingRequest,
    SecondIssue,
    StationReport,
    TurnoutPublication,
)
from shailoo.polling.views_public import lang, region_name
from shailoo.register.lists import precinct_rows, precinct_voters
from shailoo.register.models import Person

#: Rows a list shows at most (stations, second issues, devices, requests, events).
LIST_LIMIT = 300
#: Height in pixels of the tallest bar of the hourly chart.
CHART_HEIGHT = 120
CHART_BAR = 34

#: What a refused check-in's outcome means (``checkin`` outcome codes).
OUTCOME_LABELS: Mapping[str, Any] = {
    "not_identified": gettext_lazy("not identified"),
    "already_voted": gettext_lazy("already voted"),
    "not_on_list": gettext_lazy("not on this list"),
    "ineligible": gettext_lazy("not eligible"),
    "no_home_request": gettext_lazy("no home-voting request"),
    "irregular": gettext_lazy("issued offline to a voter not on the list"),
}

#: The grounds for voting at home a law edition may name (``law.schema.HomeVotingGround``).
GROUND_LABELS: Mapping[str, Any] = {
    "health": gettext_lazy("state of health"),
    "disability": gettext_lazy("disability"),
    "hospital": gettext_lazy("in hospital"),
    "pretrial_detention": gettext_lazy("held in pre-trial detention"),
    "remote_area": gettext_lazy("living in a remote area or at a distant pasture"),
    "military_duty": gettext_lazy("military service"),
    "police_duty": gettext_lazy("police duty"),
    "continuous_work": gettext_lazy("work that cannot be interrupted"),
    "shift_work": gettext_lazy("shift work"),
    "care_of_dependant": gettext_lazy("caring for a dependant"),
    "commission_decision": gettext_lazy("decision of the commission"),
}

REPORT_LABELS: Mapping[str, Any] = {
    "ballots_received": gettext_lazy("Ballots received"),
    "package_sha256": gettext_lazy("Station package (SHA-256)"),
    "ballots_unused": gettext_lazy("Ballots unused (cancelled)"),
    "ballots_spoiled": gettext_lazy("Ballots spoiled"),
    "issued": gettext_lazy("Ballots issued"),
    "manual": gettext_lazy("Manual issuances"),
    "home": gettext_lazy("Home ballots"),
    "offline": gettext_lazy("Issued offline"),
    "second_issues_here": gettext_lazy("Second ballots issued here"),
    "second_issues_of_voters_here": gettext_lazy("Second ballots to voters who voted here"),
    "difference": gettext_lazy("Difference"),
}


#: Which of two ballots to one voter stands (``law.schema.ConflictRule``).
CONFLICT_RULE_LABELS: Mapping[str, Any] = {
    "earliest_issue": gettext_lazy("the ballot issued first stands"),
    "first_received": gettext_lazy("the ballot the server received first stands"),
}

#: What a security event of a station's devices means (``integrity.security_events`` kinds:
#: ``device.<refusal>`` from ``polling.devices`` and the API, ``request.<reason>`` from
#: ``integrity.submissions.Reason``).
SECURITY_EVENT_LABELS: Mapping[str, Any] = {
    "device.not_a_device": gettext_lazy("a key that is not an enrolled device"),
    "device.revoked_device": gettext_lazy("a request from a revoked device"),
    "device.foreign_station": gettext_lazy("a device acting for another station"),
    "device.clock_wrong": gettext_lazy("the device's clock is wrong"),
    "device.out_of_order": gettext_lazy("readings of a device out of order"),
    "request.missing_header": gettext_lazy("signed request without a required header"),
    "request.malformed_header": gettext_lazy("signed request with a malformed header"),
    "request.unknown_key": gettext_lazy("signed request with an unknown key"),
    "request.revoked_key": gettext_lazy("signed request with a revoked key"),
    "request.key_not_in_force": gettext_lazy("signed request with a key not in force"),
    "request.wrong_key_usage": gettext_lazy("signed request with a key meant for other uses"),
    "request.body_hash_mismatch": gettext_lazy("signed request whose body does not match"),
    "request.bad_signature": gettext_lazy("signed request with a wrong signature"),
    "request.stale_timestamp": gettext_lazy("signed request too old or from the future"),
    "request.replayed_sequence": gettext_lazy("signed request replayed"),
}


def label(labels: Mapping[str, Any], code: str) -> str:
    """The label of ``code`` in the reader's language, the code itself when unknown."""
    text = labels.get(code)
    return str(text) if text is not None else code


# -- who and what ------------------------------------------------------------------------------


def country_wide(user: Any, permission: Permission) -> bool:
    """Whether one of the user's assignments grants ``permission`` over the whole country."""
    return any(
        grant.scope is Scope.COUNTRY and grants_permission(grant, permission)
        for grant in grants_of(user)
    )


def chosen_election(request: HttpRequest) -> Election:
    """``?election=CODE`` (letters, digits, hyphens), else the current election."""
    code = request.GET.get("election", "").strip()[:50]
    return election_named(code or None)


def _law(election: Election) -> Any:
    return load_edition(election.law_edition).election_day


def _hours(law: Any, seen: Iterable[int]) -> list[int]:
    """The hours of polling (opening to closing hour) and any other hour a ballot was issued
    in (home voting the day before, a device with a wrong clock): a column never hides one."""
    return sorted(set(range(law.opens.hour, law.closes.hour + 1)) | set(seen))


def voter_name(person: Person) -> str:
    """Surname and initials: enough for the commission to find the row, not a full identity."""
    initials = " ".join(f"{part[0]}." for part in (person.given_name, person.patronymic) if part)
    return f"{person.surname} {initials}".strip()


class ListRows:
    """Each voter's row on the precinct list of the station they vote at, one sort per
    station per page (a list is a few thousand rows)."""

    def __init__(self) -> None:
        self._rows: dict[int, dict[str, int]] = {}

    def of(self, person: Person) -> tuple[int, int | None]:
        """(station number, row) of the voter's list; row None when not on it."""
        station = person.remote_station or person.station
        rows = self._rows.get(station.pk)
        if rows is None:
            rows = self._rows[station.pk] = {r.pin: r.number for r in precinct_rows(station)}
        return station.number, rows.get(person.pin)


@dataclass(frozen=True)
class Voter:
    """A voter as staff pages name one."""

    name: str
    station: int
    row: int | None


def voter(person: Person, rows: ListRows) -> Voter:
    number, row = rows.of(person)
    return Voter(voter_name(person), number, row)


# -- figures -----------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Bar:
    hour: int
    ballots: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    """Ballots by hour as bars; drawn by the template as SVG shapes (no script, no style)."""

    bars: list[Bar]
    width: int
    height: int
    base: int
    label_y: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label_y", self.base + 14)


def chart(hours: list[int], counts: list[int]) -> Chart:
    most = max(counts, default=0)
    top = 16
    bars = []
    for i, (hour, n) in enumerate(zip(hours, counts, strict=True)):
        height = 0 if most == 0 or n == 0 else max(2, round(CHART_HEIGHT * n / most))
        bars.append(Bar(hour, n, i * CHART_BAR + 4, top + CHART_HEIGHT - height, height))
    return Chart(bars, len(hours) * CHART_BAR + 8, top + CHART_HEIGHT + 20, top + CHART_HEIGHT)


# -- the dashboard -----------------------------------------------------------------------------


def _stations(user: Any) -> QuerySet[PollingStation]:
    return scope_filter(
        user, Permission.POLLING_VIEW, PollingStation.objects.select_related("tec", "region")
    ).order_by("number")


def _station_link(user: Any, station: PollingStation) -> str:
    if has_permission(user, Permission.POLLING_VIEW, station):
        return reverse("polling:station", args=[station.number])
    return ""


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


def _case_link(user: Any, reference: str) -> str:
    if reference and has_permission(user, Permission.INCIDENTS_VIEW):
        return reverse("incidents:case", args=[reference])
    return ""


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
    law = _law(election)
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
    hours = _hours(law, seen_hours)
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
                _station_link(user, s.first.station),
                _station_link(user, s.station),
                _case_link(user, s.case_reference),
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


# -- a station's record ------------------------------------------------------------------------


@dataclass(frozen=True)
class SecondOnRecord:
    """A second ballot on a station's record: this station issued it, holds the vote, or both."""

    issue: SecondIssue
    voter: Voter
    issued_here: bool
    vote_here: bool
    vote_link: str
    second_link: str
    case_link: str

    @property
    def rule(self) -> str:
        return label(CONFLICT_RULE_LABELS, self.issue.rule)


def _hourly(election: Election, station: PollingStation) -> dict[str, int]:
    grouped = (
        CheckIn.objects.filter(election=election, station=station)
        .annotate(hour=ExtractHour("issued_at", tzinfo=turnout.zone()))
        .values_list("hour")
        .annotate(n=Count("pk"))
        .values_list("hour", "n")
    )
    return {str(h): int(n) for h, n in grouped}


def _report_rows(report: StationReport) -> list[tuple[str, str, str]]:
    rows = []
    for key, value in sorted(report.data.items()):
        if key.startswith("refused_"):
            text = label(OUTCOME_LABELS, key.removeprefix("refused_"))
            name = gettext("refused: %(outcome)s") % {"outcome": text}
        else:
            name = label(REPORT_LABELS, key)
        shown = str(value)
        if key == "package_sha256" and len(shown) > 16:
            shown = shown[:16] + "…"
        rows.append((key, name, shown))
    return rows


@require_GET
@permission_required(Permission.POLLING_VIEW)
def station(request: HttpRequest, number: int) -> HttpResponse:
    """A station's election day: counts, reports, devices, manual issuances, refusals, second
    ballots on either side, and the security events of its devices."""
    user = request.user
    place = get_object_or_404(
        PollingStation.objects.select_related("tec", "region", "district"), number=number
    )
    require(user, Permission.POLLING_VIEW, place)
    election = chosen_election(request)
    law = _law(election)
    lang_code = lang()
    counts = reports.station_counts(election, place)
    listed = precinct_voters(place).count()
    by_hour = _hourly(election, place)
    hours = _hours(law, (int(h) for h in by_hour))
    rows = ListRows()
    manual = (
        CheckIn.objects.filter(election=election, station=place, method=CheckIn.Method.MANUAL)
        .select_related("person__station", "person__remote_station", "device")
        .order_by("issued_at", "pk")[:LIST_LIMIT]
    )
    reasons = law.manual_reasons.value
    manual_rows = [
        (
            c,
            voter(c.person, rows),
            reasons[c.manual_reason].get(lang_code) if c.manual_reason in reasons else "",
        )
        for c in manual
    ]
    seconds = (
        SecondIssue.objects.filter(election=election)
        .filter(Q(station=place) | Q(first__station=place))
        .select_related(
            "station", "first__station", "person__station", "person__remote_station", "device"
        )
        .order_by("issued_at", "pk")[:LIST_LIMIT]
    )
    second_rows = [
        SecondOnRecord(
            s,
            voter(s.person, rows),
            s.station_id == place.pk,
            s.first.station_id == place.pk,
            _station_link(user, s.first.station),
            _station_link(user, s.station),
            _case_link(user, s.case_reference),
        )
        for s in seconds
    ]
    refused = sorted(
        (label(OUTCOME_LABELS, key.removeprefix("refused_")), key.removeprefix("refused_"), n)
        for key, n in counts.items()
        if key.startswith("refused_")
    )
    if manual_rows or second_rows:
        record_view(request, place, f"election day record of station {place.number}")
    context = {
        "election": election,
        "station": place,
        "counts": counts,
        "listed": listed,
        "share": tally.share(counts.get("issued", 0), listed),
        "hours": hours,
        "hourly": [by_hour.get(str(h), 0) for h in hours],
        "chart": chart(hours, [by_hour.get(str(h), 0) for h in hours]),
        "reports": [
            (r, r.get_kind_display(), _report_rows(r))
            for r in StationReport.objects.filter(election=election, station=place)
            .select_related("device")
            .order_by("at", "pk")
        ],
        "devices": Device.objects.filter(station=place).select_related("key").order_by("pk"),
        "manual": manual_rows,
        "refused": refused,
        "seconds": second_rows,
        "events": [
            (e, label(SECURITY_EVENT_LABELS, e.kind))
            for e in SecurityEvent.objects.filter(station_number=place.number)[:LIST_LIMIT]
        ],
        "limit": LIST_LIMIT,
    }
    return render(request, "polling/station.html", context)


# -- home voting -------------------------------------------------------------------------------


class HomeRequestForm(forms.Form):
    """A voter's request to vote at home, as the precinct commission takes it down."""

    pin = forms.RegexField(
        label=gettext_lazy("PIN"),
        regex=r"^[0-9]{14}$",
        max_length=14,
        error_messages={"invalid": gettext_lazy("A PIN is 14 digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )
    ground = forms.ChoiceField(label=gettext_lazy("Ground"))
    address = forms.CharField(label=gettext_lazy("Where the mobile box must go"), max_length=300)

    def __init__(self, *args: Any, grounds: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [(g, label(GROUND_LABELS, g)) for g in grounds]


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is cancelled"), max_length=300)


@dataclass(frozen=True)
class HomeRow:
    request: HomeVotingRequest
    voter: Voter
    ground: str


def _home_page(
    request: HttpRequest,
    *,
    form: HomeRequestForm | None = None,
    refusal: Refusal | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    try:
        election = election_named(None)
    except Refusal as error:
        return render(request, "polling/home.html", {"refusal": error}, status=error.http_status)
    law = _law(election)
    grounds = list(law.home_voting.grounds.value)
    found = scope_filter(
        user,
        Permission.HOME_VOTING,
        HomeVotingRequest.objects.filter(election=election),
        "station",
    ).select_related("person__station", "person__remote_station", "station")
    shown = found.order_by("station__number", "requested_at", "pk")[:LIST_LIMIT]
    rows = ListRows()
    listed = [HomeRow(r, voter(r.person, rows), label(GROUND_LABELS, r.ground)) for r in shown]
    if listed:
        record_view(request, election, f"home voting requests ({len(listed)} shown)")
    opens, until = law.home_voting_requests(election.polling_day, turnout.zone())
    held_from, held_to = law.home_voting_hours(election.polling_day, turnout.zone())
    context = {
        "election": election,
        "form": form or HomeRequestForm(grounds=grounds),
        "cancel_form": CancelForm(),
        "refusal": refusal,
        "rows": listed,
        "count": found.count(),
        "limit": LIST_LIMIT,
        "opens": opens,
        "last_day": until - datetime.timedelta(days=1),
        "held_from": held_from,
        "held_to": held_to,
        "ground_citation": law.home_voting.grounds.citation_in(lang()),
    }
    return render(request, "polling/home.html", context, status=status)


def _not_yours() -> NotFound:
    return NotFound("voter_not_found", gettext("No voter with this PIN is on a list you serve."))


@require_http_methods(["GET", "POST"])
@permission_required(Permission.HOME_VOTING)
def home(request: HttpRequest) -> HttpResponse:
    """The requests to vote at home in the user's territory, and the form to register one."""
    if request.method != "POST":
        return _home_page(request)
    try:
        election = election_named(None)
    except Refusal as error:
        return _home_page(request, refusal=error, status=error.http_status)
    form = HomeRequestForm(request.POST, grounds=_law(election).home_voting.grounds.value)
    if not form.is_valid():
        return _home_page(request, form=form, status=400)
    data = form.cleaned_data
    person = (
        Person.objects.select_related("station", "remote_station").filter(pin=data["pin"]).first()
    )
    # Unknown, or on a list the user does not serve: one answer, so the form is no way to
    # learn whether a PIN exists elsewhere.
    if person is None or not has_permission(
        request.user, Permission.HOME_VOTING, person.remote_station or person.station
    ):
        refusal: Refusal = _not_yours()
        return _home_page(request, form=form, refusal=refusal, status=refusal.http_status)
    try:
        made = home_voting.register(
            person, ground=data["ground"], address=data["address"], actor=request.user
        )
    except PermissionRefused:
        refusal = _not_yours()
        return _home_page(request, form=form, refusal=refusal, status=refusal.http_status)
    except Refusal as error:
        return _home_page(request, form=form, refusal=error, status=error.http_status)
    messages.success(
        request,
        gettext("Request registered: %(voter)s, station %(station)d.")
        % {"voter": voter_name(person), "station": made.station.number},
    )
    return redirect("polling:home")


@require_POST
@permission_required(Permission.HOME_VOTING)
def home_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel a registered request, with the reason."""
    found = (
        scope_filter(
            request.user, Permission.HOME_VOTING, HomeVotingRequest.objects.all(), "station"
        )
        .select_related("person", "station")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise NotFound("request_not_found", gettext("No such request to vote at home."))
    form = CancelForm(request.POST)
    if not form.is_valid():
        refusal = InvalidInput("reason", gettext("Say why the request is cancelled."))
        return _home_page(request, refusal=refusal, status=400)
    try:
        home_voting.cancel(found, actor=request.user, reason=form.cleaned_data["reason"])
    except Refusal as error:
        return _home_page(request, refusal=error, status=error.http_status)
    messages.success(
        request,
        gettext("Request cancelled: %(voter)s.") % {"voter": voter_name(found.person)},
    )
    return redirect("polling:home")
