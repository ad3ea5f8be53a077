"""The charts' vocabulary: what a view hands in (bars, series, seats, tiles) and what it gets.

Every label, header and display string arrives already translated and number-formatted by the
caller (Django's ``number_format``), so the engine stays pure and a locale's number format
lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Bar", "Chart", "Seats", "Series", "Table", "Tile"]


@dataclass(frozen=True)
class Table:
    """The chart's screen-reader and no-JavaScript equivalent: one row per item."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    #: A link per row (or none), shown on the row's first cell: inside ``role="img"`` the
    #: chart's own links are not announced, so the table carries them for screen readers.
    hrefs: tuple[str | None, ...] = ()

    @property
    def entries(self) -> tuple[tuple[str | None, str, tuple[str, ...]], ...]:
        """Each row as (link or None, first cell, other cells): what a template, which cannot
        zip two lists, needs to draw the row header as a link."""
        return tuple(
            (self.hrefs[i] if i < len(self.hrefs) else None, row[0] if row else "", row[1:])
            for i, row in enumerate(self.rows)
        )


@dataclass(frozen=True)
class Chart:
    """A complete, self-contained ``<svg role="img">`` and the table that says the same."""

    svg: str
    table: Table


@dataclass(frozen=True)
class Bar:
    """One bar: ``value`` sets its length, ``display`` is what is written at its end."""

    label: str
    value: float
    display: str
    highlight: bool = False
    href: str | None = None


@dataclass(frozen=True)
class Series:
    """One line: a value per x label, ``None`` where there is none (drawn as a gap)."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Seats:
    """One party's seats in a hemicycle; ``colour`` a ``#rrggbb`` or the palette's next."""

    label: str
    seats: int
    colour: str | None = None


@dataclass(frozen=True)
class Tile:
    """One region of a cartogram, by ISO 3166-2 code (or any code: placed after the map)."""

    code: str
    label: str
    value: float | None
    display: str
    href: str | None = None
