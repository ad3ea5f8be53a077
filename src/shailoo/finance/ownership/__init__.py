"""Ownership of legal entities over time: effective shares along chains, foreign look-through.

Modules:

- ``model`` — what goes in and comes out: ``Node``, ``Holding``, ``Assessment``, ``Chain``;
- ``index`` — nodes and holdings checked and packed into flat arrays, once;
- ``graph`` — ``OwnershipGraph``: shares on a day, cycles solved, answers kept by span of days;
- ``walk`` — walks on one day: active owners, cycles in dependency order, chains, ultimate owners;
- ``solve`` — the linear system of a cycle of ownership;
- ``bods`` — an entity's ownership network as Beneficial Ownership Data Standard 0.4 JSON;
- ``picture`` — the chains as a small SVG for the explanation page.
"""

from .graph import OwnershipGraph
from .model import (
    DIRECT,
    INTERMEDIARY,
    LOOK_THROUGH,
    STATELESS,
    Assessment,
    Chain,
    ChainStep,
    Holding,
    Node,
    OwnerShare,
    OwnershipError,
)

__all__ = [
    "DIRECT",
    "INTERMEDIARY",
    "LOOK_THROUGH",
    "STATELESS",
    "Assessment",
    "Chain",
    "ChainStep",
    "Holding",
    "Node",
    "OwnerShare",
    "OwnershipError",
    "OwnershipGraph",
]
