"""Public pages of the rapid-response groups: the complaint form, the look-up by reference
number, and the register of cases with its statistics.

Nothing personal leaves through these pages. The register and the status page show the
case's category, place, status, days, the summary the handlers wrote for the public, what was
decided, and whether an appeal against the decision is pending and how it ended — never the
description, the complainant, the parties, the evidence, or who appealed and why — and every
free text they do show (place, summary, decision) passes :func:`public_text`, which removes
the complainant's own name, phone and e-mail and anything shaped like a phone number, a PIN or
an e-mail address, in case a handler pasted one. Alerts the platform raised by itself (a
duplicate in the register, a rewritten protocol) are the groups' internal work: they carry
evidence about persons and security events, so they are neither listed nor looked up here.

A reference number is not personal data — the public register lists every one — so the
status page lives at ``/report/<reference>/``: it can be bookmarked and shared, and the
look-up form only turns what a person typed (``kg abcde 23456``) into that address.

The form is rate-limited per client address with the self-check's mechanism (a DRF
``SimpleRateThrottle`` in the shared cache, the ``incidents`` rate); a flood from one address
gets a 429 page with ``Retry-After`` and its text handed back, and what was accepted before
stays accepted.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_safe
from rest_framework.throttling import SimpleRateThrottle

from shailoo.common.conditional import (
    in_every_language,
    json_refusal,
    json_response,
    names_of,
    newest,
    page_asked,
    page_facts,
    twin_address,
)
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.geo.models import Region
from shailoo.incidents import clock, services
from shailoo.incidents.categories import CATEGORIES
from shailoo.incidents.forms import (
    APPEAL_OUTCOME_LABELS,
    CATEGORY_LABELS,
    OPEN,
    OPEN_STATUSES,
    OUTCOME_LABELS,
    STATUS_LABELS,
    RegisterFilterForm,
    ReportForm,
    StatusLookupForm,
    label,
    normalise_reference,
    refreshed,
    spam_reason,
)
from shailoo.incidents.models import Case, CaseAppeal, CaseDecision
from shailoo.integrity.models import LedgerEntry

#: Submissions of the public form one client address may make (``SHAILOO_INCIDENTS_RATE``,
#: or the ``incidents`` rate of ``REST_FRAMEWORK``). Generous, because mobile operators put
#: many subscribers behind one address; a script still meets it within seconds.
DEFAULT_RATE = "20/hour"
REGISTER_PAGE = 50


class ReportThrottle(SimpleRateThrottle):
    """The ``incidents`` rate, per client address (the self-check's mechanism).

    The cache key is the one DRF's ScopedRateThrottle uses for an anonymous client of the
    ``incidents`` scope, so an API door throttled with that scope shares the budget.
    """

    scope = "incidents"

    def get_rate(self) -> str | None:
        rate = self.THROTTLE_RATES.get(self.scope)
        return rate or os.environ.get("SHAILOO_INCIDENTS_RATE", DEFAULT_RATE)

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def public_cases() -> QuerySet[Case]:
    """The cases the public may see: every complaint, whatever its door; no internal alert."""
    return Case.objects.exclude(kind="alert").exclude(source="alert")


# -- redaction ---------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: Nine digits or more, spaces, dashes or brackets between them: phones and PINs.
_LONG_NUMBER = re.compile(r"\+?\d(?:[ ()\-]{0,2}\d){8,}")
_SEPARATORS = r"[ ()\-.]*"


def _known_patterns(case: Case) -> list[re.Pattern[str]]:
    patterns: list[re.Pattern[str]] = []
    if case.complainant_email.strip():
        patterns.append(re.compile(re.escape(case.complainant_email.strip()), re.IGNORECASE))
    digits = re.sub(r"\D", "", case.complainant_phone)
    if len(digits) >= 5:
        tail = digits[-9:]  # the subscriber's number, written with or without +996 or 0
        patterns.append(re.compile(_SEPARATORS.join(tail)))
    for word in re.findall(r"\w+", case.complainant_name):
        if len(word) >= 3 and not word.isdigit():
            patterns.append(re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE))
    return patterns


def public_text(text: str, case: Case) -> str:
    """``text`` fit for a public page: the complainant's name, phone and e-mail removed, and
    every e-mail address and long number (a phone, a PIN) masked, whoever wrote it."""
    if not text:
        return ""
    removed = gettext("[removed]")
    for pattern in _known_patterns(case):
        text = pattern.sub(removed, text)
    text = _EMAIL.sub(removed, text)
    return _LONG_NUMBER.sub(removed, text)


def ui_lang() -> str:
    """The page's language as a name column's suffix (``ky``, ``ru``; ``en`` otherwise)."""
    code = (translation.get_language() or "en")[:2]
    return code if code in ("ky", "ru") else "en"


def region_name(region: Region | None) -> str:
    if region is None:
        return ""
    lang = ui_lang()
    return region.name_ky if lang == "ky" else region.name_en if lang == "en" else region.name_ru


def public_place(case: Case) -> str:
    """Where it happened, as the public reads it: the station's number, else the place."""
    if case.station is not None:
        return gettext("polling station №%(n)s") % {"n": case.station.number}
    return public_text(case.place, case)


@dataclass(frozen=True)
class PublicDecision:
    outcome: str
    legal_basis: str
    measures: str
    referral: str
    decided_at: datetime
    outcome_code: str = ""


def public_decisions(case: Case) -> list[PublicDecision]:
    decisions: list[CaseDecision] = list(case.decisions.all())
    return [
        PublicDecision(
            label(OUTCOME_LABELS, d.outcome),
            public_text(d.legal_basis, case),
            public_text(d.measures, case),
            public_text(d.referral, case),
            d.decided_at,
            d.outcome,
        )
        for d in decisions
    ]


@dataclass(frozen=True)
class PublicAppeal:
    """That an appeal was filed, when, and how it ended: not who filed it (a person), its
    grounds or the reasons (free text about persons, which no redaction can vouch for)."""

    outcome_code: str
    outcome: str
    filed_at: datetime
    decided_at: datetime | None


def public_appeals(case: Case) -> list[PublicAppeal]:
    appeals: list[CaseAppeal] = list(case.appeals.all())
    return [
        PublicAppeal(a.outcome, label(APPEAL_OUTCOME_LABELS, a.outcome), a.filed_at, a.decided_at)
        for a in appeals
    ]


@dataclass(frozen=True)
class PublicCase:
    """A case as the public register and the status page show it."""

    reference: str
    category: str
    place: str
    territory: str
    status_code: str
    status: str
    received_at: datetime
    due_at: datetime
    overdue: bool
    summary: str
    decisions: list[PublicDecision]
    appeals: list[PublicAppeal]

    @property
    def under_appeal(self) -> bool:
        return any(a.outcome_code == CaseAppeal.Outcome.PENDING for a in self.appeals)

    @property
    def measures(self) -> str:
        return "; ".join(d.measures for d in self.decisions if d.measures)

    @property
    def outcome(self) -> str:
        return self.decisions[-1].outcome if self.decisions else ""


def public_case(case: Case, now: datetime) -> PublicCase:
    return PublicCase(
        reference=case.reference,
        category=label(CATEGORY_LABELS, case.category),
        place=public_place(case),
        territory=region_name(case.region),
        status_code=case.status,
        status=label(STATUS_LABELS, case.status),
        received_at=case.received_at,
        due_at=case.due_at,
        overdue=case.open and case.due_at < now,
        summary=public_text(case.public_summary, case),
        decisions=public_decisions(case),
        appeals=public_appeals(case),
    )


# -- charts ------------------------------------------------------------------------------------

CHART_WIDTH = 640
BAR_SPACE = 560  # the longest bar; its count is written after it
ROW_HEIGHT = 34


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    top: int
    width: int

    @property
    def label_y(self) -> int:
        return self.top + 13

    @property
    def bar_y(self) -> int:
        return self.top + 17

    @property
    def count_x(self) -> int:
        return self.width + 6

    @property
    def count_y(self) -> int:
        return self.top + 28


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart drawn on the server as SVG (no script, no inline style)."""

    key: str
    title: str
    bars: list[Bar]
    width: int = CHART_WIDTH

    @property
    def height(self) -> int:
        return max(ROW_HEIGHT, ROW_HEIGHT * len(self.bars))

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


def bar_chart(key: str, title: str, items: list[tuple[str, int]]) -> Chart:
    """Bars proportional to the counts; a non-zero count is never drawn as nothing."""
    most = max((count for _, count in items), default=0)
    bars = []
    for row, (text, count) in enumerate(items):
        width = 0 if most == 0 or count == 0 else max(2, round(BAR_SPACE * count / most))
        bars.append(Bar(text, count, row * ROW_HEIGHT, width))
    return Chart(key, title, bars)


@dataclass(frozen=True)
class RegionCount:
    """Cases of one region (``code`` ``None``: no polling station given), with its names."""

    code: str | None
    names: dict[str, str]
    count: int


@dataclass(frozen=True)
class Counts:
    """The register's statistics: cases by category (in the catalogue's order), by region
    and by local day received — what the charts draw and the JSON twin lists."""

    by_category: list[tuple[str, int]]
    by_region: list[RegionCount]
    by_day: list[tuple[date, int]]


def counts(rows: QuerySet[Case]) -> Counts:
    """Cases of ``rows`` by category, by region and by day received (local days)."""
    by_category = dict(
        rows.order_by().values_list("category").annotate(n=Count("pk")).values_list("category", "n")
    )
    by_region = (
        rows.order_by()
        .values("region__code", "region__name_ky", "region__name_ru", "region__name_en")
        .annotate(n=Count("pk"))
        .order_by("region__code")
    )
    regions = [
        RegionCount(
            item["region__code"],
            {
                lang: item[f"region__name_{lang}"]
                for lang in ("ky", "ru", "en")
                if item["region__code"] is not None and item[f"region__name_{lang}"]
            },
            item["n"],
        )
        for item in by_region
    ]
    days = (
        rows.order_by()
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
    )
    return Counts(
        [(c, by_category[c]) for c in CATEGORIES if by_category.get(c)],
        regions,
        [(d["day"], d["n"]) for d in days if d["day"] is not None],
    )


def statistics(rows: QuerySet[Case], found: Counts | None = None) -> list[Chart]:
    """Cases by category, by region and by day received (local days), as charts."""
    found = found if found is not None else counts(rows)
    lang = ui_lang()
    regions = []
    for region in found.by_region:
        if region.code is None:
            name = gettext("no polling station given")
        else:
            name = region.names.get(lang) or region.code
        regions.append((name, region.count))
    return [
        bar_chart(
            "by-category",
            gettext("Cases by category"),
            [(label(CATEGORY_LABELS, c), n) for c, n in found.by_category],
        ),
        bar_chart("by-region", gettext("Cases by region"), regions),
        bar_chart(
            "by-day",
            gettext("Cases by day received"),
            [(day.strftime("%d.%m.%Y"), n) for day, n in found.by_day],
        ),
    ]


# -- pages -------------------------------------------------------------------------------------


def _spam_message(reason: str) -> str:
    if reason == "expired":
        return gettext("The form was open for too long. Check it and send it again.")
    if reason == "too_fast":
        return gettext(
            "The form came back faster than a person can fill it in. Check it and send it again."
        )
    return gettext("The form could not be accepted. Check it and send it again.")


def _report_page(
    request: HttpRequest, form: ReportForm, status: int, notice: str = "", throttled: bool = False
) -> HttpResponse:
    context = {"form": form, "notice": notice, "throttled": throttled}
    return render(request, "incidents/report.html", context, status=status)


def _locate(form: Any, error: Refusal, fields: dict[str, str]) -> None:
    """Put a refusal's located problems beside their fields (the rest above the form)."""
    placed = False
    for problem in error.problems:
        field = fields.get(problem.where.split(".")[0])
        if field is not None and field in form.fields:
            form.add_error(field, problem.why)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    """The complaint form; a sound complaint becomes a case and its reference is shown."""
    if request.method == "GET":
        return _report_page(request, ReportForm(), 200)
    throttle = ReportThrottle()
    if not throttle.allow_request(request, None):
        response = _report_page(request, refreshed(request.POST), 429, throttled=True)
        wait = throttle.wait()
        response["Retry-After"] = str(max(1, math.ceil(wait))) if wait is not None else "60"
        return response
    reason = spam_reason(request.POST)
    if reason is not None:
        return _report_page(request, refreshed(request.POST), 400, _spam_message(reason))
    form = ReportForm(request.POST)
    if not form.is_valid():
        return _report_page(request, refreshed(request.POST), 400)
    data = form.cleaned_data
    try:
        case = services.open_case(
            "public",
            services.Report(
                category=data["category"],
                description=data["description"],
                source="public_web",
                station=data["station"],
                place=data["place"],
                complainant_name=data["name"],
                complainant_phone=data["phone"],
                complainant_email=data["email"],
            ),
        )
    except (InvalidInput, NotFound) as error:
        again = refreshed(request.POST)
        if isinstance(error, NotFound):
            again.add_error("station", error.message)
        else:
            fields = {"complainant_name": "name", "complainant_phone": "phone"}
            fields |= {"complainant_email": "email"}
            _locate(again, error, {**{f: f for f in again.fields}, **fields})
        return _report_page(request, again, 400)
    messages.success(
        request,
        gettext(
            "Your report is registered under the number %(ref)s. Keep this number: with it you "
            "can follow the case on this page and in the public register."
        )
        % {"ref": case.reference},
    )
    return redirect("incidents:status", reference=case.reference)


