"""What people do with a flag: review it, decide on the money, tell the fund, alert the groups,
disclose it — and resolve by hand a donor the screen could not.

Each step is one use case, checks the actor, and writes its ledger entry in the same
transaction as the change. The decision's disposition comes from the law's edition
(``finance.prohibited_money``) for money from a prohibited source; money over a donor's cap is
returned to the donor (the excess only). The alert goes through the response groups' one door
(``incidents.services.raise_alert``): foreign money as foreign interference, the rest as
prohibited financing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import actor_name
from shailoo.common.refusals import Conflict, InvalidInput, NotFound
from shailoo.finance.models import Donor, Flag, Transaction
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition

REVIEWED = "finance.flag_reviewed"
DECIDED = "finance.flag_decided"
DISCLOSED = "finance.flag_disclosed"
DONOR_RESOLVED = "finance.donor_resolved"

#: Flags whose money came from a source the law forbids: the law's disposition applies.
PROHIBITED_MONEY = frozenset(
    {
        "prohibited_source",
        "foreign_participation",
        "foreign_account",
        "foreign_currency",
        "anonymous",
        "cash",
        "conduit",
        "structuring",
    }
)
#: Flags of foreign origin: the groups get them as foreign interference.
FOREIGN = frozenset(
    {"foreign_participation", "foreign_account", "foreign_currency", "foreign_supplier"}
)


def flag_named(flag_id: int) -> Flag:
    flag = Flag.objects.select_related("fund", "donor", "fund__election").filter(pk=flag_id).first()
    if flag is None:
        raise NotFound("unknown_flag", gettext("No flag %(id)s.") % {"id": flag_id})
    return flag


def review(actor: Any, flag: Flag, *, confirmed: bool, reasons: str) -> Flag:
    """An auditor confirms a flag (the money is what the screen says) or dismisses it."""
    require(actor, Permission.FINANCE_REVIEW)
    if flag.status != Flag.Status.OPEN:
        raise Conflict("flag_reviewed", gettext("This flag has been reviewed already."))
    if not reasons.strip():
        raise InvalidInput("reasons_required", gettext("Give the reasons."))
    with transaction.atomic():
        flag.status = Flag.Status.CONFIRMED if confirmed else Flag.Status.DISMISSED
        flag.reviewed_by = actor_name(actor)
        flag.reviewed_at = timezone.now()
        flag.review_reasons = reasons.strip()[:4000]
        flag.save()
        entry = ledger.record(
            REVIEWED,
            actor=actor_name(actor),
            subject=ledger.ref(flag),
            data={"flag": flag.key, "kind": flag.kind, "status": flag.status},
        )
        flag.ledger_index = entry.sequence
        flag.save(update_fields=["ledger_index"])
    return flag


def disposition_of(flag: Flag) -> tuple[str, Decimal]:
    """What the decision orders for the flag's money, and how much of it."""
    if flag.kind == "over_donor_cap":
        excess = Decimal(str(flag.evidence.get("excess", flag.amount)))
        return "return_to_donor", excess
    if flag.kind in PROHIBITED_MONEY:
        law = load_edition(flag.fund.election.law_edition).finance
        return law.prohibited_money.value, flag.amount
    return "none", Decimal(0)


