"""Requests to vote at home (the mobile ballot box), as the precinct commission takes them.

The page lists the requests in the user's territory with the law's window for asking and the
hours the mobile box goes out, and registers or cancels a request through
``polling.home_voting``, which checks the window, the ground and the voter. A PIN that is
unknown and a PIN on a list the user does not serve get one and the same answer, so the form
is no way to learn whether a PIN exists elsewhere. The list names voters, so showing it writes
the personal-data access log.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import has_permission, permission_required, scope_filter
from shailoo.accounts.roles import Permission
from shailoo.common.refusals import InvalidInput, NotFound, PermissionRefused, Refusal
from shailoo.elections.services import election_named
from shailoo.polling import home_voting, turnout
from shailoo.polling.labels import GROUND_LABELS, label
from shailoo.polling.models import HomeVotingRequest
from shailoo.polling.views_public import lang
from shailoo.polling.views_shared import (
    LIST_LIMIT,
    ListRows,
    Voter,
    election_day_law,
    voter,
    voter_name,
)
from shailoo.register.models import Person


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
    law = election_day_law(election)
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
    form = HomeRequestForm(
        request.POST, grounds=election_day_law(election).home_voting.grounds.value
    )
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
