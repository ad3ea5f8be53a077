"""Public portal pages: landing page, voter self-check, stations directory, public lists."""

from __future__ import annotations

import math

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from shailoo.common.csvout import format_row
from shailoo.geo.models import PollingStation, Region
from shailoo.portal.forms import SelfCheckForm, StationSearchForm
from shailoo.register import services
from shailoo.register.lists import iter_csv_lines, precinct_rows
from shailoo.register.messages import RULE_NAMES
from shailoo.register.models import Person

STATIONS_PER_PAGE = 50
VOTERS_PER_PAGE = 100


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what the register holds, and where a voter can check themself."""
    context = {
        "regions": Region.objects.count(),
        "stations": PollingStation.objects.count(),
        "voters": Person.objects.filter(eligible=True).count(),
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
    lang = translation.get_language() or "ru"
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
    }
    return render(request, "portal/stations.html", context)


def _without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def station_list(request: HttpRequest, number: int) -> HttpResponse:
    """A station's public voter list: PINs masked, birth years only (as posted at stations)."""
    station = get_object_or_404(
        PollingStation.objects.select_related("region", "tec", "district"), number=number
    )
    rows = precinct_rows(station, public=True)
    page = Paginator(rows, VOTERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "portal/station_list.html", {"station": station, "page": page, "total": len(rows)}
    )


@require_GET
def station_list_csv(request: HttpRequest, number: int) -> StreamingHttpResponse:
    """The same public list as CSV (UTF-8), streamed; formula-like cells neutralised."""
    station = get_object_or_404(PollingStation, number=number)
    rows = precinct_rows(station, public=True)
    response = StreamingHttpResponse(
        (format_row(line) for line in iter_csv_lines(rows, public=True)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="station-{station.number}.csv"'
    return response