@require_GET
def status_lookup(request: HttpRequest) -> HttpResponse:
    """Type a reference number, go to its status page."""
    if "reference" not in request.GET:
        return render(request, "incidents/status_lookup.html", {"form": StatusLookupForm()})
    form = StatusLookupForm(request.GET)
    if form.is_valid():
        return redirect("incidents:status", reference=form.cleaned_data["reference"])
    return render(request, "incidents/status_lookup.html", {"form": form}, status=400)


@require_GET
def status(request: HttpRequest, reference: str) -> HttpResponse:
    """A case's public status: category, place, deadline, summary, decision, appeals —
    nothing personal, nothing of the description or evidence."""
    canonical = normalise_reference(reference)
    if canonical is not None and canonical != reference:
        return redirect("incidents:status", reference=canonical)
    case = (
        public_cases()
        .select_related("station", "region")
        .prefetch_related("decisions", "appeals")
        .filter(reference=canonical or "")
        .first()
    )
    if case is None:
        form = StatusLookupForm(initial={"reference": reference[:40]})
        context = {"form": form, "missing": reference[:40]}
        return render(request, "incidents/status_lookup.html", context, status=404)
    context = {"case": public_case(case, clock.now())}
    return render(request, "incidents/status.html", context)


def _regions() -> list[tuple[str, str]]:
    lang = ui_lang()
    return [(r.code, getattr(r, f"name_{lang}") or r.code) for r in Region.objects.order_by("code")]


