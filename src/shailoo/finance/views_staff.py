"""The auditors' workspace: flags with their evidence, the review → decision → disclosure
steps, the queue of donations whose donor needs a person, and statement upload.

Pages name their permission (``accounts.roles.PAGES``): reading needs ``finance.view``,
acting ``finance.review``, uploading ``finance.import``; the services check the actor again.
A flag's page shows who gave (names, accounts, registry evidence), so every view of it is
written to the personal-data access log; PINs are shown masked everywhere here (an auditor who
needs one looks the person up in the register, where that view is logged too), INNs of
organisations in clear.

The ownership picture (``Flag.picture_svg``) is shown as an ``<img>`` with a ``data:`` URL,
not inlined: an SVG loaded as an image runs no script, follows no link and loads nothing
else, whatever its text holds, so even a name the ownership engine failed to escape cannot
become markup in the page (and the page's Content-Security-Policy already allows ``data:``
images and no inline script).
"""

from __future__ import annotations

import base64
import re
import tempfile
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.db.models import Case, Count, QuerySet, Sum, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import has_permission, permission_required
from shailoo.accounts.roles import Permission
from shailoo.common.refusals import NotFound, Refusal
from shailoo.finance import review_services
from shailoo.finance.explain_text import (
    citation_text,
    evidence_value,
    explain,
    flag_citation,
    notice,
)
from shailoo.finance.forms import (
    DISPOSITION_LABELS,
    EVIDENCE_LABELS,
    EVIDENCE_VALUE_LABELS,
    FUND_KIND_LABELS,
    KIND_LABELS,
    MAX_UPLOAD_BYTES,
    PURPOSE_LABELS,
    QUEUE,
    RESOLUTION_LABELS,
    SEVERITY_LABELS,
    SOURCE_CATEGORY_LABELS,
    STATUS_LABELS,
    FlagFilterForm,
    ImportForm,
    ResolveForm,
    ReviewForm,
    label,
)
from shailoo.finance.import_services import import_statements
from shailoo.finance.models import Flag, Fund, Transaction

#: Rows a list shows at most (the filters narrow it down).
LIST_LIMIT = 500
#: The list's order: what needs an auditor first.
STATUS_ORDER = ("open", "confirmed", "decided", "dismissed")
#: A request body larger than this is refused before it is read.
MAX_UPLOAD_BODY = MAX_UPLOAD_BYTES + 64 * 1024
#: A PIN's shape not written as an organisation's key (``E:`` and its INN stay in clear).
_PIN_LIKE = re.compile(r"(?<![0-9])(E:)?([0-9]{14})(?![0-9])")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def masked(text: Any) -> str:
    """``text`` with every 14-digit run (a PIN) masked, except an organisation's ``E:`` key."""

    def mask(match: re.Match[str]) -> str:
        if match.group(1):
            return match.group(0)
        digits = match.group(2)
        return digits[0] + "*" * 11 + digits[-2:]

    return _PIN_LIKE.sub(mask, str(text))


# -- the list ----------------------------------------------------------------------------------


def _funds() -> list[Fund]:
    return list(
        Fund.objects.select_related("candidate", "party").order_by("-election__polling_day", "pk")
    )


@dataclass(frozen=True)
class FlagRow:
    flag: Flag
    kind: str
    status: str
    severity: str
    summary: str


