"""A polling station's record of election day, for the commission that oversees it.

One page per station: ballots issued by hour, the opening and closing reports with their
balance, the devices and their clocks, every manual issuance with the law's reason, the
refusals by outcome, the second ballots to one voter on either side (this station issued the
second ballot, holds the first, or both), and the security events of its devices. A station
outside the user's territory is refused. Manual issuances and second ballots name voters
(surname, initials, list row), so a record that shows any writes the personal-data access log.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import ExtractHour
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import permission_required, require
from shailoo.accounts.roles import Permission
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity.models import SecurityEvent
from shailoo.polling import reports, tally, turnout
from shailoo.polling.labels import (
    CONFLICT_RULE_LABELS,
    OUTCOME_LABELS,
    REPORT_LABELS,
    SECURITY_EVENT_LABELS,
    label,
)
from shailoo.polling.models import CheckIn, Device, SecondIssue, StationReport
from shailoo.polling.views_public import lang
from shailoo.polling.views_shared import (
    LIST_LIMIT,
    ListRows,
    Voter,
    case_link,
    chart,
    chosen_election,
    election_day_law,
    polling_hours,
    station_link,
    voter,
)
from shailoo.register.lists import precinct_voters


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
    law = election_day_law(election)
    lang_code = lang()
    counts = reports.station_counts(election, place)
    listed = precinct_voters(place).count()
    by_hour = _hourly(election, place)
    hours = polling_hours(law, (int(h) for h in by_hour))
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
            station_link(user, s.first.station),
            station_link(user, s.station),
            case_link(user, s.case_reference),
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
