"""Staff pages for the voter register: overview, search, a person's record, corrections.

Every page requires an active staff user (anonymous visitors are sent to the login page,
logged-in non-staff get 403). Views only read forms and call ``register.services``; the
services check the actor again, so a page that forgets cannot open a door.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.register import services
from shailoo.register.forms import (
    CorrectionAnswerForm,
    CorrectionRequestForm,
    PersonSearchForm,
    VotingPlaceForm,
)
from shailoo.register.models import ImportRun, ListCorrection, Person
from shailoo.register.pin import mask_pin
from shailoo.register.services import ServiceError

View = Callable[..., HttpResponse]


def staff_required(view: View) -> View:
    """Deny by default: login for anonymous visitors, 403 for users who are not staff."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not (user.is_active and user.is_staff):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _show_error(request: HttpRequest, error: ServiceError) -> None:
    text = error.message
    if error.citation:
        text = f"{text} {gettext('Basis')}: {error.citation}"
    messages.error(request, text)


def _election_and_law(request: HttpRequest) -> tuple[Any, Any]:
    try:
        election = services.current_election()
        return election, services.law_for(election)
    except ServiceError as error:
        _show_error(request, error)
        return None, None


@require_GET
@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Register overview: totals by region, latest imports, dwelling alerts, overdue answers."""
    election, law = _election_and_law(request)
    overdue = services.overdue_corrections(timezone.localdate())
    context = {
        "election": election,
        "persons": Person.objects.count(),
        "eligible": Person.objects.filter(eligible=True).count(),
        "regions": services.region_totals(),
        "runs": ImportRun.objects.all()[:10],
        "alerts": services.dwelling_alerts(law)[:50] if law is not None else [],
        "overdue": overdue[:20],
        "overdue_count": overdue.count(),
        "open_count": ListCorrection.objects.filter(status=ListCorrection.Status.OPEN).count(),
    }
    return render(request, "register/dashboard.html", context)


@require_GET
@staff_required
def person_search(request: HttpRequest) -> HttpResponse:
    """Find persons by name (any spelling) or PIN; htmx asks for the results only."""
    form = PersonSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = services.search_persons(query) if query else []
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
@staff_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's record: the verdict explained rule by rule, and the full history."""
    person = get_object_or_404(
        Person.objects.select_related(
            "station", "station__district", "station__tec", "remote_station"
        ),
        pk=pk,
    )
    election, law = _election_and_law(request)
    explanation: list[str] = []
    if election is not None:
        _, explanation = services.explain(person, election, services.ui_lang())
    context = {
        "person": person,
        "masked_pin": mask_pin(person.pin),
        "election": election,
        "mode": law.polling.voting_place_mode if law is not None else None,
        "explanation": explanation,
        "history": person.changes.all()[:100],
        "requests": person.voting_place_changes.select_related("from_station", "to_station")[:50],
        "corrections": person.corrections.all()[:50],
        "form": VotingPlaceForm(),
    }
    return render(request, "register/person.html", context)


@require_POST
@staff_required
def voting_place(request: HttpRequest, pk: int) -> HttpResponse:
    """Apply a request to vote elsewhere; a refusal is stored and shown with its basis."""
    person = get_object_or_404(Person, pk=pk)
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
    except ServiceError as error:
        _show_error(request, error)
    else:
        messages.success(
            request,
            gettext("Done: the voter now votes at station №%(number)s.")
            % {"number": record.to_station.number},
        )
    return redirect("register:person", pk=pk)


@staff_required
def corrections(request: HttpRequest) -> HttpResponse:
    """The corrections queue (open first, by due date) and the form for a new request."""
    form = CorrectionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.request_correction(
                form.cleaned_data["pin"], form.cleaned_data["kind"], form.cleaned_data["details"]
            )
        except ServiceError as error:
            _show_error(request, error)
        else:
            messages.success(
                request,
                gettext("Request registered; answer due by %(date)s.")
                % {"date": correction.due_by.isoformat()},
            )
            return redirect("register:corrections")
    today = timezone.localdate()
    open_items = ListCorrection.objects.filter(status=ListCorrection.Status.OPEN).select_related(
        "person"
    )
    answered = (
        ListCorrection.objects.exclude(status=ListCorrection.Status.OPEN)
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
@staff_required
def correction_answer(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_object_or_404(ListCorrection, pk=pk)
    form = CorrectionAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Choose accept or reject and write the answer."))
        return redirect("register:corrections")
    try:
        services.answer_correction(
            correction, form.accepted(), form.cleaned_data["answer"], request.user
        )
    except ServiceError as error:
        _show_error(request, error)
    else:
        messages.success(request, gettext("Answer recorded."))
    return redirect("register:corrections")
