"""Who gave: a donor the law forbids outright, or a local entity with foreign participants.

One flag per donation, because both answers depend on the day: a civil servant who left the
service, a foreign shareholder who exited — the registries and the ownership engine answer
as of the donation's day (the ownership engine by its own rule; the facts as the lead
adapts them).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from .context import Context, money
from .model import Donation, Flag, OwnershipFinding
from .origin import donation_evidence, donation_flag

__all__ = ["counted_finding", "foreign_participation", "prohibited_source"]


def _label(category: str) -> str:
    return category.replace("_", " ")


def prohibited_source(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Donations from a donor whose registry categories the law lists as prohibited.

    A registry's country counts too: a person who is a citizen of another state is a foreign
    citizen, of none (``XX``) a stateless person, an entity registered abroad a foreign legal
    entity, even where no registry named the category (the evidence says which were derived).
    The candidate's own funds are held to their own cap, not to the list of donors.
    """
    citation = ctx.law.prohibited_sources.citation
    flags: list[Flag] = []
    for d in income:
        if not d.donor or d.donor_kind == "own_funds":
            continue
        found, derived = ctx.categories(d.donor, d.donor_kind, d.day)
        if not found:
            continue
        facts = ctx.facts(d.donor)
        name = ctx.name_of(d.donor, d.counterparty_name)
        listed = sorted(found)
        evidence = donation_evidence(d)
        evidence.update(
            categories=listed,
            derived_from_country=sorted(derived),
            registry_country=facts.country if facts is not None else "",
            registry_name=facts.name if facts is not None else "",
            donor_kind=ctx.kind_of(d),
        )
        flags.append(
            donation_flag(
                "prohibited_source",
                d,
                summary=(
                    f"{name} gave {money(d.amount)} to fund {d.fund} on {d.day.isoformat()}, "
                    f"but is a {' and a '.join(_label(c) for c in listed)}, a source the law "
                    "forbids."
                ),
                evidence=evidence,
                citation=citation,
                severity="high",
            )
        )
    return flags


def foreign_participation(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Donations from a local entity that had foreign participants on the donation's day.

    Entities, parties and donors of unknown kind are asked (the engine answers ``None`` for
    a key it holds no entity for). The ownership engine decides (chains of any depth, shares
    multiplied, exits before the day excluded); the screen keeps a finding only if its share
    is above the law's minimum (``foreign_participation_min_share``; 0: any share at all). A
    direct participant is cited to the prohibited sources; a look-through to the platform's
    reading of them.
    """
    law = ctx.law
    if not ctx.prohibits("foreign_participation_entity"):
        return []
    flags: list[Flag] = []
    for d in income:
        if not d.donor or ctx.kind_of(d) not in ("entity", "party", ""):
            continue
        finding = counted_finding(ctx, d.donor, d.day)
        if finding is None:
            continue
        name = ctx.name_of(d.donor, d.counterparty_name)
        if finding.rule == "direct":
            citation = law.prohibited_sources.citation
            how = f"foreign participants hold {_percent(finding.direct_share)} of it directly"
        else:
            citation = law.look_through_control_share.citation
            how = (
                f"foreign owners hold {_percent(finding.effective_share)} of it through "
                f"intermediaries they control ({_percent(law.look_through_control_share.value)}"
                " or more)"
            )
        evidence = donation_evidence(d)
        evidence.update(
            entity=finding.entity,
            rule=finding.rule,
            direct_share=str(finding.direct_share),
            effective_share=str(finding.effective_share),
            chains=list(finding.chains),
            foreign_owners=list(finding.foreign_owners),
            min_share=str(law.foreign_participation_min_share.value),
            look_through_control_share=str(law.look_through_control_share.value),
            look_through_citation=law.look_through_control_share.citation,
        )
        flags.append(
            donation_flag(
                "foreign_participation",
                d,
                summary=(
                    f"{name} gave {money(d.amount)} to fund {d.fund} on {d.day.isoformat()}; "
                    f"on that day {how}, and the law forbids donations from local entities "
                    "with foreign participants."
                ),
                evidence=evidence,
                citation=citation,
                severity="high",
            )
        )
    return flags


def counted_finding(ctx: Context, key: str, day: date) -> OwnershipFinding | None:
    """The ownership engine's finding for ``key`` on ``day``, if its foreign share is above
    the law's minimum (and the law forbids such entities at all)."""
    if not ctx.prohibits("foreign_participation_entity"):
        return None
    finding = ctx.ownership(key, day)
    if finding is None:
        return None
    share = finding.direct_share if finding.rule == "direct" else finding.effective_share
    minimum = Decimal(str(ctx.law.foreign_participation_min_share.value))
    return finding if share > minimum else None


def _percent(share: Decimal | float) -> str:
    value = Decimal(str(share)) * 100
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} %"
