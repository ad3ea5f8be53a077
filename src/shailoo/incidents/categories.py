"""What a case is about, how serious it is, and which agency handles it by default (pure).

The default routes follow who can act on each kind of violation: vote buying and public order
go to the police, pressure on voters and misuse of administrative resources to the
prosecutor's office, foreign interference and cyber incidents to national security, the
rest to the commission itself. The CEC may override a route (``RoutingRule``).
"""

from __future__ import annotations

from typing import Final, Literal

Category = Literal[
    "vote_buying",
    "multiple_voting",
    "pressure_on_voters",
    "foreign_interference",
    "prohibited_financing",
    "illegal_campaigning",
    "administrative_resources",
    "cyber_incident",
    "public_order",
    "count_irregularity",
    "other",
]
CATEGORIES: Final[tuple[Category, ...]] = (
    "vote_buying",
    "multiple_voting",
    "pressure_on_voters",
    "foreign_interference",
    "prohibited_financing",
    "illegal_campaigning",
    "administrative_resources",
    "cyber_incident",
    "public_order",
    "count_irregularity",
    "other",
)
Severity = Literal["low", "medium", "high", "critical"]
SEVERITIES: Final[tuple[Severity, ...]] = ("low", "medium", "high", "critical")
#: The agencies of a coordination group (``accounts.roles.Agency`` values).
Agency = Literal["commission", "prosecutor", "police", "national_security"]
AGENCIES: Final[tuple[Agency, ...]] = ("commission", "prosecutor", "police", "national_security")

DEFAULT_ROUTES: Final[dict[Category, Agency]] = {
    "vote_buying": "police",
    "multiple_voting": "commission",
    "pressure_on_voters": "prosecutor",
    "foreign_interference": "national_security",
    "prohibited_financing": "commission",
    "illegal_campaigning": "commission",
    "administrative_resources": "prosecutor",
    "cyber_incident": "national_security",
    "public_order": "police",
    "count_irregularity": "commission",
    "other": "commission",
}
#: Severity when the reporter gives none.
DEFAULT_SEVERITY: Final[dict[Category, Severity]] = {
    "vote_buying": "high",
    "multiple_voting": "high",
    "pressure_on_voters": "high",
    "foreign_interference": "high",
    "prohibited_financing": "medium",
    "illegal_campaigning": "medium",
    "administrative_resources": "medium",
    "cyber_incident": "critical",
    "public_order": "high",
    "count_irregularity": "high",
    "other": "low",
}
