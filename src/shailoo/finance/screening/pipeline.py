"""The whole screen: validate, undo the reversed donations, run every check, sort the flags.

The answer does not depend on the order the records come in (each check sorts what it needs
by day and id, and the flags are sorted at the end), so a re-run over the same data gives the
same flags in the same order, and a flag once raised can be found again by its donations.

The checks are independent of each other: with ``workers`` 2 or more, a process forked with
the inputs runs part of them while this one runs the rest (a million donations take each
check seconds; the flags come back, the inputs are never copied).
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
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
    workers: int = 1,
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
    checks: list[Callable[[], list[Flag]]] = [
        # Run elsewhere when forking: together about as long as the rest.
        lambda: structuring(income, ctx),
        lambda: foreign_account(income, ctx),
        lambda: foreign_currency(income, ctx),
        lambda: conduit(income, transfers, ctx),
        # Run here: prohibited_source and foreign_participation share the registries' facts.
        lambda: prohibited_source(income, ctx),
        lambda: foreign_participation(income, ctx),
        lambda: over_donor_cap(income, ctx),
        lambda: over_fund_cap(income, payments, ctx),
        lambda: anonymous(income, ctx),
        lambda: cash(income, ctx),
        lambda: foreign_supplier(payments, ctx),
    ]
    flags = _run(checks, elsewhere=4, workers=workers)
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


#: The checks a forked process runs (set just before it forks, read in it).
_forked_checks: list[Callable[[], list[Flag]]] = []


def _run_forked(count: int) -> list[Flag]:
    return [flag for check in _forked_checks[:count] for flag in check()]


def _run(checks: list[Callable[[], list[Flag]]], elsewhere: int, workers: int) -> list[Flag]:
    """Every check's flags: the first ``elsewhere`` in a forked process when ``workers`` > 1
    and the platform forks, the rest here meanwhile."""
    global _forked_checks
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return [flag for check in checks for flag in check()]
    _forked_checks = checks
    try:
        # An executor, not a pool: a forked process that dies fails its task, so the screen
        # stops with an error instead of waiting.
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(1, mp_context=fork) as pool:
            there = pool.submit(_run_forked, elsewhere)
            here = [flag for check in checks[elsewhere:] for flag in check()]
            return there.result() + here
    finally:
        _forked_checks = []
