"""What every check consults: the law, the settings, the registries' facts and the ownership
engine — each looked up once per key (the registries sit behind a database, and a donor who
gave a hundred times is one question, not a hundred).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Final

from shailoo.law.schema import Cited, Finance, FundCaps

from .model import Donation, Facts, FactsSource, OwnershipFinding, OwnershipLookup
from .settings import ScreenSettings

__all__ = [
    "FOREIGN_CATEGORIES",
    "STATELESS",
    "Context",
    "bic_country",
    "iban_country",
    "money",
]

#: The register's code for a stateless person's citizenship (not an ISO 3166 country).
STATELESS: Final = "XX"
_NONE: Final[tuple[frozenset[str], frozenset[str]]] = (frozenset(), frozenset())
#: Prohibited-source categories that are foreign in themselves: a supplier of informing and
#: campaigning with one of these takes part in the campaign as a foreigner.
FOREIGN_CATEGORIES: Final[frozenset[str]] = frozenset(
    {
        "foreign_state",
        "foreign_legal_entity",
        "foreign_branch",
        "foreign_citizen",
        "stateless_person",
        "international_organisation",
        "foreign_participation_entity",
    }
)
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_BIC = re.compile(r"^[A-Z]{4}([A-Z]{2})[A-Z0-9]{2}([A-Z0-9]{3})?$")
_SPACES = re.compile(r"\s+")


def iban_country(account: str) -> str:
    """The country of an account that is a valid IBAN (ISO 13616: mod 97 == 1), else ``""``.

    A Kyrgyz account is no IBAN (the country has none), so most accounts answer ``""``.
    """
    text = _SPACES.sub("", account).upper()
    if not _IBAN.match(text):
        return ""
    moved = text[4:] + text[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return text[:2] if int(digits) % 97 == 1 else ""


def bic_country(bic: str) -> str:
    """The country of a BIC (ISO 9362: letters 5-6), or ``""`` when it is no BIC."""
    found = _BIC.match(bic.strip().upper())
    return found.group(1) if found else ""


def money(amount: Decimal | int) -> str:
    """``1,234,567.50 som``: how a summary writes money."""
    if isinstance(amount, int):
        return f"{amount:,} som"
    return f"{amount:,.2f} som"


class Context:
    """The law, the settings and memoised lookups, shared by the checks of one screen."""

    __slots__ = (
        "_allowed",
        "_categories_seen",
        "_facts",
        "_facts_seen",
        "_owner",
        "_owner_seen",
        "law",
        "settings",
    )

    def __init__(
        self,
        law: Finance,
        settings: ScreenSettings,
        facts: FactsSource,
        ownership: OwnershipLookup,
    ) -> None:
        self.law = law
        self.settings = settings
        self._facts = facts
        self._owner = ownership
        self._facts_seen: dict[str, Facts | None] = {}
        self._owner_seen: dict[tuple[str, date], OwnershipFinding | None] = {}
        self._categories_seen: dict[
            tuple[str, str, date | None], tuple[frozenset[str], frozenset[str]]
        ] = {}
        self._allowed = frozenset(law.prohibited_sources.value)

    @property
    def home(self) -> str:
        return self.settings.home_country

    def facts(self, key: str) -> Facts | None:
        """The registries' facts of an identity (``None``: unknown, or no key)."""
        if not key:
            return None
        seen = self._facts_seen
        if key in seen:
            return seen[key]
        source = self._facts
        found = source.get(key) if isinstance(source, Mapping) else source(key)
        seen[key] = found
        return found

    def ownership(self, key: str, day: date) -> OwnershipFinding | None:
        """The ownership engine's finding for an entity on a day, asked once per pair."""
        if not key:
            return None
        pair = (key, day)
        seen = self._owner_seen
        if pair in seen:
            return seen[pair]
        found = seen[pair] = self._owner(key, day)
        return found

    def kind_of(self, donation: Donation) -> str:
        """The donor's kind: as the resolution room set it, else as the registries know it."""
        if donation.donor_kind:
            return donation.donor_kind
        facts = self.facts(donation.donor)
        return facts.kind if facts is not None else ""

    def categories(
        self, key: str, kind: str = "", day: date | None = None
    ) -> tuple[frozenset[str], frozenset[str]]:
        """The prohibited categories of an identity the law lists (those that held on
        ``day``, for categories with a period), and those of them derived from the
        registries' country (a foreign citizen, a stateless person, a foreign entity) rather
        than named by a registry."""
        facts = self.facts(key)
        pair = (key, kind, day if facts is not None and facts.periods else None)
        seen = self._categories_seen.get(pair)
        if seen is None:
            seen = self._categories_seen[pair] = self._categories(key, kind, day)
        return seen

    def _categories(
        self, key: str, kind: str, day: date | None
    ) -> tuple[frozenset[str], frozenset[str]]:
        facts = self.facts(key)
        if facts is None:
            return _NONE
        country = facts.country.upper()
        held = facts.on(day)
        if not held and (not country or country == self.home):
            return _NONE
        named = set(held)
        derived: set[str] = set()
        kind = facts.kind or kind
        if country and country != self.home:
            if kind == "person":
                derived.add("stateless_person" if country == STATELESS else "foreign_citizen")
            elif kind == "entity":
                derived.add("foreign_legal_entity")
        derived -= named
        allowed = self._allowed
        return frozenset((named | derived) & allowed), frozenset(derived & allowed)

    def prohibits(self, category: str) -> bool:
        return category in self._allowed

    def fund_caps(self, fund_kind: str) -> FundCaps | None:
        caps = self.law.caps
        return caps.party if fund_kind == "party" else caps.candidate

    def donor_cap(self, fund_kind: str, donor_kind: str) -> tuple[str, Cited[int]] | None:
        """The cap on what one donor of ``donor_kind`` gives a fund of ``fund_kind`` in total,
        with its name in the law file; ``None`` when the edition sets none."""
        caps = self.fund_caps(fund_kind)
        if caps is None:
            return None
        name = _CAP_OF_KIND.get(donor_kind)
        if name is None:
            return None
        cap: Cited[int] | None = getattr(caps, name)
        return (name, cap) if cap is not None else None

    def name_of(self, key: str, fallback: str = "") -> str:
        """A donor's name for a summary: the registry's, else the statement's, else a
        description (never the identity key, which may hold a personal number)."""
        facts = self.facts(key)
        if facts is not None and facts.name:
            return facts.name
        return fallback.strip() or ("an unidentified donor" if not key else "an unnamed donor")


#: The cap that applies to each donor kind. An unknown kind is held to a person's cap: most
#: donors are persons, and it is the lower one.
_CAP_OF_KIND: Final[dict[str, str]] = {
    "person": "individual_donation_som",
    "": "individual_donation_som",
    "entity": "legal_entity_donation_som",
    "own_funds": "own_funds_som",
    "party": "from_party_som",
}
