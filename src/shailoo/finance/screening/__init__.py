"""The screen: each flag a pure function of the donations and the facts of the registries.

Modules: ``model`` (the records in and out), ``settings`` (the screen's thresholds, not law),
``context`` (the law, settings and memoised lookups), ``reversals`` (which donations a bank
undid), ``origin`` (foreign account or currency, anonymous, cash), ``sources`` (prohibited
donors, foreign participation), ``caps`` (donor and fund caps), ``clusters`` and ``bursts``
(structuring; ``rows`` is what they share), ``conduits``, ``suppliers`` (foreign suppliers of
campaigning), ``validate`` and ``pipeline`` (:func:`screen`: all of it, in order).
"""

from .caps import over_donor_cap, over_fund_cap
from .clusters import structuring
from .conduits import conduit
from .context import Context
from .model import (
    FLAG_KINDS,
    Donation,
    Facts,
    FactsSource,
    Flag,
    FlagKind,
    OwnershipFinding,
    OwnershipLookup,
    Payment,
    ScreeningError,
    ScreenResult,
    Transfer,
)
from .origin import anonymous, cash, foreign_account, foreign_currency
from .pipeline import needs_review, screen
from .reversals import Reversals, match_reversals
from .settings import CAMPAIGN_PURPOSES, ScreenSettings
from .sources import foreign_participation, prohibited_source
from .suppliers import foreign_supplier

__all__ = [
    "CAMPAIGN_PURPOSES",
    "FLAG_KINDS",
    "Context",
    "Donation",
    "Facts",
    "FactsSource",
    "Flag",
    "FlagKind",
    "OwnershipFinding",
    "OwnershipLookup",
    "Payment",
    "Reversals",
    "ScreenResult",
    "ScreenSettings",
    "ScreeningError",
    "Transfer",
    "anonymous",
    "cash",
    "conduit",
    "foreign_account",
    "foreign_currency",
    "foreign_participation",
    "foreign_supplier",
    "match_reversals",
    "needs_review",
    "over_donor_cap",
    "over_fund_cap",
    "prohibited_source",
    "screen",
    "structuring",
]
