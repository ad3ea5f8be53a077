"""Pages of the candidates domain: staff pages for nominations, checks and decisions, and the
public page of candidates and parties.

Staff pages name the permission they need (``accounts.roles``) and cut what they list down
to the user's territory: a nomination lies in its ``region``, and one without a region is
for country-wide staff only. A record outside the territory reads as missing (404). Views
only read forms and call ``candidates.services``, which check the actor again. A form that
carries a PIN is POSTed; the PIN is shown masked and every view of a record is written to the
personal-data access log.

The public page shows, for the current election, every nomination with its status and, for a
refusal, the rules not met with their legal basis — never a PIN, a birth date, or what a
registry said. Its JSON twin (``/candidates/index.json``) holds the same, with every name and
label in Kyrgyz, Russian and English and the validators of ``common.conditional``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import grants_of, has_permission, is_verified, permission_required
from shailoo.accounts.roles import Permission, Scope, allowed, grants_permission
from shailoo.candidates import messages as texts
from shailoo.candidates import services
from shailoo.candidates.api import ELECTION_CODE, reasons_json
from shailoo.candidates.documents import (
    badge_pdf,
    check_rows,
    decision_pdf,
    office_name,
    public_reasons,
)
from shailoo.candidates.forms import (
    CHECKLIST_NAMES,
    STATUS_LABELS,
    AppealDecisionForm,
    AppealForm,
    ChangeForm,
    FilterForm,
    NominationForm,
)
from shailoo.candidates.models import (
    Appeal,
    Candidate,
    Participant,
    Party,
    RegistrationDecision,
)
from shailoo.common.conditional import in_every_language, json_refusal, json_response, newest
from shailoo.common.conditional import names_of as conditional_names
from shailoo.common.pdf_fonts import FontMissing
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.elections.models import Election
from shailoo.elections.services import current_election, election_named
from shailoo.geo.models import Region
from shailoo.integrity.models import LedgerEntry
from shailoo.register.pin import mask_pin
from shailoo.register.services import ui_lang

#: Rows a list page shows at most (the filters narrow it down).
LIST_LIMIT = 500


def _show_error(request: HttpRequest, error: Refusal) -> None:
    text = error.message
    if error.citation:
        text = f"{text} {gettext('Basis')}: {error.citation}"
    for problem in error.problems[:20]:
        text = f"{text} {problem.where}: {problem.why}."
    messages.error(request, text)


# -- territory ---------------------------------------------------------------------------------


def may(user: Any, permission: Permission, candidate: Candidate) -> bool:
    """Whether ``user`` holds ``permission`` over ``candidate``'s region (a nomination without
    a region: country-wide assignments only)."""
    if candidate.region_id is not None:
        return has_permission(user, permission, candidate.region)
    return is_verified(user) and allowed(grants_of(user), permission, [])


def visible(user: Any, permission: Permission, rows: QuerySet[Candidate]) -> QuerySet[Candidate]:
    """``rows`` cut down to the nominations ``user`` holds ``permission`` over."""
    if not has_permission(user, permission):
        return rows.none()
    grants = [g for g in grants_of(user) if grants_permission(g, permission)]
    if any(g.scope is Scope.COUNTRY for g in grants):
        return rows
    regions = [g.region_id for g in grants if g.scope is Scope.REGION]
    return rows.filter(region_id__in=regions)


def regions_for(user: Any, permission: Permission) -> list[Region]:
    return [r for r in Region.objects.order_by("code") if has_permission(user, permission, r)]


def _candidate(request: HttpRequest, pk: int, permission: Permission) -> Candidate:
    candidate = get_object_or_404(
        Candidate.objects.select_related("election", "region", "party", "member_of"), pk=pk
    )
    if not may(request.user, permission, candidate):
        raise NotFound("unknown_candidate", gettext("No such candidate in your territory."))
    return candidate


def _election(request: HttpRequest) -> Any:
    try:
        return current_election()
    except Refusal as error:
        _show_error(request, error)
        return None


# -- staff pages -------------------------------------------------------------------------------


@require_GET
@permission_required(Permission.CANDIDATES_VIEW)
def nominations(request: HttpRequest) -> HttpResponse:
    """The nominations of the current election in the user's territory, with their status;
    filtered by status, office, party and region. Parties, regions and offices are shown by
    name in the reader's language (their codes in a tooltip)."""
    election = _election(request)
    lang = ui_lang()
    form = FilterForm(request.GET or None)
    rows = Candidate.objects.none()
    if election is not None:
        rows = visible(
            request.user,
            Permission.CANDIDATES_VIEW,
            Candidate.objects.filter(election=election).select_related("party", "region"),
        )
        if form.is_valid():
            wanted = form.cleaned_data
            if wanted["status"]:
                rows = rows.filter(status=wanted["status"])
            if wanted["office"]:
                rows = rows.filter(office=wanted["office"])
            if wanted["party"]:
                party = wanted["party"].strip()
                rows = (
                    rows.filter(party__isnull=True)
                    if party == "-"
                    else rows.filter(party__code=party)
                )
            if wanted["region"]:
                rows = rows.filter(region__code=wanted["region"].strip())
    rows = rows.order_by("office", "party__code", "list_position", "ref")
    context = {
        "election": election,
        "form": form,
        "rows": [
            (c, STATUS_LABELS.get(c.status, c.status), office_name(c.office, lang))
            for c in rows[:LIST_LIMIT]
        ],
        "count": rows.count(),
        "limit": LIST_LIMIT,
        "can_nominate": has_permission(request.user, Permission.CANDIDATES_NOMINATE),
    }
    return render(request, "candidates/nominations.html", context)


