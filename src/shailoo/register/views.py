"""Staff pages for the voter register: overview, search, a person's record, corrections.

Every page names the permission it needs (``accounts.roles``): anonymous visitors and
sessions without the second factor are sent to the login, users whose roles lack the
permission get 403. What a page lists is cut down to the user's territory, and a record
outside it is refused. Views only read forms and call ``register.services``; the services
check the actor again, so a page that forgets cannot open a door. Every view of a person's
record is written to the personal-data access log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import (
    has_permission,
    permission_required,
    require,
    scope_filter,
)
from shailoo.accounts.roles import Permission
from shailoo.common.refusals import Refusal
from shailoo.geo.models import PollingStation, Region
from shailoo.register import services
from shailoo.register.forms import (
    CorrectionAnswerForm,
    CorrectionRequestForm,
    PersonSearchForm,
    VotingPlaceForm,
)
from shailoo.register.labels import history_lines, region_name, rule_names, voting_place_mode
from shailoo.register.models import ImportRun, ListCorrection, Person
from shailoo.register.pin import mask_pin


def _show_error(request: HttpRequest, error: Refusal) -> None:
    text = error.message
    if error.citation:
        text = f"{text} {gettext('Basis')}: {error.citation}"
    messages.error(request, text)


def _election_and_law(request: HttpRequest) -> tuple[Any, Any]:
    try:
        election = services.current_election()
        return election, services.law_for(election)
    except Refusal as error:
        _show_error(request, error)
        return None, None


@require_GET
@permission_required(Permission.REGISTER_OVERVIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Register overview: totals by region, latest imports, and the alerts and overdue
    answers of the user's territory."""
    election, law = _election_and_law(request)
    overdue = scope_filter(
        request.user,
        Permission.REGISTER_OVERVIEW,
        services.overdue_corrections(timezone.localdate()),
        "person__station",
        "person__remote_station",
    )
    alerts = services.dwelling_alerts(law) if law is not None else []
    if alerts:
        numbers = set(
            scope_filter(
                request.user, Permission.REGISTER_OVERVIEW, PollingStation.objects.all()
            ).values_list("number", flat=True)
        )
        alerts = [alert for alert in alerts if alert.station_number in numbers]
    lang = services.ui_lang()
    english = {r.code: r.name_en for r in Region.objects.all()} if lang == "en" else {}
    regions = [
        {
            **row,
            "name": english.get(row["station__region__code"])
            or region_name(row, lang, "station__region__"),
        }
        for row in services.region_totals()
    ]
    context = {
        "election": election,
        "edition_since": law.meta.in_force_from if law is not None else None,
        "persons": Person.objects.count(),
        "eligible": Person.objects.filter(eligible=True).count(),
        "regions": regions,
        "runs": ImportRun.objects.all()[:10],
        "alerts": alerts[:50],
        "overdue": overdue[:20],
        "overdue_count": overdue.count(),
        "open_count": ListCorrection.objects.filter(status=ListCorrection.Status.OPEN).count(),
    }
    return render(request, "register/dashboard.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(Permission.PERSON_SEARCH)
def person_search(request: HttpRequest) -> HttpResponse:
    """Find persons by name (any spelling) or PIN; htmx asks for the results only.

    The query is POSTed: a PIN (or a name) in the query string would be written to server
    and proxy logs and the browser's history. A GET shows the empty form and never searches.
    Only persons of the user's territory are listed.
    """
    form = PersonSearchForm(request.POST if request.method == "POST" else None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = services.search_persons(query) if query else []
    results = [p for p in found if has_permission(request.user, Permission.PERSON_SEARCH, p)]
    context = {
        "form": form,
        "query": query,
        "results": [(person, mask_pin(person.pin)) for person in results],
        "limit": services.SEARCH_LIMIT,
    }
    if request.headers.get("HX-Request"):
        return render(request, "register/_search_results.html", context)
    return render(request, "register/search.html", context)


@require_GET
@permission_required(Permission.PERSON_VIEW)
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record: the verdict explained rule by rule, and the full history.

    Refused outside the user's territory; every view is logged (who, which record, when).
    """
    person = get_object_or_404(
        Person.objects.select_related(
            "station", "station__district", "station__tec", "remote_station"
        ),
        pk=pk,
    )
    require(request.user, Permission.PERSON_VIEW, person)
    record_view(request, person, mask_pin(person.pin))
    election, law = _election_and_law(request)
    explanation: list[str] = []
    lang = services.ui_lang()
    if election is not None:
        _, explanation = services.explain(person, election, lang)
    mode = law.polling.voting_place_mode if law is not None else None
    context = {
        "person": person,
        "masked_pin": mask_pin(person.pin),
        "election": election,
        "edition_since": law.meta.in_force_from if law is not None else None,
        "failed_rules": rule_names(person.ineligible_codes, lang),
        "mode": mode,
        "mode_name": voting_place_mode(mode.value) if mode is not None else "",
        "mode_citation": mode.citation_in(lang) if mode is not None else "",
        "explanation": explanation,
        "history": [(h, history_lines(h.changes, lang)) for h in person.changes.all()[:100]],
        "requests": person.voting_place_changes.select_related("from_station", "to_station")[:50],
        "corrections": person.corrections.all()[:50],
        "form": VotingPlaceForm(),
    }
    return render(request, "register/person.html", context)


@require_POST
@permission_required(Permission.VOTING_PLACE_CHANGE)
def voting_place(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a request to vote elsewhere; a refusal is stored and shown with its basis."""
    person = get_object_or_404(Person.objects.select_related("station", "remote_station"), pk=pk)
    require(request.user, Permission.VOTING_PLACE_CHANGE, person)
    form = VotingPlaceForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("register:person", pk=pk)
    try:
        record = services.change_voting_place(
            person, form.cleaned_data["station_number"], request.user
        )
    except Refusal as error:
        _show_error(request, error)
    else:
        messages.success(
            request,
            gettext("Done: the voter now votes at station №%(number)s.")
            % {"number": record.to_station.number},
        )
    return redirect("register:person", pk=pk)


@permission_required(Permission.CORRECTION_VIEW)
def corrections(request: HttpRequest) -> HttpResponse:
    """The corrections queue of the user's territory (open first, by due date) and the
    form for a new request."""
    if request.method == "POST":
        require(request.user, Permission.CORRECTION_REQUEST)
    form = CorrectionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.request_correction(
                form.cleaned_data["pin"], form.cleaned_data["kind"], form.cleaned_data["details"]
            )
        except Refusal as error:
            _show_error(request, error)
        else:
            messages.success(
                request,
                gettext("Request registered; answer due by %(date)s.")
                % {"date": correction.due_by.isoformat()},
            )
            return redirect("register:corrections")
    today = timezone.localdate()
    visible = scope_filter(
        request.user,
        Permission.CORRECTION_VIEW,
        ListCorrection.objects.all(),
        "person__station",
        "person__remote_station",
    )
    open_items = visible.filter(status=ListCorrection.Status.OPEN).select_related("person")
    answered = (
        visible.exclude(status=ListCorrection.Status.OPEN)
        .select_related("person", "answered_by")
        .order_by("-answered_at")[:20]
    )
    context = {
        "form": form,
        "today": today,
        "open_items": [(c, mask_pin(c.pin), c.due_by < today) for c in open_items[:200]],
        "answered": [(c, mask_pin(c.pin)) for c in answered],
        "answer_form": CorrectionAnswerForm(),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "register/corrections.html", context, status=status)


@require_POST
@permission_required(Permission.CORRECTION_ANSWER)
def correction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept or reject a request of the user's territory."""
    correction = get_object_or_404(
        ListCorrection.objects.select_related("person__station", "person__remote_station"), pk=pk
    )
    require(request.user, Permission.CORRECTION_ANSWER, correction)
    form = CorrectionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose accept or reject and write the answer."))
        return redirect("register:corrections")
    try:
        services.answer_correction(
            correction, form.accepted(), form.cleaned_data["answer"], request.user
        )
    except Refusal as error:
        _show_error(request, error)
    else:
        messages.success(request, gettext("Answer recorded."))
    return redirect("register:corrections")
