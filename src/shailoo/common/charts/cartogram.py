"""A schematic cartogram: a tile per region on a rough geographic grid, shaded by value.

No real geometry and nothing from the internet: :data:`layouts.KG_GRID` places the Kyrgyz
Republic's regions (ISO 3166-2) and the voters abroad; other codes get tiles under the map.
Every tile says its name and its value in text (the shade only repeats it), its text is ink
or white, whichever contrasts more with the shade, and a tile without a value is left white
with a dashed border. The legend gives the value range of each shade.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Final

from shailoo.common.charts import svg
from shailoo.common.charts.layouts import place_tiles
from shailoo.common.charts.model import Chart, Table, Tile

__all__ = ["cartogram", "shade_classes"]

TILE_WIDTH: Final = 116.0
TILE_HEIGHT: Final = 70.0
GAP: Final = 6.0
PAD: Final = 8.0
FONT: Final = 12.0
LEGEND_ROW: Final = 22.0
MAX_TILE_CHARS: Final = 17
NO_DATA: Final = "#ffffff"


def shade_classes(values: Sequence[float | None], classes: int) -> list[int | None]:
    """The shade of each value: ``classes`` equal intervals from the lowest to the highest
    known value (the middle shade when they are all equal), ``None`` for no value."""
    known = [v for v in values if v is not None]
    if not known:
        return [None for _ in values]
    low, high = min(known), max(known)
    found: list[int | None] = []
    for v in values:
        if v is None:
            found.append(None)
        elif high == low:
            found.append(classes // 2)
        else:
            found.append(min(classes - 1, math.floor((v - low) / (high - low) * classes)))
    return found


def cartogram(
    tiles: Sequence[Tile],
    *,
    title: str,
    value_header: str,
    fmt: Callable[[float], str],
    label_header: str = "",
    no_data_label: str = "—",
    description: str | None = None,
) -> Chart:
    """The tile map of ``tiles`` and its table (region, value).

    ``fmt`` writes a value in the reader's locale (the legend's ranges); ``no_data_label``
    names the white tiles in the legend when some tile has no value."""
    values = [
        None if t.value is None else svg.check_finite(t.value, f"tile {t.code!r}") for t in tiles
    ]
    for t in tiles:
        if t.href is not None:
            svg.check_href(t.href)
    places = place_tiles([t.code for t in tiles])
    palette = svg.SEQUENTIAL
    shades = shade_classes(values, len(palette))
    columns = 1 + max((c for c, _ in places.values()), default=0)
    rows = 1 + max((r for _, r in places.values()), default=-1)
    width = 2 * PAD + max(columns, 5) * (TILE_WIDTH + GAP) - GAP
    map_height = PAD + rows * (TILE_HEIGHT + GAP)

    body: list[str] = []
    for tile, shade in zip(tiles, shades, strict=True):
        column, row = places[tile.code]
        x = PAD + column * (TILE_WIDTH + GAP)
        y = PAD + row * (TILE_HEIGHT + GAP)
        fill = NO_DATA if shade is None else palette[shade]
        ink = svg.text_colour_on(fill)
        parts = (
            svg.element("title", svg.escape(f"{tile.label}: {tile.display}")),
            svg.element(
                "rect",
                x=x,
                y=y,
                width=TILE_WIDTH,
                height=TILE_HEIGHT,
                rx=4.0,
                fill=fill,
                stroke=svg.MUTED,
                stroke_width=1.0,
                stroke_dasharray="4 3" if shade is None else None,
            ),
            svg.element(
                "text",
                svg.escape(svg.shorten(tile.label, MAX_TILE_CHARS)),
                x=x + TILE_WIDTH / 2,
                y=y + TILE_HEIGHT / 2 - 9,
                text_anchor="middle",
                font_size=FONT,
                fill=ink,
            ),
            svg.element(
                "text",
                svg.escape(svg.shorten(tile.display, MAX_TILE_CHARS)),
                x=x + TILE_WIDTH / 2,
                y=y + TILE_HEIGHT / 2 + 12,
                text_anchor="middle",
                font_size=FONT + 2,
                font_weight="bold",
                fill=ink,
            ),
        )
        group = svg.element("g", "".join(parts), class_="tile", data_code=tile.code)
        body.append(svg.link(tile.href, group))

    legend = _legend(values, shades, fmt, no_data_label)
    legend_top = map_height + PAD + 4
    for n, (colour, text) in enumerate(legend):
        y = legend_top + n * LEGEND_ROW
        swatch = svg.element(
            "rect",
            x=PAD,
            y=y - 8,
            width=24.0,
            height=16.0,
            fill=colour,
            stroke=svg.MUTED,
            stroke_width=1.0,
            stroke_dasharray="4 3" if colour == NO_DATA else None,
        )
        label = svg.element(
            "text", svg.escape(text), x=PAD + 32, y=y, dominant_baseline="central", font_size=FONT
        )
        body.append(svg.element("g", swatch + label, class_="legend"))
    height = legend_top + max(0, len(legend) - 1) * LEGEND_ROW + 14

    summary = description
    if summary is None:
        summary = svg.listing((t.label, t.display) for t in tiles)
    table = Table(
        caption=title,
        headers=(label_header, value_header),
        rows=tuple((t.label, t.display) for t in tiles),
        hrefs=tuple(t.href for t in tiles),
    )
    links = any(t.href is not None for t in tiles)
    return Chart(svg.frame("cartogram", width, height, title, summary, body, links=links), table)


def _legend(
    values: Sequence[float | None],
    shades: Sequence[int | None],
    fmt: Callable[[float], str],
    no_data_label: str,
) -> list[tuple[str, str]]:
    """(colour, range) for each shade in use, lowest first, and the no-data swatch."""
    known = [v for v in values if v is not None]
    entries: list[tuple[str, str]] = []
    if known:
        low, high = min(known), max(known)
        palette = svg.SEQUENTIAL
        if low == high:
            entries.append((palette[len(palette) // 2], fmt(low)))
        else:
            step = (high - low) / len(palette)
            used = {s for s in shades if s is not None}
            for n, colour in enumerate(palette):
                if n in used:
                    entries.append((colour, f"{fmt(low + n * step)} – {fmt(low + (n + 1) * step)}"))
    if any(v is None for v in values):
        entries.append((NO_DATA, no_data_label))
    return entries
