"""Staff pages of the rapid-response groups: the cases of one's compartment, a case with its
timeline, evidence, decisions and appeals, the actions on it, signed-in intake (hotline
operators, observers, candidates' agents) with "My reports", and the routing table.

Compartments come from ``incidents.services.visible_cases``: a member sees the cases routed
to (or shared with) their agency in their group's territory, a CEC administrator all of them.
A case outside them reads as missing (404), for reading and for every action alike, so its
existence is not disclosed. Pages name their permission (``accounts.roles.PAGES``): reading
needs ``incidents.view``, acting ``incidents.handle``, routing ``incidents.route``, filing a
report and following one's own ``incidents.report``; the services check the actor again.
Observers and agents hold only ``incidents.report``: they file, then follow their reports on
"My reports" (status, deadline, the public summary), never the case file itself. A case page
shows the complainant's personal data, so every view of it, and every evidence download, is
written to the personal-data access log.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import grants_of, has_permission, permission_required
from shailoo.accounts.roles import Permission, Role
from shailoo.common.refusals import InvalidInput, NotFound, Refusal
from shailoo.geo.models import TerritorialCommission
from shailoo.incidents import clock, report_services, services
from shailoo.incidents.alert_text import alert_view, evidence_items
from shailoo.incidents.categories import CATEGORIES, DEFAULT_ROUTES
from shailoo.incidents.deadlines import Deadline, state
from shailoo.incidents.forms import (
    ACTOR_LABELS,
    AGENCY_LABELS,
    ALERT_LABELS,
    APPEAL_OUTCOME_LABELS,
    CATEGORY_LABELS,
    DETAIL_LABELS,
    EVENT_LABELS,
    OPEN,
    OPEN_STATUSES,
    OUTCOME_LABELS,
    RULE_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_LABELS,
    AppealDecisionForm,
    AppealForm,
    DecisionForm,
    EvidenceForm,
    IntakeForm,
    NoteForm,
    RouteCaseForm,
    RouteRuleForm,
    StaffFilterForm,
    label,
)
from shailoo.incidents.models import Case, CaseAppeal, CaseEvent, Notification, RoutingRule
from shailoo.incidents.views_public import public_text

#: Rows the list shows at most (the filters narrow it down).
LIST_LIMIT = 500
#: A request body larger than this is refused before it is read (the file limit plus room
#: for the form's other fields).
MAX_UPLOAD_BODY = services.MAX_EVIDENCE_BYTES + 64 * 1024


# -- helpers -----------------------------------------------------------------------------------


def _case(request: HttpRequest, reference: str) -> Case:
    """The case if the user's compartment holds it; NotFound (404) otherwise."""
    return services.case_for(request.user, reference)


def intake_source(user: Any) -> str:
    """The door a signed-in report comes through: an observer's or a candidate's agent's own
    report, else the hotline (staff taking a call)."""
    roles = {grant.role for grant in grants_of(user)}
    if roles - {Role.OBSERVER, Role.AGENT}:
        return "hotline"
    if Role.OBSERVER in roles:
        return "observer"
    if Role.AGENT in roles:
        return "agent"
    return "hotline"


def due_state(case: Case, now: datetime) -> str:
    """``on_time``, ``due_soon`` or ``overdue`` for an open case; ``""`` for one that is done."""
    if not case.open:
        return ""
    return state(Deadline(case.due_at, case.due_rule, ()), now, received_at=case.received_at)


def _show_refusal(request: HttpRequest, error: Refusal) -> None:
    text = error.message
    for problem in error.problems[:20]:
        text = f"{text} {problem.where}: {problem.why}."
    messages.error(request, text)


def _locate(form: Any, error: Refusal) -> bool:
    """Put a refusal's located problems beside their fields; False when none fits one."""
    placed = False
    for problem in error.problems:
        field = problem.where.split(".")[0]
        if field in form.fields:
            form.add_error(field, problem.why)
            placed = True
    return placed


