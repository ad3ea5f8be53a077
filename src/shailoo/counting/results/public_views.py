"""Public results pages: country → region → TEC → station, each contest, each as JSON too.

Anyone may read these. Figures come from accepted protocols alone (what the commissions
have vouched for and signed); how many protocols are still reported, disputed or missing is
shown beside them, so a partial count is never mistaken for the result. Shares are computed
by ``counting.protocol.shares``, which makes each contest's column sum to exactly 100%.

Every page has a JSON sibling: the page's path without its last slash plus ``.json``
(``/results/jk-2027/`` → ``/results/jk-2027.json``, ``/results/jk-2027/regions/KG-Y/`` →
``/results/jk-2027/regions/KG-Y.json``), format ``shailoo-public-results/1``
(``docs/public-results.schema.json``), with ``ETag`` and ``Last-Modified`` and ``304`` for a
client that has it. Pages and answers are cached until the results change (``results.cache``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, cast

from django.core.cache import cache as django_cache
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from shailoo.common.pdf_fonts import FontMissing
from shailoo.common.refusals import NotFound
from shailoo.counting.results import aggregation, cache, public_figures, public_pages
from shailoo.counting.results.models import Protocol, ProtocolDecision, ProtocolVersion
from shailoo.counting.results.pdf import render_protocol_pdf
from shailoo.counting.results.public_names import ContestInfo, contests_of, reader_language
from shailoo.counting.results.public_pages import who_label
from shailoo.counting.results.public_station import Act, Who, station_page
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region, TerritorialCommission

PDF_CACHE_SECONDS = 24 * 3600


def published_elections() -> Any:
    """Elections with at least one accepted protocol, newest first."""
    return (
        Election.objects.annotate(
            accepted=Count("protocols", filter=Q(protocols__status=Protocol.Status.ACCEPTED))
        )
        .filter(accepted__gt=0)
        .order_by("-polling_day")
    )


def _dumps(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json_404(what: str) -> JsonResponse:
    refusal = NotFound("not_found", gettext("There is no %(what)s here.") % {"what": what})
    return JsonResponse(refusal.to_json(), status=404)


def _election(code: str) -> Election:
    event = Election.objects.filter(code=code[:50]).first()
    if event is None:
        raise Http404(gettext("No election with this code."))
    return event


def _answer(
    request: HttpRequest, event: Election | None, build: Callable[[], dict[str, Any]]
) -> HttpResponse:
    # ``json_answer`` reads the protocol stamp of one election, or of all when given none.
    return cache.json_answer(request, cast(Election, event), lambda: _dumps(build()))


def _page(
    request: HttpRequest,
    event: Election,
    template: str,
    build: Callable[[], dict[str, Any]],
    **extra: Any,
) -> HttpResponse:
    context = {**cache.figures(request, event, build), "election": event, **extra}
    return render(request, f"counting_results/{template}", context)


# -- the list of elections ------------------------------------------------------------------


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request, "counting_results/public_index.html", {"elections": published_elections()}
    )


@require_GET
def index_json(request: HttpRequest) -> HttpResponse:
    return _answer(request, None, lambda: public_figures.index(published_elections()))


# -- the country ----------------------------------------------------------------------------


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
    """The country: status, each contest's result, the regions (map and table).

    ``?station=N`` opens that station's protocols, or says why there is nothing to open.
    """
    event = _election(code)
    wanted = request.GET.get("station", "")[:20]
    lookup_error = ""
    if wanted.strip():
        number, lookup_error = find_station(event, wanted)
        if number is not None:
            return redirect("results:station", code=event.code, number=number)
    return _page(
        request,
        event,
        "public_election.html",
        lambda: public_pages.area_page(public_figures.national(event)),
        station_wanted=wanted.strip(),
        lookup_error=lookup_error,
    )


@require_GET
def election_json(request: HttpRequest, code: str) -> HttpResponse:
    event = Election.objects.filter(code=code[:50]).first()
    if event is None:
        return _json_404(gettext("election"))
    return _answer(request, event, lambda: public_figures.national(event))


# -- one contest ----------------------------------------------------------------------------


def _contest(event: Election, contest_id: str) -> ContestInfo | None:
    seen = Protocol.objects.filter(election=event, contest_id=contest_id[:64]).exists()
    return contests_of(event, [contest_id[:64]] if seen else []).get(contest_id)


@require_GET
def contest(request: HttpRequest, code: str, contest_id: str) -> HttpResponse:
    """One contest in full: the outcome and its explanation, the regions (or TECs)."""
    event = _election(code)
    info = _contest(event, contest_id)
    if info is None:
        raise Http404(gettext("This election has no such contest."))
    return _page(
        request,
        event,
        "public_contest.html",
        lambda: public_pages.area_page(public_figures.contest_page(event, info)),
    )


@require_GET
def contest_json(request: HttpRequest, code: str, contest_id: str) -> HttpResponse:
    event = Election.objects.filter(code=code[:50]).first()
    info = _contest(event, contest_id) if event is not None else None
    if event is None or info is None:
        return _json_404(gettext("contest") if event else gettext("election"))
    return _answer(request, event, lambda: public_figures.contest_page(event, info))


# -- a region, a TEC ------------------------------------------------------------------------


def _region(code: str) -> Region | None:
    return Region.objects.filter(code=code[:8], stations__isnull=False).distinct().first()


def _tec(code: str) -> TerritorialCommission | None:
    return TerritorialCommission.objects.select_related("region").filter(code=code[:16]).first()


@require_GET
def region(request: HttpRequest, code: str, region_code: str) -> HttpResponse:
    """A region: its status, the contests voted there, its TECs."""
    event = _election(code)
    place = _region(region_code)
    if place is None:
        raise Http404(gettext("There is no such region."))
    return _page(
        request,
        event,
        "public_area.html",
        lambda: public_pages.area_page(public_figures.region_page(event, place)),
    )


@require_GET
def region_json(request: HttpRequest, code: str, region_code: str) -> HttpResponse:
    event = Election.objects.filter(code=code[:50]).first()
    place = _region(region_code)
    if event is None or place is None:
        return _json_404(gettext("region") if event else gettext("election"))
    return _answer(request, event, lambda: public_figures.region_page(event, place))


@require_GET
def tec(request: HttpRequest, code: str, tec_code: str) -> HttpResponse:
    """A territorial commission: its status, the contests voted there, its stations."""
    event = _election(code)
    place = _tec(tec_code)
    if place is None:
        raise Http404(gettext("There is no such territorial commission."))
    return _page(
        request,
        event,
        "public_area.html",
        lambda: public_pages.area_page(public_figures.tec_page(event, place)),
    )


@require_GET
def tec_json(request: HttpRequest, code: str, tec_code: str) -> HttpResponse:
    event = Election.objects.filter(code=code[:50]).first()
    place = _tec(tec_code)
    if event is None or place is None:
        return _json_404(gettext("territorial commission") if event else gettext("election"))
    return _answer(request, event, lambda: public_figures.tec_page(event, place))


# -- a station and its protocols ------------------------------------------------------------


#: The largest station number a database column holds (a longer one is no station).
MAX_STATION = 2**31 - 1


def _station(number: int) -> PollingStation | None:
    if not 0 <= number <= MAX_STATION:
        return None
    stations = PollingStation.objects.select_related("tec__region", "region")
    return stations.filter(number=number).first()


@require_GET
def station(request: HttpRequest, code: str, number: int) -> HttpResponse:
    """A station's protocols: the figures as signed, the signature, every correction, how
    to verify them against the ledger."""
    event = _election(code)
    place = _station(number)
    if place is None:
        raise Http404(gettext("There is no such polling station."))
    return _page(
        request,
        event,
        "public_station.html",
        lambda: public_pages.station_page(station_page(event, place)),
        station=place,
    )


@require_GET
def station_json(request: HttpRequest, code: str, number: int) -> HttpResponse:
    event = Election.objects.filter(code=code[:50]).first()
    place = _station(number)
    if event is None or place is None:
        return _json_404(gettext("polling station") if event else gettext("election"))
    return _answer(request, event, lambda: station_page(event, place))


@require_GET
def protocol_pdf(request: HttpRequest, code: str, number: int, contest_id: str) -> HttpResponse:
    """The accepted protocol as the printable PDF (Kyrgyz and Russian); others have none.

    The PDF names who entered the figures by role and commission, as the page does."""
    if not 0 <= number <= MAX_STATION:
        raise Http404(gettext("There is no such polling station."))
    protocol = get_object_or_404(
        Protocol.objects.select_related("election", "station__tec", "current"),
        election__code=code[:50],
        station__number=number,
        contest_id=contest_id[:64],
        status=Protocol.Status.ACCEPTED,
    )
    version = protocol.current
    decision = ProtocolDecision.objects.filter(
        protocol=protocol, version=version, kind=ProtocolDecision.Kind.ACCEPT
    ).last()
    if version is None or decision is None:
        raise Http404(gettext("This protocol has not been accepted."))
    # The contest is named in the reader's language: one copy per language.
    key = f"results:pdf:{protocol.pk}:{version.number}:{decision.pk}:{reader_language()}"
    pdf = django_cache.get(key)
    if not isinstance(pdf, bytes):
        public = _public_version(protocol, version)
        labels_ky = aggregation.option_labels(protocol.election, "ky")
        labels_ru = aggregation.option_labels(protocol.election, "ru")
        try:
            pdf = render_protocol_pdf(
                protocol,
                public,
                labels_ky.get(protocol.contest_id, {}),
                labels_ru.get(protocol.contest_id, {}),
                accepted_by=_public_who(protocol.station, decision.actor, decision.created_at),
            )
        except FontMissing as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        django_cache.set(key, pdf, PDF_CACHE_SECONDS)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"protocol-{protocol.election.code}-{number}-{protocol.contest_id}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _public_who(station: PollingStation, actor: str, when: Any, act: Act = "decide") -> str:
    """Who acted, by role and commission in Kyrgyz and Russian (like the rest of the PDF),
    never by account."""
    who = Who(station)(actor, when, act)
    texts = []
    for lang in ("ky", "ru"):
        with translation.override(lang):
            texts.append(who_label(who))
    return " / ".join(dict.fromkeys(texts))


def _public_version(protocol: Protocol, version: ProtocolVersion) -> ProtocolVersion:
    """The version as the public copy prints it: who entered it by role and commission."""
    public = copy.copy(version)
    public.entered_by = _public_who(
        protocol.station, version.entered_by, version.created_at, "enter"
    )
    return public
