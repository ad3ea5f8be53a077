"""The planted cases, each with its near-miss negative, split by what decides them.

Modules:

- ``base`` — what every case shares: funds in turn, serials, days, booking, the manifest;
- ``ownership`` — who stands behind an entity: foreign chains and branches, the state, the
  organisations that may not give, suppliers owned from abroad;
- ``donors`` — who a person is: foreign citizens and stateless persons, barred statuses,
  donors nobody of the register bears the name of;
- ``patterns`` — how the money came: foreign accounts and currency, no name, cash, over a cap,
  structuring, conduits, and the fund brought over its cap.

:class:`Planter` runs them in one fixed order: every case draws from the one seeded generator,
so the order is part of what the seed means.
"""

from __future__ import annotations

from .donors import DonorCases
from .ownership import OwnershipCases
from .patterns import PatternCases


class Planter(OwnershipCases, DonorCases, PatternCases):
    """Every planted case, in the order that fixes the seed's draws."""

    def all(self) -> None:
        self.foreign_chains()
        self.foreign_persons()
        self.foreign_bodies()
        self.domestic_sources()
        self.statuses_cases()
        self.origin_cases()
        self.caps_and_patterns()
        self.suppliers()
        self.unresolved()