def _filtered(rows: QuerySet[Case], form: RegisterFilterForm) -> QuerySet[Case]:
    if not form.is_valid():
        return rows.none()
    data = form.cleaned_data
    if data["category"]:
        rows = rows.filter(category=data["category"])
    if data["territory"]:
        rows = rows.filter(region__code=data["territory"])
    if data["status"] == OPEN:
        rows = rows.filter(status__in=OPEN_STATUSES)
    elif data["status"]:
        rows = rows.filter(status=data["status"])
    day: date | None = data["day"]
    if day is not None:
        zone = timezone.get_default_timezone()
        start = datetime.combine(day, time.min, tzinfo=zone)
        rows = rows.filter(received_at__gte=start, received_at__lt=start + timedelta(days=1))
    return rows


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """The public register: cases with personal data removed, filters, statistics, charts."""
    form = RegisterFilterForm(request.GET, regions=_regions())
    rows = _filtered(public_cases(), form)
    charts = statistics(rows)
    listed = rows.select_related("station", "region").prefetch_related("decisions", "appeals")
    page = Paginator(listed.order_by("-received_at", "-pk"), REGISTER_PAGE).get_page(
        request.GET.get("page")
    )
    now = clock.now()
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "cases": [public_case(case, now) for case in page],
        "count": page.paginator.count,
        "charts": charts,
        "query_string": params.urlencode(),
        "json_url": twin_address(request, "incidents:register_json"),
    }
    return render(
        request, "incidents/register.html", context, status=200 if form.is_valid() else 400
    )


