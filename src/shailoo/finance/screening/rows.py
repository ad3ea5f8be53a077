"""What the two structuring checks share: who a donor is, what links donors, and the
donations each check looks at (those of donors held to a cap, in day order).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable
from functools import lru_cache
from operator import attrgetter
from typing import Final

from .context import Context
from .model import Donation

__all__ = ["LINK_FIELDS", "Row", "cap_citation", "link_values", "screened", "who"]

_NOT_WORD = re.compile(r"[\W_]+")
_NOT_DIGIT = re.compile(r"\D+")
#: Legal forms dropped from an employer's name, so that ``ОсОО "Алтын"`` and ``Алтын LLC``
#: are one employer.
_LEGAL_FORMS: Final[frozenset[str]] = frozenset(
    {"осоо", "оао", "зао", "ооо", "ао", "ип", "чп", "гп", "llc", "ltd", "jsc", "ojsc", "cjsc"}
)
#: The fields that link donors, in the order the evidence names them.
LINK_FIELDS: Final[tuple[str, ...]] = ("address", "phone", "employer", "account")


def _words(text: str) -> list[str]:
    return _NOT_WORD.sub(" ", text.casefold()).split()


@lru_cache(maxsize=1 << 16)
def _address_key(text: str) -> str:
    return " ".join(_words(text))


@lru_cache(maxsize=1 << 16)
def _employer_key(text: str) -> str:
    return " ".join(sorted(w for w in _words(text) if w not in _LEGAL_FORMS))


def link_values(donation: Donation, fields: Collection[str] = LINK_FIELDS) -> list[tuple[str, str]]:
    """The normalised ``(field, value)`` pairs that may link this donor to others.

    Address: words in lower case without punctuation. Phone: the last nine digits (a Kyrgyz
    number written ``0555 12-34-56`` or ``+996 555 123456`` is one), none under six digits.
    Employer: its words without the legal form, in any order. Account: without spaces.
    """
    found: list[tuple[str, str]] = []
    if donation.address and "address" in fields:
        address = _address_key(donation.address)
        if address:
            found.append(("address", address))
    if donation.phone and "phone" in fields:
        digits = _NOT_DIGIT.sub("", donation.phone)
        if len(digits) >= 6:
            found.append(("phone", digits[-9:]))
    if donation.employer and "employer" in fields:
        employer = _employer_key(donation.employer)
        if employer:
            found.append(("employer", employer))
    if donation.account and "account" in fields:
        account = "".join(donation.account.split()).upper()
        if account:
            found.append(("account", account))
    return found


def who(donation: Donation) -> str:
    """A donor's identity for telling donors apart."""
    if donation.donor:
        return donation.donor
    name = " ".join(_words(donation.counterparty_name))
    return f"?{name}" if name else f"#{donation.id}"


#: A donation screened for structuring: the donation, its donor's cap, and who gave it.
Row = tuple[Donation, int, str]


def screened(income: Iterable[Donation], ctx: Context) -> dict[str, list[Row]]:
    """Per fund, the donations of donors with a cap, each with that cap and its donor, in
    day order."""
    by_fund: dict[str, list[Row]] = defaultdict(list)
    caps: dict[tuple[str, str], int | None] = {}
    for d in sorted(income, key=attrgetter("day", "id")):
        kind = d.donor_kind or ctx.kind_of(d)
        if kind in ("own_funds", "party"):
            continue
        pair = (d.fund_kind, kind)
        if pair not in caps:
            found = ctx.donor_cap(d.fund_kind, kind)
            caps[pair] = found[1].value if found is not None else None
        cap = caps[pair]
        if cap is not None:
            by_fund[d.fund].append((d, cap, d.donor or who(d)))
    return by_fund


def cap_citation(donation: Donation, ctx: Context) -> str:
    """The donor cap a split donation escapes: a person's, else an entity's, of the fund."""
    found = ctx.donor_cap(donation.fund_kind, "person")
    if found is None:
        found = ctx.donor_cap(donation.fund_kind, "entity")
    return found[1].citation if found is not None else ctx.law.prohibited_sources.citation
