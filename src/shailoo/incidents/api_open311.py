"""Open311 GeoReport v2 over HTTP, at ``/open311/v2/``: existing reporting apps file and follow
cases here.

The documents and the body reader are :mod:`shailoo.incidents.open311`; this module wires them
to the case model. Every resource answers in JSON or XML by its suffix (``requests.xml``); a
path without a suffix answers JSON. Refusals are GeoReport's error list (``code`` and
``description`` per problem) with the HTTP status of the worst of them: 400 a bad field or
parameter, 404 an unknown service, request, token or resource, 405 a method the resource does
not take, 415 a body in a format not read here, 429 too many new requests from one source.

The endpoint is public: no login, no API key (``key_service`` in the discovery document says
so), no CSRF token (the views are CSRF-exempt: they read no session and no cookie). New
requests are limited per source address by the public form's throttle
(``views_public.ReportThrottle``, the ``incidents`` rate): one budget for both public doors,
so a client cannot double it by switching between them. Every POST counts, refused ones too,
so a flood cannot probe the reader; a refused one answers 429 with ``Retry-After``.
Answers carry ``Cache-Control: no-store`` (``accounts.security``: only named public prefixes
may be cached).

Where this endpoint departs from GeoReport v2, on purpose:

* **What is public.** GeoReport's GET requests returns the requester's ``description`` and
  exact ``lat``/``long``. Here a complaint's text can name the complainant, a neighbour or a
  voter, so the list returns only what the public register shows: ``description`` is the
  case's ``public_summary`` (written by the group; empty until then), ``address`` is the
  polling station's public address (or the territory's name), never the reporter's own
  ``address_string``; ``lat``/``long`` are rounded to two decimals (about a kilometre); no
  name, phone or e-mail is ever returned, and ``media_url`` is empty (a reporter's photo may
  show people). What a POST carries that the case has no field for (``media_url``,
  ``device_id``, ``account_id``, ``attribute[...]``) is kept on the case's timeline, for its
  handlers only.
* **What is listed.** Citizen reports from every door (the web form, the hotline, observers,
  agents, Open311 clients); the internal alerts that domains raise (register duplicates,
  count discrepancies, device alerts) are the groups' working material, not requests, and
  are neither listed nor found by id.
* **Extensions** (as the format module describes): ``shailoo_status`` on every request, the
  ``shailoo_status`` filter on GET requests, ``station`` in a POST body, and JSON or XML POST
  bodies besides the form encoding.
* **Period.** GET requests without ``start_date`` or ``end_date`` answers the newest 1,000
  requests of any date (GeoReport's default of "the last 90 days" bounds the work, which
  the limit already does, and would hide a campaign's reports once it is over); one of the
  two alone means the 90 days from or up to it; both may be at most 90 days apart.
* **Status.** A new request is a case at once (``type: realtime``): POST answers with its
  reference as ``service_request_id`` *and* a ``token`` stored on the case, which
  ``tokens/{token}`` resolves. ``jurisdiction_id`` and ``api_key`` are accepted and ignored:
  there is one jurisdiction and no key.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Final, cast

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.db.models import Max, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.incidents import clock, open311
from shailoo.incidents.categories import AGENCIES, CATEGORIES, Category
from shailoo.incidents.forms import normalise_reference
from shailoo.incidents.models import Case, CaseDecision, CaseEvent
from shailoo.incidents.open311 import (
    LEGAL_STATUSES,
    GeoReportError,
    Lang,
    LegalStatus,
    NewRequest,
    Open311Error,
    RequestView,
)
from shailoo.incidents.services import Report, open_case
from shailoo.incidents.views_public import ReportThrottle, public_text
from shailoo.incidents.views_public import public_cases as register_cases

FORMATS: Final = ("json", "xml")
#: GET requests answers at most this many, newest first (GeoReport's usual page).
LIST_LIMIT: Final = 1000
#: GeoReport: a search "may not span more than 90 days".
MAX_SPAN: Final = timedelta(days=90)
#: How many ids one ``service_request_id`` list may name.
MAX_IDS: Final = 1000
#: Coordinates are published to this many decimals (0.01 degree is about 1.1 km).
COORDINATE_DECIMALS: Final = 2
SOURCE: Final = "open311"
DEFAULT_CONTACT: Final = (
    "Central Election Commission of the Kyrgyz Republic, rapid-response coordination group"
)
_OPEN = (Case.Status.RECEIVED, Case.Status.IN_PROGRESS)
#: The GeoReport field a :class:`~shailoo.incidents.services.Report` field came from, so a
#: refusal from the case service names what the client sent.
_CLIENT_FIELD: Final[Mapping[str, str]] = {
    "category": "service_code",
    "description": "description",
    "place": "address_string",
    "latitude": "lat",
    "longitude": "long",
    "station": "station",
    "complainant_name": "first_name, last_name",
    "complainant_phone": "phone",
    "complainant_email": "email",
}

# --- public texts, in the three languages of the endpoint -------------------------------------

STATUS_NOTES: Final[Mapping[LegalStatus, Mapping[Lang, str]]] = {
    "received": {"ky": "Кабыл алынды", "ru": "Получено", "en": "Received"},
    "routed": {
        "ky": "Кабыл алынып, жооптуу органга жөнөтүлдү",
        "ru": "Получено и направлено ответственному органу",
        "en": "Received and routed to the agency responsible",
    },
    "in_progress": {"ky": "Каралууда", "ru": "Рассматривается", "en": "Being examined"},
    "escalated": {
        "ky": "Кароо мөөнөтү өттү: Борбордук шайлоо комиссиясынын тобуна өткөрүлдү",
        "ru": "Срок рассмотрения истёк: передано группе Центральной избирательной комиссии",
        "en": "Past its legal deadline: escalated to the Central Election Commission's group",
    },
    "decided": {"ky": "Чечим кабыл алынды", "ru": "Принято решение", "en": "Decided"},
    "closed": {"ky": "Жабылды", "ru": "Закрыто", "en": "Closed"},
    "rejected": {"ky": "Четке кагылды", "ru": "Отклонено", "en": "Rejected"},
}
OUTCOMES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "upheld": {
        "ky": "даттануу канааттандырылды",
        "ru": "жалоба удовлетворена",
        "en": "complaint upheld",
    },
    "dismissed": {
        "ky": "даттанууну канааттандыруудан баш тартылды",
        "ru": "в удовлетворении жалобы отказано",
        "en": "complaint dismissed",
    },
    "referred": {
        "ky": "башка органга жөнөтүлдү",
        "ru": "направлено в другой орган",
        "en": "referred to another body",
    },
    "no_violation": {
        "ky": "бузуу аныкталган жок",
        "ru": "нарушений не выявлено",
        "en": "no violation found",
    },
}
AGENCY_NAMES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "commission": {
        "ky": "Шайлоо комиссиясы",
        "ru": "Избирательная комиссия",
        "en": "Election commission",
    },
    "prosecutor": {"ky": "Прокуратура", "ru": "Прокуратура", "en": "Prosecutor's office"},
    "police": {
        "ky": "Ички иштер органдары",
        "ru": "Органы внутренних дел",
        "en": "Internal affairs (police)",
    },
    "national_security": {
        "ky": "Улуттук коопсуздук органдары",
        "ru": "Органы национальной безопасности",
        "en": "National security",
    },
}
DUE_NOTICE: Final[Mapping[Lang, str]] = {
    "ky": "Мыйзам боюнча чечим {due} чейин кабыл алынышы керек (Бишкек убактысы).",
    "ru": "По закону решение должно быть принято до {due} (время Бишкека).",
    "en": "Under the election law a decision is due by {due} (Bishkek time).",
}
FILED_NOTICE: Final[Mapping[Lang, str]] = {
    "ky": "Кайрылууңуздун номери {reference}: аны ушул номер менен көзөмөлдөй аласыз.",
    "ru": "Номер вашего обращения {reference}: по нему можно следить за его рассмотрением.",
    "en": "Your report is case {reference}: follow it by this number.",
}
STATION_ADDRESS: Final[Mapping[Lang, str]] = {
    "ky": "№{number} шайлоо участогу, {name}, {address}",
    "ru": "Избирательный участок №{number}, {name}, {address}",
    "en": "Polling station №{number}, {name}, {address}",
}

assert set(AGENCY_NAMES) == set(AGENCIES) and set(STATUS_NOTES) == set(LEGAL_STATUSES)
assert set(OUTCOMES) == set(CaseDecision.Outcome.values)


# --- answers ----------------------------------------------------------------------------------


def _json(value: Any, status: int = 200) -> HttpResponse:
    return JsonResponse(value, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def _xml(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type=f"{open311.XML_TYPE}; charset=utf-8")


def _answer(fmt: str, value: Any, xml: Callable[[], bytes], status: int = 200) -> HttpResponse:
    return _xml(xml(), status) if fmt == "xml" else _json(value, status)


def errors(fmt: str, found: Iterable[GeoReportError], status: int) -> HttpResponse:
    """GeoReport's error list in ``fmt``, answered with ``status``."""
    found = list(found)
    return _answer(
        fmt, open311.errors_json(found), lambda: open311.errors_xml(found), status=status
    )


