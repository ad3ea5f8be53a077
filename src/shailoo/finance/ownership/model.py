"""The ownership engine's small vocabulary: what goes in (nodes, holdings) and what comes out
(assessments, chains, ultimate owners).

Frozen, slotted dataclasses so the Django side can build hundreds of thousands of them from
registry rows cheaply, and so an answer cannot be changed after the engine gave it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final, Literal

from shailoo.common.refusals import InvalidInput

__all__ = [
    "DIRECT",
    "INTERMEDIARY",
    "LOOK_THROUGH",
    "STATELESS",
    "Assessment",
    "Chain",
    "ChainStep",
    "Holding",
    "Kind",
    "Node",
    "OwnerShare",
    "OwnershipError",
    "Rule",
    "percent",
]

#: The register's code for a stateless person (not an ISO 3166 country): foreign by the law.
STATELESS: Final = "XX"

Kind = Literal["person", "entity"]
Rule = Literal["direct", "look_through", "controlled_intermediary"]

#: A foreign participant holds a share of the entity itself (Art. 41(3): no minimum share).
DIRECT: Final[Rule] = "direct"
#: Shares multiplied along chains through local intermediaries reach the control share.
LOOK_THROUGH: Final[Rule] = "look_through"
#: A local owner of the entity is itself foreign-controlled (its look-through share reaches the
#: control share), so it counts as a foreign participant; only when asked for.
INTERMEDIARY: Final[Rule] = "controlled_intermediary"


class OwnershipError(InvalidInput):
    """Nodes or holdings the engine cannot reason about, each problem located by its index."""

    default_code = "ownership_invalid"


@dataclass(frozen=True, slots=True)
class Node:
    """A person or a legal entity that can own or be owned.

    ``country`` is a person's citizenship or an entity's country of registration: ISO 3166-1
    alpha-2 upper case, ``XX`` for a stateless person (the register's code: foreign for the
    law), ``""`` when the registry does not say — never silently local: its share is reported
    apart as unknown. ``identifiers`` are ``(scheme, id)`` pairs (an org-id.guide scheme and
    the registration number) exported to BODS for entities only: a person's PIN never leaves.
    ``id`` becomes the BODS ``recordId``, so it should be an opaque key, not a PIN.
    """

    id: str
    kind: Kind
    name: str
    country: str
    identifiers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Holding:
    """``owner`` held ``share`` (in (0, 1]) of the entity ``owned`` from ``start`` to ``end``.

    ``end`` is the exit day: the holding counts on days ``start <= day < end``, so a
    shareholder who exited the day before a donation, or on its day, does not count. ``None``
    is an open end on either side (since ever, still held).
    """

    owner: str
    owned: str
    share: Decimal | float
    start: date | None = None
    end: date | None = None


def percent(share: float) -> str:
    """A share as people read it: ``0.56`` → ``56%``, ``0.499`` → ``49.9%``."""
    value = share * 100
    if 0 < value < 0.01:
        return "<0.01%"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


@dataclass(frozen=True, slots=True)
class ChainStep:
    """One node on a chain and ``share``, what it held of the next node (``None``: the last)."""

    node: str
    name: str
    country: str
    share: float | None


@dataclass(frozen=True, slots=True)
class Chain:
    """A simple path of holdings from a foreign owner down to the entity, and its product."""

    steps: tuple[ChainStep, ...]
    product: float

    def text(self) -> str:
        """``Foreign Ltd (DE) 80% → Holding LLC (KG) 70% → Printing LLC (KG) = 56%``."""
        parts = []
        for step in self.steps:
            label = f"{step.name or step.node} ({step.country or '?'})"
            parts.append(label if step.share is None else f"{label} {percent(step.share)}")
        return " → ".join(parts) + f" = {percent(self.product)}"


@dataclass(frozen=True, slots=True)
class OwnerShare:
    """An ultimate owner (a person, a foreign or unknown entity, or an entity nobody owns) and
    the share of the entity it holds through every chain together."""

    node: str
    name: str
    country: str
    kind: Kind
    share: float


@dataclass(frozen=True, slots=True)
class Assessment:
    """Why a local entity counts as one with foreign participation on ``day``.

    ``rules`` are the rules that fired, strongest first (``direct``, ``look_through``,
    ``controlled_intermediary``). ``direct_share`` is the total share foreign owners held
    directly; ``effective_share`` the foreign share through all chains (look-through, cycles
    solved); ``unknown_share`` the share traced to owners whose country nobody recorded.
    ``chains`` are the top simple chains, largest product first; ``foreign_owners`` every
    ultimate foreign owner with its effective share.
    """

    entity: str
    day: date
    rules: tuple[Rule, ...]
    direct_share: float
    effective_share: float
    unknown_share: float
    min_share: float
    control_share: float
    chains: tuple[Chain, ...]
    foreign_owners: tuple[OwnerShare, ...]

    @property
    def rule(self) -> Rule:
        """The strongest rule that fired."""
        return self.rules[0]

    def lines(self) -> list[str]:
        """The explanation as text lines: the shares, then one line per chain."""
        head = (
            f"foreign share: direct {percent(self.direct_share)}, "
            f"through chains {percent(self.effective_share)}"
        )
        if self.unknown_share > 0:
            head += f", owners of unknown country {percent(self.unknown_share)}"
        return [head, *(chain.text() for chain in self.chains)]
