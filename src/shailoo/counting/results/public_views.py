"""Public results pages: accepted protocols only, with shares that add up.

Anyone may read these. Figures come from accepted protocols alone (what the commissions
have vouched for and signed); how many protocols are still reported, disputed or missing is
shown beside them, so a partial count is never mistaken for the result. Shares are computed
by ``counting.protocol.shares``, which makes each contest's column sum to exactly 100%.
The figures are cached until the results change (``results.cache``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from shailoo.counting.results import aggregation, cache
from shailoo.counting.results.models import Protocol
from shailoo.counting.results.presentation import contest_views
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation


def published_elections() -> Any:
    """Elections with at least one accepted protocol, newest first."""
    return (
        Election.objects.filter(protocols__status=Protocol.Status.ACCEPTED)
        .annotate(accepted=Count("protocols"))
        .order_by("-polling_day")
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "counting_results/public_index.html", {"elections": published_elections()}
    )


def find_station(event: Election, wanted: str) -> tuple[int | None, str]:
    """``(number, "")`` of a station with an accepted protocol, else ``(None, why not)``.

    A lookup that would land on an empty page says so here instead, in the reader's language.
    """
    text = wanted.strip().lstrip("№").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        return None, gettext("A polling station number is a whole number.")
    number = int(text)
    if not PollingStation.objects.filter(number=number).exists():
        return None, gettext("There is no polling station №%(number)s.") % {"number": number}
    accepted = Protocol.objects.filter(
        election=event, station__number=number, status=Protocol.Status.ACCEPTED
    )
    if not accepted.exists():
        return None, gettext(
            "Polling station №%(number)s has no accepted protocol in this election yet."
        ) % {"number": number}
    return number, ""


@require_GET
def election(request: HttpRequest, code: str) -> HttpResponse:
    """An election's results by contest: country, regions, TECs; turnout; progress.

    ``?station=N`` opens that station's protocols, or says why there is nothing to open.
    """
    event = get_object_or_404(Election, code=code[:50])
    wanted = request.GET.get("station", "")[:20]
    lookup_error = ""
    if wanted.strip():
        number, lookup_error = find_station(event, wanted)
        if number is not None:
            return redirect("results:station", code=event.code, number=number)

    def compute() -> dict[str, Any]:
        total, by_region = aggregation.status_counts(
            event, PollingStation.objects.all(), level="region"
        )
        return {
            "contests": contest_views(event, aggregation.results(event)),
            "total": total,
            "by_region": by_region,
        }

    context = {
        **cache.figures(request, event, compute),
        "election": event,
        "station_wanted": wanted.strip(),
        "lookup_error": lookup_error,
    }
    return render(request, "counting_results/public_election.html", context)


@require_GET
def station(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """One station's accepted protocols, line by line."""
    event = get_object_or_404(Election, code=code[:50])
    place = get_object_or_404(PollingStation.objects.select_related("tec", "region"), number=number)
    stations = PollingStation.objects.filter(pk=place.pk)

    def compute() -> dict[str, Any]:
        return {"contests": contest_views(event, aggregation.results(event, stations))}

    context = {**cache.figures(request, event, compute), "election": event, "station": place}
    return render(request, "counting_results/public_station.html", context)