# -- the register as JSON ----------------------------------------------------------------------


def register_changed(now: datetime) -> datetime | None:
    """When what the register shows last changed: the newest entry the groups wrote to the
    ledger (a case opened, routed, decided, appealed…), the newest case, decision or appeal
    as stored, and the last moment an open case became overdue — the register marks it so
    from its deadline on, with nothing written at that moment."""
    cases = public_cases()
    stored = cases.aggregate(received=Max("received_at"), decided=Max("decided_at"))
    overdue = cases.filter(status__in=OPEN_STATUSES, due_at__lte=now).aggregate(at=Max("due_at"))
    decisions = CaseDecision.objects.filter(case__in=cases).aggregate(at=Max("decided_at"))
    appeals = CaseAppeal.objects.filter(case__in=cases).aggregate(
        filed=Max("filed_at"), decided=Max("decided_at")
    )
    entries = LedgerEntry.objects.filter(kind__startswith="incidents.").aggregate(
        at=Max("created_at")
    )
    return newest(
        stored["received"],
        stored["decided"],
        overdue["at"],
        decisions["at"],
        appeals["filed"],
        appeals["decided"],
        entries["at"],
    )


def _region_json(region: Region | None) -> dict[str, Any] | None:
    if region is None:
        return None
    return {"code": region.code, "name": region_name(region), "names": names_of(region)}


