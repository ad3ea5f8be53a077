"""Where things go: the hemicycle's rows of seats and the cartogram's tile grid.

The hemicycle follows the layout of the usual parliament diagrams: concentric half rings
from an inner radius of 0.4 to 1, rows spaced evenly, each row holding seats in proportion
to its length, the number of rows the fewest that hold every seat with seats no closer
along a row than the rows are apart. Seats are then taken in order of angle, left to right,
so each party holds one wedge.

The cartogram is schematic: a tile per region on a small grid that keeps the regions'
rough places (Talas in the north-west, Issyk-Kul in the north-east, Batken in the
south-west), no real geometry. The grid covers the Kyrgyz Republic's ISO 3166-2 codes and
the stations abroad (``ABROAD``, as the synthetic geography and the register name them);
any other code gets a tile on fallback rows under the map, in the order given — a region
is never dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "COLUMNS",
    "INNER",
    "KG_GRID",
    "MAX_SEATS",
    "SeatSpot",
    "hemicycle_rows",
    "place_tiles",
    "seat_spots",
]

INNER: Final = 0.4
#: The most seats a hemicycle draws (parliaments have up to a few hundred; Kyrgyzstan's
#: Jogorku Kenesh has 90).
MAX_SEATS: Final = 1000

#: (column, row) of each region on a 5 × 3 grid, north at the top.
KG_GRID: Final[dict[str, tuple[int, int]]] = {
    "KG-T": (1, 0),  # Talas
    "KG-GB": (2, 0),  # Bishkek city
    "KG-C": (3, 0),  # Chuy
    "KG-Y": (4, 0),  # Issyk-Kul
    "KG-J": (2, 1),  # Jalal-Abad
    "KG-N": (3, 1),  # Naryn
    "KG-B": (0, 2),  # Batken
    "KG-GO": (1, 2),  # Osh city
    "KG-O": (2, 2),  # Osh region
    "ABROAD": (4, 2),  # voters abroad, apart in the empty south-east corner
}
COLUMNS: Final = 5


def place_tiles(codes: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(column, row) of each code: the grid's place for known codes (case-insensitive),
    fallback rows under the grid for the others, in order. Every code once: ``ValueError``
    for a code given twice."""
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"tile {code!r} given twice")
        seen.add(code)
    places: dict[str, tuple[int, int]] = {}
    taken: set[tuple[int, int]] = set()
    others: list[str] = []
    for code in codes:
        spot = KG_GRID.get(code.upper())
        if spot is None or spot in taken:
            others.append(code)
        else:
            places[code] = spot
            taken.add(spot)
    first_row = 1 + max((row for _, row in KG_GRID.values()), default=-1)
    for n, code in enumerate(others):
        places[code] = (n % COLUMNS, first_row + n // COLUMNS)
    return places


def _capacity(radius: float, spacing: float) -> int:
    return math.floor(math.pi * radius / spacing + 1e-9) + 1


def _radii(rows: int) -> tuple[list[float], float]:
    if rows == 1:
        return [1.0], 1.0 - INNER
    spacing = (1.0 - INNER) / (rows - 1)
    return [INNER + i * spacing for i in range(rows)], spacing


def hemicycle_rows(total: int) -> list[int]:
    """Seats per row, inner to outer, for ``total`` seats (an empty list for none)."""
    if total < 0 or total > MAX_SEATS:
        raise ValueError(f"{total} seats: a hemicycle draws 0 to {MAX_SEATS}")
    if total == 0:
        return []
    rows = 1
    while True:
        radii, spacing = _radii(rows)
        capacities = [_capacity(r, spacing) for r in radii]
        if sum(capacities) >= total:
            break
        rows += 1
    whole = sum(capacities)
    shares = [total * c / whole for c in capacities]
    counts = [math.floor(s) for s in shares]
    by_remainder = sorted(range(rows), key=lambda i: (-(shares[i] - counts[i]), -i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


@dataclass(frozen=True, slots=True)
class SeatSpot:
    """A seat's centre on the unit half disc (x right, y up) and the dot radius."""

    x: float
    y: float
    angle: float
    radius: float


def seat_spots(total: int) -> tuple[list[SeatSpot], float]:
    """Every seat's centre, left to right by angle (inner rows first at equal angles), and
    the dot radius that keeps any two dots apart."""
    counts = hemicycle_rows(total)
    if not counts:
        return [], 0.0
    radii, spacing = _radii(len(counts))
    spots: list[SeatSpot] = []
    for radius, count in zip(radii, counts, strict=True):
        for k in range(count):
            angle = math.pi / 2 if count == 1 else math.pi * (1 - k / (count - 1))
            spots.append(
                SeatSpot(radius * math.cos(angle), radius * math.sin(angle), angle, radius)
            )
    spots.sort(key=lambda s: (-round(s.angle, 9), s.radius))
    return spots, min(0.4 * spacing, 0.12)