@require_http_methods(["GET", "POST"])
@permission_required(Permission.CANDIDATES_NOMINATE)
def nominate(request: HttpRequest) -> HttpResponse:
    """File a nomination for the current election (POST: the form carries a PIN)."""
    election = _election(request)
    regions = regions_for(request.user, Permission.CANDIDATES_NOMINATE)
    form = NominationForm(request.POST if request.method == "POST" else None, regions=regions)
    status = 200
    if request.method == "POST":
        status = 400
        if election is not None and form.is_valid():
            try:
                candidate = services.nominate(request.user, election, form.data_for_service())
            except InvalidInput as error:
                for where, why in error.problems:
                    field = where if where in form.fields else None
                    form.add_error(field, why)
                _show_error(request, error)
            except Refusal as error:
                _show_error(request, error)
            else:
                messages.success(
                    request,
                    gettext("Nomination %(ref)s filed.") % {"ref": candidate.ref},
                )
                return redirect("candidates:candidate", pk=candidate.pk)
    context = {"election": election, "form": form}
    return render(request, "candidates/nominate.html", context, status=status)


@require_GET
@permission_required(Permission.CANDIDATES_VIEW)
def candidate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A nomination: the person, documents, history with sources, every check rule by rule
    with evidence and citation (in the page's language), decisions with their PDF, appeals."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_VIEW)
    record_view(request, candidate, f"{candidate.ref} {mask_pin(candidate.pin)}")
    lang = ui_lang()
    checks = list(candidate.checks.order_by("-at", "-pk")[:10])
    decisions = list(
        RegistrationDecision.objects.filter(candidate=candidate)
        .select_related("check_used", "signatures")
        .prefetch_related("appeals")
        .order_by("-decided_at", "-pk")
    )
    can_decide = may(request.user, Permission.CANDIDATES_DECIDE, candidate)
    context = {
        "candidate": candidate,
        "masked_pin": mask_pin(candidate.pin),
        "office": office_name(candidate.office, lang),
        "status": STATUS_LABELS.get(candidate.status, candidate.status),
        "documents": [(d, CHECKLIST_NAMES.get(d.kind, d.kind)) for d in candidate.documents.all()],
        "history": candidate.changes.all()[:200],
        "checks": [
            (
                c,
                texts.VERDICTS.get(c.verdict, texts.VERDICTS["undecided"])[lang],
                [texts.SOURCES.get(n, {}).get(lang, n) for n in c.unavailable or []],
                check_rows(c, lang),
            )
            for c in checks
        ],
        "decisions": decisions,
        "signatures": candidate.signature_submissions.all()[:20],
        "can_decide": can_decide,
        "can_change": may(request.user, Permission.CANDIDATES_NOMINATE, candidate),
        "open": candidate.status == Candidate.Status.NOMINATED,
        "change_form": ChangeForm(),
        "appeal_form": AppealForm(),
        "appeal_decision_form": AppealDecisionForm(),
    }
    # The papers, signatures, withdrawal and replacement (imported here: that module imports
    # this one).
    from shailoo.candidates.views_signatures import candidate_panels

    context.update(candidate_panels(request, candidate))
    return render(request, "candidates/candidate.html", context)


@require_POST
@permission_required(Permission.CANDIDATES_DECIDE)
def run_check(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the registries and decide every rule; the check is kept and on the ledger."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_DECIDE)
    try:
        check = services.check_candidate(request.user, candidate)
    except Refusal as error:
        _show_error(request, error)
    else:
        lang = ui_lang()
        rows = check_rows(check, lang)
        verdict = texts.VERDICTS.get(check.verdict, texts.VERDICTS["undecided"])[lang]
        text = gettext("Checked: %(verdict)s.") % {"verdict": verdict}
        failing = [row.rule for row in rows if row.outcome == "not_met"]
        if failing:
            text += " " + gettext("Not met: %(rules)s.") % {"rules": ", ".join(failing)}
        (messages.success if check.verdict == "eligible" else messages.warning)(request, text)
    return redirect("candidates:candidate", pk=pk)


@require_POST
@permission_required(Permission.CANDIDATES_DECIDE)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Register or refuse on the latest check (an undecided check is refused)."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_DECIDE)
    try:
        decision = services.decide_registration(request.user, candidate)
    except Refusal as error:
        _show_error(request, error)
    else:
        text = (
            gettext("Decision %(number)s: registered.")
            if decision.outcome == RegistrationDecision.Outcome.REGISTERED
            else gettext("Decision %(number)s: registration refused.")
        )
        messages.success(request, text % {"number": decision.number})
    return redirect("candidates:candidate", pk=pk)


@require_POST
@permission_required(Permission.CANDIDATES_NOMINATE)
def change(request: HttpRequest, pk: int) -> HttpResponse:
    """Change one field of the record, naming the document the change comes from."""
    candidate = _candidate(request, pk, Permission.CANDIDATES_NOMINATE)
    form = ChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("candidates:candidate", pk=pk)
    data = form.cleaned_data
    try:
        made = services.change_candidate(
            request.user, candidate, {data["field"]: data["value"]}, data["source_document"]
        )
    except Refusal as error:
        _show_error(request, error)
    else:
        if made:
            messages.success(request, gettext("Change recorded with its source document."))
        else:
            messages.info(request, gettext("Nothing changed: the value was already so."))
    return redirect("candidates:candidate", pk=pk)


def _decision(request: HttpRequest, pk: int, permission: Permission) -> RegistrationDecision:
    decision = get_object_or_404(
        RegistrationDecision.objects.select_related(
            "candidate__election", "candidate__region", "candidate__party", "check_used"
        ),
        pk=pk,
    )
    if not may(request.user, permission, decision.candidate):
        raise NotFound("unknown_decision", gettext("No such decision in your territory."))
    return decision


@require_GET
@permission_required(Permission.CANDIDATES_VIEW)
def decision_document(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision as a PDF, Kyrgyz and Russian."""
    decision = _decision(request, pk, Permission.CANDIDATES_VIEW)
    try:
        pdf = decision_pdf(decision)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"decision-{decision.number}.pdf".replace('"', "")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@require_POST
@permission_required(Permission.CANDIDATES_DECIDE)
def appeal(request: HttpRequest, pk: int) -> HttpResponse:
    """Register an appeal against a decision."""
    decision = _decision(request, pk, Permission.CANDIDATES_DECIDE)
    form = AppealForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        data = form.cleaned_data
        try:
            services.file_appeal(
                request.user, decision, data["filed_by"], data["grounds"], data["filed_on"]
            )
        except Refusal as error:
            _show_error(request, error)
        else:
            messages.success(request, gettext("Appeal registered."))
    return redirect("candidates:candidate", pk=decision.candidate_id)


@require_POST
@permission_required(Permission.CANDIDATES_DECIDE)
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Uphold (the decision is reversed) or dismiss an appeal, with reasons."""
    item = get_object_or_404(Appeal.objects.select_related("decision__candidate__region"), pk=pk)
    if not may(request.user, Permission.CANDIDATES_DECIDE, item.decision.candidate):
        raise NotFound("unknown_appeal", gettext("No such appeal in your territory."))
    form = AppealDecisionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.decide_appeal(
                request.user, item, form.cleaned_data["outcome"], form.cleaned_data["reasons"]
            )
        except Refusal as error:
            _show_error(request, error)
        else:
            messages.success(request, gettext("Appeal decided."))
    return redirect("candidates:candidate", pk=item.decision.candidate_id)


@require_GET
@permission_required(Permission.PARTICIPANTS_ADMIT)
def badge(request: HttpRequest, pk: int) -> HttpResponse:
    """An admitted participant's badge as a PDF (refused for anyone not admitted now)."""
    participant = get_object_or_404(
        Participant.objects.select_related(
            "election", "for_candidate__region", "for_candidate", "for_party"
        ),
        pk=pk,
    )
    owner = participant.for_candidate
    in_scope = (
        may(request.user, Permission.PARTICIPANTS_ADMIT, owner)
        if owner is not None
        else allowed(grants_of(request.user), Permission.PARTICIPANTS_ADMIT, [])
    )
    if not in_scope:
        raise NotFound("unknown_participant", gettext("No such participant in your territory."))
    try:
        pdf = badge_pdf(participant)
    except FontMissing as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"badge-{participant.badge_number}.pdf".replace('"', "")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


# -- public ------------------------------------------------------------------------------------


def refusal_reasons(candidate: Candidate, lang: str) -> list[tuple[str, str]]:
    """The grounds of ``candidate``'s standing refusal: (rule, legal basis) per rule not met."""
    if candidate.status != Candidate.Status.REFUSED:
        return []
    decision = (
        RegistrationDecision.objects.filter(
            candidate=candidate, outcome=RegistrationDecision.Outcome.REFUSED
        )
        .select_related("check_used", "signatures", "candidate")
        .order_by("-decided_at", "-pk")
        .first()
    )
    return [] if decision is None else public_reasons(decision, lang)


@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Candidates and parties of the current election, with status and refusal reasons."""
    lang = ui_lang()
    try:
        election = current_election()
    except Refusal:
        election = None
    offices: list[tuple[str, list[tuple[Candidate, str, list[tuple[str, str]]]]]] = []
    parties: list[tuple[Party, int, int]] = []
    if election is not None:
        rows = (
            Candidate.objects.filter(election=election)
            .select_related("party")
            .order_by("office", "party__code", "list_position", "surname", "ref")
        )
        by_office: dict[str, list[tuple[Candidate, str, list[tuple[str, str]]]]] = {}
        for c in rows:
            by_office.setdefault(c.office, []).append(
                (c, str(STATUS_LABELS.get(c.status, c.status)), refusal_reasons(c, lang))
            )
        offices = [(office_name(o, lang), items) for o, items in by_office.items()]
        nominating = Party.objects.filter(candidates__election=election).distinct().order_by("code")
        for party in nominating:
            mine = Candidate.objects.filter(election=election, party=party)
            registered = mine.filter(status=Candidate.Status.REGISTERED).count()
            parties.append((party, mine.count(), registered))
    context = {"election": election, "offices": offices, "parties": parties, "lang": lang}
    return render(request, "candidates/public.html", context)


# -- the public page as JSON -------------------------------------------------------------------


def asked_election(request: HttpRequest) -> Election:
    """``?election=CODE``, else the current election (``Conflict`` when none is set). A code
    no election has — or none could have: the check keeps it out of the query — is
    ``NotFound``."""
    code = request.GET.get("election", "")
    if not code:
        return current_election()
    if not ELECTION_CODE.fullmatch(code):
        raise NotFound("election_not_found", gettext("No election has this code."))
    return election_named(code)


def public_changed(election: Election) -> datetime | None:
    """When what the public page shows last changed: a nomination's row, or an entry the
    candidates domain wrote to the ledger (every decision, appeal, withdrawal, replacement
    and party is one), whichever is newer."""
    rows = Candidate.objects.filter(election=election).aggregate(at=Max("updated_at"))["at"]
    entries = LedgerEntry.objects.filter(kind__startswith="candidates.").aggregate(
        at=Max("created_at")
    )["at"]
    return newest(rows, entries)


def _candidate_public_json(candidate: Candidate) -> dict[str, Any]:
    """A nomination as the page shows it: name, nominating party, district or list position,
    status and the grounds of a refusal — no PIN, birth date, sex or registry answer."""
    status = STATUS_LABELS.get(candidate.status, candidate.status)
    return {
        "ref": candidate.ref,
        "full_name": candidate.full_name,
        "surname": candidate.surname,
        "given_name": candidate.given_name,
        "patronymic": candidate.patronymic,
        "party": candidate.party.code if candidate.party else None,
        "district": candidate.district,
        "list_position": candidate.list_position,
        "status": candidate.status,
        "status_name": str(status),
        "status_names": in_every_language(lambda: status),
        "refusal_reasons": reasons_json(candidate),
    }


def public_document(election: Election) -> dict[str, Any]:
    """The public page of ``election`` as data (``shailoo-public-candidates/1``)."""
    lang = ui_lang()
    rows = (
        Candidate.objects.filter(election=election)
        .select_related("party")
        .prefetch_related("decisions__check_used", "decisions__signatures", "decisions__candidate")
        .order_by("office", "party__code", "list_position", "surname", "ref")
    )
    by_office: dict[str, list[dict[str, Any]]] = {}
    for c in rows:
        by_office.setdefault(c.office, []).append(_candidate_public_json(c))
    in_election = Q(candidates__election=election)
    parties = (
        Party.objects.annotate(
            nominated=Count("candidates", filter=in_election),
            registered=Count(
                "candidates", filter=in_election & Q(candidates__status=Candidate.Status.REGISTERED)
            ),
        )
        .filter(nominated__gt=0)
        .order_by("code")
    )
    return {
        "format": "shailoo-public-candidates/1",
        "election": {
            "code": election.code,
            "name": str(election.name),
            "names": {lang: text for lang, text in election.names.items() if text},
            "polling_day": election.polling_day,
        },
        "offices": [
            {
                "office": office,
                "name": office_name(office, lang),
                "names": {code: office_name(office, code) for code in ("ky", "ru", "en")},
                "candidates": items,
            }
            for office, items in by_office.items()
        ],
        "parties": [
            {
                "code": p.code,
                "name": p.name_ky if lang == "ky" and p.name_ky else p.name_ru,
                "names": conditional_names(p),
                "nominated": p.nominated,
                "registered": p.registered,
            }
            for p in parties
        ],
        "links": {
            "html": reverse("candidates:public"),
            "csv": reverse("portal:open_data_candidates", kwargs={"code": election.code}),
        },
    }


@require_safe
def public_json(request: HttpRequest) -> HttpResponse:
    """``/candidates/index.json[?election=CODE]``: the public page as JSON, with ``ETag`` and
    ``Last-Modified`` (304 until a nomination, a decision or a party changes)."""
    try:
        election = asked_election(request)
    except Refusal as error:
        return json_refusal(error)
    return json_response(request, public_document(election), last_modified=public_changed(election))
