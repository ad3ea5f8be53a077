"""Staff pages where a station's protocols are typed: the station page and its two forms.

Per contest the page has a form with a field per protocol line and per option, labelled as
the paper protocol labels them, the scanners' count beside each option, and the law's
control relations run live (``static/shailoo/protocol-form.js``) and again here on submit,
where a failure shows the form again with the error beside its line and records nothing
unless the clerk confirms the paper says exactly this. The services decide and record.
Without an imported election definition the free-form entry (``option: votes`` lines)
is offered instead; the same addresses accept it from any other caller.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import get_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.accounts.permissions import has_permission, permission_required, require
from shailoo.accounts.roles import Permission
from shailoo.common.refusals import NotFound, Refusal
from shailoo.counting.results import aggregation, services, workspace
from shailoo.counting.results.forms import (
    AutomaticCountFieldsForm,
    AutomaticCountForm,
    ProtocolForm,
    ProtocolLinesForm,
)
from shailoo.counting.results.models import Protocol
from shailoo.counting.results.presentation import lang, localized_reasons
from shailoo.counting.results.protocol import Relation
from shailoo.counting.results.views import (
    chosen_election,
    form_errors,
    show_error,
    station_in_scope,
)
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation


def _rules(election: Election) -> tuple[tuple[Relation, ...], int | None]:
    """The law's relations and tolerance; none when the edition lacks them (the services
    then refuse the protocol with the reason, so the form need not)."""
    try:
        rules = services.protocol_rules(election)
    except Refusal:
        return (), None
    return rules.relations, rules.tolerance_votes


def _lines_form(code: str, options: list[Any], relations: Any, data: Any = None) -> Any:
    return ProtocolLinesForm(data, prefix=f"c-{code}", options=options, relations=relations)


def _automatic_form(code: str, options: list[Any], data: Any = None) -> Any:
    return AutomaticCountFieldsForm(data, prefix=f"a-{code}", options=options)


def _thousands() -> str:
    """The separator the page groups numbers with (the live checks write them the same)."""
    return str(get_format("THOUSAND_SEPARATOR")) if settings.USE_THOUSAND_SEPARATOR else ""


def _typed_votes(form: ProtocolLinesForm) -> dict[str, int] | None:
    """The votes a submitted form holds, where each is a whole number (for the comparison)."""
    typed: dict[str, int] = {}
    for option, bound in form.vote_fields():
        value = str(bound.value() or "").strip()
        if value.isascii() and value.isdigit() and len(value) <= 10:
            typed[option] = int(value)
    return typed or None


def station_context(
    request: HttpRequest,
    place: PollingStation,
    election: Election | None,
    bound: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The station page: its protocols, and per contest the comparison and the forms.

    ``bound`` holds a submitted form (``{"contest": code, "protocol": form}`` or
    ``"automatic": form``) shown again with its errors in place of the blank one.
    """
    bound = bound or {}
    can_enter = has_permission(request.user, Permission.PROTOCOL_ENTER, place)
    context: dict[str, Any] = {
        "election": election,
        "station": place,
        "can_enter": can_enter,
        "contests": [],
        "protocols": [],
    }
    if election is None:
        return context
    protocols = {
        p.contest_id: p
        for p in Protocol.objects.filter(election=election, station=place).select_related("current")
    }
    ballot = workspace.station_ballot(election, place)
    titles = {code: title for code, title, _ in ballot}
    titles.update(
        (k, v) for k, v in aggregation.contest_titles(election, lang()).items() if k not in titles
    )
    context["protocols"] = [(p, titles.get(code, code)) for code, p in sorted(protocols.items())]
    automatic = workspace.latest_automatic_counts(election, place)
    relations, tolerance = _rules(election)
    for code, title, options in ballot:
        protocol = protocols.get(code)
        auto = automatic.get(code)
        manual = protocol.current.votes if protocol and protocol.current else None
        form = bound["protocol"] if bound.get("contest") == code and "protocol" in bound else None
        auto_form = (
            bound["automatic"] if bound.get("contest") == code and "automatic" in bound else None
        )
        lines_form = form or _lines_form(code, options, relations)
        counts = dict(auto.counts) if auto else None
        typed = _typed_votes(lines_form) if form is not None else None
        entry = workspace.comparisons(options, typed, counts, tolerance)
        context["contests"].append(
            {
                "code": code,
                "title": title,
                "protocol": protocol,
                "automatic": auto,
                "comparison": workspace.comparisons(options, manual, counts, tolerance),
                "votes": list(zip(lines_form.vote_fields(), entry, strict=True)),
                "typed_total": sum(typed.values()) if typed else None,
                "automatic_total": None if counts is None else sum(int(n) for n in counts.values()),
                "config_id": f"config-{code}",
                "form": lines_form,
                "automatic_form": auto_form or _automatic_form(code, options),
                "open_automatic": auto_form is not None,
                "config": lines_form.client_config()
                | {"automatic": counts, "tolerance": tolerance, "thousands": _thousands()},
                "can_enter": can_enter
                and not (protocol and protocol.status == Protocol.Status.ACCEPTED),
            }
        )
    if not ballot:  # no definition imported: the free-form entry
        context["form"] = ProtocolForm()
        context["automatic_form"] = AutomaticCountForm(auto_id="id_automatic_%s")
        context["automatic_rows"] = [automatic[c] for c in sorted(automatic)]
    return context


