"""Staff pages for protocols and results: the dashboard, a contest, one protocol and its
decisions (a station's page and the entry forms are in ``entry_views``).

Each page names its permission (``accounts.roles``); what it lists is cut to the user's
territory and an object outside it is refused. Views read forms and call the services,
which check the actor again, so a page that forgets cannot open a door.

The dashboard puts what needs a decision first (alerts, blocked protocols), then progress
per TEC, then one row per contest; a contest's full tables are on its own page. A protocol's
page shows its checks and decisions first, then the manual count beside the automatic one.
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
from shailoo.counting.results import aggregation, decisions, workspace
from shailoo.counting.results.forms import DisputeForm
from shailoo.counting.results.models import CountingAlert, Protocol
from shailoo.counting.results.pdf import render_protocol_pdf
from shailoo.counting.results.presentation import alert_reasons, lang, localized_reasons
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation

#: How many alerts and waiting protocols the dashboard lists before "and N more".
DASHBOARD_ROWS = 50


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


def _in_scope(request: HttpRequest, queryset: Any) -> Any:
    return scope_filter(request.user, Permission.RESULTS_VIEW, queryset, "station")


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Alerts and blocked protocols, status per TEC, one row per contest (user's territory)."""
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
        titles = aggregation.contest_titles(election, lang())
        alerts = _in_scope(
            request, CountingAlert.objects.filter(election=election, resolved=False)
        ).select_related("station", "protocol", "version")
        pending = workspace.blocked_first(
            _in_scope(
                request,
                Protocol.objects.filter(election=election).exclude(status=Protocol.Status.ACCEPTED),
            ).select_related("station")
        )
        shown = list(pending[:DASHBOARD_ROWS])
        busy, done = workspace.tec_rows(by_tec)
        context.update(
            total=total,
            tecs=busy,
            tecs_done=done,
            alerts=alert_rows(election, alerts[:DASHBOARD_ROWS], titles),
            alerts_total=alerts.count(),
            pending=[(p, titles.get(p.contest_id, p.contest_id)) for p in shown],
            pending_total=pending.count(),
            contests=workspace.contest_summaries(
                election, stations, aggregation.results(election, stations)
            ),
        )
    return render(request, "counting_results/dashboard.html", context)


def alert_rows(
    election: Election, alerts: Any, titles: dict[str, str] | None = None
) -> list[tuple[CountingAlert, str, list[str]]]:
    """Each alert with its contest's title and its reasons in the reader's language (the
    stored reasons are the ledger's English)."""
    labels = aggregation.option_labels(election, lang())
    titles = titles or {}
    return [
        (
            a,
            titles.get(a.protocol.contest_id, a.protocol.contest_id),
            alert_reasons(a, labels.get(a.protocol.contest_id, {})),
        )
        for a in alerts
    ]


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def contest(request: HttpRequest, code: str) -> HttpResponse:
    """One contest in the user's territory: standings, then every region and TEC."""
    election = chosen_election(request)
    if election is None:
        raise NotFound("election_not_found", gettext("No election is loaded yet."))
    stations = _stations(request)
    code = code[:64]
    found = aggregation.results(election, stations, contests=[code])
    summary = next(
        (s for s in workspace.contest_summaries(election, stations, found) if s.code == code),
        None,
    )
    if summary is None:
        raise NotFound(
            "contest_not_found", gettext("This election has no such contest in your territory.")
        )
    labels = aggregation.option_labels(election, lang()).get(code, {})
    tally = found.get(code)
    context = {
        "election": election,
        "summary": summary,
        "regions": workspace.unit_rows(tally.regions, labels, workspace.region_names())
        if tally
        else [],
        "tecs": workspace.unit_rows(tally.tecs, labels, {}) if tally else [],
        "lines": [] if tally is None else list(tally.country.lines.items()),
    }
    return render(request, "counting_results/contest.html", context)


def station_in_scope(request: HttpRequest, number: int) -> PollingStation:
    station = get_object_or_404(
        PollingStation.objects.select_related("tec", "region"), number=number
    )
    require(request.user, Permission.RESULTS_VIEW, station)
    return station


def form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{field}: {error}")


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
    """One protocol: its checks and decisions first, the manual count beside the automatic
    one, then every version and every decision."""
    item = _protocol_in_scope(request, pk, Permission.RESULTS_VIEW)
    all_labels = aggregation.option_labels(item.election, lang())
    labels = all_labels.get(item.contest_id, {})
    options = list(labels.items())
    versions = [
        (
            v,
            workspace.line_rows(v),
            workspace.comparisons(options, v.votes, v.automatic, v.tolerance_votes),
        )
        for v in item.versions.order_by("-number")
    ]
    current = item.current
    title = aggregation.contest_titles(item.election, lang()).get(item.contest_id, item.contest_id)
    can_accept = has_permission(request.user, Permission.PROTOCOL_ACCEPT, item.station)
    context = {
        "protocol": item,
        "title": title,
        "versions": versions,
        "comparison": workspace.comparisons(
            options,
            current.votes if current else None,
            item.automatic,
            current.tolerance_votes if current else None,
        ),
        "decisions": item.decisions.select_related("version").order_by("-created_at", "-id"),
        "alerts": [
            (a, alert_reasons(a, labels))
            for a in item.alerts.filter(resolved=False).select_related("version")
        ],
        "reasons": localized_reasons(item.verdict, labels),
        "can_accept": can_accept,
        "accept_blocked": not item.acceptable or item.status == Protocol.Status.ACCEPTED,
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
        form_errors(request, form)
        return redirect("staff_results:protocol", pk=item.pk)
    try:
        decisions.dispute_protocol(item, request.user, form.cleaned_data["reason"])
    except Refusal as error:
        show_error(request, error)
    else:
        messages.success(request, gettext("Protocol disputed."))
    return redirect("staff_results:protocol", pk=item.pk)