@dataclass(frozen=True)
class Row:
    case: Case
    category: str
    status: str
    due: str  # on_time, due_soon, overdue, or ""
    agency: str


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    title: str
    details: list[tuple[str, str]]
    who: str = ""


def alert_name(kind: str) -> str:
    """An alert kind (``<source>.<kind>``) by name; an outside system's alert keeps its code."""
    return label(ALERT_LABELS, kind)


def actor_label(actor: str) -> str:
    """Who acted: a person's name as it is, a domain or a routine of the platform by name."""
    return label(ACTOR_LABELS, actor)


def _tec_name(code: str) -> str:
    name = TerritorialCommission.objects.filter(code=code).values_list("name", flat=True).first()
    return str(name) if name else code


def _local_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if timezone.is_naive(moment):
        return iso
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M")


def _details(event: CaseEvent) -> list[tuple[str, str]]:
    details: list[tuple[str, str]] = []
    for key, value in sorted((event.data or {}).items()):
        if value in (None, "", {}):
            continue
        if key == "agency":
            text = label(AGENCY_LABELS, str(value))
        elif key == "outcome" and event.kind == "appeal_decided":
            text = label(APPEAL_OUTCOME_LABELS, str(value))
        elif key == "outcome":
            text = label(OUTCOME_LABELS, str(value))
        elif key == "appeal":
            text = f"#{value}"
        elif key == "source":
            text = label(SOURCE_LABELS, str(value))
        elif key == "tec":
            text = _tec_name(str(value))
        elif key == "alert":
            text = alert_name(f"{event.actor}.{value}")
        elif key == "due":
            text = _local_time(str(value))
        elif key == "evidence" and isinstance(value, dict):
            # an alert raised again: its evidence named as on the alert itself
            text = "; ".join(f"{i.name}: {i.text}" for i in evidence_items(value))
        elif isinstance(value, dict):
            text = "; ".join(f"{k}: {v}" for k, v in sorted(value.items()))
        else:
            text = str(value)
        details.append((label(DETAIL_LABELS, key), text))
    return details


# -- the list ----------------------------------------------------------------------------------


@require_GET
@permission_required(Permission.INCIDENTS_VIEW)
def cases(request: HttpRequest) -> HttpResponse:
    """The cases of the user's compartment, by deadline; open ones first by default, the
    overdue marked; the user's unread notices above."""
    params = request.GET.copy()
    if "status" not in params:
        params["status"] = OPEN
    form = StaffFilterForm(params)
    rows = services.visible_cases(request.user).select_related("station", "region", "tec")
    now = clock.now()
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == OPEN:
            rows = rows.filter(status__in=OPEN_STATUSES)
        elif data["status"]:
            rows = rows.filter(status=data["status"])
        if data["category"]:
            rows = rows.filter(category=data["category"])
        if data["overdue"]:
            rows = rows.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    else:
        rows = rows.none()
    rows = rows.order_by("due_at", "pk")
    notices = Notification.objects.filter(user=request.user, read_at__isnull=True).select_related(
        "case"
    )
    context = {
        "form": form,
        "rows": [
            Row(
                c,
                label(CATEGORY_LABELS, c.category),
                label(STATUS_LABELS, c.status),
                due_state(c, now),
                label(AGENCY_LABELS, c.agency),
            )
            for c in rows[:LIST_LIMIT]
        ],
        "count": rows.count(),
        "limit": LIST_LIMIT,
        "notices": notices[:20],
        "can_handle": has_permission(request.user, Permission.INCIDENTS_HANDLE),
        "can_report": has_permission(request.user, Permission.INCIDENTS_REPORT),
        "can_route": has_permission(request.user, Permission.INCIDENTS_ROUTE),
        "now": now,
    }
    return render(request, "incidents/staff_list.html", context)


