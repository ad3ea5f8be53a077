"""Foreign hands in the campaign itself: suppliers of informing and campaigning.

The law forbids foreign participation in informing and campaigning, not only in giving. A
fund's payment for printing, media, advertising or a campaign agency's services
(``campaign_purposes``) is flagged when its supplier is foreign — by the registries'
categories or country (a foreign entity, the branch or office of one, a foreign citizen, an
international organisation), by foreign participation the ownership engine finds as of the
payment's day (a local printing house with a foreign owner up the chain), or by where the
money went (an account or bank abroad). One flag per payment.
"""

from __future__ import annotations

from collections.abc import Iterable

from .context import FOREIGN_CATEGORIES, Context, bic_country, money
from .model import Flag, Payment
from .sources import counted_finding

__all__ = ["foreign_supplier"]


def foreign_supplier(payments: Iterable[Payment], ctx: Context) -> list[Flag]:
    """Payments for informing and campaigning to foreign or foreign-owned suppliers."""
    home = ctx.home
    purposes = ctx.settings.campaign_purposes
    citation = ctx.law.prohibited_sources.citation
    flags: list[Flag] = []
    for p in payments:
        if p.purpose not in purposes:
            continue
        reasons: list[str] = []
        chains: list[str] = []
        if p.supplier:
            found, _ = ctx.categories(p.supplier, "entity", p.day)
            reasons.extend(sorted(found & FOREIGN_CATEGORIES))
            facts = ctx.facts(p.supplier)
            if facts is None or facts.kind in ("entity", ""):
                finding = counted_finding(ctx, p.supplier, p.day)
                if finding is not None:
                    reasons.append(
                        f"foreign participation ({finding.rule}, effective share "
                        f"{finding.effective_share})"
                    )
                    chains = list(finding.chains)
        country = p.account_country.strip().upper()
        bank = bic_country(p.agent_bic) if p.agent_bic else ""
        if country and country != home:
            reasons.append(f"account in {country}")
        if bank and bank != home:
            reasons.append(f"bank in {bank}")
        if not reasons:
            continue
        facts = ctx.facts(p.supplier)
        name = facts.name if facts is not None and facts.name else p.supplier_name.strip()
        name = name or "an unnamed supplier"
        flags.append(
            Flag(
                kind="foreign_supplier",
                donation_ids=(),
                payment_ids=(p.id,),
                fund=p.fund,
                donor=p.supplier,
                amount=p.amount,
                summary=(
                    f"Fund {p.fund} paid {name} {money(p.amount)} for {p.purpose.replace('_', ' ')}"
                    f" on {p.day.isoformat()}, but the supplier is foreign "
                    f"({'; '.join(reasons)}); the law forbids foreign participation in "
                    "informing and campaigning."
                ),
                evidence={
                    "payment_id": p.id,
                    "line": p.line,
                    "fund": p.fund,
                    "day": p.day.isoformat(),
                    "amount": str(p.amount),
                    "purpose": p.purpose,
                    "supplier": p.supplier,
                    "supplier_name": p.supplier_name,
                    "account_country": country,
                    "agent_bic": p.agent_bic,
                    "bank_country": bank,
                    "reasons": reasons,
                    "chains": chains,
                    "home_country": home,
                },
                citation=citation,
                severity="high",
            )
        )
    return flags
