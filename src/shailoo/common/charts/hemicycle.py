"""A parliament's seats as a hemicycle: dots in concentric half rings, parties left to right.

The seats come from :func:`layouts.seat_spots` (the usual parliament-diagram layout), each
party taking the next seats in order of angle, so each holds one wedge. The majority line
stands at the top of the arc with the number of seats a majority needs; a legend below names
each party with its seats (so nothing is told by colour alone), and the table repeats it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from shailoo.common.charts import svg
from shailoo.common.charts.layouts import MAX_SEATS, seat_spots
from shailoo.common.charts.model import Chart, Seats, Table

__all__ = ["hemicycle", "majority"]

WIDTH: Final = 640.0
SCALE: Final = 280.0
TOP: Final = 34.0
LEGEND_ROW: Final = 24.0
LEGEND_COLUMNS: Final = 2
MAX_LEGEND_CHARS: Final = 30
FONT: Final = 13.0


def majority(total: int) -> int:
    """Seats a majority needs: more than half."""
    return total // 2 + 1


def hemicycle(
    parties: Sequence[Seats],
    *,
    title: str,
    seats_header: str,
    label_header: str = "",
    majority_label: str | None = None,
    description: str | None = None,
) -> Chart:
    """The hemicycle of ``parties`` (in the order given, left to right) and its table.

    ``majority_label`` is the translated text beside the majority line ("Majority: 46"); by
    default the number alone. Parties without seats appear in the legend and the table, not
    among the dots."""
    for p in parties:
        if p.seats < 0:
            raise ValueError(f"party {p.label!r} has {p.seats} seats")
    total = sum(p.seats for p in parties)
    if total > MAX_SEATS:
        raise ValueError(f"{total} seats: a hemicycle draws at most {MAX_SEATS}")
    colours = []
    for n, p in enumerate(parties):
        chosen = p.colour if p.colour is not None else svg.CATEGORICAL[n % len(svg.CATEGORICAL)]
        colours.append(svg.check_colour(chosen))
    spots, dot = seat_spots(total)
    centre_x = WIDTH / 2
    centre_y = TOP + SCALE + dot * SCALE

    body: list[str] = []
    taken = 0
    for p, colour in zip(parties, colours, strict=True):
        if p.seats == 0:
            continue
        dots = "".join(
            svg.element(
                "circle",
                class_="seat",
                cx=centre_x + s.x * SCALE,
                cy=centre_y - s.y * SCALE,
                r=dot * SCALE,
                fill=colour,
                stroke="#ffffff",
                stroke_width=0.75,
            )
            for s in spots[taken : taken + p.seats]
        )
        taken += p.seats
        tooltip = svg.element("title", svg.escape(f"{p.label}: {p.seats}"))
        body.append(svg.element("g", tooltip + dots, class_="party"))

    if total:
        needed = majority(total)
        top = centre_y - SCALE - dot * SCALE - 4
        body.append(
            svg.element(
                "line",
                class_="majority",
                x1=centre_x,
                y1=top,
                x2=centre_x,
                y2=centre_y - (0.4 - dot) * SCALE + 4,
                stroke=svg.INK,
                stroke_width=1.5,
                stroke_dasharray="4 3",
            )
        )
        label = majority_label if majority_label is not None else str(needed)
        body.append(
            svg.element(
                "text",
                svg.escape(label),
                x=centre_x,
                y=top - 6,
                text_anchor="middle",
                font_size=FONT,
            )
        )
    body.append(
        svg.element(
            "text",
            str(total),
            x=centre_x,
            y=centre_y - 6,
            text_anchor="middle",
            font_size=32,
            font_weight="bold",
        )
    )

    legend_top = centre_y + 24
    column_width = (WIDTH - 20) / LEGEND_COLUMNS
    for n, (p, colour) in enumerate(zip(parties, colours, strict=True)):
        x = 10 + (n % LEGEND_COLUMNS) * column_width
        y = legend_top + (n // LEGEND_COLUMNS) * LEGEND_ROW
        swatch = svg.element(
            "rect",
            x=x,
            y=y - 7,
            width=14.0,
            height=14.0,
            fill=colour,
            stroke=svg.INK,
            stroke_width=0.5,
        )
        text = svg.element(
            "text",
            svg.escape(f"{svg.shorten(p.label, MAX_LEGEND_CHARS)} — {p.seats}"),
            x=x + 20,
            y=y,
            dominant_baseline="central",
        )
        body.append(
            svg.element(
                "g", svg.element("title", svg.escape(p.label)) + swatch + text, class_="legend"
            )
        )
    legend_rows = -(-len(parties) // LEGEND_COLUMNS)
    height = legend_top + max(0, legend_rows - 1) * LEGEND_ROW + 16

    summary = description
    if summary is None:
        summary = svg.listing((p.label, str(p.seats)) for p in parties)
    table = Table(
        caption=title,
        headers=(label_header, seats_header),
        rows=tuple((p.label, str(p.seats)) for p in parties),
    )
    return Chart(svg.frame("hemicycle", WIDTH, height, title, summary, body), table)