# -- a case ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppealRow:
    appeal: CaseAppeal
    outcome: str
    form: AppealDecisionForm | None  # the form to decide it, while it is pending


def _appeal_decision_form(appeal: CaseAppeal, data: Any = None) -> AppealDecisionForm:
    """A decision form for one appeal; its ids are the appeal's own (several on one page)."""
    return AppealDecisionForm(data, auto_id=f"id_appeal{appeal.pk}_%s")


def _appeal_rows(case: Case, bound: tuple[int, AppealDecisionForm] | None) -> list[AppealRow]:
    rows = []
    for appeal in case.appeals.all():
        form = None
        if appeal.outcome == CaseAppeal.Outcome.PENDING:
            form = bound[1] if bound and bound[0] == appeal.pk else _appeal_decision_form(appeal)
        rows.append(AppealRow(appeal, label(APPEAL_OUTCOME_LABELS, appeal.outcome), form))
    return rows


def _case_page(
    request: HttpRequest,
    case: Case,
    status: int = 200,
    appeal_decision: tuple[int, AppealDecisionForm] | None = None,
    **forms_and_refusal: Any,
) -> HttpResponse:
    """The case with its personal data: logged before it is shown.

    ``appeal_decision`` is the (appeal, bound form) of a refused decision on an appeal, shown
    in that appeal's place with its errors; every other form comes by its context name."""
    record_view(request, case, case.reference)
    Notification.objects.filter(user=request.user, case=case, read_at__isnull=True).update(
        read_at=clock.now()
    )
    now = clock.now()
    events = case.events.all()
    appeals = _appeal_rows(case, appeal_decision)
    context: dict[str, Any] = {
        "case": case,
        "category": label(CATEGORY_LABELS, case.category),
        "status": label(STATUS_LABELS, case.status),
        "severity": label(SEVERITY_LABELS, case.severity),
        "source": label(SOURCE_LABELS, case.source),
        "agency": label(AGENCY_LABELS, case.agency),
        "shared": [label(AGENCY_LABELS, a) for a in case.shared_agencies],
        "rule": label(RULE_LABELS, case.due_rule),
        "due": due_state(case, now),
        "timeline": [
            TimelineEntry(e, label(EVENT_LABELS, e.kind), _details(e), actor_label(e.actor))
            for e in events
        ],
        "alert": alert_name(case.alert_kind) if case.alert_kind else "",
        "alert_view": alert_view(case),
        "reporter": actor_label(case.reporter) if case.source == "alert" else case.reporter,
        "evidence": case.evidence.defer("content").order_by("added_at", "pk"),
        "decisions": [(d, label(OUTCOME_LABELS, d.outcome)) for d in case.decisions.all()],
        "appeals": appeals,
        "under_appeal": any(row.appeal.outcome == CaseAppeal.Outcome.PENDING for row in appeals),
        "can_handle": has_permission(request.user, Permission.INCIDENTS_HANDLE),
        "note_form": NoteForm(),
        "evidence_form": EvidenceForm(),
        "route_form": RouteCaseForm(),
        "decision_form": DecisionForm(),
        "appeal_form": AppealForm(),
        "refusal": None,
    }
    context.update(forms_and_refusal)
    return render(request, "incidents/staff_case.html", context, status=status)


@require_GET
@permission_required(Permission.INCIDENTS_VIEW)
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """A case: facts, complainant, timeline, evidence, decisions, and the forms to act."""
    case = _case(request, reference)
    return _case_page(request, case)


