"""Nodes and holdings checked and packed once into flat arrays the queries walk.

A registry of 200,000 entities has some 600,000 holdings; an object per edge would cost
hundreds of bytes each, so the holdings live in five typed arrays (owner, share, start, end,
and the offsets of each owned entity's block), sorted by owned entity then start day, so the
owners of an entity on a day are one contiguous scan that stops at the first holding starting
after it. Numpy sorts and checks in bulk; the queries read ``array.array`` (cheap to index
from Python, unlike numpy scalars).
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

import numpy as np

from shailoo.common.problems import Problem

from .model import STATELESS, Holding, Node, OwnershipError

__all__ = [
    "FOREIGN",
    "FOREVER",
    "LOCAL_ENTITY",
    "LOCAL_PERSON",
    "NEVER",
    "UNKNOWN",
    "Index",
    "build_index",
    "day_of",
]

#: Node classes: what a node contributes to the foreign share of what it owns.
LOCAL_PERSON: Final = 0  # a citizen: contributes nothing
LOCAL_ENTITY: Final = 1  # a local entity: looked through to its own owners
FOREIGN: Final = 2  # a foreign citizen, stateless person or foreign entity: all of its share
UNKNOWN: Final = 3  # country not recorded: counted apart, never as local

#: Day numbers (proleptic ordinals) standing for an open start and an open end.
NEVER: Final = 0
FOREVER: Final = 100_000_000

#: How far the shares held in one entity on one day may exceed 1 as the registry's rounding
#: (shares kept to six decimals): scaled back to 100% without a word.
OVERSUBSCRIBED_TOLERANCE: Final = 1e-6
#: Excess below this is the float sum's own rounding, left alone.
ROUNDING: Final = 1e-12
#: Problems collected before refusing.
MAX_PROBLEMS: Final = 100

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def day_of(value: date) -> int:
    """A day as the number the arrays hold."""
    return value.toordinal()


@dataclass(slots=True)
class Index:
    """The packed graph: nodes by position, holdings grouped by owned entity."""

    nodes: list[Node]
    position: dict[str, int]
    node_class: bytearray
    offsets: array[int]
    owner: array[int]
    share: array[float]
    start: array[int]
    end: array[int]
    problems: list[Problem]


def _node_class(node: Node, home: str) -> int:
    if node.country == "":
        return UNKNOWN
    if node.country == home:
        return LOCAL_ENTITY if node.kind == "entity" else LOCAL_PERSON
    return FOREIGN


def _check_node(i: int, node: Node, seen: dict[str, int]) -> list[Problem]:
    where = f"nodes.{i}"
    found: list[Problem] = []
    if not isinstance(node.id, str) or not node.id:
        found.append(Problem(f"{where}.id", "must be a non-empty string"))
    elif node.id in seen:
        found.append(Problem(f"{where}.id", f"{node.id!r} already given as nodes.{seen[node.id]}"))
    if node.kind not in ("person", "entity"):
        found.append(Problem(f"{where}.kind", f"must be person or entity, not {node.kind!r}"))
    if not isinstance(node.country, str) or not (
        node.country == "" or _COUNTRY.match(node.country)
    ):
        found.append(
            Problem(f"{where}.country", f"not an ISO 3166-1 alpha-2 code: {node.country!r}")
        )
    elif node.country == STATELESS and node.kind == "entity":
        found.append(
            Problem(f"{where}.country", "XX (stateless) is for persons; an entity is registered")
        )
    return found


def _share_of(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    try:
        share = float(value)
    except (ValueError, ArithmeticError):  # a signalling NaN
        return None
    return share if 0.0 < share <= 1.0 else None


def build_index(
    nodes: Iterable[Node], holdings: Iterable[Holding], home: str, *, lenient: bool
) -> Index:
    """Check and pack ``nodes`` and ``holdings``; refuse with every located problem.

    Refused always: an unknown or repeated id, a kind or country out of range, a holding of a
    person (only entities are owned), a share outside (0, 1], an end not after its start.
    Shares held in one entity that sum above 1 on some day are refused too — unless
    ``lenient``, when that entity's shares are scaled down so they sum to 1 at most (the
    proportions kept) and the problem is listed in ``Index.problems`` for review. An excess
    within the registry's rounding (``OVERSUBSCRIBED_TOLERANCE``) is scaled back silently:
    left as it is, a loop of 100% holdings would sum to a hair above 1 and have no solution.
    """
    if not _COUNTRY.match(home) or home == STATELESS:
        raise OwnershipError(
            message="the home country must be an ISO 3166-1 alpha-2 code",
            problems=[Problem("home", f"not a country code: {home!r}")],
        )
    node_list = list(nodes)
    position: dict[str, int] = {}
    node_class = bytearray(len(node_list))
    problems: list[Problem] = []
    for i, node in enumerate(node_list):
        found = _check_node(i, node, position)
        if found:
            problems.extend(found)
            continue
        position[node.id] = i
        node_class[i] = _node_class(node, home)

    owners = array("q")
    owneds = array("q")
    shares = array("d")
    starts = array("q")
    ends = array("q")
    input_index = array("q")
    for i, holding in enumerate(holdings):
        if len(problems) >= MAX_PROBLEMS:
            break
        where = f"holdings.{i}"
        owner = position.get(holding.owner)
        owned = position.get(holding.owned)
        share = _share_of(holding.share)
        bad = len(problems)
        if owner is None:
            problems.append(Problem(f"{where}.owner", f"no node {holding.owner!r}"))
        if owned is None:
            problems.append(Problem(f"{where}.owned", f"no node {holding.owned!r}"))
        elif node_list[owned].kind != "entity":
            problems.append(Problem(f"{where}.owned", f"{holding.owned!r} is a person"))
        if share is None:
            problems.append(Problem(f"{where}.share", f"must be in (0, 1]: {holding.share!r}"))
        start = NEVER if holding.start is None else day_of(holding.start)
        end = FOREVER if holding.end is None else day_of(holding.end)
        if end <= start:
            problems.append(
                Problem(f"{where}.end", f"exit {holding.end} is not after {holding.start}")
            )
        if len(problems) > bad or owner is None or owned is None or share is None:
            continue
        owners.append(owner)
        owneds.append(owned)
        shares.append(share)
        starts.append(start)
        ends.append(end)
        input_index.append(i)
    if problems:
        raise OwnershipError(message="the ownership data cannot be used", problems=problems)

    n = len(node_list)
    owned_a = np.frombuffer(owneds, dtype=np.int64)
    start_a = np.frombuffer(starts, dtype=np.int64)
    order = np.lexsort((start_a, owned_a))
    owned_a = owned_a[order]
    start_a = start_a[order]
    end_a = np.frombuffer(ends, dtype=np.int64)[order]
    share_a = np.frombuffer(shares, dtype=np.float64)[order]
    owner_a = np.frombuffer(owners, dtype=np.int64)[order]
    where_a = np.frombuffer(input_index, dtype=np.int64)[order]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(owned_a, minlength=n), out=offsets[1:])

    notes = _oversubscribed(node_list, owned_a, share_a, start_a, end_a, where_a)
    found = [problem for problem, _, _ in notes if problem is not None]
    if found and not lenient:
        raise OwnershipError(
            message="shares held in an entity add up to more than 100%",
            problems=found[:MAX_PROBLEMS],
        )
    for _, entity, total in notes:
        block = slice(int(offsets[entity]), int(offsets[entity + 1]))
        share_a[block] = share_a[block] / total

    return Index(
        nodes=node_list,
        position=position,
        node_class=node_class,
        offsets=array("q", offsets.tobytes()),
        owner=array("q", owner_a.tobytes()),
        share=array("d", share_a.tobytes()),
        start=array("q", start_a.tobytes()),
        end=array("q", end_a.tobytes()),
        problems=found,
    )


def _oversubscribed(
    node_list: list[Node],
    owned: np.ndarray,
    share: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    where: np.ndarray,
) -> list[tuple[Problem | None, int, float]]:
    """Entities whose owners held more than 100% together on some day: the problem (``None``
    when the excess is the registry's rounding), the entity's position and the largest total.

    A sweep over entry (+share at start) and exit (-share at end) events per entity, exits
    first on a day (the exit day no longer counts), all in numpy.
    """
    if len(owned) == 0:
        return []
    open_end = end >= FOREVER
    ev_entity = np.concatenate([owned, owned[~open_end]])
    ev_day = np.concatenate([start, end[~open_end]])
    ev_delta = np.concatenate([share, -share[~open_end]])
    ev_exit = np.concatenate(
        [np.zeros(len(owned), np.int8), np.ones(int((~open_end).sum()), np.int8)]
    )
    ev_where = np.concatenate([where, where[~open_end]])
    order = np.lexsort((-ev_exit, ev_day, ev_entity))
    ev_entity = ev_entity[order]
    ev_day = ev_day[order]
    ev_delta = ev_delta[order]
    ev_where = ev_where[order]
    running = np.cumsum(ev_delta)
    first = np.flatnonzero(np.r_[True, ev_entity[1:] != ev_entity[:-1]])
    before = np.r_[0.0, running][first]
    sizes = np.diff(np.r_[first, len(ev_entity)])
    running = running - np.repeat(before, sizes)
    peaks = np.maximum.reduceat(running, first)
    found: list[tuple[Problem | None, int, float]] = []
    for group in np.flatnonzero(peaks > 1.0 + ROUNDING):
        total = float(peaks[group])
        if total <= 1.0 + OVERSUBSCRIBED_TOLERANCE:
            found.append((None, int(ev_entity[first[group]]), total))
            continue
        lo = int(first[group])
        hi = lo + int(sizes[group])
        at = lo + int(np.argmax(running[lo:hi] > 1.0 + OVERSUBSCRIBED_TOLERANCE))
        entity = int(ev_entity[at])
        day = int(ev_day[at])
        when = "from the start" if day == NEVER else f"from {date.fromordinal(day).isoformat()}"
        found.append(
            (
                Problem(
                    f"holdings.{int(ev_where[at])}.share",
                    f"shares held in {node_list[entity].id!r} add up to more than 100% "
                    f"{when} (up to {total * 100:.6g}%)",
                ),
                entity,
                total,
            )
        )
    return found