@require_GET
@permission_required(Permission.RESULTS_VIEW)
def station(request: HttpRequest, number: int) -> HttpResponse:
    """A station's protocols for the election, the automatic counts, and the entry forms."""
    place = station_in_scope(request, number)
    return render(
        request,
        "counting_results/station.html",
        station_context(request, place, chosen_election(request)),
    )


def _enter_target(request: HttpRequest, number: int) -> tuple[PollingStation, Election]:
    place = station_in_scope(request, number)
    require(request.user, Permission.PROTOCOL_ENTER, place)
    election = chosen_election(request)
    if election is None:
        raise NotFound("election_not_found", gettext("No election is loaded yet."))
    return place, election


def _back(place: PollingStation, election: Election) -> HttpResponse:
    response = redirect("staff_results:station", number=place.number)
    response["Location"] += f"?election={election.code}"
    return response


def _ballot_options(
    request: HttpRequest, election: Election, place: PollingStation
) -> tuple[str, list[Any]] | None:
    """The contest a per-field form names, with its options; None (and a message) if this
    station does not vote in it."""
    code = request.POST.get("contest", "")[:64]
    for contest_code, _, options in workspace.station_ballot(election, place):
        if contest_code == code:
            return code, options
    messages.error(request, gettext("This polling station does not vote in that contest."))
    return None


def _again(
    request: HttpRequest, place: PollingStation, election: Election, bound: dict[str, Any]
) -> HttpResponse:
    """The station page again with the submitted form and its errors beside the fields."""
    context = station_context(request, place, election, bound)
    return render(request, "counting_results/station.html", context)


@require_POST
@permission_required(Permission.PROTOCOL_ENTER)
def enter(request: HttpRequest, number: int) -> HttpResponse:
    """Enter (or, after a dispute, re-enter) a protocol: a new version is stored.

    The page's form sends a field per line and option (checked against the law here first);
    a POST with ``votes`` as ``option: votes`` lines is the free-form entry.
    """
    place, election = _enter_target(request, number)
    if "votes" in request.POST:
        form: Any = ProtocolForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return _back(place, election)
        contest_id, votes = form.cleaned_data["contest"], form.cleaned_data["votes"]
    else:
        chosen = _ballot_options(request, election, place)
        if chosen is None:
            return _back(place, election)
        contest_id, options = chosen
        form = _lines_form(contest_id, options, _rules(election)[0], request.POST)
        if not form.is_valid():
            return _again(request, place, election, {"contest": contest_id, "protocol": form})
        votes = form.votes()
    try:
        version = services.enter_protocol(
            election, place, contest_id, form.lines(), votes, request.user
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
    if "counts" in request.POST:
        form: Any = AutomaticCountForm(request.POST)
        if not form.is_valid():
            form_errors(request, form)
            return _back(place, election)
        contest_id, counts = form.cleaned_data["contest"], form.cleaned_data["counts"]
    else:
        chosen = _ballot_options(request, election, place)
        if chosen is None:
            return _back(place, election)
        contest_id, options = chosen
        form = _automatic_form(contest_id, options, request.POST)
        if not form.is_valid():
            return _again(request, place, election, {"contest": contest_id, "automatic": form})
        counts = form.counts()
    try:
        services.record_automatic_count(election, place, contest_id, counts, request.user)
    except Refusal as error:
        show_error(request, error)
    else:
        messages.success(request, gettext("Automatic count recorded."))
    return _back(place, election)
