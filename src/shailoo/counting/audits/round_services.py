"""Audit rounds: plan the next round from the risk so far, draw it, or choose a full hand count.

Each use case checks the audit permission, changes the audit and appends its ledger entry in
one transaction. A next round continues the same seeded sampler (the first draws never move),
so every ballot of the earlier rounds stays in the sample and every read keeps counting; the
stopping rule (:func:`shailoo.counting.audits.services.evaluate`) then runs over the longer
sample after every read, as in the first round.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from shailoo.common.actors import Actor, actor_name
from shailoo.common.refusals import Conflict, InvalidInput, Refusal
from shailoo.counting.audits import math as rla
from shailoo.counting.audits import rounds
from shailoo.counting.audits.models import (
    BRAVO,
    ESCALATE,
    IN_PROGRESS,
    NEXT_ROUND,
    Audit,
    AuditRound,
    SampledBallot,
)
from shailoo.counting.audits.sampler import Batch, draw_more
from shailoo.counting.audits.services import (
    check_cvrs,
    evaluate,
    require_auditor,
    sample_digest,
    sample_rows,
)
from shailoo.integrity import ledger

#: The most draws one round may add when the operator sets the size.
MAX_ROUND = 1_000_000


@dataclass(frozen=True, slots=True)
class NextRound:
    """What ``start_round`` did: drew ``round``, or escalated to a full hand count."""

    plan: rounds.RoundPlan
    round: AuditRound | None
    escalated: bool


def plan_next_round(audit: Audit) -> rounds.RoundPlan:
    """The next round's size from the risk measured so far (no writes)."""
    verdict = evaluate(audit)
    drawn = audit.sample.count()
    try:
        if audit.method == BRAVO:
            pairs = rla.bravo_pairs(audit.reported, audit.winners)
            return rounds.bravo_next_round(
                pairs, verdict.log_t, audit.ballots, drawn, audit.risk_limit
            )
        margin = rla.diluted_margin(audit.reported, audit.ballots, audit.winners)
        return rounds.comparison_next_round(
            margin, verdict.overstatements, audit.ballots, drawn, audit.risk_limit
        )
    except rla.AuditMathError as exc:
        raise Refusal("audit_undefined", str(exc)) from None


def start_round(
    actor: Actor,
    audit: Audit,
    *,
    size: int | None = None,
    cvrs: Mapping[tuple[str, int], str] | None = None,
) -> NextRound:
    """Draw the next round once the last one ended without confirming the outcome.

    Without ``size`` the round is the planned one; if that would reach the whole manifest,
    the audit escalates to a full hand count instead. ``size`` (the operator's choice) is
    drawn as given, unless it too would reach the whole manifest.
    """
    require_auditor(actor, audit)
    if audit.status != NEXT_ROUND:
        raise Refusal(
            "round_not_over",
            f"the audit is {audit.status}: a next round starts only after a round ends "
            "without confirming the outcome",
        )
    if size is not None and not 1 <= size <= MAX_ROUND:
        raise InvalidInput("bad_sample_size", f"a round has 1 to {MAX_ROUND} draws")
    check_cvrs(audit, cvrs)
    plan = plan_next_round(audit)
    drawn = audit.sample.count()
    more = size if size is not None else plan.more
    if more + drawn >= audit.ballots or (size is None and plan.full_hand_count):
        reason = plan.reason
        if size is not None:
            reason = (
                f"{more} more draws would bring the sample to {drawn + more} of the "
                f"{audit.ballots} ballots in the manifest: a full hand count"
            )
        escalate(actor, audit, reason, plan=plan)
        return NextRound(plan, None, True)
    manifest = [Batch(b.batch, b.ballots) for b in audit.batches.all()]
    draws = draw_more(manifest, audit.seed, drawn, more, replacement=audit.replacement)
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        if locked.status != NEXT_ROUND or locked.sample.count() != drawn:
            raise Conflict("round_conflict", "someone else changed the audit: try again")
        last = locked.rounds.order_by("-number").first()
        number = (last.number if last is not None else 0) + 1
        rows = sample_rows(locked, draws, cvrs, number)
        SampledBallot.objects.bulk_create(rows)
        new = AuditRound.objects.create(
            audit=locked,
            number=number,
            size=len(rows),
            first_order=drawn + 1,
            last_order=drawn + len(rows),
            basis=AuditRound.Basis.RISK if size is None else AuditRound.Basis.OPERATOR,
            planned=plan.more,
            risk_before=_finite(locked.risk),
            started_by=actor_name(actor),
        )
        locked.status = IN_PROGRESS
        locked.save(update_fields=["status"])
        ledger.record(
            "counting.rla_round",
            actor=actor_name(actor),
            subject=ledger.ref(locked),
            data={
                "round": number,
                "basis": new.basis,
                "planned": plan.more,
                "draws": len(rows),
                "first": new.first_order,
                "last": new.last_order,
                "distinct_new_ballots": len({r.ballot_id for r in rows}),
                "risk_before": _finite(locked.risk),
                "sample_sha256": sample_digest(rows),
            },
        )
    audit.refresh_from_db()
    return NextRound(plan, new, False)


def escalate(
    actor: Actor, audit: Audit, reason: str, *, plan: rounds.RoundPlan | None = None
) -> Audit:
    """The audit chooses a full hand count (operator's decision or the plan's), with why."""
    require_auditor(actor, audit)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason_needed", "say why the audit goes to a full hand count")
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        if locked.status not in (IN_PROGRESS, NEXT_ROUND):
            raise Conflict("audit_closed", f"the audit is already {locked.status}")
        current = locked.rounds.order_by("-number").first()
        locked.status = ESCALATE
        locked.save(update_fields=["status"])
        data: dict[str, ledger.JSONValue] = {
            "reason": reason,
            "round": current.number if current is not None else 0,
            "draws": locked.sample.count(),
            "examined": locked.examined,
            "risk": _finite(locked.risk),
        }
        if plan is not None:
            data["planned_more"] = plan.more
        ledger.record(
            "counting.rla_escalate",
            actor=actor_name(actor),
            subject=ledger.ref(locked),
            data=data,
        )
    audit.refresh_from_db()
    return audit


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 1.0
