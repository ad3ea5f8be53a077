"""What the registries say of a donor, in the law's words; what a payment was for.

Pure: the registries' categories (``LegalEntity.Kind``, a person's citizenship and statuses)
are mapped here to the prohibited sources of Art. 41(3) as the law file names them, so that the
screen needs no registry vocabulary and a new registry category is one line here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: A registry's category of organisation → the prohibited sources it is.
ENTITY_CATEGORIES: dict[str, frozenset[str]] = {
    "foreign_company": frozenset({"foreign_legal_entity"}),
    "foreign_branch": frozenset({"foreign_branch"}),
    "foreign_state_body": frozenset({"foreign_state"}),
    "international_organisation": frozenset({"international_organisation"}),
    "state_body": frozenset({"state_body"}),
    "state_enterprise": frozenset({"state_enterprise"}),
    "military_unit": frozenset({"military_unit"}),
    "law_enforcement": frozenset({"law_enforcement"}),
    "court": frozenset({"court"}),
    "charity": frozenset({"charity"}),
    "religious_organisation": frozenset({"religious_organisation"}),
}
#: A person's status in a registry → the prohibited source it makes them.
STATUS_CATEGORIES: dict[str, str] = {
    "civil_servant": "civil_servant",
    "religious_figure": "religious_figure",
    "budget_debtor": "budget_debtor",
}
HOME = "KG"
STATELESS = frozenset({"", "XX"})


def entity_categories(
    kind: str, country: str, *, state_share_tax_preference: bool = False, in_debt: bool = False
) -> frozenset[str]:
    """The prohibited sources an organisation is, from its registry record.

    An organisation registered abroad is a foreign legal entity whatever its registry
    category says (a data-entry slip must not make a foreign company look local).
    """
    found = set(ENTITY_CATEGORIES.get(kind, frozenset()))
    if country and country != HOME and kind not in ("foreign_state_body",):
        found.add("foreign_legal_entity")
    if state_share_tax_preference:
        found.add("state_share_tax_preference")
    if in_debt:
        found.add("budget_debtor")
    return frozenset(found)


def person_categories(citizenship: str, statuses: Iterable[str] = ()) -> frozenset[str]:
    """The prohibited sources a person is: a foreign citizen, a stateless person, or one of
    the statuses the edition bars (civil servants, religious figures, debtors)."""
    found: set[str] = set()
    if citizenship in STATELESS:
        found.add("stateless_person")
    elif citizenship != HOME:
        found.add("foreign_citizen")
    found.update(STATUS_CATEGORIES[s] for s in statuses if s in STATUS_CATEGORIES)
    return frozenset(found)


# What a payment out was for, from the words of its remittance text (Russian, Kyrgyz,
# English). The first category whose pattern matches wins; the order puts the informing and
# campaigning categories (where foreign participation is forbidden) first.
_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("printing", ("печат", "типограф", "полиграф", "листов", "буклет", "плакат", "баннер",
                  "басма", "print", "leaflet", "poster")),
    ("media", ("телеви", r"\bтв\b", "радио", "газет", "эфир", "сми", "журнал", "телеканал",
               "уктуруу", "media", "broadcast", "airtime", "newspaper")),
    ("advertising", ("реклам", "билборд", "наружн", "таргет", "жарнама", "advert",
                     "billboard")),
    ("campaign_services", ("агитац", "агитатор", "консалт", "политтехнолог", "smm",
                           "организаци[яи] (?:встреч|мероприят)", "үгүт",
                           "campaign (?:services|consult)")),
    ("rent", ("аренд", "ижара", "rent", "lease")),
    ("transport", ("транспорт", "гсм", "бензин", "топлив", "такси", "авто", "унаа",
                   "transport", "fuel")),
)  # fmt: skip
_PURPOSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile("|".join(words), re.IGNORECASE)) for name, words in _WORDS
)


def purpose_of(remittance: str) -> str:
    """The spending category of a payment from its remittance text (``other`` if none fits)."""
    for name, pattern in _PURPOSES:
        if pattern.search(remittance):
            return name
    return "other"
