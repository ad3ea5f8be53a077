"""The whole screen: validate, undo the reversed donations, run every check, sort the flags.

The answer does not depend on the order the records come in (each check sorts what it needs
by day and id, and the flags are sorted at the end), so a re-run over the same data gives the
same flags in the same order, and a flag once raised can be found again by its donations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Final

from shailoo.law.schema import Finance

from .caps import over_donor_cap, over_fund_cap
from .clusters import structuring
from .conduits import conduit
from .context import Context
from .model import (
    FLAG_KINDS,
    REVIEW_RESOLUTIONS,
    Donation,
    FactsSource,
    Flag,
    OwnershipLookup,
    Payment,
    ScreenResult,
    Transfer,
)
from .origin import anonymous, cash, foreign_account, foreign_currency
from .reversals import match_reversals
from .settings import ScreenSettings
from .sources import foreign_participation, prohibited_source
from .suppliers import foreign_supplier
from .validate import check_input

__all__ = ["needs_review", "screen"]

_ORDER: Final[dict[str, int]] = {kind: i for i, kind in enumerate(FLAG_KINDS)}


def needs_review(donation: Donation) -> bool:
    """Whether nobody knows who gave: unresolved, ambiguous, conflicting, or no identity at
    all (an anonymous donation is flagged instead, and goes to review only if it is also
    unresolved)."""
    return donation.resolution in REVIEW_RESOLUTIONS or (
        not donation.donor and donation.resolution != "anonymous"
    )


def _sort_key(flag: Flag) -> tuple[int, str, tuple[int, ...], tuple[int, ...], str, str]:
    return (
        _ORDER[flag.kind],
        flag.fund,
        flag.donation_ids,
        flag.payment_ids,
        flag.donor,
        flag.summary,
    )


def screen(
    donations: Sequence[Donation],
    payments: Sequence[Payment],
    facts: FactsSource,
    ownership: OwnershipLookup,
    transfers: Sequence[Transfer],
    law: Finance,
    settings: ScreenSettings | None = None,
) -> ScreenResult:
    """Screen a campaign's donations and spending against ``law`` (an edition's ``finance``).

    ``donations`` are bank entries of the funds' accounts (donations and their reversals);
    ``facts`` the registries' answer per identity key; ``ownership`` the ownership engine's;
    ``transfers`` payments to donors from others. Raises :class:`~.model.ScreeningError`
    with every located problem when a record is malformed.
    """
    settings = settings if settings is not None else ScreenSettings()
    check_input(donations, payments, transfers)
    ctx = Context(law, settings, facts, ownership)
    undone = match_reversals(donations)
    income = undone.income
    flags: list[Flag] = []
    flags += prohibited_source(income, ctx)
    flags += foreign_participation(income, ctx)
    flags += foreign_account(income, ctx)
    flags += foreign_currency(income, ctx)
    flags += anonymous(income, ctx)
    flags += cash(income, ctx)
    flags += over_donor_cap(income, ctx)
    flags += over_fund_cap(income, payments, ctx)
    flags += structuring(income, ctx)
    flags += conduit(income, transfers, ctx)
    flags += foreign_supplier(payments, ctx)
    flags.sort(key=_sort_key)
    review = tuple(d for d in income if needs_review(d))
    counts: dict[str, int] = dict.fromkeys(FLAG_KINDS, 0)
    counts.update(Counter(flag.kind for flag in flags))
    counts["unresolved"] = len(review)
    return ScreenResult(
        flags=tuple(flags),
        review=review,
        counts=counts,
        reversed=undone.pairs,
        unmatched_reversals=undone.unmatched,
    )
