"""Which donations a bank reversed: those never count toward a cap or any other flag.

A reversal is a separate bank entry (camt.053 ``RvslInd``): a donation reversed by its bank
is booked back as a debit with the reversal indicator, for the same amount, from the same
account. The statement does not always say *which* entry it reverses, so the screen matches:

- a reversal matches a donation of the **same fund**, the **same paying account** (spaces and
  case ignored; where the entry has no account, the same donor identity, else the same
  counterparty name) and the **same amount**, booked **on or before** the reversal's day;
- among several such donations it takes the **latest** not yet matched (a bank reverses what
  it just booked), ties broken by the higher id; each donation is reversed at most once;
- a reversal that matches no donation is reported (``unmatched_reversals``) for a person to
  explain, and reduces nothing.

A reversed donation is as if never made: the money went back before the fund could use it,
so there is nothing for an auditor to return or transfer to the budget. Entries that are
neither donations nor reversals of one (a debit, a returned payment of the fund) are not
income and are ignored by the screen (spending arrives as :class:`~.model.Payment`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import attrgetter, itemgetter

from .model import Donation

__all__ = ["Reversals", "match_reversals"]


@dataclass(frozen=True, slots=True)
class Reversals:
    """The outcome: the donations that stand, the pairs undone, the reversals left over."""

    income: tuple[Donation, ...]
    pairs: tuple[tuple[int, int], ...]
    unmatched: tuple[int, ...]


def _key(entry: Donation) -> tuple[str, str, str, Decimal]:
    account = "".join(entry.account.split()).upper()
    if account:
        return (entry.fund, "account", account, entry.amount)
    if entry.donor:
        return (entry.fund, "donor", entry.donor, entry.amount)
    name = " ".join(entry.counterparty_name.casefold().split())
    return (entry.fund, "name", name, entry.amount)


def match_reversals(entries: Iterable[Donation]) -> Reversals:
    """Split bank entries into standing donations and matched reversals (order-free)."""
    donations: list[Donation] = []
    reversals: list[Donation] = []
    for entry in entries:
        if entry.is_income:
            donations.append(entry)
        elif entry.reverses_income:
            reversals.append(entry)
    donations.sort(key=attrgetter("day", "id"))
    if not reversals:
        return Reversals(tuple(donations), (), ())
    # Only a donation with the key of some reversal can be matched: the others (most of a
    # million) are passed over on their fund and amount, before any key is made.
    keys = {_key(r) for r in reversals}
    amounts = {(key[0], key[3]) for key in keys}
    events: list[tuple[date, int, int, Donation]] = [
        (d.day, 0, d.id, d) for d in donations if (d.fund, d.amount) in amounts and _key(d) in keys
    ]
    events += [(r.day, 1, r.id, r) for r in reversals]
    # Donations of a day before that day's reversals; then by id: the same order whatever the
    # order the entries came in.
    events.sort(key=itemgetter(0, 1, 2))
    open_by_key: dict[tuple[str, str, str, Decimal], list[Donation]] = defaultdict(list)
    undone: set[int] = set()
    pairs: list[tuple[int, int]] = []
    unmatched: list[int] = []
    for _, is_reversal, _, entry in events:
        stack = open_by_key[_key(entry)]
        if not is_reversal:
            stack.append(entry)
        elif stack:
            original = stack.pop()
            undone.add(original.id)
            pairs.append((original.id, entry.id))
        else:
            unmatched.append(entry.id)
    income = tuple(d for d in donations if d.id not in undone)
    return Reversals(income, tuple(sorted(pairs)), tuple(sorted(unmatched)))
