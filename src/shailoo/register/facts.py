"""The facts about a person that eligibility rules look at, free of any storage model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonFacts:
    """What the population registry says about one person.

    ``citizenship`` is an ISO 3166-1 alpha-2 code (``XX`` for a stateless person);
    ``other_citizenships`` lists further citizenships (dual citizens).
    """

    birth_date: date
    citizenship: str
    other_citizenships: tuple[str, ...] = ()
    legally_incapable: bool = False
    in_confinement: bool = False
    biometric_registered: bool = False
    death_date: date | None = None
