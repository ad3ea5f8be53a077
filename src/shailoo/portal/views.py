"""Public portal pages: landing page, voter self-check, stations directory, public lists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from rest_framework.throttling import SimpleRateThrottle

from shailoo.common.conditional import (
    json_refusal,
    json_response,
    names_of,
    page_asked,
    page_facts,
    twin_address,
)
from shailoo.common.csvout import format_row
from shailoo.common.localized import localized
from shailoo.common.refusals import InvalidInput, Refusal
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region
from shailoo.law.schema import Edition, PublicListMode, localize_cite
from shailoo.portal.forms import SelfCheckForm, StationSearchForm
from shailoo.portal.views_calendar import home_context
from shailoo.register import services
from shailoo.register.lists import ListRow, iter_csv_lines, precinct_rows, precinct_voters
from shailoo.register.messages import RULE_NAMES
from shailoo.register.models import Person

STATIONS_PER_PAGE = 50
VOTERS_PER_PAGE = 100


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: the current election, its calendar from the law edition (each date
    cited, past or to come), the stage it has reached, what the register holds, and the way
    to every public page."""
    context = {
        "regions": Region.objects.count(),
        "stations": PollingStation.objects.count(),
        "voters": Person.objects.filter(eligible=True).count(),
        **home_context(request),
    }
    return render(request, "portal/home.html", context)


class SelfCheckThrottle(SimpleRateThrottle):
    """The API's ``selfcheck`` rate, per client address, shared by the page and the API.

    The cache key is the one DRF's ScopedRateThrottle uses for an anonymous client, so a
    client cannot double its budget by switching between the page and the API.
    """

    scope = "selfcheck"

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@require_http_methods(["GET", "POST"])
def self_check(request: HttpRequest) -> HttpResponse:
    """PIN and birth date in, polling station and list status out (htmx swaps the answer)."""
    partial = bool(request.headers.get("HX-Request"))
    if request.method == "GET":
        return render(request, "portal/check.html", {"form": SelfCheckForm()})
    form = SelfCheckForm(request.POST)
    context: dict[str, object] = {"form": form, "submitted": True}
    status = 200
    throttle = SelfCheckThrottle()
    if not throttle.allow_request(request, None):
        context["throttled"] = True
        status = 429
    elif form.is_valid():
        result = services.self_check(form.cleaned_data["pin"], form.cleaned_data["birth_date"])
        context["result"] = result
        if result is not None:
            context["reason_names"] = _reason_names(result.reasons)
    else:
        status = 400
    # Error answers keep their status (400, 429) for programs; the page's htmx form is told
    # to swap them in like any answer (data-answer-statuses), so a voter never keeps reading
    # the previous answer, and a form sent without JavaScript gets the whole page.
    template = "portal/_check_result.html" if partial else "portal/check.html"
    response = render(request, template, context, status=status)
    if status == 429:
        wait = throttle.wait()
        response["Retry-After"] = str(max(1, math.ceil(wait))) if wait is not None else "60"
    return response


def _reason_names(codes: tuple[str, ...]) -> list[str]:
    """The failed rules in the voter's language, not as codes (codes mean nothing to voters)."""
    lang = translation.get_language() or settings.LANGUAGE_CODE
    lang = lang if lang in ("ky", "ru", "en") else "ru"
    return [RULE_NAMES[code][lang] if code in RULE_NAMES else code for code in codes]  # type: ignore[index]


def _stations(form: StationSearchForm) -> QuerySet[PollingStation]:
    stations = PollingStation.objects.select_related("region", "tec", "district").order_by("number")
    if not form.is_valid():
        return stations.none()
    query = form.cleaned_data["q"].strip()
    region = form.cleaned_data["region"].strip()
    if region:
        stations = stations.filter(region__code=region)
    if query.isdigit():
        stations = stations.filter(number=int(query))
    elif query:
        stations = stations.filter(Q(name__icontains=query) | Q(address__icontains=query))
    return stations


@require_GET
def stations(request: HttpRequest) -> HttpResponse:
    """Stations directory: search by number, name or address, filter by region."""
    form = StationSearchForm(request.GET)
    page = Paginator(_stations(form), STATIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "regions": Region.objects.all(),
        "query_string": _without_page(request),
        "json_url": twin_address(request, "portal:stations_json"),
    }
    return render(request, "portal/stations.html", context)


def _station_json(station: PollingStation) -> dict[str, Any]:
    """A station as its row on the page shows it: number, name, address, region, commission,
    remote voting, the address of its voter list page."""
    region = station.region
    lang = services.ui_lang()
    return {
        "number": station.number,
        "name": station.name,
        "address": station.address,
        "remote_voting": station.is_remote_voting,
        "region": {
            "code": region.code,
            "name": localized(region, "name", lang),
            "names": names_of(region),
        },
        "tec": {"code": station.tec.code, "name": station.tec.name} if station.tec else None,
        "voter_list": reverse("portal:station_list", args=[station.number]),
    }


@require_safe
def stations_json(request: HttpRequest) -> HttpResponse:
    """``/stations/index.json``: the directory as JSON, with the page's search (``q``,
    ``region``) and its pages of 50 (``page``); a bad search answers 400 with the problems,
    a page that is not there 404. An ``ETag`` and no ``Last-Modified``: the geography keeps
    no time of change (an import or an edit in the admin), and a guessed one would answer
    "not modified" to a program after a station moved."""
    form = StationSearchForm(request.GET)
    if not form.is_valid():
        problems = [
            (field, str(error)) for field, errors in form.errors.items() for error in errors
        ]
        error = InvalidInput(
            "invalid_search", gettext("The search is not valid."), problems=problems
        )
        return json_refusal(error)
    try:
        page = page_asked(request, Paginator(_stations(form), STATIONS_PER_PAGE))
    except Refusal as error:
        return json_refusal(error)
    document = {
        "format": "shailoo-public-stations/1",
        "query": {
            "q": form.cleaned_data["q"].strip(),
            "region": form.cleaned_data["region"].strip(),
        },
        **page_facts(request, page),
        "stations": [_station_json(station) for station in page],
    }
    return json_response(request, document)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


