"""Staff pages for protocols and results: dashboard, a station's protocols, one protocol.

Each page names its permission (``accounts.roles``); what it lists is cut to the user's
territory and an object outside it is refused. Views read forms and call the services,
which check the actor again, so a page that forgets cannot open a door.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.accounts.permissions import has_permission, permission_required, require, scope_filter
from shailoo.accounts.roles import Permission
from shailoo.common.pdf_fonts import FontMissing
from shailoo.common.refusals import NotFound, PermissionRefused, Refusal
from shailoo.counting.results import aggregation, decisions, services
from shailoo.counting.results.forms import (
    AutomaticCountForm,
    DisputeForm,
    ProtocolForm,
)
from shailoo.counting.results.models import AutomaticCount, CountingAlert, Protocol
from shailoo.counting.results.pdf import render_protocol_pdf
from shailoo.counting.results.presentation import (
    alert_reasons,
    contest_views,
    lang,
    localized_reasons,
    version_rows,
)
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation


def chosen_election(request: HttpRequest) -> Election | None:
    """``?election=CODE``, else the current election, else the latest one."""
    code = request.GET.get("election", "")
    if code:
        return Election.objects.filter(code=code[:50]).first()
    current = Election.objects.filter(is_current=True).order_by("-polling_day").first()
    return current or Election.objects.order_by("-polling_day").first()


def show_error(request: HttpRequest, error: Refusal) -> None:
    if isinstance(error, PermissionRefused):
        raise error
    messages.error(request, error.message)
    for where, why in error.problems:
        messages.error(request, f"{where}: {why}")


def _stations(request: HttpRequest) -> Any:
    return scope_filter(request.user, Permission.RESULTS_VIEW, PollingStation.objects.all())


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Status counts per TEC, open alerts and results of the user's territory."""
    wanted = request.GET.get("station", "").strip().lstrip("№")
    if wanted:
        if wanted.isascii() and wanted.isdigit() and len(wanted) <= 9:
            response = redirect("staff_results:station", number=int(wanted))
            response["Location"] += f"?election={request.GET.get('election', '')[:50]}"
            return response
        messages.error(request, gettext("A polling station number is a whole number."))
    election = chosen_election(request)
    context: dict[str, Any] = {"election": election, "elections": Election.objects.all()[:20]}
    if election is not None:
        stations = _stations(request)
        total, by_tec = aggregation.status_counts(election, stations)
        contests = aggregation.results(election, stations)
        alerts = scope_filter(
            request.user,
            Permission.RESULTS_VIEW,
            CountingAlert.objects.filter(election=election, resolved=False),
            "station",
        ).select_related("station", "protocol", "version")
        pending = scope_filter(
            request.user,
            Permission.RESULTS_VIEW,
            Protocol.objects.filter(election=election).exclude(status=Protocol.Status.ACCEPTED),
            "station",
        ).select_related("station")
        context.update(
            total=total,
            by_tec=by_tec,
            alerts=alert_rows(election, alerts[:100]),
            pending=pending[:100],
            contests=contest_views(election, contests),
        )
    return render(request, "counting_results/dashboard.html", context)


def alert_rows(election: Election, alerts: Any) -> list[tuple[CountingAlert, list[str]]]:
    """Each alert with its reasons in the reader's language (the stored ones are English)."""
    labels = aggregation.option_labels(election, lang())
    return [(a, alert_reasons(a, labels.get(a.protocol.contest_id, {}))) for a in alerts]


def _station_in_scope(request: HttpRequest, number: int) -> PollingStation:
    station = get_object_or_404(
        PollingStation.objects.select_related("tec", "region"), number=number
    )
    require(request.user, Permission.RESULTS_VIEW, station)
    return station


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def station(request: HttpRequest, number: int) -> HttpResponse:
    """A station's protocols for the election, their versions, and the entry forms."""
    place = _station_in_scope(request, number)
    election = chosen_election(request)
    protocols = (
        Protocol.objects.filter(election=election, station=place)
        .select_related("current")
        .prefetch_related("versions")
        if election is not None
        else Protocol.objects.none()
    )
    context = {
        "election": election,
        "station": place,
        "protocols": protocols,
        "ballot": station_contests(election, place) if election is not None else [],
        "automatic": latest_automatic_counts(election, place) if election is not None else [],
        "can_enter": has_permission(request.user, Permission.PROTOCOL_ENTER, place),
        "form": ProtocolForm(),
        "automatic_form": AutomaticCountForm(auto_id="id_automatic_%s"),
    }
    return render(request, "counting_results/station.html", context)


def station_contests(election: Election, place: PollingStation) -> list[tuple[str, str]]:
    """``(contest id, "option id: name" per line)`` for the contests this station votes in."""
    from shailoo.counting.models import Contest

    contests = (
        Contest.objects.filter(election=election, ballot_styles__stations=place)
        .distinct()
        .prefetch_related("options")
        .order_by("position")
    )
    ky = lang() == "ky"
    return [
        (c.code, "\n".join(f"{o.code}: {o.name_ky if ky else o.name_ru}" for o in c.options.all()))
        for c in contests
    ]


def latest_automatic_counts(election: Election, place: PollingStation) -> list[AutomaticCount]:
    """The automatic count each contest is compared with now (the newest per contest)."""
    newest: dict[str, AutomaticCount] = {}
    for row in AutomaticCount.objects.filter(election=election, station=place).order_by("-id"):
        newest.setdefault(row.contest_id, row)
    return [newest[c] for c in sorted(newest)]


