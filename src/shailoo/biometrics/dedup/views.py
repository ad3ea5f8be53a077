"""Staff pages: the queue of likely duplicates and the side-by-side adjudication page.

Only users with ``biometrics.dedup_adjudicate`` over the whole country get in (the service
checks again). The pair page shows both persons' register records (names, birth dates,
stations, masked PINs), then a plain verdict (``dedup.verdict``: which fingers and whether
the face agree, under the thresholds the engine decides with) with the figures one click
away; photos are not stored and templates never leave the matcher. Opening a pair logs a
view of each person's record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import permission_required
from shailoo.accounts.roles import Permission
from shailoo.biometrics import services as biometric_services
from shailoo.biometrics.dedup import services
from shailoo.biometrics.dedup.confirm import Thresholds
from shailoo.biometrics.dedup.forms import AdjudicationForm
from shailoo.biometrics.dedup.labels import finger_name, verdict_text
from shailoo.biometrics.dedup.models import DedupRun, DuplicateCandidate
from shailoo.biometrics.dedup.verdict import (
    Verdict,
    evidence_from_json,
    finger_threshold,
    judge,
    thresholds_from_json,
)
from shailoo.common.refusals import Refusal
from shailoo.register.pin import mask_pin

QUEUE_PAGE = 100


def _national(request: HttpRequest) -> None:
    services.require_national(request.user)


def verdict_of(pair: DuplicateCandidate, finger_strength: float | None = None) -> Verdict:
    """The pair's verdict under its run's thresholds and the matcher's verification point."""
    if finger_strength is None:
        finger_strength = finger_threshold(biometric_services.thresholds().verify_fmr)
    evidence = evidence_from_json(
        pair.evidence if isinstance(pair.evidence, dict) else {},
        face=pair.face_score,
        fused=pair.fused_strength,
    )
    return judge(evidence, run_thresholds(pair), finger_strength)


def run_thresholds(pair: DuplicateCandidate) -> Thresholds:
    """The thresholds of the run that found the pair (else today's settings)."""
    config = pair.run.config if isinstance(pair.run.config, dict) else {}
    return thresholds_from_json(config, services.thresholds())


@require_GET
@permission_required(Permission.DEDUP_ADJUDICATE)
def queue(request: HttpRequest) -> HttpResponse:
    """Open pairs, strongest evidence first, and the latest runs."""
    _national(request)
    pending = services.open_queue()
    strength = finger_threshold(biometric_services.thresholds().verify_fmr)
    context = {
        "pairs": [(p, verdict_text(verdict_of(p, strength))) for p in pending[:QUEUE_PAGE]],
        "open_count": pending.count(),
        "runs": DedupRun.objects.all()[:5],
    }
    return render(request, "biometrics_dedup/queue.html", context)


def _person_view(person: object) -> dict[str, object]:
    return {"person": person, "masked_pin": mask_pin(person.pin)}  # type: ignore[attr-defined]


@require_GET
@permission_required(Permission.DEDUP_ADJUDICATE)
def candidate(request: HttpRequest, pk: int) -> HttpResponse:
    """Both records side by side, the verdict, the figures; each record view is logged."""
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
    strength = finger_threshold(biometric_services.thresholds().verify_fmr)
    verdict = verdict_of(pair, strength)
    context = {
        "pair": pair,
        "a": _person_view(pair.person_a),
        "b": _person_view(pair.person_b),
        "verdict": verdict,
        "said": verdict_text(verdict),
        "readings": _readings(verdict),
        "finger_strength": strength,
        "thresholds": run_thresholds(pair),
        "fingers": [
            (f.position, finger_name(f.position), f.score, f.strength, f.agrees)
            for f in verdict.fingers
        ],
        "evidence": evidence,
        "decision": getattr(pair, "decision", None),
        "form": AdjudicationForm(),
    }
    return render(request, "biometrics_dedup/candidate.html", context)


def _readings(verdict: Verdict) -> list[dict[str, Any]]:
    """One line per compared modality: its name and whether it agrees."""
    rows: list[dict[str, Any]] = [
        {"name": finger_name(f.position), "agrees": f.agrees, "position": f.position}
        for f in verdict.fingers
    ]
    if verdict.face_agrees is not None:
        rows.append({"name": gettext("face"), "agrees": verdict.face_agrees, "position": None})
    return rows


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
