"""Money over the law's caps: per donor (cumulative over the campaign) and per fund.

A donor cap is read as the total one donor gives one fund (the law file's reading, see
:class:`~shailoo.law.schema.FundCaps`), so that a donation split in parts meets the same cap
as one. The donations are taken in the order of the bank's days (then ids), summed as they
come, and the flag names the donation that crossed the cap and every one after it: those
are the money to return or transfer to the budget, and the flag's ``amount`` is the excess.

Which cap: a person's donations (``individual_donation_som``), a legal entity's
(``legal_entity_donation_som``), the candidate's own funds (``own_funds_som``, all own funds
of a fund together whoever paid them in) and the party's transfers to its candidate
(``from_party_som``), each of the fund's kind; an edition that sets no cap checks none. An
unresolved donor (no identity) cannot be summed with anyone, so each such donation is held to
the cap alone when its kind is known, and goes to review in any case.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Final

from shailoo.law.schema import Cited

from .context import Context, money
from .model import Donation, Flag, Payment

__all__ = ["over_donor_cap", "over_fund_cap"]

#: How a summary names each kind of donor.
KIND_LABELS: Final[dict[str, str]] = {
    "person": "a person",
    "entity": "a legal entity",
    "own_funds": "the candidate's own funds",
    "party": "the nominating party",
}


def _crossing(amounts: Sequence[Decimal], cap: int) -> int:
    """The index of the first amount whose running sum passes ``cap``."""
    running = Decimal(0)
    for index, amount in enumerate(amounts):
        running += amount
        if running > cap:
            return index
    raise ValueError("the total is within the cap")


def _lines(donations: Sequence[Donation], first: int) -> list[str]:
    """``id day amount running-total`` from the crossing donation on."""
    running = sum((d.amount for d in donations[:first]), Decimal(0))
    lines = []
    for d in donations[first:]:
        running += d.amount
        lines.append(f"{d.id} {d.day.isoformat()} {d.amount} total {running}")
    return lines


def over_donor_cap(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Per fund and donor (and donor kind): the total given over the kind's cap."""
    groups: dict[tuple[str, str, str], list[Donation]] = defaultdict(list)
    for d in sorted(income, key=attrgetter("day", "id")):
        kind = d.donor_kind or ctx.kind_of(d)
        if not kind:
            continue
        if kind == "own_funds" or (kind == "party" and not d.donor):
            who = ""
        else:
            who = d.donor or f"#{d.id}"
        groups[(d.fund, who, kind)].append(d)
    caps: dict[tuple[str, str], tuple[str, Cited[int]] | None] = {}
    flags: list[Flag] = []
    for key, donations in groups.items():
        fund, who, kind = key
        pair = (donations[0].fund_kind, kind)
        if pair not in caps:
            caps[pair] = ctx.donor_cap(*pair)
        found = caps[pair]
        if found is None:
            continue
        name, cited = found
        cap = cited.value
        if len(donations) == 1:
            total = donations[0].amount
        else:
            total = sum((d.amount for d in donations), Decimal(0))
        if total <= cap:
            continue
        flags.append(_donor_flag(ctx, fund, who, kind, donations, total, name, cited))
    return flags


def _donor_flag(
    ctx: Context,
    fund: str,
    who: str,
    kind: str,
    donations: list[Donation],
    total: Decimal,
    cap_name: str,
    cited: Cited[int],
) -> Flag:
    cap = cited.value
    first = _crossing([d.amount for d in donations], cap)
    crossing = donations[first]
    donor = "" if who.startswith("#") else who
    if kind == "own_funds":
        whose = f"The candidate's own funds in fund {fund} total {money(total)}"
    else:
        name = ctx.name_of(donor, crossing.counterparty_name)
        count = len(donations)
        parts = "one donation" if count == 1 else f"{count} donations"
        whose = f"{name} ({KIND_LABELS[kind]}) gave fund {fund} {money(total)} in {parts}"
    excess = total - cap
    return Flag(
        kind="over_donor_cap",
        donation_ids=tuple(d.id for d in donations[first:]),
        fund=fund,
        donor=donor,
        amount=excess,
        summary=(
            f"{whose}, over the cap of {money(cap)} for {KIND_LABELS[kind]} to a "
            f"{crossing.fund_kind} fund by {money(excess)}; donation {crossing.id} of "
            f"{crossing.day.isoformat()} crossed the cap."
        ),
        evidence={
            "fund": fund,
            "fund_kind": crossing.fund_kind,
            "donor": donor,
            "donor_kind": kind,
            "cap_name": f"caps.{crossing.fund_kind}.{cap_name}",
            "cap": cap,
            "total": str(total),
            "excess": str(excess),
            "donation_count": len(donations),
            "crossing_donation": crossing.id,
            "within_cap": [f"{d.id} {d.day.isoformat()} {d.amount}" for d in donations[:first]],
            "over_cap": _lines(donations, first),
            "lines": [d.line for d in donations[first:] if d.line],
        },
        citation=cited.citation,
        severity="high",
    )


