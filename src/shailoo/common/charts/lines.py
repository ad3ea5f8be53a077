"""Line charts: several series over the same x labels (turnout by hour: the country and a
region, or this election and the last).

Each series has its own colour *and* dash pattern *and* marker shape, so the lines differ for
readers who do not see colour and in a grey print-out; the legend repeats all three. A
``None`` value is a gap: the line stops and starts again, it is never drawn through a
missing hour as if it were known, and a lone value between gaps still shows as its marker.
The y axis starts at zero (turnout is never shown with a cut axis) and ends at a round value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from shailoo.common.charts import svg
from shailoo.common.charts.model import Chart, Series, Table

__all__ = ["line_chart", "runs"]

WIDTH: Final = 640.0
PLOT_HEIGHT: Final = 240.0
TOP: Final = 12.0
RIGHT: Final = 16.0
FONT: Final = 12.0
TICKS: Final = 5
LEGEND_ROW: Final = 22.0
MAX_LEGEND_CHARS: Final = 40
GAP: Final = "—"


def runs(values: Sequence[float | None]) -> list[list[int]]:
    """The indexes of ``values`` split at every ``None``: each run is drawn as one line."""
    found: list[list[int]] = []
    current: list[int] = []
    for i, value in enumerate(values):
        if value is None:
            if current:
                found.append(current)
            current = []
        else:
            current.append(i)
    if current:
        found.append(current)
    return found


def _marker(shape: int, x: float, y: float, colour: str) -> str:
    """A marker of one of four shapes (circle, square, triangle, diamond) at (x, y)."""
    kind = shape % 4
    if kind == 0:
        return svg.element("circle", cx=x, cy=y, r=3.5, fill=colour)
    if kind == 1:
        return svg.element("rect", x=x - 3.2, y=y - 3.2, width=6.4, height=6.4, fill=colour)
    if kind == 2:
        points = f"{svg.num(x)},{svg.num(y - 4.2)} {svg.num(x + 4)},{svg.num(y + 3)} "
        points += f"{svg.num(x - 4)},{svg.num(y + 3)}"
        return svg.element("polygon", points=points, fill=colour)
    points = f"{svg.num(x)},{svg.num(y - 4.5)} {svg.num(x + 4)},{svg.num(y)} "
    points += f"{svg.num(x)},{svg.num(y + 4.5)} {svg.num(x - 4)},{svg.num(y)}"
    return svg.element("polygon", points=points, fill=colour)


def _latest(
    series: Series, x_labels: Sequence[str], fmt: Callable[[float], str]
) -> tuple[str, str]:
    """A series' last known value with its x label (the latest turnout), for the summary."""
    for x, value in zip(reversed(x_labels), reversed(series.values), strict=True):
        if value is not None:
            return series.label, f"{x} {fmt(float(value))}"
    return series.label, GAP