def _refused(fmt: str, refusal: Refusal) -> HttpResponse:
    return errors(fmt, open311.errors_of(refusal), refusal.http_status)


def _not_found(what: str) -> NotFound:
    return NotFound("not_found", what)


View = Callable[..., HttpResponse]


def endpoint(*methods: str) -> Callable[[View], View]:
    """A GeoReport resource: public, CSRF-exempt, answered in its suffix's format, refusals
    as GeoReport errors; ``methods`` are the ones it takes (HEAD with GET)."""
    allowed = (*methods, "HEAD") if "GET" in methods else methods

    def wrap(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def resource(request: HttpRequest, fmt: str = "json", **kwargs: Any) -> HttpResponse:
            if fmt not in FORMATS:
                why = f"no format {fmt[:16]!r}: add .json or .xml to the resource"
                return errors("json", [GeoReportError(404, why)], 404)
            if request.method not in allowed:
                why = f"{str(request.method)[:16]} is not taken here; use {', '.join(methods)}"
                response = errors(fmt, [GeoReportError(405, why)], 405)
                response["Allow"] = ", ".join(allowed)
                return response
            try:
                return view(request, fmt, **kwargs)
            except Refusal as refusal:
                return _refused(fmt, refusal)

        return resource

    return wrap


def language(request: HttpRequest) -> Lang:
    """The answer's language: the ``locale`` parameter, else the visitor's (Accept-Language)."""
    asked = request.GET.get("locale") or getattr(request, "LANGUAGE_CODE", None)
    return open311.lang_of(asked, default="ru")


# --- discovery and services -------------------------------------------------------------------


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    """Where the endpoint is and what it speaks."""
    base = request.build_absolute_uri(reverse("open311-discovery")).rsplit("/", 1)[0]
    contact = getattr(settings, "SHAILOO_OPEN311_CONTACT", "") or DEFAULT_CONTACT
    return _answer(
        fmt,
        open311.discovery(base, contact),
        lambda: open311.discovery_xml(base, contact),
    )


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every case category as a service."""
    lang = language(request)
    return _answer(fmt, open311.services(lang), lambda: open311.services_xml(lang))


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    """A service's extra fields (404 for a code that is no service)."""
    lang = language(request)
    return _answer(
        fmt,
        open311.service_definition(code, lang),
        lambda: open311.service_definition_xml(code, lang),
    )


# --- reading requests -------------------------------------------------------------------------


def legal_status(case: Case) -> LegalStatus:
    """The ``shailoo_status`` of a case: every open case was routed at intake; an open case
    past its deadline was escalated; the closed statuses are the case's own."""
    if case.status in _OPEN:
        if case.escalated_at is not None:
            return "escalated"
        return "in_progress" if case.status == Case.Status.IN_PROGRESS else "routed"
    return cast(LegalStatus, case.status)


def public_cases() -> QuerySet[Case]:
    """The cases GeoReport lists (the public register's: no internal alert), newest first,
    with what a view needs: the last event's time and the latest decision's outcome."""
    outcome = CaseDecision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-pk")
    return (
        register_cases()
        .select_related("station", "tec", "region")
        .annotate(
            last_event=Max("events__at"),
            outcome=Subquery(outcome.values("outcome")[:1]),
        )
        .order_by("-received_at", "-pk")
    )


def _local(moment: datetime | None) -> datetime | None:
    return None if moment is None else timezone.localtime(moment)


def _address(case: Case, lang: Lang) -> str:
    """Where, as the public may know it: the station's public address, else the territory."""
    if case.station is not None:
        station = case.station
        return STATION_ADDRESS[lang].format(
            number=station.number, name=station.name, address=station.address
        )
    if case.tec is not None:
        return case.tec.name
    if case.region is not None:
        return str(getattr(case.region, f"name_{lang}", "") or case.region.name_ru)
    return ""


def _rounded(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, COORDINATE_DECIMALS)


def due_notice(case: Case, lang: Lang) -> str:
    """The legal deadline in words while the case is open; nothing once it is closed."""
    if case.status not in _OPEN:
        return ""
    due = timezone.localtime(case.due_at).strftime("%Y-%m-%d %H:%M")
    return DUE_NOTICE[lang].format(due=due)


def request_view(case: Case, lang: Lang) -> RequestView:
    """A case as GeoReport shows it: the public fields only (see the module doc)."""
    legal = legal_status(case)
    notes = STATUS_NOTES[legal][lang]
    outcome = str(getattr(case, "outcome", "") or "")
    if legal in open311.CLOSED_STATUSES and outcome in OUTCOMES:
        notes = f"{notes}: {OUTCOMES[outcome][lang]}"
    agencies = [case.agency, *case.shared_agencies]
    lat, long = _rounded(case.latitude), _rounded(case.longitude)
    if lat is None or long is None:
        lat = long = None
    updated = getattr(case, "last_event", None) or case.received_at
    return RequestView(
        service_request_id=case.reference,
        status=open311.status_of(legal),
        status_notes=notes,
        service_name=open311.SERVICE_NAMES[cast(Category, case.category)][lang].name,
        service_code=cast(Category, case.category),
        description=public_text(case.public_summary, case),
        agency_responsible="; ".join(AGENCY_NAMES[a][lang] for a in agencies if a in AGENCY_NAMES),
        service_notice=due_notice(case, lang),
        requested_datetime=timezone.localtime(case.received_at),
        updated_datetime=_local(updated),
        expected_datetime=_local(case.due_at) if case.status in _OPEN else None,
        address=_address(case, lang),
        lat=lat,
        long=long,
        media_url="",
        shailoo_status=legal,
    )


def _views(cases: Iterable[Case], lang: Lang) -> list[RequestView]:
    return [request_view(case, lang) for case in cases]


def _requests(fmt: str, views: list[RequestView]) -> HttpResponse:
    return _answer(fmt, open311.requests_json(views), lambda: open311.requests_xml(views))


def _bad_parameter(name: str, why: str) -> Open311Error:
    return Open311Error([(Problem(name, why), 400)])


def _listed(request: HttpRequest, name: str, allowed: Iterable[str]) -> list[str]:
    """A comma-delimited filter's values, each one of ``allowed``."""
    values = [part.strip() for part in request.GET.get(name, "").split(",") if part.strip()]
    choices = tuple(allowed)
    unknown = [value for value in values if value not in choices]
    if unknown:
        raise _bad_parameter(
            name, f"no {name} {unknown[0][:64]!r}; give one or more of {', '.join(choices)}"
        )
    return values


#: ``+06:00`` sent unencoded in a query string arrives as `` 06:00``.
_LOST_PLUS = re.compile(r"(.*T[0-9:.]+) ([0-9]{2}(?::?[0-9]{2})?)")


def _moment(request: HttpRequest, name: str) -> datetime | None:
    text = request.GET.get(name, "").strip()
    if not text:
        return None
    text = _LOST_PLUS.sub(r"\1+\2", text)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        why = f"not an ISO 8601 time such as 2027-03-14T10:05:00+06:00: {text[:40]!r}"
        raise _bad_parameter(name, why) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _period(request: HttpRequest) -> tuple[datetime, datetime] | None:
    """``start_date``..``end_date``, never more than 90 days apart; one of them alone means
    the 90 days from or up to it; neither, no period (the newest requests, as many as a list
    holds: the bound GeoReport's 90 days is there for)."""
    start, end = _moment(request, "start_date"), _moment(request, "end_date")
    if start is None and end is None:
        return None
    if end is None:
        end = cast(datetime, start) + MAX_SPAN
    if start is None:
        start = end - MAX_SPAN
    if end < start:
        raise _bad_parameter("end_date", "is before start_date")
    if end - start > MAX_SPAN:
        raise _bad_parameter("end_date", "a search may not span more than 90 days")
    return start, end


def _in_legal_status(status: LegalStatus) -> Q:
    """The cases whose :func:`legal_status` is ``status``, as a query."""
    escalated = Q(escalated_at__isnull=False)
    if status == "routed":
        return Q(status=Case.Status.RECEIVED) & ~escalated
    if status == "in_progress":
        return Q(status=Case.Status.IN_PROGRESS) & ~escalated
    if status == "escalated":
        return Q(status__in=_OPEN) & escalated
    if status == "received":  # every case is routed as it is received
        return Q(pk__in=[])
    return Q(status=status)


def _search(request: HttpRequest) -> QuerySet[Case]:
    cases = public_cases()
    ids = [part.strip() for part in request.GET.get("service_request_id", "").split(",")]
    ids = [part for part in ids if part]
    if ids:  # GeoReport: a list of ids overrides every other parameter
        if len(ids) > MAX_IDS:
            raise _bad_parameter("service_request_id", f"at most {MAX_IDS} ids")
        references = {normalise_reference(part[:40]) for part in ids}
        return cases.filter(reference__in=[ref for ref in references if ref])
    codes = _listed(request, "service_code", CATEGORIES)
    statuses = _listed(request, "status", ("open", "closed"))
    legal = _listed(request, "shailoo_status", LEGAL_STATUSES)
    period = _period(request)
    if period is not None:
        cases = cases.filter(received_at__gte=period[0], received_at__lte=period[1])
    if codes:
        cases = cases.filter(category__in=codes)
    if set(statuses) == {"open"}:
        cases = cases.filter(status__in=_OPEN)
    elif set(statuses) == {"closed"}:
        cases = cases.exclude(status__in=_OPEN)
    if legal:
        wanted = Q(pk__in=[])
        for status in legal:
            wanted |= _in_legal_status(cast(LegalStatus, status))
        cases = cases.filter(wanted)
    return cases


def _find(request_id: str) -> Case:
    reference = normalise_reference(request_id[:40])
    case = public_cases().filter(reference=reference).first() if reference else None
    if case is None:
        raise _not_found(f"no service request {request_id[:40]!r}")
    return case


@endpoint("GET")
def service_request(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    """One request by its reference (a list of one, as GeoReport answers it)."""
    return _requests(fmt, _views([_find(request_id)], language(request)))


@endpoint("GET")
def token_request(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    """The reference a POST's token became."""
    case = Case.objects.filter(token=token).first() if 0 < len(token) <= 40 else None
    if case is None:
        raise _not_found(f"no token {token[:40]!r}")
    return _answer(
        fmt,
        open311.token_response(token, case.reference),
        lambda: open311.token_xml(token, case.reference),
    )


# --- filing requests --------------------------------------------------------------------------


@endpoint("GET", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    """GET: the public list (filters, at most 1,000, newest first). POST: file a request."""
    if request.method == "POST":
        return _post(request, fmt)
    return _requests(fmt, _views(_search(request)[:LIST_LIMIT], language(request)))


def _throttled(request: HttpRequest, fmt: str) -> HttpResponse | None:
    throttle = ReportThrottle()
    if throttle.allow_request(request, None):
        return None
    wait = throttle.wait()
    seconds = max(1, math.ceil(wait)) if wait is not None else 60
    why = f"too many new requests from this source; try again in {seconds} s"
    response = errors(fmt, [GeoReportError(429, why)], 429)
    response["Retry-After"] = str(seconds)
    return response


def _read(request: HttpRequest) -> NewRequest:
    """The POSTed body, read by its content type (multipart's fields already parsed)."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    if length.isdigit() and int(length) > open311.MAX_BODY_BYTES:
        why = f"{int(length)} bytes is more than the {open311.MAX_BODY_BYTES} allowed"
        raise _bad_parameter("body", why)
    content_type = request.META.get("CONTENT_TYPE", "")
    try:
        if content_type.split(";")[0].strip().lower() == "multipart/form-data":
            if request.FILES:
                raise _bad_parameter("media", "files are not taken here: give a media_url")
            return open311.parse_new_request(request.POST.dict(), content_type)
        return open311.parse_new_request(request.body, content_type)
    except (MultiPartParserError, SuspiciousOperation) as exc:  # too big, too many fields
        raise _bad_parameter("body", f"the body cannot be read: {str(exc)[:120]}") from None


def _report(new: NewRequest) -> Report:
    name = " ".join(part for part in (new.first_name, new.last_name) if part)
    return Report(
        category=new.service_code,
        description=new.description,
        source=SOURCE,
        station=new.station,
        place=new.address_string,
        latitude=new.lat,
        longitude=new.long,
        complainant_name=name,
        complainant_phone=new.phone,
        complainant_email=new.email,
    )


def _as_client_sent(refusal: Refusal) -> Open311Error:
    """A refusal of the case service, its problems named by the fields the client sent."""
    if isinstance(refusal, NotFound):  # the only thing open_case looks up: the station
        return _bad_parameter("station", refusal.message)
    return Open311Error(
        [(Problem(_CLIENT_FIELD.get(p.where, p.where), p.why), 400) for p in refusal.problems]
        or [(Problem("body", refusal.message), 400)]
    )


def _extras(new: NewRequest) -> dict[str, Any]:
    """What the client sent that the case has no field for, kept on its timeline."""
    extras: dict[str, Any] = {}
    for name in ("media_url", "device_id", "account_id"):
        if getattr(new, name):
            extras[name] = getattr(new, name)
    if new.attribute:
        extras["attribute"] = dict(new.attribute)
    return extras


def _post(request: HttpRequest, fmt: str) -> HttpResponse:
    refused = _throttled(request, fmt)
    if refused is not None:
        return refused
    new = _read(request)
    lang = language(request)
    with transaction.atomic():
        try:
            case = open_case(SOURCE, _report(new), token=secrets.token_urlsafe(24))
        except (InvalidInput, NotFound) as refusal:
            raise _as_client_sent(refusal) from None
        extras = _extras(new)
        if extras:
            CaseEvent.objects.create(
                case=case, at=clock.now(), actor=SOURCE, kind="note", data={"open311": extras}
            )
    notice = " ".join((FILED_NOTICE[lang].format(reference=case.reference), due_notice(case, lang)))
    return _answer(
        fmt,
        open311.post_response(case.reference, case.token, notice),
        lambda: open311.post_response_xml(case.reference, case.token, notice),
    )


# --- anything else under /open311/v2/ ---------------------------------------------------------


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """A path under the endpoint that names no resource: GeoReport's 404, in the format the
    path's suffix asks for."""
    fmt = "xml" if rest.endswith(".xml") else "json"
    why = f"no resource {rest[:64]!r}; see discovery.{fmt}"
    return errors(fmt, [GeoReportError(404, why)], 404)