@require_GET
@permission_required(Permission.FINANCE_VIEW)
def flags(request: HttpRequest) -> HttpResponse:
    """The flags, open ones first, largest sums first; filters by kind, status and fund, and
    the number and money of each kind under the other filters."""
    form = FlagFilterForm(request.GET, funds=_funds())
    rows: QuerySet[Flag] = Flag.objects.select_related(
        "fund", "fund__candidate", "fund__party", "fund__election", "donor"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["fund"]:
            rows = rows.filter(fund__account=data["fund"])
        per_kind = rows.values("kind").annotate(n=Count("pk"), total=Sum("amount")).order_by("kind")
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
    else:
        rows = rows.none()
        per_kind = rows.values("kind").annotate(n=Count("pk"), total=Sum("amount"))
    order = Case(
        *(When(status=status, then=n) for n, status in enumerate(STATUS_ORDER)),
        default=len(STATUS_ORDER),
    )
    found = rows.annotate(order=order).order_by("order", "-amount", "pk")[:LIST_LIMIT]
    context = {
        "form": form,
        "rows": [
            FlagRow(
                f,
                label(KIND_LABELS, f.kind),
                label(STATUS_LABELS, f.status),
                label(SEVERITY_LABELS, f.severity),
                masked(explain(f)),
            )
            for f in found
        ],
        "count": rows.count(),
        "limit": LIST_LIMIT,
        "per_kind": [
            (k["kind"], label(KIND_LABELS, k["kind"]), k["n"], k["total"] or Decimal(0))
            for k in per_kind
        ],
        "can_import": has_permission(request.user, Permission.FINANCE_IMPORT),
        "queue": Transaction.objects.filter(resolution__in=QUEUE).count(),
    }
    return render(
        request, "finance/staff_flags.html", context, status=200 if form.is_valid() else 400
    )


# -- a flag ------------------------------------------------------------------------------------


def _value_labels(key: str) -> dict[str, Any]:
    """The names of the coded values an evidence item may hold."""
    shared = {
        "resolution": RESOLUTION_LABELS,
        "fund_kind": FUND_KIND_LABELS,
        "purpose": PURPOSE_LABELS,
    }
    return shared.get(key) or EVIDENCE_VALUE_LABELS.get(key) or {}


#: A prohibited-source category code inside a line of evidence (``...: foreign_state``).
_CATEGORY = re.compile(r"\b(" + "|".join(sorted(SOURCE_CATEGORY_LABELS, key=len)[::-1]) + r")\b")


def _named(text: str) -> str:
    """A line of evidence with each prohibited-source category code named."""
    return _CATEGORY.sub(lambda m: str(SOURCE_CATEGORY_LABELS[m.group(1)]), text)


def _evidence(flag: Flag) -> list[tuple[str, str, str]]:
    """``(key, name, value)`` of each evidence item, coded values named, amounts, shares and
    dates written the reader's way, a citation in the reader's language."""
    rows = []
    edition = flag.fund.election.law_edition
    for key, value in sorted((flag.evidence or {}).items()):
        values = _value_labels(str(key))
        shown = evidence_value(str(key), value)
        if shown is not None:
            text = shown
        elif key.endswith("citation") and isinstance(value, str):
            text = citation_text(value, edition)
        elif isinstance(value, list):
            text = "; ".join(_named(masked(v)) for v in value)
        elif isinstance(value, dict):
            text = "; ".join(f"{k}: {masked(v)}" for k, v in sorted(value.items()))
        elif isinstance(value, str) and value in values:
            text = str(values[value])
        elif key == "category":
            text = _named(masked(value))
        else:
            text = masked(value)
        rows.append((str(key), label(EVIDENCE_LABELS, str(key)), text))
    return rows


def picture_url(svg: str) -> str:
    """The ownership picture as a ``data:`` URL for an ``<img>`` (see the module's docstring)."""
    if not svg.strip():
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


@dataclass(frozen=True)
class TxRow:
    tx: Transaction
    direction: str
    person_id: str
    resolution: str
    note: str


def tx_row(tx: Transaction) -> TxRow:
    incoming = tx.credit != tx.reversal
    direction = gettext("money in") if incoming else gettext("money out")
    if tx.reversal:
        direction = f"{direction} · {gettext('reversal')}"
    return TxRow(
        tx,
        direction,
        masked(tx.person_id),
        label(RESOLUTION_LABELS, tx.resolution),
        masked(tx.resolution_note),
    )


def _flag_page(request: HttpRequest, flag: Flag, status: int = 200, **extra: Any) -> HttpResponse:
    record_view(request, flag, f"finance flag {flag.pk}")
    transactions = flag.transactions.select_related("statement", "donor").order_by(
        "booking_date", "pk"
    )
    decided = flag.status == Flag.Status.DECIDED
    donor = flag.donor
    context: dict[str, Any] = {
        "flag": flag,
        "kind": label(KIND_LABELS, flag.kind),
        "status": label(STATUS_LABELS, flag.status),
        "severity": label(SEVERITY_LABELS, flag.severity),
        "disposition": label(DISPOSITION_LABELS, flag.disposition),
        "summary": masked(explain(flag)),
        "citation": flag_citation(flag),
        "donor_name": donor.name if donor is not None else "",
        "donor_key": masked(donor.key) if donor is not None else "",
        "evidence": _evidence(flag),
        "picture": picture_url(flag.picture_svg),
        "transactions": [tx_row(tx) for tx in transactions],
        "notice_ky": masked(notice(flag, "ky")) if decided else "",
        "notice_ru": masked(notice(flag, "ru")) if decided else "",
        "can_review": has_permission(request.user, Permission.FINANCE_REVIEW),
        "can_see_case": has_permission(request.user, Permission.INCIDENTS_VIEW),
        "review_form": ReviewForm(),
        "refusal": None,
    }
    context.update(extra)
    return render(request, "finance/staff_flag.html", context, status=status)


def _flag(pk: int) -> Flag:
    return review_services.flag_named(pk)


@require_GET
@permission_required(Permission.FINANCE_VIEW)
def flag_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A flag: summary, evidence, the law, the ownership picture, its transactions, and the
    step that comes next (review, decision, disclosure)."""
    return _flag_page(request, _flag(pk))


def _refused(request: HttpRequest, flag: Flag, error: Refusal, **extra: Any) -> HttpResponse:
    flag.refresh_from_db()
    return _flag_page(request, flag, error.http_status, refusal=error, **extra)


@require_POST
@permission_required(Permission.FINANCE_REVIEW)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or dismiss the flag, with reasons."""
    flag = _flag(pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        return _flag_page(request, flag, 400, review_form=form)
    confirmed = form.cleaned_data["verdict"] == "confirm"
    try:
        review_services.review(
            request.user, flag, confirmed=confirmed, reasons=form.cleaned_data["reasons"]
        )
    except Refusal as error:
        form.add_error(None, error.message)
        return _refused(request, flag, error, review_form=form)
    if confirmed:
        messages.success(request, gettext("Flag confirmed: decide on the money next."))
    else:
        messages.success(request, gettext("Flag dismissed."))
    return redirect("finance:flag", pk=flag.pk)


@require_POST
@permission_required(Permission.FINANCE_REVIEW)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide on a confirmed flag: the money's disposition, the notice, the alert."""
    flag = _flag(pk)
    try:
        decided = review_services.decide(request.user, flag)
    except Refusal as error:
        return _refused(request, flag, error)
    messages.success(
        request,
        gettext("Decided: %(disposition)s. The response groups have case %(case)s.")
        % {
            "disposition": label(DISPOSITION_LABELS, decided.disposition),
            "case": decided.case_reference,
        },
    )
    return redirect("finance:flag", pk=flag.pk)


@require_POST
@permission_required(Permission.FINANCE_REVIEW)
def disclose(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a decided flag on the public disclosure."""
    flag = _flag(pk)
    try:
        review_services.disclose(request.user, flag)
    except Refusal as error:
        return _refused(request, flag, error)
    messages.success(request, gettext("Disclosed on the fund's public page."))
    return redirect("finance:flag", pk=flag.pk)


# -- the review queue --------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    row: TxRow
    form: ResolveForm


def _queue_page(
    request: HttpRequest,
    status: int = 200,
    bound: tuple[int, ResolveForm] | None = None,
    refusal: Refusal | None = None,
) -> HttpResponse:
    waiting = (
        Transaction.objects.filter(resolution__in=QUEUE)
        .select_related("fund", "statement")
        .order_by("booking_date", "pk")
    )
    rows = []
    for tx in waiting[:LIST_LIMIT]:
        if bound is not None and bound[0] == tx.pk:
            form = bound[1]
        else:
            form = ResolveForm(auto_id=f"id_tx{tx.pk}_%s")
        rows.append(QueueRow(tx_row(tx), form))
    per_resolution = Counter(
        dict(waiting.order_by().values_list("resolution").annotate(n=Count("pk")))
    )
    context = {
        "rows": rows,
        "count": waiting.count(),
        "limit": LIST_LIMIT,
        "per_resolution": [
            (label(RESOLUTION_LABELS, r), per_resolution[r]) for r in QUEUE if per_resolution[r]
        ],
        "can_review": has_permission(request.user, Permission.FINANCE_REVIEW),
        "refusal": refusal,
    }
    return render(request, "finance/staff_queue.html", context, status=status)


@require_GET
@permission_required(Permission.FINANCE_VIEW)
def queue(request: HttpRequest) -> HttpResponse:
    """Donations whose donor the screen could not name (ambiguous, unresolved, in conflict
    with the identifier, anonymous): each waits for an auditor, never treated as clean."""
    return _queue_page(request)


@require_POST
@permission_required(Permission.FINANCE_REVIEW)
def resolve(request: HttpRequest, pk: int) -> HttpResponse:
    """Name the donor of one waiting donation by its identity key, with reasons."""
    tx = Transaction.objects.filter(pk=pk).first()
    if tx is None:
        raise NotFound("unknown_transaction", gettext("No such transaction."))
    form = ResolveForm(request.POST, auto_id=f"id_tx{tx.pk}_%s")
    if not form.is_valid():
        return _queue_page(request, 400, (tx.pk, form))
    try:
        review_services.resolve_by_hand(
            request.user, tx, form.cleaned_data["donor_key"], form.cleaned_data["reasons"]
        )
    except Refusal as error:
        field = "donor_key" if isinstance(error, NotFound) else None
        form.add_error(field, error.message)
        return _queue_page(request, error.http_status, (tx.pk, form), error)
    messages.success(
        request,
        gettext("Donation %(ref)s: donor named.") % {"ref": tx.entry_ref},
    )
    return redirect("finance:queue")


# -- statement upload --------------------------------------------------------------------------


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _file_name(name: str) -> str:
    """The upload's name, kept for the record and the located problems, made safe as a file
    name on this server (no directory, no odd character)."""
    base = _SAFE_NAME.sub("_", Path(name.replace("\\", "/")).name).strip("._")
    return (base or "statement")[:120]


@require_http_methods(["GET", "POST"])
@permission_required(Permission.FINANCE_IMPORT)
def import_statement(request: HttpRequest) -> HttpResponse:
    """Upload a bank statement of an election fund: imported whole, or refused with the
    place of every fault and nothing stored."""
    context: dict[str, Any] = {
        "form": ImportForm(),
        "refusal": None,
        "max_mib": MAX_UPLOAD_BYTES >> 20,
    }
    if request.method == "GET":
        return render(request, "finance/staff_import.html", context)
    if _declared_length(request) > MAX_UPLOAD_BODY:
        form = ImportForm({}, {})
        form.is_valid()
        form.errors["file"] = form.error_class(
            [gettext("larger than %(n)s MiB") % {"n": MAX_UPLOAD_BYTES >> 20}]
        )
        return render(request, "finance/staff_import.html", {**context, "form": form}, status=413)
    form = ImportForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "finance/staff_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > MAX_UPLOAD_BYTES:
        form.add_error("file", gettext("larger than %(n)s MiB") % {"n": MAX_UPLOAD_BYTES >> 20})
        return render(request, "finance/staff_import.html", context, status=413)
    with tempfile.TemporaryDirectory(prefix="shailoo-statement-") as folder:
        path = Path(folder) / _file_name(str(upload.name))
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            report = import_statements(request.user, path)
        except Refusal as error:
            context["refusal"] = masked(error.message)
            context["problems"] = [masked(problem) for problem in error.problems[:100]]
            context["more"] = max(0, len(error.problems) - 100)
            return render(request, "finance/staff_import.html", context, status=error.http_status)
    messages.success(
        request,
        gettext(
            "%(name)s imported: %(statements)s statements, %(new)s new transactions, "
            "%(known)s already stored."
        )
        % {
            "name": path.name,
            "statements": report.statements,
            "new": report.new,
            "known": report.known,
        },
    )
    return redirect("finance:import")