def decide(actor: Any, flag: Flag) -> Flag:
    """Decide on a confirmed flag: the disposition of the money, a notice to the fund's owner,
    and an alert to the response groups — one step, on the ledger."""
    require(actor, Permission.FINANCE_REVIEW)
    if flag.status != Flag.Status.CONFIRMED:
        raise Conflict("flag_not_confirmed", gettext("Only a confirmed flag can be decided."))
    disposition, amount = disposition_of(flag)
    fund = flag.fund
    with transaction.atomic():
        case = incidents.raise_alert(
            "finance",
            flag.kind,
            category="foreign_interference" if flag.kind in FOREIGN else "prohibited_financing",
            summary=f"Campaign finance: {flag.summary}"[:400],
            subject=ledger.ref(flag),
            evidence={
                "fund": fund.account,
                "owner": fund.owner_name,
                "amount": str(flag.amount),
                "disposition": disposition,
                "citation": flag.citation,
            },
            severity="high" if flag.severity == "high" else None,
            dedupe_key=f"finance:{flag.key}",
        )
        now = timezone.now()
        flag.status = Flag.Status.DECIDED
        flag.disposition = disposition
        flag.decided_by = actor_name(actor)
        flag.decided_at = now
        flag.notice_sent_at = now
        flag.case_reference = case.reference
        flag.save()
        ledger.record(
            DECIDED,
            actor=actor_name(actor),
            subject=ledger.ref(flag),
            data={
                "flag": flag.key,
                "kind": flag.kind,
                "fund": fund.account,
                "disposition": disposition,
                "amount": str(amount),
                "case": case.reference,
            },
        )
    return flag


def notice_text(flag: Flag, lang: str = "ru") -> str:
    """The notice to the fund's owner: what was found, the law, and what must be done."""
    disposition, amount = disposition_of(flag)
    if lang == "ky":
        todo = {
            "transfer_to_budget": f"{amount} сом БШКнын атайын фонду аркылуу бюджетке которулсун.",
            "return_to_donor": f"{amount} сом кайрымдуулук кылган адамга кайтарылсын.",
        }.get(disposition, "Түшүндүрмө бериңиз.")
        return f"Шайлоо фонду {flag.fund.account}: {flag.summary}\n{flag.citation}\n{todo}"
    todo = {
        "transfer_to_budget": f"Перечислить {amount} сом в бюджет через специальный фонд ЦИК.",
        "return_to_donor": f"Вернуть {amount} сом жертвователю.",
    }.get(disposition, "Представить объяснения.")
    return f"Избирательный фонд {flag.fund.account}: {flag.summary}\n{flag.citation}\n{todo}"


def disclose(actor: Any, flag: Flag) -> Flag:
    """Put a decided flag on the public disclosure (totals and the kind, no personal data)."""
    require(actor, Permission.FINANCE_REVIEW)
    if flag.status != Flag.Status.DECIDED:
        raise Conflict("flag_not_decided", gettext("Only a decided flag can be disclosed."))
    if flag.disclosed_at is not None:
        return flag
    with transaction.atomic():
        flag.disclosed_at = timezone.now()
        flag.save(update_fields=["disclosed_at"])
        ledger.record(
            DISCLOSED,
            actor=actor_name(actor),
            subject=ledger.ref(flag),
            data={"flag": flag.key, "kind": flag.kind},
        )
    return flag


def resolve_by_hand(actor: Any, tx: Transaction, donor_key: str, reasons: str) -> Transaction:
    """An auditor names who gave a donation the screen could not resolve (a known identity:
    ``P:<pin>`` or ``E:<inn>`` already seen, or one of the candidates it listed)."""
    require(actor, Permission.FINANCE_REVIEW)
    if tx.resolution in Transaction.RESOLVED:
        raise Conflict("donor_resolved", gettext("This donation's donor is resolved already."))
    donor = Donor.objects.filter(key=donor_key[:40]).first()
    if donor is None:
        raise NotFound("unknown_donor", gettext("No donor with this key."))
    if not reasons.strip():
        raise InvalidInput("reasons_required", gettext("Give the reasons."))
    with transaction.atomic():
        tx.donor = donor
        tx.resolution = Transaction.Resolution.REVIEWED
        tx.resolution_note = reasons.strip()[:300]
        tx.save(update_fields=["donor", "resolution", "resolution_note"])
        ledger.record(
            DONOR_RESOLVED,
            actor=actor_name(actor),
            subject=ledger.ref(tx),
            data={"donor": ledger.ref(donor), "entry_ref": tx.entry_ref},
        )
    return tx
