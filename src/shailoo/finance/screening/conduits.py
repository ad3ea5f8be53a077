"""Conduits: a donor who received prohibited money shortly before giving.

Foreign money that cannot enter a fund directly is paid to a citizen who then gives it in
their own name. The financial-intelligence registry reports payments *to* donors
(:class:`~.model.Transfer`); a donation is flagged when, within ``conduit_days`` before it
(the donation's own day included), its donor received from prohibited sources at least
``conduit_min_share`` of the amount given. A payer is prohibited by the same tests as a
donor: the registries' categories the law lists (a foreign citizen or entity by country too),
or foreign participation the ownership engine finds as of the transfer's day.

Each donation is judged by itself: one receipt may stand behind several donations, and each
then carries the same evidence.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from .context import Context, money
from .model import Donation, Flag, Transfer
from .origin import donation_evidence, donation_flag
from .sources import counted_finding

__all__ = ["conduit", "prohibited_payer"]


def prohibited_payer(ctx: Context, payer: str, day: date) -> list[str]:
    """Why a payer is a prohibited source on ``day``: the reasons, none if it is not."""
    facts = ctx.facts(payer)
    found, _ = ctx.categories(payer, "", day)
    reasons = sorted(found)
    if facts is None or facts.kind in ("entity", ""):
        finding = counted_finding(ctx, payer, day)
        if finding is not None and "foreign_participation_entity" not in found:
            reasons.append(
                f"foreign_participation_entity ({finding.rule}, effective share "
                f"{finding.effective_share})"
            )
    return reasons


def conduit(income: Iterable[Donation], transfers: Iterable[Transfer], ctx: Context) -> list[Flag]:
    """Donations whose donor received prohibited money shortly before."""
    s = ctx.settings
    donations = [d for d in income if d.donor]
    donors = {d.donor for d in donations}
    received: dict[str, list[tuple[date, Decimal, str, str]]] = defaultdict(list)
    for t in transfers:
        if t.payee not in donors or t.payee == t.payer:
            continue
        reasons = prohibited_payer(ctx, t.payer, t.day)
        if reasons:
            received[t.payee].append((t.day, t.amount, t.payer, "; ".join(reasons)))
    if not received:
        return []
    days_of: dict[str, list[date]] = {}
    for payee, rows in received.items():
        rows.sort()
        days_of[payee] = [row[0] for row in rows]
    window = timedelta(days=s.conduit_days)
    citation = ctx.law.prohibited_sources.citation
    flags: list[Flag] = []
    for d in donations:
        days = days_of.get(d.donor)
        if days is None:
            continue
        start = bisect.bisect_left(days, d.day - window)
        stop = bisect.bisect_right(days, d.day)
        before = received[d.donor][start:stop]
        total = sum((row[1] for row in before), Decimal(0))
        if not before or total < s.conduit_min_share * d.amount:
            continue
        payers = sorted({_payer_name(ctx, row[2]) for row in before})
        name = ctx.name_of(d.donor, d.counterparty_name)
        evidence = donation_evidence(d)
        evidence.update(
            received_total=str(total),
            received_share=str((total / d.amount).quantize(Decimal("0.0001"))) if d.amount else "",
            transfers=[
                f"{day.isoformat()} {amount} from {payer} ({_payer_name(ctx, payer)}): {why}"
                for day, amount, payer, why in before
            ],
            conduit_days=s.conduit_days,
            conduit_min_share=str(s.conduit_min_share),
        )
        flags.append(
            donation_flag(
                "conduit",
                d,
                summary=(
                    f"{name} gave {money(d.amount)} to fund {d.fund} on {d.day.isoformat()} "
                    f"after receiving {money(total)} from a prohibited source "
                    f"({', '.join(payers)}) in the {s.conduit_days} days before: the donor "
                    "may be passing that money on."
                ),
                evidence=evidence,
                citation=citation,
                severity="medium",
            )
        )
    return flags


def _payer_name(ctx: Context, payer: str) -> str:
    facts = ctx.facts(payer)
    return facts.name if facts is not None and facts.name else "an unnamed payer"
