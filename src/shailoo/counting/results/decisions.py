"""Decisions on protocols: acceptance (signed with the commission key) and disputes.

Acceptance re-checks the current version against the newest automatic count and the law's
relations first: a blocked version is refused with every reason and its alerts stay open.
An accepted version is signed over its canonical content (``signing``), so a figure changed
later in the database no longer verifies. Each decision is a row and a ledger entry,
written in one transaction.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext

from shailoo.accounts.roles import Permission
from shailoo.common import metrics
from shailoo.common.actors import actor_name
from shailoo.common.refusals import Conflict, Refusal
from shailoo.counting.results import cache, services, signing
from shailoo.counting.results.models import Protocol, ProtocolDecision, ProtocolVersion
from shailoo.counting.results.protocol import Verdict
from shailoo.counting.results.services import require_at
from shailoo.integrity import ledger
from shailoo.integrity.canonical import JSONValue
from shailoo.integrity.keys import KeyRegistryError

#: Sent once an acceptance has committed, with ``protocol`` and ``decision``: rooms above
#: counting (the portal's subscriptions) react without counting knowing them. Sent robustly
#: after the commit, so a receiver can neither undo the acceptance nor make it fail; receivers
#: only queue work (the portal writes an outbox row), they send nothing themselves.
protocol_accepted = Signal()


def acceptance_fields(protocol: Protocol, version: ProtocolVersion) -> dict[str, JSONValue]:
    """What the commission's signature covers (``signing.statement`` adds the scheme)."""
    return {
        "election": protocol.election.code,
        "station": protocol.station.number,
        "contest": protocol.contest_id,
        "version": version.number,
        "content_sha256": version.content_sha256,
    }


def accept_protocol(protocol: Protocol, actor: Any) -> ProtocolDecision:
    """Accept the current version: re-checked, signed with the commission key, on the ledger.

    A version that fails a control relation or differs from the automatic count beyond the
    law's tolerance is refused (its alerts stay open); the refusal names every reason.
    """
    require_at(actor, Permission.PROTOCOL_ACCEPT, protocol.station)
    rules = services.protocol_rules(protocol.election)
    name = actor_name(actor)
    services.pull_scanner_count(protocol.election, protocol.station, name)
    blocked: Verdict | None = None
    with transaction.atomic():
        protocol = (
            Protocol.objects.select_for_update(of=("self",))
            .select_related("election", "station", "current")
            .get(pk=protocol.pk)
        )
        if protocol.status == Protocol.Status.ACCEPTED:
            raise Conflict("already_accepted", gettext("This protocol is already accepted."))
        version = protocol.current
        if version is None:
            raise Refusal("no_version", gettext("No protocol has been entered yet."))
        verdict = services.reevaluate(protocol, rules, name)
        if not verdict.acceptable:
            blocked = verdict
        else:
            fields = acceptance_fields(protocol, version)
            try:
                key_id, signature, digest = signing.sign(fields)
            except (ImproperlyConfigured, KeyRegistryError) as exc:
                raise Refusal(
                    "signing_unavailable",
                    gettext("The commission's protocol key cannot sign: %(reason)s")
                    % {"reason": exc},
                ) from None
            decision = ProtocolDecision.objects.create(
                protocol=protocol,
                version=version,
                kind=ProtocolDecision.Kind.ACCEPT,
                actor=name,
                key_id=key_id,
                signature=signature,
                signed_message_sha256=digest,
            )
            protocol.status = Protocol.Status.ACCEPTED
            protocol.save(update_fields=["status", "updated_at"])
            entry = services.record(
                "counting.protocol_accepted",
                actor=name,
                subject=ledger.ref(protocol),
                data={**fields, "key_id": key_id, "signature": signature},
            )
            decision.ledger_sequence = entry.sequence
            decision.save(update_fields=["ledger_sequence"])
            # The public results change: cached pages and answers give way once this commits.
            cache.bump()
            transaction.on_commit(metrics.protocol_accepted)
            transaction.on_commit(
                partial(
                    protocol_accepted.send_robust, Protocol, protocol=protocol, decision=decision
                )
            )
    if blocked is not None:
        raise Refusal(
            "blocked",
            gettext("The protocol cannot be accepted:"),
            problems=[("protocol", reason) for reason in blocked.reasons()],
        )
    return decision


def dispute_protocol(protocol: Protocol, actor: Any, reason: str) -> ProtocolDecision:
    """Dispute the current version (reported or accepted) with a stated reason."""
    require_at(actor, Permission.PROTOCOL_ACCEPT, protocol.station)
    reason = (reason or "").strip()
    if not reason:
        raise Refusal(
            "reason_required",
            gettext("Say why the protocol is disputed."),
            problems=[("reason", "is required")],
        )
    name = actor_name(actor)
    with transaction.atomic():
        protocol = (
            Protocol.objects.select_for_update(of=("self",))
            .select_related("election", "station", "current")
            .get(pk=protocol.pk)
        )
        if protocol.status == Protocol.Status.DISPUTED:
            raise Conflict("already_disputed", gettext("This protocol is already disputed."))
        version = protocol.current
        if version is None:
            raise Refusal("no_version", gettext("No protocol has been entered yet."))
        decision = ProtocolDecision.objects.create(
            protocol=protocol,
            version=version,
            kind=ProtocolDecision.Kind.DISPUTE,
            actor=name,
            reason=reason[:2000],
        )
        protocol.status = Protocol.Status.DISPUTED
        protocol.save(update_fields=["status", "updated_at"])
        entry = services.record(
            "counting.protocol_disputed",
            actor=name,
            subject=ledger.ref(protocol),
            data={
                "election": protocol.election.code,
                "station": protocol.station.number,
                "contest": protocol.contest_id,
                "version": version.number,
                "reason": decision.reason,
            },
        )
        decision.ledger_sequence = entry.sequence
        decision.save(update_fields=["ledger_sequence"])
        cache.bump()  # a disputed protocol leaves the published figures
    return decision


def verify_acceptance(decision: ProtocolDecision) -> bool:
    """Whether an acceptance's signature covers the version it names, as stored now."""
    if decision.kind != ProtocolDecision.Kind.ACCEPT:
        return False
    version = decision.version
    content = services.content(
        decision.protocol.election,
        decision.protocol.station,
        decision.protocol.contest_id,
        version.lines,
        version.votes,
    )
    if services.sha256_of(content) != version.content_sha256:
        return False
    fields = acceptance_fields(decision.protocol, version)
    return signing.verify(fields, decision.key_id, decision.signature)
