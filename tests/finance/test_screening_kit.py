"""Builders shared by the screening tests: donations, a screen run with the kg-2025 law, and
a law with other values (cash allowed, a spending cap). No tests here."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from shailoo.finance.screening import (
    Donation,
    Facts,
    Flag,
    OwnershipFinding,
    Payment,
    ScreenResult,
    ScreenSettings,
    Transfer,
    screen,
)
from shailoo.law.loader import load_edition
from shailoo.law.schema import Cited, Finance

LAW: Finance = load_edition("kg-2025").finance
DAY = date(2025, 11, 1)
PERSON_CAP = LAW.caps.candidate.individual_donation_som.value  # type: ignore[union-attr]
ENTITY_CAP = LAW.caps.candidate.legal_entity_donation_som.value  # type: ignore[union-attr]


def pin(n: int) -> str:
    """A person's identity key with a well-formed PIN (the screen treats it as opaque)."""
    return f"P:2{1 + n % 28:02d}0119{80 + n % 20}{n:05d}"


def inn(n: int) -> str:
    return f"E:0{n:013d}"


_counter = iter(range(1_000_000, 10_000_000))


def gift(
    amount: int | str | Decimal,
    donor: str = "",
    *,
    id: int | None = None,
    fund: str = "cand-1",
    fund_kind: str = "candidate",
    day: date = DAY,
    kind: str = "person",
    name: str = "",
    **fields: Any,
) -> Donation:
    """A bank donation of ``amount`` som, resolved exactly to ``donor`` unless told."""
    number = id if id is not None else next(_counter)
    resolved = {"resolution": "exact_id"} if donor else {"resolution": "unresolved"}
    base: dict[str, Any] = {
        "id": number,
        "fund": fund,
        "fund_kind": fund_kind,
        "day": day,
        "amount": Decimal(str(amount)),
        "donor": donor,
        "donor_kind": kind,
        "counterparty_name": name or (f"Donor {donor}" if donor else "Some Name"),
        "account": f"1280{number:012d}",
        "currency": "KGS",
        "instructed_currency": "KGS",
        "line": f"stmt-1/entry {number}",
        **resolved,
    }
    return Donation(**{**base, **fields})


def reversal_of(donation: Donation, *, day: date | None = None, **fields: Any) -> Donation:
    """The bank's reversal of ``donation``: a debit with the reversal indicator."""
    number = next(_counter)
    base = {
        "id": number,
        "fund": donation.fund,
        "fund_kind": donation.fund_kind,
        "day": day or donation.day,
        "amount": donation.amount,
        "credit": False,
        "reversal": True,
        "donor": donation.donor,
        "resolution": donation.resolution,
        "donor_kind": donation.donor_kind,
        "counterparty_name": donation.counterparty_name,
        "account": donation.account,
        "line": f"stmt-2/entry {number}",
    }
    return Donation(**{**base, **fields})


def payment(
    amount: int | str, supplier: str = "", *, purpose: str = "printing", **fields: Any
) -> Payment:
    number = next(_counter)
    return Payment(
        id=number,
        fund=fields.pop("fund", "cand-1"),
        fund_kind=fields.pop("fund_kind", "candidate"),
        day=fields.pop("day", DAY),
        amount=Decimal(str(amount)),
        supplier=supplier,
        supplier_name=fields.pop("supplier_name", f"Supplier {supplier}"),
        purpose=purpose,
        **fields,
    )


def run(
    donations: Iterable[Donation],
    payments: Iterable[Payment] = (),
    *,
    facts: Mapping[str, Facts] | Callable[[str], Facts | None] | None = None,
    ownership: Callable[[str, date], OwnershipFinding | None] | None = None,
    transfers: Iterable[Transfer] = (),
    law: Finance = LAW,
    settings: ScreenSettings | None = None,
) -> ScreenResult:
    return screen(
        list(donations),
        list(payments),
        facts if facts is not None else {},
        ownership if ownership is not None else (lambda key, day: None),
        list(transfers),
        law,
        settings,
    )


def flags(result: ScreenResult, kind: str) -> list[Flag]:
    return [flag for flag in result.flags if flag.kind == kind]


def moment(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    """A booking moment in Bishkek time; minutes past 59 run on into the next hours."""
    start = datetime(day.year, day.month, day.day, tzinfo=ZoneInfo("Asia/Bishkek"))
    return start + timedelta(hours=hour, minutes=minute)


def law_with(**changes: Any) -> Finance:
    """The kg-2025 finance law with some values replaced (``cash_allowed=True``, or
    ``spending_som=...`` for the candidate's caps), cited as the original."""
    update: dict[str, Any] = {}
    if "cash_allowed" in changes:
        update["cash_allowed"] = LAW.cash_allowed.model_copy(
            update={"value": changes.pop("cash_allowed")}
        )
    if "prohibited_sources" in changes:
        update["prohibited_sources"] = LAW.prohibited_sources.model_copy(
            update={"value": changes.pop("prohibited_sources")}
        )
    if changes:
        candidate = LAW.caps.candidate
        assert candidate is not None
        caps_update = {
            name: Cited[int](value=value, cite="Art. 41", source="law-68")
            for name, value in changes.items()
        }
        new_caps = LAW.caps.model_copy(
            update={"candidate": candidate.model_copy(update=caps_update)}
        )
        update["caps"] = new_caps
    return LAW.model_copy(update=update)