def line_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_labels: Sequence[str],
    value_header: str,
    fmt: Callable[[float], str],
    label_header: str = "",
    description: str | None = None,
) -> Chart:
    """A line per series over ``x_labels`` and its table (one row per x label, a column per
    series; a gap written as a dash).

    ``value_header`` names what the values are (shown above the y axis); ``fmt`` writes a
    value in the reader's locale (axis ticks and table cells). Every series must have one
    value per x label."""
    for s in series:
        if len(s.values) != len(x_labels):
            raise ValueError(
                f"series {s.label!r} has {len(s.values)} values for {len(x_labels)} x labels"
            )
        for v in s.values:
            if v is not None:
                svg.check_finite(v, f"series {s.label!r}")
    known = [float(v) for s in series for v in s.values if v is not None]
    low = min(known, default=0.0)
    top = svg.nice_ceiling(max(known, default=0.0))
    bottom = 0.0 if low >= 0 else -svg.nice_ceiling(-low)
    ticks = [bottom + (top - bottom) * i / TICKS for i in range(TICKS + 1)]
    tick_texts = [fmt(t) for t in ticks]
    left = 10.0 + max(svg.text_width(t, FONT) for t in tick_texts)
    plot_width = WIDTH - left - RIGHT
    header_room = FONT + 10.0
    plot_top = TOP + header_room
    base = plot_top + PLOT_HEIGHT

    def y_of(value: float) -> float:
        return base - (value - bottom) / (top - bottom) * PLOT_HEIGHT

    count = len(x_labels)

    def x_of(i: int) -> float:
        return left + (plot_width / 2 if count == 1 else i * plot_width / (count - 1))

    body: list[str] = [
        svg.element(
            "text", svg.escape(value_header), x=left, y=TOP + FONT, font_size=FONT, fill=svg.MUTED
        )
    ]
    grid: list[str] = []
    for tick, text in zip(ticks, tick_texts, strict=True):
        y = y_of(tick)
        grid.append(
            svg.element(
                "line", x1=left, y1=y, x2=left + plot_width, y2=y, stroke=svg.GRID, stroke_width=1
            )
        )
        grid.append(
            svg.element(
                "text",
                svg.escape(text),
                x=left - 6,
                y=y,
                text_anchor="end",
                dominant_baseline="central",
                font_size=FONT,
                fill=svg.MUTED,
            )
        )
    # x labels: all of them when they fit, else every n-th (the table has all)
    widest = max((svg.text_width(t, FONT) for t in x_labels), default=0.0) + 6
    every = 1 if count <= 1 else max(1, int(widest // (plot_width / (count - 1))) + 1)
    for i, text in enumerate(x_labels):
        x = x_of(i)
        grid.append(
            svg.element("line", x1=x, y1=base, x2=x, y2=base + 4, stroke=svg.MUTED, stroke_width=1)
        )
        if i % every == 0:
            grid.append(
                svg.element(
                    "text",
                    svg.escape(svg.shorten(text, 12)),
                    x=x,
                    y=base + 8 + FONT,
                    text_anchor="middle",
                    font_size=FONT,
                    fill=svg.MUTED,
                )
            )
    grid.append(
        svg.element("line", x1=left, y1=base, x2=left + plot_width, y2=base, stroke=svg.MUTED)
    )
    body.append(svg.element("g", "".join(grid), class_="axes"))

    for n, s in enumerate(series):
        colour = svg.CATEGORICAL[n % len(svg.CATEGORICAL)]
        dash = svg.DASHES[n % len(svg.DASHES)] or None
        parts: list[str] = [svg.element("title", svg.escape(s.label))]
        for run in runs(s.values):
            if len(run) > 1:
                points = " ".join(
                    f"{svg.num(x_of(i))},{svg.num(y_of(float(s.values[i] or 0)))}" for i in run
                )
                parts.append(
                    svg.element(
                        "polyline",
                        points=points,
                        fill="none",
                        stroke=colour,
                        stroke_width=2.5,
                        stroke_dasharray=dash,
                        stroke_linejoin="round",
                    )
                )
            for i in run:
                value = float(s.values[i] or 0)
                point = svg.element("title", svg.escape(f"{s.label}, {x_labels[i]}: {fmt(value)}"))
                marker = _marker(n, x_of(i), y_of(value), colour)
                parts.append(svg.element("g", point + marker, class_="point"))
        body.append(svg.element("g", "".join(parts), class_="series"))

    legend_top = base + 2 * FONT + 16
    for n, s in enumerate(series):
        colour = svg.CATEGORICAL[n % len(svg.CATEGORICAL)]
        dash = svg.DASHES[n % len(svg.DASHES)] or None
        y = legend_top + n * LEGEND_ROW
        sample = svg.element(
            "line",
            x1=left,
            y1=y,
            x2=left + 36,
            y2=y,
            stroke=colour,
            stroke_width=2.5,
            stroke_dasharray=dash,
        )
        label = svg.element(
            "text",
            svg.escape(svg.shorten(s.label, MAX_LEGEND_CHARS)),
            x=left + 46,
            y=y,
            dominant_baseline="central",
        )
        body.append(
            svg.element("g", sample + _marker(n, left + 18, y, colour) + label, class_="legend")
        )
    height = legend_top + max(0, len(series) - 1) * LEGEND_ROW + FONT + 4

    rows = tuple(
        (x, *(GAP if s.values[i] is None else fmt(float(s.values[i] or 0)) for s in series))
        for i, x in enumerate(x_labels)
    )
    summary = description
    if summary is None:
        summary = svg.listing(_latest(s, x_labels, fmt) for s in series)
    table = Table(
        caption=title,
        headers=(label_header, *(s.label for s in series)),
        rows=rows,
    )
    return Chart(svg.frame("lines", WIDTH, height, title, summary, body), table)
