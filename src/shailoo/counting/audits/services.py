"""Risk-limiting audit use cases: start, draw the sample, record paper reads, stop.

Each use case checks the actor's permission (``counting.audit_conduct``, country-wide: an
audit covers a whole contest), makes its change and appends one ledger entry in the same
transaction, so the ledger holds everything an observer needs to redo the audit: seed,
manifest digest, reported tallies, the sample's digest, every paper read and every verdict.

The stopping rule reads the sampled ballots in draw order and uses only the longest run of
draws that all have a paper read: recording ballots out of order can never let an audit stop
early on a hand-picked subset. It is evaluated after every read, so after every round. When
every drawn ballot is read and the risk limit is still not met, the round ends with
``next_round``: :mod:`shailoo.counting.audits.round_services` draws the next round (or the
audit chooses a full hand count). Only when the reads cover every ballot of the manifest does
the stopping rule itself escalate.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name
from shailoo.common.refusals import Conflict, InvalidInput, Refusal
from shailoo.counting.audits import math as rla
from shailoo.counting.audits.files import NO_VOTE
from shailoo.counting.audits.models import (
    BRAVO,
    COMPARISON,
    CONFIRMED,
    ESCALATE,
    IN_PROGRESS,
    NEXT_ROUND,
    Audit,
    AuditedBallot,
    AuditRound,
    ManifestBatch,
    SampledBallot,
    StoppingState,
)
from shailoo.counting.audits.sampler import (
    Batch,
    Draw,
    SamplerError,
    check_manifest,
    check_seed,
    parse_ballot_id,
)
from shailoo.counting.audits.sampler import draw as draw_tickets
from shailoo.elections.models import Election
from shailoo.integrity import ledger

#: The chance that the planned sample confirms a correct outcome in one round (BRAVO).
COMPLETION_PROBABILITY = 0.9
_PIN_LIKE = re.compile(r"(?<![0-9A-Za-z])[0-9]{14}(?![0-9A-Za-z])")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """The stopping rule's verdict over the draws read so far."""

    status: str
    examined: int
    risk: float
    p_values: dict[str, float]
    #: BRAVO: ln T per pair over the draws read in order (where a next round starts from).
    log_t: dict[str, float] = field(default_factory=dict)
    #: Comparison: each examined draw's overstatement, in draw order.
    overstatements: tuple[float, ...] = ()


# -- planning ---------------------------------------------------------------------------------


def plan_sample_size(
    method: str, reported: Mapping[str, int], ballots: int, risk_limit: float, winners: int = 1
) -> int:
    """Draws to plan: BRAVO's size that confirms a correct outcome with 90% chance in one
    round (the hardest pair); comparison's super-simple initial size."""
    try:
        if method == BRAVO:
            return max(
                rla.bravo_completion_size(
                    p.winner_votes, p.loser_votes, ballots, risk_limit, COMPLETION_PROBABILITY
                )
                for p in rla.bravo_pairs(reported, winners)
            )
        margin = rla.diluted_margin(reported, ballots, winners)
        return rla.comparison_sample_size(margin, risk_limit, ballots=ballots)
    except rla.AuditMathError as exc:
        raise Refusal("audit_undefined", str(exc)) from None


def require_auditor(actor: Actor, audit: Audit) -> None:
    """The audit permission over the whole country (the audit object has no territory)."""
    require(
        actor,
        Permission.AUDIT_CONDUCT,
        audit,
        gettext("Only a country-wide role with the audit permission may run an audit."),
    )