def case_json(case: Case, shown: PublicCase) -> dict[str, Any]:
    """A case as its row and status page show it — codes, names in every language, the
    redacted texts — and nothing the page leaves out (no description, no complainant, no
    evidence, no appellant)."""
    return {
        "reference": shown.reference,
        "category": case.category,
        "category_name": shown.category,
        "category_names": in_every_language(lambda: label(CATEGORY_LABELS, case.category)),
        "place": shown.place,
        "station": case.station.number if case.station is not None else None,
        "region": _region_json(case.region),
        "status": case.status,
        "status_name": shown.status,
        "status_names": in_every_language(lambda: label(STATUS_LABELS, case.status)),
        "received_at": shown.received_at,
        "due_at": shown.due_at,
        "overdue": shown.overdue,
        "under_appeal": shown.under_appeal,
        "summary": shown.summary,
        "decisions": [
            {
                "outcome": d.outcome_code,
                "outcome_name": d.outcome,
                "outcome_names": in_every_language(partial(label, OUTCOME_LABELS, d.outcome_code)),
                "legal_basis": d.legal_basis,
                "measures": d.measures,
                "referral": d.referral,
                "decided_at": d.decided_at,
            }
            for d in shown.decisions
        ],
        "appeals": [
            {
                "outcome": a.outcome_code,
                "outcome_name": a.outcome,
                "outcome_names": in_every_language(
                    partial(label, APPEAL_OUTCOME_LABELS, a.outcome_code)
                ),
                "filed_at": a.filed_at,
                "decided_at": a.decided_at,
            }
            for a in shown.appeals
        ],
        "url": reverse("incidents:status", args=[shown.reference]),
    }


def _region_count_json(region: RegionCount, lang: str) -> dict[str, Any]:
    if region.code is None:  # named as the chart names it, in every language
        unnamed = in_every_language(lambda: gettext("no polling station given"))
        return {"region": None, "name": unnamed[lang], "names": unnamed, "count": region.count}
    return {
        "region": region.code,
        "name": region.names.get(lang) or region.code,
        "names": region.names,
        "count": region.count,
    }


def counts_json(found: Counts) -> dict[str, Any]:
    """The statistics as data: codes, names in every language, counts."""
    lang = ui_lang()
    return {
        "by_category": [
            {
                "category": code,
                "name": label(CATEGORY_LABELS, code),
                "names": in_every_language(partial(label, CATEGORY_LABELS, code)),
                "count": n,
            }
            for code, n in found.by_category
        ],
        "by_region": [_region_count_json(region, lang) for region in found.by_region],
        "by_day": [{"day": day, "count": n} for day, n in found.by_day],
    }


def _filter_problems(form: RegisterFilterForm) -> list[tuple[str, str]]:
    return [(field, str(error)) for field, errors in form.errors.items() for error in errors]


@require_safe
def register_json(request: HttpRequest) -> HttpResponse:
    """``/cases/index.json``: the register as JSON with the page's filters (``category``,
    ``territory``, ``status``, ``day``) and pages of 50 (``page``), and the statistics of
    the filtered cases; ``ETag`` and ``Last-Modified``. A bad filter answers 400 with the
    problems, a page that is not there 404."""
    form = RegisterFilterForm(request.GET, regions=_regions())
    if not form.is_valid():
        error = InvalidInput(
            "invalid_filter", gettext("The filter is not valid."), problems=_filter_problems(form)
        )
        return json_refusal(error)
    rows = _filtered(public_cases(), form)
    listed = rows.select_related("station", "region").prefetch_related("decisions", "appeals")
    try:
        page = page_asked(request, Paginator(listed.order_by("-received_at", "-pk"), REGISTER_PAGE))
    except Refusal as error:
        return json_refusal(error)
    now = clock.now()
    data = form.cleaned_data
    document = {
        "format": "shailoo-public-cases/1",
        "filters": {
            "category": data["category"] or None,
            "territory": data["territory"] or None,
            "status": data["status"] or None,
            "day": data["day"],
        },
        **page_facts(request, page),
        "cases": [case_json(case, public_case(case, now)) for case in page],
        "statistics": counts_json(counts(rows)),
    }
    return json_response(request, document, last_modified=register_changed(now))