def over_fund_cap(
    income: Iterable[Donation], payments: Iterable[Payment], ctx: Context
) -> list[Flag]:
    """A fund's income over ``fund_total_som`` and its spending over ``spending_som``."""
    flags: list[Flag] = []
    by_fund: dict[str, list[Donation]] = defaultdict(list)
    for d in income:
        by_fund[d.fund].append(d)
    for fund, donations in by_fund.items():
        caps = ctx.fund_caps(donations[0].fund_kind)
        cited = caps.fund_total_som if caps is not None else None
        if cited is None:
            continue
        total = sum((d.amount for d in donations), Decimal(0))
        if total <= cited.value:
            continue
        donations.sort(key=lambda d: (d.day, d.id))
        first = _crossing([d.amount for d in donations], cited.value)
        crossing = donations[first]
        excess = total - cited.value
        flags.append(
            Flag(
                kind="over_fund_cap",
                donation_ids=tuple(d.id for d in donations[first:]),
                fund=fund,
                donor="",
                amount=excess,
                summary=(
                    f"Fund {fund} ({crossing.fund_kind}) received {money(total)}, over its cap "
                    f"of {money(cited.value)} by {money(excess)}; donation {crossing.id} of "
                    f"{crossing.day.isoformat()} crossed the cap."
                ),
                evidence={
                    "fund": fund,
                    "fund_kind": crossing.fund_kind,
                    "what": "income",
                    "cap_name": f"caps.{crossing.fund_kind}.fund_total_som",
                    "cap": cited.value,
                    "total": str(total),
                    "excess": str(excess),
                    "donation_count": len(donations),
                    "crossing_donation": crossing.id,
                    "crossing_day": crossing.day.isoformat(),
                    "over_cap_count": len(donations) - first,
                },
                citation=cited.citation,
                severity="high",
            )
        )
    flags.extend(_over_spending(payments, ctx))
    return flags


def _over_spending(payments: Iterable[Payment], ctx: Context) -> list[Flag]:
    by_fund: dict[str, list[Payment]] = defaultdict(list)
    for p in payments:
        by_fund[p.fund].append(p)
    flags: list[Flag] = []
    for fund, spent in by_fund.items():
        caps = ctx.fund_caps(spent[0].fund_kind)
        cited = caps.spending_som if caps is not None else None
        if cited is None:
            continue
        total = sum((p.amount for p in spent), Decimal(0))
        if total <= cited.value:
            continue
        spent.sort(key=lambda p: (p.day, p.id))
        first = _crossing([p.amount for p in spent], cited.value)
        crossing = spent[first]
        excess = total - cited.value
        flags.append(
            Flag(
                kind="over_fund_cap",
                donation_ids=(),
                payment_ids=tuple(p.id for p in spent[first:]),
                fund=fund,
                donor="",
                amount=excess,
                summary=(
                    f"Fund {fund} ({crossing.fund_kind}) spent {money(total)}, over its "
                    f"spending cap of {money(cited.value)} by {money(excess)}; payment "
                    f"{crossing.id} of {crossing.day.isoformat()} crossed the cap."
                ),
                evidence={
                    "fund": fund,
                    "fund_kind": crossing.fund_kind,
                    "what": "spending",
                    "cap_name": f"caps.{crossing.fund_kind}.spending_som",
                    "cap": cited.value,
                    "total": str(total),
                    "excess": str(excess),
                    "payment_count": len(spent),
                    "crossing_payment": crossing.id,
                    "crossing_day": crossing.day.isoformat(),
                    "over_cap_count": len(spent) - first,
                },
                citation=cited.citation,
                severity="high",
            )
        )
    return flags