def _digest(lines: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


# -- use cases --------------------------------------------------------------------------------


def start_audit(
    actor: Actor,
    *,
    election: Election,
    contest_id: str,
    manifest: Sequence[Batch],
    reported: Mapping[str, int],
    seed: str,
    risk_limit: float,
    method: str = BRAVO,
    winners: int = 1,
    sample_size: int | None = None,
) -> Audit:
    """Open an audit of one contest: its manifest, reported result and public seed."""
    audit = Audit(
        election=election,
        contest_id=contest_id,
        method=method,
        risk_limit=risk_limit,
        seed=seed,
        winners=winners,
        reported=dict(reported),
        created_by=actor_name(actor),
    )
    require_auditor(actor, audit)
    if method not in (BRAVO, COMPARISON):
        raise InvalidInput("bad_method", f"method must be {BRAVO} or {COMPARISON}")
    if not 0 < risk_limit < 1:
        raise InvalidInput("bad_risk_limit", "the risk limit must lie between 0 and 1")
    if not contest_id or len(contest_id) > 64:
        raise InvalidInput("bad_contest", "the contest id must have 1 to 64 characters")
    try:
        check_seed(seed)
        ballots = check_manifest(manifest)
    except SamplerError as exc:
        raise InvalidInput("bad_input", str(exc)) from None
    if _PIN_LIKE.search(seed):
        raise InvalidInput(
            "bad_seed", "seed: a separate group of 14 digits looks like a PIN; join the digits"
        )
    if sum(reported.values()) > ballots:
        raise Refusal(
            "reported_exceeds_manifest",
            f"reported votes ({sum(reported.values())}) exceed the {ballots} ballots in the "
            "manifest",
        )
    planned = plan_sample_size(method, reported, ballots, risk_limit, winners)
    if sample_size is not None:
        if sample_size < 1:
            raise InvalidInput("bad_sample_size", "the sample size must be at least 1")
        planned = sample_size
    audit.ballots = ballots
    audit.sample_size = planned
    # BRAVO's and Kaplan-Markov's risk is computed for draws with replacement.
    audit.replacement = True
    with transaction.atomic():
        audit.save()
        ManifestBatch.objects.bulk_create(
            ManifestBatch(audit=audit, row=i, batch=b.id, ballots=b.ballots)
            for i, b in enumerate(manifest, start=1)
        )
        ledger.record(
            "counting.rla_start",
            actor=audit.created_by,
            subject=ledger.ref(audit),
            data={
                "election": election.code,
                "contest": contest_id,
                "method": method,
                "risk_limit": risk_limit,
                "seed": seed,
                "winners": winners,
                "reported": dict(sorted(reported.items())),
                "ballots": ballots,
                "manifest_sha256": _digest([f"{b.id},{b.ballots}" for b in manifest]),
                "sample_size": planned,
            },
        )
    return audit


def draw_sample(
    actor: Actor, audit: Audit, cvrs: Mapping[tuple[str, int], str] | None = None
) -> list[SampledBallot]:
    """Draw the planned sample (once; later calls return it). Comparison audits need the
    cast vote records, from which each drawn ballot's reported vote is kept."""
    require_auditor(actor, audit)
    existing = list(audit.sample.all())
    if existing:
        return existing
    check_cvrs(audit, cvrs)
    manifest = [Batch(b.batch, b.ballots) for b in audit.batches.all()]
    draws = draw_tickets(manifest, audit.seed, audit.sample_size, replacement=audit.replacement)
    rows = sample_rows(audit, draws, cvrs, 1)
    with transaction.atomic():
        SampledBallot.objects.bulk_create(rows)
        AuditRound.objects.create(
            audit=audit,
            number=1,
            size=len(rows),
            first_order=1,
            last_order=len(rows),
            basis=AuditRound.Basis.PLANNED,
            planned=audit.sample_size,
            started_by=actor_name(actor),
        )
        ledger.record(
            "counting.rla_sample",
            actor=actor_name(actor),
            subject=ledger.ref(audit),
            data={
                "round": 1,
                "draws": len(rows),
                "distinct_ballots": len({r.ballot_id for r in rows}),
                "sample_sha256": sample_digest(rows),
            },
        )
    return list(audit.sample.all())


def check_cvrs(audit: Audit, cvrs: Mapping[tuple[str, int], str] | None) -> None:
    """Comparison audits need the cast vote records, and each must name an option."""
    if audit.method == COMPARISON and cvrs is None:
        raise InvalidInput("cvrs_needed", "a comparison audit needs the cast vote records")
    for (batch, position), vote in (cvrs or {}).items():
        if vote not in audit.reported and vote not in NO_VOTE:
            raise InvalidInput(
                "bad_cvr", f"cast vote record {batch}:{position}: {vote!r} is not an option"
            )


def sample_rows(
    audit: Audit, draws: Sequence[Draw], cvrs: Mapping[tuple[str, int], str] | None, number: int
) -> list[SampledBallot]:
    """Unsaved sample rows for the draws of round ``number``, with their reported votes."""
    return [
        SampledBallot(
            audit=audit,
            order=d.order,
            round=number,
            batch=d.batch,
            position=d.position,
            generation=d.generation,
            ticket=d.ticket_text(30),
            reported_vote=(cvrs or {}).get((d.batch, d.position), ""),
        )
        for d in draws
    ]


def sample_digest(rows: Sequence[SampledBallot]) -> str:
    """SHA-256 over ``order,ballot`` lines: an observer redraws and compares."""
    return _digest([f"{r.order},{r.ballot_id}" for r in rows])


def evaluate(audit: Audit) -> Evaluation:
    """The stopping rule over the draws read so far, in draw order (no writes).

    Every draw read and the limit not met: ``next_round``, or ``escalate_full_hand_count``
    when the reads already cover every ballot in the manifest (nothing is left to sample).
    """
    reads = {(b, p): v for b, p, v in audit.audited.values_list("batch", "position", "vote")}
    sample = list(audit.sample.order_by("order").values_list("batch", "position", "reported_vote"))
    prefix: list[tuple[str, str]] = []  # (reported vote, paper vote) in draw order
    for batch, position, reported_vote in sample:
        vote = reads.get((batch, position))
        if vote is None:
            break
        prefix.append((reported_vote, vote))
    pairs = rla.bravo_pairs(audit.reported, audit.winners)

    def option(vote: str) -> str | None:
        return None if vote in NO_VOTE else vote

    exhausted = bool(sample) and len(prefix) == len(sample)
    unfinished = IN_PROGRESS
    if exhausted:
        whole = len({(b, p) for b, p, _ in sample}) >= audit.ballots
        unfinished = ESCALATE if whole else NEXT_ROUND
    if audit.method == BRAVO:
        outcome = rla.bravo_sequential(pairs, (option(v) for _, v in prefix), audit.risk_limit)
        status = CONFIRMED if outcome.confirmed else unfinished
        return Evaluation(status, outcome.examined, outcome.risk, outcome.p_values, outcome.log_t)
    margin = rla.diluted_margin(audit.reported, audit.ballots, audit.winners)
    errors: list[float] = []
    risk, examined = 1.0, 0
    for reported_vote, vote in prefix:
        # A drawn ballot with no cast vote record counts as the worst error (two votes).
        e = rla.overstatement(option(reported_vote), option(vote), pairs) if reported_vote else 2.0
        errors.append(e)
        examined += 1
        risk = rla.comparison_p_value(margin, errors)
        if risk <= audit.risk_limit:
            return Evaluation(CONFIRMED, examined, risk, {"km": risk}, {}, tuple(errors))
    return Evaluation(unfinished, examined, risk, {"km": risk}, {}, tuple(errors))


def record_ballot(
    actor: Actor, audit: Audit, ballot: str, vote: str, readers: Sequence[str]
) -> StoppingState:
    """Record the vote two people read from a sampled paper ballot, then apply the rule."""
    require_auditor(actor, audit)
    names = [r.strip() for r in readers if r.strip()]
    if len(names) != 2 or names[0] == names[1]:
        raise InvalidInput("two_readers", gettext("Two different people must read the ballot."))
    try:
        batch, position = parse_ballot_id(ballot)
    except SamplerError as exc:
        raise InvalidInput("bad_ballot", str(exc)) from None
    if vote not in audit.reported and vote.lower() not in NO_VOTE:
        choices = ", ".join([*sorted(audit.reported), *NO_VOTE])
        raise InvalidInput("bad_vote", f"vote {vote!r} is not one of: {choices}")
    vote = vote if vote in audit.reported else vote.lower()
    with transaction.atomic():
        locked = Audit.objects.select_for_update().get(pk=audit.pk)
        if locked.status == NEXT_ROUND:
            raise Refusal(
                "round_complete",
                "every draw of this round is read: start the next round or escalate",
            )
        if locked.status != IN_PROGRESS:
            raise Conflict("audit_closed", f"the audit is already {locked.status}")
        if not locked.sample.filter(batch=batch, position=position).exists():
            raise Conflict("not_sampled", f"ballot {ballot} is not in the drawn sample")
        if locked.audited.filter(batch=batch, position=position).exists():
            raise Conflict("already_recorded", f"ballot {ballot} is already recorded")
        read = AuditedBallot.objects.create(
            audit=locked,
            batch=batch,
            position=position,
            vote=vote,
            read_by=", ".join(names),
            recorded_by=actor_name(actor),
        )
        verdict = evaluate(locked)
        current = locked.rounds.order_by("-number").first()
        state = StoppingState.objects.create(
            audit=locked,
            audited=read,
            round=current.number if current is not None else 1,
            examined=verdict.examined,
            risk=verdict.risk,
            p_values=verdict.p_values,
            status=verdict.status,
        )
        locked.status, locked.examined, locked.risk = verdict.status, verdict.examined, verdict.risk
        locked.save(update_fields=["status", "examined", "risk"])
        ledger.record(
            "counting.rla_record",
            actor=actor_name(actor),
            subject=ledger.ref(locked),
            data={
                "ballot": ballot,
                "vote": vote,
                "read_by": names,
                "examined": verdict.examined,
                "risk": _finite(verdict.risk),
                "status": verdict.status,
            },
        )
        if verdict.status != IN_PROGRESS and current is not None:
            _end_round(actor, locked, current, verdict)
        if verdict.status in (CONFIRMED, ESCALATE):
            ledger.record(
                "counting.rla_conclude",
                actor=actor_name(actor),
                subject=ledger.ref(locked),
                data={
                    "status": verdict.status,
                    "examined": verdict.examined,
                    "risk": _finite(verdict.risk),
                    "p_values": {k: _finite(v) for k, v in verdict.p_values.items()},
                },
            )
    audit.refresh_from_db()
    return state


def _end_round(actor: Actor, audit: Audit, current: AuditRound, verdict: Evaluation) -> None:
    """Close the round with the stopping rule's verdict, on the ledger too."""
    current.ended_status = verdict.status
    current.ended_risk = _finite(verdict.risk)
    current.ended_examined = verdict.examined
    current.ended_at = timezone.now()
    current.save(update_fields=["ended_status", "ended_risk", "ended_examined", "ended_at"])
    ledger.record(
        "counting.rla_round_end",
        actor=actor_name(actor),
        subject=ledger.ref(audit),
        data={
            "round": current.number,
            "draws": current.last_order,
            "examined": verdict.examined,
            "risk": _finite(verdict.risk),
            "status": verdict.status,
            "p_values": {k: _finite(v) for k, v in verdict.p_values.items()},
        },
    )


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 1.0


def summary(audit: Audit) -> dict[str, object]:
    """What ``audits status`` prints: plain data."""
    reads = audit.audited.count()
    return {
        "audit": audit.pk,
        "election": audit.election.code,
        "contest": audit.contest_id,
        "method": audit.method,
        "risk_limit": audit.risk_limit,
        "reported": audit.reported,
        "ballots": audit.ballots,
        "sample_size": audit.sample_size,
        "drawn": audit.sample.count(),
        "recorded": reads,
        "examined_in_order": audit.examined,
        "risk": audit.risk,
        "status": audit.status,
        "rounds": [
            {
                "round": r.number,
                "draws": f"{r.first_order}-{r.last_order}",
                "size": r.size,
                "basis": r.basis,
                "planned": r.planned,
                "risk_before": r.risk_before,
                "ended": r.ended_status or None,
                "risk_after": r.ended_risk,
                "examined_after": r.ended_examined,
            }
            for r in audit.rounds.all()
        ],
    }


def to_json(data: Mapping[str, object]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