@require_GET
@permission_required(Permission.INCIDENTS_VIEW)
def evidence_file(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """An evidence file, as a download of its stored type that no browser renders in place."""
    case = _case(request, reference)
    item = case.evidence.filter(pk=pk).first()
    if item is None:
        raise NotFound("unknown_evidence", gettext("No such evidence in this case."))
    record_view(request, case, f"{case.reference} evidence #{item.pk}")
    response = HttpResponse(bytes(item.content), content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Length"] = str(item.size)
    return response


@require_POST
@permission_required(Permission.INCIDENTS_HANDLE)
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, 400, note_form=form)
    try:
        services.add_note(request.user, case, form.cleaned_data["text"])
    except Refusal as error:
        if not _locate(form, error):
            form.add_error("text", error.message)
        return _case_page(request, case, error.http_status, note_form=form, refusal=error)
    messages.success(request, gettext("Note added."))
    return redirect("incidents:case", reference=case.reference)


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _content_type(upload: Any) -> str:
    """The type the browser says when it is one we take, else the one the name says.

    The service checks the bytes against it either way (a PNG must start as a PNG)."""
    said = str(getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if said in services.EVIDENCE_TYPES:
        return said
    guessed, _ = mimetypes.guess_type(str(upload.name))
    return guessed or said or "application/octet-stream"


def too_large() -> str:
    return gettext("larger than %(n)s MiB") % {"n": services.MAX_EVIDENCE_BYTES // (1024 * 1024)}


def _refused_upload(reasons: list[str]) -> EvidenceForm:
    """An empty evidence form that says why the last file was refused."""
    form = EvidenceForm({}, {})
    form.is_valid()
    form.errors["file"] = form.error_class(reasons)
    return form


@require_POST
@permission_required(Permission.INCIDENTS_HANDLE)
def add_evidence(request: HttpRequest, reference: str) -> HttpResponse:
    """Attach a file; the service refuses oversized files and types that can carry active
    content, and puts the file's SHA-256 on the ledger."""
    case = _case(request, reference)
    if _declared_length(request) > MAX_UPLOAD_BODY:
        # Refused before the body is read: nothing is stored.
        return _case_page(request, case, 413, evidence_form=_refused_upload([too_large()]))
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        return _case_page(request, case, 400, evidence_form=form)
    upload = form.cleaned_data["file"]
    content = upload.read(services.MAX_EVIDENCE_BYTES + 1)
    try:
        item = services.add_evidence(
            request.user, case, str(upload.name), content, _content_type(upload)
        )
    except Refusal as error:
        reasons = [f"{p.where}: {p.why}" for p in error.problems] or [error.message]
        return _case_page(
            request, case, error.http_status, evidence_form=_refused_upload(reasons), refusal=error
        )
    messages.success(
        request,
        gettext("Evidence %(name)s added (SHA-256 %(sha)s).")
        % {"name": item.name, "sha": item.sha256[:16]},
    )
    return redirect("incidents:case", reference=case.reference)


@require_POST
@permission_required(Permission.INCIDENTS_HANDLE)
def route_case(request: HttpRequest, reference: str) -> HttpResponse:
    """Share the case with another agency, or hand it over; a hand-over may take it out of
    the user's compartment, and the list then says where it went."""
    case = _case(request, reference)
    form = RouteCaseForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, 400, route_form=form)
    agency = form.cleaned_data["agency"]
    share = form.cleaned_data["mode"] == "share"
    try:
        services.reassign(request.user, case, agency, share=share)
    except Refusal as error:
        if not _locate(form, error):
            form.add_error(None, error.message)
        return _case_page(request, case, error.http_status, route_form=form, refusal=error)
    values = {"ref": case.reference, "agency": label(AGENCY_LABELS, agency)}
    if share:
        messages.success(
            request, gettext("%(ref)s is now handled jointly with: %(agency)s.") % values
        )
    else:
        messages.success(request, gettext("%(ref)s handed over to: %(agency)s.") % values)
    if services.visible_cases(request.user).filter(pk=case.pk).exists():
        return redirect("incidents:case", reference=case.reference)
    return redirect("incidents:cases")


@require_POST
@permission_required(Permission.INCIDENTS_HANDLE)
def decide(request: HttpRequest, reference: str) -> HttpResponse:
    """Decide the case: outcome, legal basis, measures, referral, and the public summary."""
    case = _case(request, reference)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, 400, decision_form=form)
    data = form.cleaned_data
    try:
        services.decide(
            request.user,
            case,
            outcome=data["outcome"],
            legal_basis=data["legal_basis"],
            measures=data["measures"],
            referral=data["referral"],
            public_summary=data["public_summary"],
        )
    except Refusal as error:
        if not _locate(form, error):
            form.add_error(None, error.message)
        case.refresh_from_db()
        return _case_page(request, case, error.http_status, decision_form=form, refusal=error)
    messages.success(
        request,
        gettext("%(ref)s decided: %(outcome)s.")
        % {"ref": case.reference, "outcome": label(OUTCOME_LABELS, data["outcome"])},
    )
    return redirect("incidents:case", reference=case.reference)


@require_POST
@permission_required(Permission.INCIDENTS_HANDLE)
def appeal(request: HttpRequest, reference: str) -> HttpResponse:
    """Register an appeal against the case's decision (who files it, on which grounds)."""
    case = _case(request, reference)
    form = AppealForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, 400, appeal_form=form)
    data = form.cleaned_data
    try:
        services.file_appeal(request.user, case, data["filed_by"], data["grounds"])
    except Refusal as error:
        if not _locate(form, error):
            form.add_error(None, error.message)
        return _case_page(request, case, error.http_status, appeal_form=form, refusal=error)
    messages.success(request, gettext("Appeal registered."))
    return redirect("incidents:case", reference=case.reference)


