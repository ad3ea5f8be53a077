"""Intake, the internal alert API, routing, compartments, decisions, reminders, escalation.

Every door files through :func:`open_case`: the public form and Open311 (anonymous, the
complainant's contact kept for the handlers only), hotline operators and signed-in observers
and agents, and :func:`raise_alert`, the one function every domain calls to put an alert with
its evidence before the groups. A case is routed to an agency (the CEC's route for its
category, else the default) and to the territory of its station (its TEC's group) or the
CEC's; its deadline comes from the law edition (``incidents`` section, ``deadlines``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext

from shailoo.accounts.models import RoleAssignment
from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission, Role, Scope
from shailoo.common.actors import actor_name, user_of
from shailoo.common.refusals import Conflict, InvalidInput, NotFound, PermissionRefused
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.incidents import clock, notify
from shailoo.incidents.categories import (
    AGENCIES,
    CATEGORIES,
    DEFAULT_ROUTES,
    DEFAULT_SEVERITY,
    SEVERITIES,
)
from shailoo.incidents.deadlines import KINDS, Deadline, Kind, deadline, state
from shailoo.incidents.models import (
    Case,
    CaseAppeal,
    CaseDecision,
    CaseEvent,
    Evidence,
    RoutingRule,
)
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition

OPENED = "incidents.case_opened"
ROUTED = "incidents.case_routed"
EVIDENCE = "incidents.evidence"
DECIDED = "incidents.case_decided"
ESCALATED = "incidents.case_escalated"
ROUTE_SET = "incidents.route_set"
APPEALED = "incidents.case_appealed"
APPEAL_DECIDED = "incidents.appeal_decided"

MAX_DESCRIPTION = 4000
#: Evidence: at most this many bytes a file, and only types that carry no active content.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
EVIDENCE_TYPES: Mapping[str, tuple[bytes, ...]] = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/pdf": (b"%PDF-",),
    "text/plain": (),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    "video/mp4": (),
}
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _reference() -> str:
    """A reference citizens can read out on the phone, not guessable from another.

    Ten letters of a 31-letter alphabet: a collision is so rare that ``open_case`` does not
    look before it writes; the unique index refuses one and the case is written again.
    """
    code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(10))
    return f"KG-{code[:5]}-{code[5:]}"


def route_of(category: str) -> str:
    """The agency that handles ``category``: the CEC's rule, else the default route."""
    rule = RoutingRule.objects.filter(category=category).values_list("agency", flat=True).first()
    return rule or DEFAULT_ROUTES[category]  # type: ignore[index]


def set_route(actor: Any, category: str, agency: str) -> RoutingRule:
    """The CEC changes which agency handles a category (cases already open keep theirs)."""
    require(actor, Permission.INCIDENTS_ROUTE)
    if category not in CATEGORIES or agency not in AGENCIES:
        raise InvalidInput(
            "bad_route",
            gettext("Unknown category or agency."),
            problems=[("category", ", ".join(CATEGORIES)), ("agency", ", ".join(AGENCIES))],
        )
    with transaction.atomic():
        rule, _ = RoutingRule.objects.update_or_create(
            category=category,
            defaults={"agency": agency, "changed_by": actor_name(actor), "changed_at": clock.now()},
        )
        ledger.record(
            ROUTE_SET, actor=actor_name(actor), data={"category": category, "agency": agency}
        )
    return rule


@dataclass(frozen=True)
class Report:
    """What arrives at the door, whoever brings it."""

    category: str
    description: str
    source: str
    station: int | None = None
    place: str = ""
    latitude: float | None = None
    longitude: float | None = None
    severity: str | None = None
    parties_involved: str = ""
    complainant_name: str = ""
    complainant_phone: str = ""
    complainant_email: str = ""
    kind: str = "complaint"