def _enter_target(request: HttpRequest, number: int) -> tuple[PollingStation, Election]:
    place = _station_in_scope(request, number)
    require(request.user, Permission.PROTOCOL_ENTER, place)
    election = chosen_election(request)
    if election is None:
        raise NotFound("election_not_found", gettext("No election is loaded yet."))
    return place, election


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}")


def _back(place: PollingStation, election: Election) -> HttpResponse:
    response = redirect("staff_results:station", number=place.number)
    response["Location"] += f"?election={election.code}"
    return response


@require_POST
@permission_required(Permission.PROTOCOL_ENTER)
def enter(request: HttpRequest, number: int) -> HttpResponse:
    """Enter (or, after a dispute, re-enter) a protocol: a new version is stored."""
    place, election = _enter_target(request, number)
    form = ProtocolForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(place, election)
    try:
        version = services.enter_protocol(
            election,
            place,
            form.cleaned_data["contest"],
            form.lines(),
            form.cleaned_data["votes"],
            request.user,
        )
    except Refusal as error:
        show_error(request, error)
        return _back(place, election)
    if version.acceptable:
        messages.success(
            request, gettext("Protocol version %(n)s recorded.") % {"n": version.number}
        )
    else:
        messages.warning(
            request,
            gettext("Protocol version %(n)s recorded, but it cannot be accepted:")
            % {"n": version.number},
        )
        labels = aggregation.option_labels(election, lang()).get(version.protocol.contest_id, {})
        for reason in localized_reasons(version.verdict, labels):
            messages.warning(request, reason)
    return redirect("staff_results:protocol", pk=version.protocol_id)


@require_POST
@permission_required(Permission.PROTOCOL_ENTER)
def automatic(request: HttpRequest, number: int) -> HttpResponse:
    """Record an automatic count typed from the scanner's printout."""
    place, election = _enter_target(request, number)
    form = AutomaticCountForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(place, election)
    try:
        services.record_automatic_count(
            election, place, form.cleaned_data["contest"], form.cleaned_data["counts"], request.user
        )
    except Refusal as error:
        show_error(request, error)
    else:
        messages.success(request, gettext("Automatic count recorded."))
    return _back(place, election)


def _protocol_in_scope(request: HttpRequest, pk: int, permission: Permission) -> Protocol:
    protocol = get_object_or_404(
        Protocol.objects.select_related("election", "station__tec", "station__region", "current"),
        pk=pk,
    )
    require(request.user, permission, protocol.station)
    return protocol


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def protocol(request: HttpRequest, pk: int) -> HttpResponse:
    """One protocol: its status, the current verdict, every version and every decision."""
    item = _protocol_in_scope(request, pk, Permission.RESULTS_VIEW)
    labels = aggregation.option_labels(item.election, lang()).get(item.contest_id, {})
    versions = [(v, version_rows(v, labels)) for v in item.versions.order_by("-number")]
    context = {
        "protocol": item,
        "versions": versions,
        "decisions": item.decisions.select_related("version").order_by("-created_at", "-id"),
        "alerts": [
            (a, alert_reasons(a, labels))
            for a in item.alerts.filter(resolved=False).select_related("version")
        ],
        "reasons": localized_reasons(item.verdict, labels),
        "can_accept": has_permission(request.user, Permission.PROTOCOL_ACCEPT, item.station),
        "dispute_form": DisputeForm(),
    }
    return render(request, "counting_results/protocol.html", context)


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def protocol_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The protocol's current version as a printable PDF (Kyrgyz and Russian)."""
    item = _protocol_in_scope(request, pk, Permission.RESULTS_VIEW)
    if item.current is None:
        raise NotFound("version_not_found", gettext("This protocol has no such version."))
    labels = aggregation.option_labels(item.election, "ky")
    labels_ru = aggregation.option_labels(item.election, "ru")
    try:
        pdf = render_protocol_pdf(
            item, item.current, labels.get(item.contest_id, {}), labels_ru.get(item.contest_id, {})
        )
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"protocol-{item.election.code}-{item.station.number}-{item.contest_id}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
@permission_required(Permission.PROTOCOL_ACCEPT)
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    item = _protocol_in_scope(request, pk, Permission.PROTOCOL_ACCEPT)
    try:
        decisions.accept_protocol(item, request.user)
    except Refusal as error:
        if error.code != "blocked":
            show_error(request, error)
        else:  # the stored verdict says the same, in the reader's language
            item.refresh_from_db()
            labels = aggregation.option_labels(item.election, lang()).get(item.contest_id, {})
            messages.error(request, error.message)
            for reason in localized_reasons(item.verdict, labels):
                messages.error(request, reason)
    else:
        messages.success(request, gettext("Protocol accepted and signed."))
    return redirect("staff_results:protocol", pk=item.pk)


@require_POST
@permission_required(Permission.PROTOCOL_ACCEPT)
def dispute(request: HttpRequest, pk: int) -> HttpResponse:
    item = _protocol_in_scope(request, pk, Permission.PROTOCOL_ACCEPT)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("staff_results:protocol", pk=item.pk)
    try:
        decisions.dispute_protocol(item, request.user, form.cleaned_data["reason"])
    except Refusal as error:
        show_error(request, error)
    else:
        messages.success(request, gettext("Protocol disputed."))
    return redirect("staff_results:protocol", pk=item.pk)