@require_POST
@permission_required(Permission.INCIDENTS_HANDLE)
def appeal_decide(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Uphold an appeal (the case is reopened, with a new legal deadline) or dismiss it."""
    case = _case(request, reference)
    item = case.appeals.filter(pk=pk).first()
    if item is None:
        raise NotFound("unknown_appeal", gettext("No such appeal in this case."))
    form = _appeal_decision_form(item, request.POST)
    if not form.is_valid():
        return _case_page(request, case, 400, appeal_decision=(item.pk, form))
    outcome = form.cleaned_data["outcome"]
    try:
        services.decide_appeal(request.user, item, outcome, form.cleaned_data["reasons"])
    except Refusal as error:
        form.add_error(None, error.message)
        case.refresh_from_db()
        return _case_page(
            request, case, error.http_status, appeal_decision=(item.pk, form), refusal=error
        )
    messages.success(request, gettext("Appeal decided."))
    if outcome == CaseAppeal.Outcome.UPHELD:
        case.refresh_from_db()
        messages.info(
            request,
            gettext("%(ref)s is reopened: a new decision is due by %(due)s.")
            % {
                "ref": case.reference,
                "due": timezone.localtime(case.due_at).strftime("%d.%m.%Y %H:%M"),
            },
        )
    return redirect("incidents:case", reference=case.reference)


# -- intake and routing ------------------------------------------------------------------------


def _may_view(user: Any, case: Case) -> bool:
    return has_permission(user, Permission.INCIDENTS_VIEW) and (
        services.visible_cases(user).filter(pk=case.pk).exists()
    )


@require_http_methods(["GET", "POST"])
@permission_required(Permission.INCIDENTS_REPORT)
def new_case(request: HttpRequest) -> HttpResponse:
    """Enter a report taken on the hotline, or an observer's or agent's own report.

    Afterwards a member who may read the case goes to it; a member whose compartment does
    not hold it to the list; an observer or agent to "My reports"."""
    source = intake_source(request.user)
    form = IntakeForm(request.POST if request.method == "POST" else None)
    can_view = has_permission(request.user, Permission.INCIDENTS_VIEW)
    context = {"form": form, "source": label(SOURCE_LABELS, source), "can_view": can_view}
    if request.method != "POST":
        return render(request, "incidents/staff_new.html", context)
    if not form.is_valid():
        return render(request, "incidents/staff_new.html", context, status=400)
    data = form.cleaned_data
    try:
        case = services.open_case(
            request.user,
            services.Report(
                category=data["category"],
                description=data["description"],
                source=source,
                station=data["station"],
                place=data["place"],
                severity=data["severity"] or None,
                parties_involved=data["parties_involved"],
                complainant_name=data["complainant_name"],
                complainant_phone=data["complainant_phone"],
                complainant_email=data["complainant_email"],
            ),
        )
    except (InvalidInput, NotFound) as error:
        if isinstance(error, NotFound):
            form.add_error("station", error.message)
        elif not _locate(form, error):
            form.add_error(None, error.message)
        return render(request, "incidents/staff_new.html", context, status=400)
    messages.success(
        request,
        gettext("Case %(ref)s filed: routed to %(agency)s, due %(due)s.")
        % {
            "ref": case.reference,
            "agency": label(AGENCY_LABELS, case.agency),
            "due": timezone.localtime(case.due_at).strftime("%d.%m.%Y %H:%M"),
        },
    )
    if _may_view(request.user, case):
        return redirect("incidents:case", reference=case.reference)
    if can_view:
        return redirect("incidents:cases")
    return redirect("incidents:mine")


@dataclass(frozen=True)
class MyReport:
    case: Case
    category: str
    status: str
    due: str  # on_time, due_soon, overdue, or ""
    outcome: str  # of the latest decision, "" while undecided
    summary: str  # the summary written for the public, redacted as the public pages are


@require_GET
@permission_required(Permission.INCIDENTS_REPORT)
def mine(request: HttpRequest) -> HttpResponse:
    """My reports: the cases the signed-in observer, agent or operator filed, with their
    status, deadline and the public summary of a decision (nothing of the case file)."""
    found = report_services.my_reports(request.user)
    now = clock.now()
    rows = []
    for case in found[:LIST_LIMIT]:
        decisions = list(case.decisions.all())
        rows.append(
            MyReport(
                case,
                label(CATEGORY_LABELS, case.category),
                label(STATUS_LABELS, case.status),
                due_state(case, now),
                label(OUTCOME_LABELS, decisions[-1].outcome) if decisions else "",
                public_text(case.public_summary, case),
            )
        )
    context = {
        "rows": rows,
        "count": found.count(),
        "limit": LIST_LIMIT,
        "can_view": has_permission(request.user, Permission.INCIDENTS_VIEW),
    }
    return render(request, "incidents/mine.html", context)


@dataclass(frozen=True)
class RouteRow:
    category: str
    category_label: str
    agency: str
    default: str
    rule: RoutingRule | None


@require_http_methods(["GET", "POST"])
@permission_required(Permission.INCIDENTS_ROUTE)
def routes(request: HttpRequest) -> HttpResponse:
    """The routing table: which agency handles each category; the CEC changes a route here
    (cases already open keep their agency)."""
    form = RouteRuleForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            category, agency = form.cleaned_data["category"], form.cleaned_data["agency"]
            try:
                services.set_route(request.user, category, agency)
            except Refusal as error:
                _show_refusal(request, error)
                status = error.http_status
            else:
                messages.success(
                    request,
                    gettext("%(category)s now goes to: %(agency)s.")
                    % {
                        "category": label(CATEGORY_LABELS, category),
                        "agency": label(AGENCY_LABELS, agency),
                    },
                )
                return redirect("incidents:routes")
    rules = {rule.category: rule for rule in RoutingRule.objects.all()}
    rows = [
        RouteRow(
            c,
            label(CATEGORY_LABELS, c),
            label(AGENCY_LABELS, rules[c].agency if c in rules else DEFAULT_ROUTES[c]),
            label(AGENCY_LABELS, DEFAULT_ROUTES[c]),
            rules.get(c),
        )
        for c in CATEGORIES
    ]
    return render(request, "incidents/routes.html", {"form": form, "rows": rows}, status=status)
