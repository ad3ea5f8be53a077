"""Staff pages: the queue of likely duplicates and the side-by-side adjudication page.

Only users with ``biometrics.dedup_adjudicate`` over the whole country get in (the service
checks again). The pair page shows both persons' register records (names, birth dates,
stations, masked PINs) next to the scores and evidence; photos are not stored and templates
never leave the matcher. Opening a pair logs a view of each person's record.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import permission_required
from shailoo.accounts.roles import Permission
from shailoo.biometrics.dedup import services
from shailoo.biometrics.dedup.forms import AdjudicationForm
from shailoo.biometrics.dedup.models import DedupRun, DuplicateCandidate
from shailoo.common.refusals import Refusal
from shailoo.register.pin import mask_pin

QUEUE_PAGE = 100


def _national(request: HttpRequest) -> None:
    services.require_national(request.user)


@require_GET
@permission_required(Permission.DEDUP_ADJUDICATE)
def queue(request: HttpRequest) -> HttpResponse:
    """Open pairs, strongest evidence first, and the latest runs."""
    _national(request)
    pending = services.open_queue()
    context = {
        "pairs": pending[:QUEUE_PAGE],
        "open_count": pending.count(),
        "runs": DedupRun.objects.all()[:5],
    }
    return render(request, "biometrics_dedup/queue.html", context)


def _person_view(person: object) -> dict[str, object]:
    return {"person": person, "masked_pin": mask_pin(person.pin)}  # type: ignore[attr-defined]


@require_GET
@permission_required(Permission.DEDUP_ADJUDICATE)
def candidate(request: HttpRequest, pk: int) -> HttpResponse:
    """Both records side by side with the scores; each record view is logged."""
    _national(request)
    pair = get_object_or_404(
        DuplicateCandidate.objects.select_related(
            "person_a__station", "person_b__station", "run", "decision"
        ),
        pk=pk,
    )
    for person in (pair.person_a, pair.person_b):
        record_view(request, person, mask_pin(person.pin))
    evidence = pair.evidence or {}
    context = {
        "pair": pair,
        "a": _person_view(pair.person_a),
        "b": _person_view(pair.person_b),
        "fingers": sorted(
            (
                int(pos),
                score,
                (evidence.get("finger_strengths") or {}).get(pos),
            )
            for pos, score in (evidence.get("fingers") or {}).items()
        ),
        "evidence": evidence,
        "decision": getattr(pair, "decision", None),
        "form": AdjudicationForm(),
    }
    return render(request, "biometrics_dedup/candidate.html", context)


@require_POST
@permission_required(Permission.DEDUP_ADJUDICATE)
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record the decision (and its ledger entry); errors go back to the pair page."""
    _national(request)
    pair = get_object_or_404(DuplicateCandidate, pk=pk)
    form = AdjudicationForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("biometrics_dedup:candidate", pk=pk)
    try:
        services.adjudicate(
            pair, form.cleaned_data["outcome"], form.cleaned_data["reason"], request.user
        )
    except Refusal as error:
        messages.error(request, error.message)
        return redirect("biometrics_dedup:candidate", pk=pk)
    messages.success(request, gettext("Decision recorded."))
    return redirect("biometrics_dedup:queue")