def _problems(report: Report) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if report.category not in CATEGORIES:
        problems.append(("category", gettext("unknown category")))
    if report.severity is not None and report.severity not in SEVERITIES:
        problems.append(("severity", gettext("unknown severity")))
    text = report.description.strip()
    if not text:
        problems.append(("description", gettext("say what happened")))
    elif len(text) > MAX_DESCRIPTION:
        problems.append(("description", gettext("at most 4000 characters")))
    if "\x00" in report.description:
        problems.append(("description", gettext("holds a NUL character")))
    if report.source not in Case.Source.values:
        problems.append(("source", gettext("unknown source")))
    for field, limit in (("place", 300), ("complainant_name", 200), ("complainant_email", 200)):
        if len(getattr(report, field)) > limit:
            problems.append((field, gettext("too long")))
    if len(report.complainant_phone) > 40:
        problems.append(("complainant_phone", gettext("too long")))
    return problems


@dataclass(frozen=True, slots=True)
class _Intake:
    """What the door reads from the database to file one case: the station (its ids and TEC
    code), the current election and the CEC's routing rule for the category."""

    station_id: int | None
    region_id: int | None
    tec_id: int | None
    tec_code: str | None
    election_id: int | None
    edition: str
    polling_day: date
    agency: str


def _intake(number: int | None, category: str) -> _Intake:
    """Read the station, the current election and the route in one statement.

    Why one: on election day every report needs all three, and three ORM queries cost more
    than the case itself; the statement is plain SQL that SQLite and PostgreSQL both run.
    """
    quote = connection.ops.quote_name
    station, tec = PollingStation._meta.db_table, PollingStation.tec.field.related_model
    election, rule = Election._meta.db_table, RoutingRule._meta.db_table
    sql = (
        f"SELECT s.id, s.region_id, s.tec_id, t.code, e.id, e.law_edition, e.polling_day,"
        f" r.agency FROM (SELECT 1 AS one) AS one"
        f" LEFT JOIN {quote(station)} s ON s.number = %s"
        f" LEFT JOIN {quote(tec._meta.db_table)} t ON t.id = s.tec_id"
        f" LEFT JOIN (SELECT id, law_edition, polling_day FROM {quote(election)}"
        f" WHERE is_current = %s ORDER BY polling_day DESC, id LIMIT 1) e ON 1 = 1"
        f" LEFT JOIN {quote(rule)} r ON r.category = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [number if number is not None else -1, True, category])
        row = cursor.fetchone()
    s_id, region_id, tec_id, tec_code, e_id, edition, day, agency = row
    if number is not None and s_id is None:
        raise NotFound(
            "unknown_station", gettext("No polling station number %(n)s.") % {"n": number}
        )
    if isinstance(day, str):  # SQLite hands dates back as text
        day = date.fromisoformat(day)
    return _Intake(
        station_id=s_id,
        region_id=region_id,
        tec_id=tec_id,
        tec_code=tec_code,
        election_id=e_id,
        edition=edition or "kg-2025",
        # With no election under way, the campaign rule counts from today.
        polling_day=day if e_id is not None else date.max,
        agency=agency or DEFAULT_ROUTES[category],  # type: ignore[index]
    )


def _kind(text: str) -> Kind:
    if text not in KINDS:
        raise InvalidInput("bad_kind", gettext("Unknown kind of case."))
    return text


def open_case(
    actor: Any,
    report: Report,
    *,
    dedupe_key: str = "",
    alert: tuple[str, str] = ("", ""),
    token: str = "",
    alert_evidence: Mapping[str, Any] | None = None,
) -> Case:
    """File a case through any door; route it, set its legal deadline, ledger it.

    Anonymous public reports pass ``actor="public"`` (a system actor: the door itself is
    rate-limited by the view); staff doors pass the signed-in user, who needs the right to
    report. ``token`` is the Open311 client's token for the new request, if any.
    """
    problems = _problems(report)
    if problems:
        raise InvalidInput("invalid_report", gettext("The report has errors."), problems=problems)
    if not isinstance(actor, str):
        require(actor, Permission.INCIDENTS_REPORT)
    found = _intake(report.station, report.category)
    received = clock.now()
    kind: Kind = "alert" if report.source == Case.Source.ALERT else _kind(report.kind)
    try:
        due = deadline(kind, received, found.polling_day, load_edition(found.edition).incidents)
    except ValueError as exc:  # e.g. an appeal against a result before polling day
        raise InvalidInput("no_deadline", str(exc), problems=[("kind", str(exc))]) from None
    agency, name = found.agency, actor_name(actor)
    for attempt in range(3):
        reference = _reference()
        try:
            with transaction.atomic():
                case = Case.objects.create(
                    reference=reference,
                    token=token,
                    election_id=found.election_id,
                    category=report.category,
                    severity=report.severity or DEFAULT_SEVERITY[report.category],  # type: ignore[index]
                    source=report.source,
                    kind=kind,
                    station_id=found.station_id,
                    region_id=found.region_id,
                    tec_id=found.tec_id,
                    place=report.place.strip(),
                    latitude=report.latitude,
                    longitude=report.longitude,
                    description=report.description.strip(),
                    parties_involved=report.parties_involved.strip(),
                    complainant_name=report.complainant_name.strip(),
                    complainant_phone=report.complainant_phone.strip(),
                    complainant_email=report.complainant_email.strip(),
                    reporter=name,
                    filed_by=user_of(actor),
                    agency=agency,
                    received_at=received,
                    due_at=due.due,
                    due_rule=due.rule,
                    alert_kind=alert[0],
                    alert_subject=alert[1],
                    alert_evidence=dict(alert_evidence or {}),
                    dedupe_key=dedupe_key,
                )
                CaseEvent.objects.bulk_create(
                    [
                        CaseEvent(case=case, at=received, actor=name, kind="received",
                                  data={"source": report.source, "station": report.station}),
                        CaseEvent(case=case, at=received, actor="routing", kind="routed",
                                  data={"agency": agency, "tec": found.tec_code}),
                    ]
                )  # fmt: skip
                entry = ledger.record(
                    OPENED,
                    actor=name,
                    subject=ledger.ref(case),
                    data={
                        "reference": case.reference,
                        "category": case.category,
                        "source": case.source,
                        "station": report.station,
                        "agency": agency,
                        "due": due.due.isoformat(),
                        "description_sha256": hashlib.sha256(case.description.encode()).hexdigest(),
                        "alert": alert[0] or None,
                    },
                )
                case.ledger_index = entry.sequence
                case.save(update_fields=["ledger_index"])
            break
        except IntegrityError:
            # Only a reference drawn twice is worth a new draw; anything else is a fault.
            if attempt == 2 or not Case.objects.filter(reference=reference).exists():
                raise
    notify.tell(
        handlers(case), case, "routed", gettext("New case %(ref)s") % {"ref": case.reference}
    )
    return case


def raise_alert(
    source: str,
    kind: str,
    *,
    category: str,
    summary: str,
    station: int | None = None,
    subject: str = "",
    evidence: Mapping[str, Any] | None = None,
    severity: str | None = None,
    dedupe_key: str = "",
) -> Case:
    """The one internal alert API: a domain (``source``, e.g. ``counting``) puts an alert of
    ``kind`` before the groups with its evidence. Raising the same ``dedupe_key`` again while
    the case is open adds to its timeline instead of opening another case."""
    key = dedupe_key or f"{source}:{kind}:{subject}"
    with transaction.atomic():
        existing = (
            Case.objects.select_for_update()
            .filter(dedupe_key=key, status__in=[Case.Status.RECEIVED, Case.Status.IN_PROGRESS])
            .first()
        )
        if existing is not None:
            _event(existing, source, "alert_again", alert=kind, evidence=dict(evidence or {}))
            return existing
    text = (
        summary
        if not evidence
        else f"{summary}\n\n" + "\n".join(f"{k}: {v}" for k, v in sorted(evidence.items()))
    )
    case = open_case(
        source,
        Report(
            category=category,
            description=text[:MAX_DESCRIPTION],
            source="alert",
            station=station,
            severity=severity,
            kind="alert",
        ),
        dedupe_key=key,
        alert=(f"{source}.{kind}"[:60], subject[:120]),
        alert_evidence=json_safe(evidence or {}),
    )
    return case


def json_safe(evidence: Mapping[str, Any]) -> dict[str, Any]:
    """``evidence`` as JSON values, kept as they are where they are JSON already (numbers stay
    numbers for the page to format), anything else (a Decimal, a date) as its text."""
    return {str(key): _json_value(value) for key, value in evidence.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or infinity
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_json_value(item) for item in value]
    if isinstance(value, Mapping):
        return json_safe(value)
    return str(value)


def alert_resolved(source: str, subject: str) -> None:
    """The raising domain says its alert no longer holds (a protocol corrected): the case
    notes it, and one nobody has started on is closed."""
    for case in Case.objects.filter(
        alert_subject=subject[:120],
        alert_kind__startswith=f"{source}.",
        status__in=[Case.Status.RECEIVED, Case.Status.IN_PROGRESS],
    ):
        _event(case, source, "alert_resolved")
        if case.status == Case.Status.RECEIVED:
            case.status = Case.Status.CLOSED
            case.save(update_fields=["status"])


def _event(case: Case, actor: str, kind: str, **data: Any) -> CaseEvent:
    return CaseEvent.objects.create(case=case, at=clock.now(), actor=actor, kind=kind, data=data)


# -- who sees what ---------------------------------------------------------------------------


def _memberships(user: Any) -> list[RoleAssignment]:
    if not getattr(user, "is_active", False):
        return []
    return list(
        RoleAssignment.objects.filter(user=user, role=Role.RESPONSE_GROUP.value).select_related()
    )


def visible_cases(user: Any) -> QuerySet[Case]:
    """The cases a user may see: a CEC administrator all; a group member those routed to (or
    shared with) their agency in their group's territory; anyone else none."""
    if not getattr(user, "is_active", False):
        return Case.objects.none()
    if RoleAssignment.objects.filter(user=user, role=Role.CEC_ADMIN.value).exists():
        return Case.objects.all()
    condition = Q(pk__in=[])
    for member in _memberships(user):
        agency = Q(agency=member.agency) | Q(shared_with__contains=f",{member.agency},")
        if member.scope == Scope.COUNTRY.value:
            place = Q()
        elif member.scope == Scope.REGION.value:
            place = Q(region_id=member.region_id)
        else:
            place = Q(tec_id=member.tec_id)
        condition |= agency & place
    return Case.objects.filter(condition)


def case_for(user: Any, reference: str) -> Case:
    """A case the user may see (404 otherwise: its existence is not disclosed)."""
    case = visible_cases(user).filter(reference=reference[:20]).first()
    if case is None:
        raise NotFound("unknown_case", gettext("No such case."))
    return case


@dataclass(frozen=True, slots=True)
class Member:
    """A member to tell about a case: the user's id and e-mail address."""

    pk: int
    email: str


def handlers(case: Case) -> list[Member]:
    """The active members who handle ``case``: its agency (and the agencies it is shared with)
    in its TEC's group, its region's and the CEC's. A revoked assignment tells nobody.

    One plain statement: it runs for every case the doors open, and the ORM's compilation of
    the same query cost more than the rest of the intake.
    """
    agencies = [case.agency, *case.shared_agencies]
    quote = connection.ops.quote_name
    user_table = get_user_model()._meta.db_table
    marks = ", ".join(["%s"] * len(agencies))
    sql = (
        f"SELECT DISTINCT u.id, u.email FROM {quote(RoleAssignment._meta.db_table)} ra"
        f" JOIN {quote(user_table)} u ON u.id = ra.user_id"
        f" WHERE ra.role = %s AND ra.agency IN ({marks}) AND ra.revoked_at IS NULL"
        f" AND u.is_active = %s AND (ra.scope = %s OR (ra.scope = %s AND ra.region_id = %s)"
        f" OR (ra.scope = %s AND ra.tec_id = %s)) ORDER BY u.id"
    )
    params = [
        Role.RESPONSE_GROUP.value,
        *agencies,
        True,
        Scope.COUNTRY.value,
        Scope.REGION.value,
        case.region_id if case.region_id else -1,
        Scope.TEC.value,
        case.tec_id if case.tec_id else -1,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [Member(pk, email or "") for pk, email in cursor.fetchall()]


def _may_handle(user: Any, case: Case) -> None:
    require(user, Permission.INCIDENTS_HANDLE)
    if not visible_cases(user).filter(pk=case.pk).exists():
        raise PermissionRefused("forbidden", gettext("This case is not routed to you."))


# -- working a case --------------------------------------------------------------------------


def add_note(actor: Any, case: Case, text: str) -> CaseEvent:
    if not isinstance(actor, str):
        _may_handle(actor, case)
    if not text.strip() or len(text) > MAX_DESCRIPTION:
        raise InvalidInput("bad_note", gettext("A note of 1 to 4000 characters."))
    event = _event(case, actor_name(actor), "note", text=text.strip())
    if case.status == Case.Status.RECEIVED:
        case.status = Case.Status.IN_PROGRESS
        case.save(update_fields=["status"])
    return event


def add_evidence(actor: Any, case: Case, name: str, content: bytes, content_type: str) -> Evidence:
    """Attach a file: bounded size, a type that carries no active content and whose bytes
    are what the type says; its SHA-256 on the ledger."""
    if not isinstance(actor, str):
        _may_handle(actor, case)
    problems: list[tuple[str, str]] = []
    if len(content) > MAX_EVIDENCE_BYTES:
        problems.append(("file", gettext("larger than 10 MiB")))
    if not content:
        problems.append(("file", gettext("empty")))
    magic = EVIDENCE_TYPES.get(content_type)
    if magic is None:
        problems.append(
            ("content_type", gettext("not accepted: use %(t)s") % {"t": ", ".join(EVIDENCE_TYPES)})
        )
    elif magic and not content.startswith(magic):
        problems.append(("file", gettext("the bytes are not a %(t)s file") % {"t": content_type}))
    elif content_type == "text/plain":
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            problems.append(("file", gettext("text that is not UTF-8")))
        else:
            if "<script" in text.lower() or "<html" in text.lower():
                problems.append(("file", gettext("text holding HTML")))
    if problems:
        raise InvalidInput("bad_evidence", gettext("The file is refused."), problems=problems)
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        item = Evidence.objects.create(
            case=case,
            name=name.replace("/", "_")[:200] or "evidence",
            content_type=content_type,
            size=len(content),
            sha256=digest,
            content=content,
            added_by=actor_name(actor),
            added_at=clock.now(),
        )
        entry = ledger.record(
            EVIDENCE,
            actor=actor_name(actor),
            subject=ledger.ref(case),
            data={"reference": case.reference, "sha256": digest, "size": len(content)},
        )
        item.ledger_index = entry.sequence
        item.save(update_fields=["ledger_index"])
        _event(case, actor_name(actor), "evidence", sha256=digest, name=item.name)
    return item


def reassign(actor: Any, case: Case, agency: str, *, share: bool = False) -> Case:
    """Route the case to another agency, or (``share``) handle it jointly with one."""
    if not isinstance(actor, str):
        _may_handle(actor, case)
    if agency not in AGENCIES:
        raise InvalidInput("bad_agency", gettext("Unknown agency."))
    if not case.open:
        raise Conflict("case_closed", gettext("The case is decided."))
    with transaction.atomic():
        if share:
            if agency != case.agency and agency not in case.shared_agencies:
                case.shared_with = "," + ",".join([*case.shared_agencies, agency]) + ","
        else:
            case.agency = agency
        case.save(update_fields=["agency", "shared_with"])
        _event(case, actor_name(actor), "shared" if share else "reassigned", agency=agency)
        ledger.record(
            ROUTED,
            actor=actor_name(actor),
            subject=ledger.ref(case),
            data={"reference": case.reference, "agency": agency, "shared": share},
        )
    notify.tell(handlers(case), case, "routed", gettext("Case %(ref)s") % {"ref": case.reference})
    return case


def decide(
    actor: Any,
    case: Case,
    *,
    outcome: str,
    legal_basis: str,
    measures: str = "",
    referral: str = "",
    public_summary: str = "",
) -> CaseDecision:
    """Decide a case: outcome, legal basis, measures taken, referral; on the ledger."""
    if not isinstance(actor, str):
        _may_handle(actor, case)
    problems: list[tuple[str, str]] = []
    if outcome not in CaseDecision.Outcome.values:
        problems.append(("outcome", ", ".join(CaseDecision.Outcome.values)))
    if not legal_basis.strip():
        problems.append(("legal_basis", gettext("required")))
    if outcome == CaseDecision.Outcome.REFERRED and not referral.strip():
        problems.append(("referral", gettext("name the body the case is referred to")))
    if problems:
        raise InvalidInput("bad_decision", gettext("The decision has errors."), problems=problems)
    if not case.open:
        raise Conflict("case_closed", gettext("The case is already decided."))
    moment = clock.now()
    with transaction.atomic():
        decision = CaseDecision.objects.create(
            case=case,
            outcome=outcome,
            legal_basis=legal_basis.strip()[:300],
            measures=measures.strip(),
            referral=referral.strip()[:200],
            decided_by=actor_name(actor),
            decided_at=moment,
        )
        case.status = Case.Status.DECIDED
        case.decided_at = moment
        if public_summary.strip():
            case.public_summary = public_summary.strip()[:500]
        case.save(update_fields=["status", "decided_at", "public_summary"])
        entry = ledger.record(
            DECIDED,
            actor=actor_name(actor),
            subject=ledger.ref(case),
            data={
                "reference": case.reference,
                "outcome": outcome,
                "legal_basis": decision.legal_basis,
                "on_time": moment <= case.due_at,
            },
        )
        decision.ledger_index = entry.sequence
        decision.save(update_fields=["ledger_index"])
        _event(case, actor_name(actor), "decided", outcome=outcome)
    return decision


def file_appeal(actor: Any, case: Case, filed_by: str, grounds: str) -> CaseAppeal:
    """Register an appeal against a decided case (the higher commission's group hears it)."""
    if not isinstance(actor, str):
        _may_handle(actor, case)
    if case.status != Case.Status.DECIDED:
        raise Conflict("not_decided", gettext("Only a decided case can be appealed."))
    if not filed_by.strip() or not grounds.strip() or len(grounds) > MAX_DESCRIPTION:
        raise InvalidInput(
            "bad_appeal",
            gettext("An appeal needs who files it and its grounds."),
            problems=[("grounds", gettext("required, at most 4000 characters"))],
        )
    with transaction.atomic():
        appeal = CaseAppeal.objects.create(
            case=case,
            filed_by=filed_by.strip()[:200],
            grounds=grounds.strip(),
            filed_at=clock.now(),
        )
        _event(case, actor_name(actor), "appealed", appeal=appeal.pk)
        ledger.record(
            APPEALED,
            actor=actor_name(actor),
            subject=ledger.ref(case),
            data={
                "reference": case.reference,
                "grounds_sha256": hashlib.sha256(appeal.grounds.encode()).hexdigest(),
            },
        )
    return appeal


def decide_appeal(actor: Any, appeal: CaseAppeal, outcome: str, reasons: str) -> CaseAppeal:
    """Uphold an appeal (the case is reopened, with a new legal deadline counted from now) or
    dismiss it, with reasons."""
    case = appeal.case
    if not isinstance(actor, str):
        _may_handle(actor, case)
    if appeal.outcome != CaseAppeal.Outcome.PENDING:
        raise Conflict("appeal_decided", gettext("The appeal is already decided."))
    if outcome not in (CaseAppeal.Outcome.UPHELD, CaseAppeal.Outcome.DISMISSED):
        raise InvalidInput("bad_outcome", gettext("The outcome must be upheld or dismissed."))
    if not reasons.strip():
        raise InvalidInput("reasons_required", gettext("Give the reasons."))
    moment = clock.now()
    with transaction.atomic():
        appeal.outcome = outcome
        appeal.reasons = reasons.strip()
        appeal.decided_by = actor_name(actor)
        appeal.decided_at = moment
        appeal.save()
        if outcome == CaseAppeal.Outcome.UPHELD:
            election = case.election
            polling_day = election.polling_day if election is not None else date.max
            edition = election.law_edition if election is not None else "kg-2025"
            due = deadline("complaint", moment, polling_day, load_edition(edition).incidents)
            case.status = Case.Status.IN_PROGRESS
            case.due_at, case.due_rule = due.due, due.rule
            case.reminded_at = case.escalated_at = None
            case.save(update_fields=["status", "due_at", "due_rule", "reminded_at", "escalated_at"])
        _event(case, actor_name(actor), "appeal_decided", appeal=appeal.pk, outcome=outcome)
        ledger.record(
            APPEAL_DECIDED,
            actor=actor_name(actor),
            subject=ledger.ref(case),
            data={"reference": case.reference, "outcome": outcome, "status": case.status},
        )
    return appeal


# -- deadlines -------------------------------------------------------------------------------


def overdue(now: datetime | None = None) -> QuerySet[Case]:
    """Open cases past their legal deadline, the most overdue first."""
    moment = now or clock.now()
    return Case.objects.filter(
        status__in=[Case.Status.RECEIVED, Case.Status.IN_PROGRESS], due_at__lt=moment
    ).order_by("due_at")


@dataclass
class Sweep:
    reminded: int = 0
    escalated: int = 0


def sweep(now: datetime | None = None) -> Sweep:
    """Remind the handlers of cases falling due, escalate the overdue ones to the CEC's
    group (country-wide members of the same agency), once each; run every few minutes."""
    moment = now or clock.now()
    done = Sweep()
    open_cases: Iterable[Case] = Case.objects.filter(
        status__in=[Case.Status.RECEIVED, Case.Status.IN_PROGRESS]
    ).filter(Q(reminded_at__isnull=True) | Q(escalated_at__isnull=True))
    for case in open_cases:
        due_state = state(
            Deadline(case.due_at, case.due_rule, ()), moment, received_at=case.received_at
        )
        if due_state == "overdue" and case.escalated_at is None:
            with transaction.atomic():
                case.escalated_at = moment
                case.save(update_fields=["escalated_at"])
                _event(case, "deadlines", "escalated", due=case.due_at.isoformat())
                ledger.record(
                    ESCALATED,
                    actor="deadlines",
                    subject=ledger.ref(case),
                    data={"reference": case.reference, "due": case.due_at.isoformat()},
                )
            notify.tell(
                _cec_members(case.agency),
                case,
                "escalated",
                gettext("Overdue case %(ref)s escalated") % {"ref": case.reference},
            )
            done.escalated += 1
        elif due_state in ("due_soon", "overdue") and case.reminded_at is None:
            case.reminded_at = moment
            case.save(update_fields=["reminded_at"])
            _event(case, "deadlines", "reminded", due=case.due_at.isoformat())
            notify.tell(
                handlers(case),
                case,
                "reminder",
                gettext("Case %(ref)s is due soon") % {"ref": case.reference},
            )
            done.reminded += 1
    return done


def _cec_members(agency: str) -> list[Any]:
    users = RoleAssignment.objects.filter(
        role=Role.RESPONSE_GROUP.value, agency=agency, scope=Scope.COUNTRY.value
    ).values_list("user_id", flat=True)
    return list(get_user_model().objects.filter(pk__in=list(users), is_active=True))
