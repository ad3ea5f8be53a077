"""Where the money came from, as the bank entry shows it: a foreign account or bank, a foreign
currency, no payer at all, or cash. One flag per donation: each entry is its own evidence.

These need no registry: they read the entry the bank sent, which is why a camt.053 reader
must keep the debtor's account, its country, the debtor's bank and the instructed amount.
"""

from __future__ import annotations

from collections.abc import Iterable

from .context import Context, bic_country, iban_country, money
from .model import Donation, Evidence, Flag, FlagKind, Severity

__all__ = ["anonymous", "cash", "donation_evidence", "foreign_account", "foreign_currency"]


def donation_evidence(donation: Donation) -> Evidence:
    """The entry itself, as every per-donation flag's evidence starts."""
    return {
        "donation_id": donation.id,
        "line": donation.line,
        "fund": donation.fund,
        "day": donation.day.isoformat(),
        "amount": str(donation.amount),
        "donor": donation.donor,
        "resolution": donation.resolution,
        "counterparty_name": donation.counterparty_name,
    }


def donation_flag(
    kind: FlagKind,
    donation: Donation,
    *,
    summary: str,
    evidence: Evidence,
    citation: str,
    severity: Severity,
) -> Flag:
    """A flag on one donation: its id, fund, donor and amount are the donation's."""
    return Flag(
        kind=kind,
        donation_ids=(donation.id,),
        fund=donation.fund,
        donor=donation.donor,
        amount=donation.amount,
        summary=summary,
        evidence=evidence,
        citation=citation,
        severity=severity,
    )


def account_country(donation: Donation) -> tuple[str, str]:
    """The paying account's country and where it was read: the statement's, else the IBAN's."""
    if donation.account_country:
        return donation.account_country.strip().upper(), "statement"
    from_iban = iban_country(donation.account)
    return (from_iban, "iban") if from_iban else ("", "")


def foreign_account(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Donations paid from an account outside the home country, or through a foreign bank.

    An unknown country is not a foreign one: a Kyrgyz account (no IBAN) with no BIC gives no
    flag here. Cited to the prohibited sources (foreign money is what they forbid).
    """
    home = ctx.home
    citation = ctx.law.prohibited_sources.citation
    flags: list[Flag] = []
    for d in income:
        country, read_from = account_country(d)
        bank = bic_country(d.agent_bic) if d.agent_bic else ""
        reasons: list[str] = []
        if country and country != home:
            reasons.append(f"account in {country}")
        if bank and bank != home:
            reasons.append(f"bank in {bank}")
        if not reasons:
            continue
        evidence = donation_evidence(d)
        evidence.update(
            account=d.account,
            account_country=country,
            account_country_from=read_from,
            agent_bic=d.agent_bic,
            bank_country=bank,
            home_country=home,
            reasons=reasons,
        )
        name = ctx.name_of(d.donor, d.counterparty_name)
        flags.append(
            donation_flag(
                "foreign_account",
                d,
                summary=(
                    f"{name} gave {money(d.amount)} to fund {d.fund} on {d.day.isoformat()} "
                    f"from abroad ({' and '.join(reasons)}, not {home}); money from a foreign "
                    "account or bank may be from a prohibited foreign source."
                ),
                evidence=evidence,
                citation=citation,
                severity="medium",
            )
        )
    return flags


def foreign_currency(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Donations instructed (or booked) in a currency other than the law's (som).

    A citizen pays a fund in som; a payment instructed in dollars or roubles was converted on
    the way, which is how money from abroad arrives.
    """
    law_currency = ctx.law.currency.value
    citation = ctx.law.currency.citation
    flags: list[Flag] = []
    for d in income:
        others = sorted(
            {c.strip().upper() for c in (d.instructed_currency, d.currency) if c.strip()}
            - {law_currency}
        )
        if not others:
            continue
        evidence = donation_evidence(d)
        evidence.update(
            currency=d.currency,
            instructed_currency=d.instructed_currency,
            law_currency=law_currency,
            other_currencies=others,
        )
        name = ctx.name_of(d.donor, d.counterparty_name)
        flags.append(
            donation_flag(
                "foreign_currency",
                d,
                summary=(
                    f"{name} gave {money(d.amount)} to fund {d.fund} on {d.day.isoformat()} "
                    f"in {', '.join(others)} rather than {law_currency}; money in a foreign "
                    "currency is a sign of foreign origin."
                ),
                evidence=evidence,
                citation=citation,
                severity="medium",
            )
        )
    return flags


def anonymous(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Anonymous donations: resolution says so, or no identity, no name and no account.

    A donation with a name but no account is not anonymous: the resolution room tries the
    name, and if it fails the donation goes to review.
    """
    if not ctx.prohibits("anonymous"):
        return []
    citation = ctx.law.prohibited_sources.citation
    flags: list[Flag] = []
    for d in income:
        nameless = not d.donor and not d.counterparty_name.strip() and not d.account.strip()
        if d.resolution != "anonymous" and not nameless:
            continue
        why = (
            "the resolution found it anonymous"
            if d.resolution == "anonymous"
            else ("the entry names no payer and no account")
        )
        evidence = donation_evidence(d)
        evidence.update(account=d.account, reason=why, category="anonymous")
        flags.append(
            donation_flag(
                "anonymous",
                d,
                summary=(
                    f"An anonymous donation of {money(d.amount)} reached fund {d.fund} on "
                    f"{d.day.isoformat()} ({why}); the law forbids anonymous donations."
                ),
                evidence=evidence,
                citation=citation,
                severity="high",
            )
        )
    return flags


def cash(income: Iterable[Donation], ctx: Context) -> list[Flag]:
    """Cash donations where the law allows money into a fund only through its account."""
    if ctx.law.cash_allowed.value:
        return []
    citation = ctx.law.cash_allowed.citation
    flags: list[Flag] = []
    for d in income:
        if d.channel != "cash":
            continue
        evidence = donation_evidence(d)
        evidence.update(channel=d.channel, cash_allowed="false")
        name = ctx.name_of(d.donor, d.counterparty_name)
        flags.append(
            donation_flag(
                "cash",
                d,
                summary=(
                    f"{name} gave {money(d.amount)} in cash to fund {d.fund} on "
                    f"{d.day.isoformat()}; the law admits money to a fund only through its "
                    "special account."
                ),
                evidence=evidence,
                citation=citation,
                severity="high",
            )
        )
    return flags