class PublicListThrottle(SelfCheckThrottle):
    """The ``publiclist`` rate (``SHAILOO_PUBLIC_LIST_RATE``) per client address, shared by
    every station's list page and file, so that a client cannot walk the country's lists."""

    scope = "publiclist"


@dataclass(frozen=True, slots=True)
class PublicListRule:
    """What the current election's law edition lets the public see of a station's list.

    ``law`` is ``None`` when no election is current or its edition cannot be read: the
    page then shows nothing but the count (fail closed, never names by accident).
    """

    mode: PublicListMode
    election: Election | None = None
    law: Edition | None = None

    @property
    def citation(self) -> str:
        """Where the law sets what is public, in the reader's language."""
        return self.law.voters.public_list.citation_in(services.ui_lang()) if self.law else ""

    def posted_on(self) -> date | None:
        """The day the preliminary list is posted at the precinct (Art. 15 in Kyrgyzstan)."""
        if self.law is None or self.election is None:
            return None
        days = self.law.calendar.preliminary_list_days_before.value
        return self.election.polling_day - timedelta(days=days)

    def corrections_until(self) -> date | None:
        """The last day a voter may ask for a correction of the list."""
        if self.law is None or self.election is None:
            return None
        days = self.law.calendar.correction_deadline_days_before.value
        return self.election.polling_day - timedelta(days=days)

    def posting_article(self) -> str:
        """The article that posts the list (``ст. 15``); the act is named in :attr:`citation`
        unless the posting rule cites another act, which is then named here."""
        if self.law is None:
            return ""
        posting, lang = self.law.calendar.preliminary_list_days_before, services.ui_lang()
        if posting.source != self.law.voters.public_list.source:
            return posting.citation_in(lang)
        return localize_cite(posting.cite, lang)


def public_list_rule() -> PublicListRule:
    """The public-list setting of the current election's edition; ``paper_only`` without one."""
    try:
        election = services.current_election()
        law = services.law_for(election)
    except Refusal:
        return PublicListRule("paper_only")
    return PublicListRule(law.voters.public_list.value, election, law)


@dataclass(frozen=True, slots=True)
class NameRow:
    """A line of a ``names_only`` list: the surname and initials, nothing that locates anyone."""

    number: int
    surname: str
    initials: str


def initials(*names: str) -> str:
    """``"А. Т."`` for Айгүл Талантовна; an empty name (no patronymic) gives no initial."""
    return " ".join(f"{name.strip()[0]}." for name in names if name.strip())


def _throttled(request: HttpRequest, station_number: int) -> HttpResponse | None:
    """The 429 page (with ``Retry-After``) once a client has used its list budget."""
    throttle = PublicListThrottle()
    if throttle.allow_request(request, None):
        return None
    response = render(
        request,
        "portal/station_list.html",
        {"throttled": True, "number": station_number},
        status=429,
    )
    wait = throttle.wait()
    response["Retry-After"] = str(max(1, math.ceil(wait))) if wait is not None else "60"
    return response


@require_GET
def station_list(request: HttpRequest, number: int) -> HttpResponse:
    """A station's public voter list, as much as the law edition allows (``public_list``).

    ``paper_only``: the count, where and when the list is posted on paper, the self-check;
    ``names_only``: surname and initials; ``full``: the list as posted at the station, with
    PINs masked and years of birth only. Rate-limited per client in every mode.
    """
    refused = _throttled(request, number)
    if refused is not None:
        return refused
    station = get_object_or_404(
        PollingStation.objects.select_related("region", "tec", "district"), number=number
    )
    rule = public_list_rule()
    context: dict[str, object] = {
        "number": number,
        "station": station,
        "rule": rule,
        "mode": rule.mode,
    }
    if rule.mode == "paper_only":
        context["total"] = precinct_voters(station).count()
        return render(request, "portal/station_list.html", context)
    rows = precinct_rows(station, public=True)
    shown: list[ListRow] | list[NameRow] = rows
    if rule.mode == "names_only":
        shown = [NameRow(r.number, r.surname, initials(r.given_name, r.patronymic)) for r in rows]
    context["page"] = Paginator(shown, VOTERS_PER_PAGE).get_page(request.GET.get("page"))
    context["total"] = len(rows)
    return render(request, "portal/station_list.html", context)


@require_GET
def station_list_csv(request: HttpRequest, number: int) -> HttpResponseBase:
    """The public list as CSV (UTF-8), streamed, formula-like cells neutralised; only where
    the edition publishes the full list: names in bulk are never a download by default."""
    refused = _throttled(request, number)
    if refused is not None:
        return refused
    station = get_object_or_404(
        PollingStation.objects.select_related("region", "tec", "district"), number=number
    )
    rule = public_list_rule()
    if rule.mode != "full":
        context = {
            "number": number,
            "station": station,
            "rule": rule,
            "mode": rule.mode,
            "csv_refused": True,
            "total": precinct_voters(station).count(),
        }
        # 451 Unavailable For Legal Reasons (RFC 7725): the law, not a permission, says no.
        return render(request, "portal/station_list.html", context, status=451)
    rows = precinct_rows(station, public=True)
    response = StreamingHttpResponse(
        (format_row(line) for line in iter_csv_lines(rows, public=True)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="station-{station.number}.csv"'
    return response
