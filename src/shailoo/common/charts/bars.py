"""Horizontal bar charts: one bar per item, in the order given, the value written at the end.

Bars are proportional to the largest value, so their lengths are monotone in the values; a
positive value is never drawn as nothing (at least one unit), and zero or a negative value
(a balance) is drawn as no bar with its value still written. A highlighted bar (the winner)
is marked by a check mark and bold text as well as by its colour, for readers who do not see
the colour.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from shailoo.common.charts import svg
from shailoo.common.charts.model import Bar, Chart, Table

__all__ = ["bar_chart", "bar_lengths"]

WIDTH: Final = 640.0
ROW: Final = 28.0
BAR: Final = 18.0
PAD: Final = 8.0
FONT: Final = 13.0
MAX_LABEL_CHARS: Final = 34
MAX_LABEL_WIDTH: Final = 230.0
MAX_VALUE_WIDTH: Final = 170.0
MARK: Final = "✓ "
COLOUR: Final = svg.CATEGORICAL[0]
HIGHLIGHT: Final = svg.CATEGORICAL[1]


def bar_lengths(values: Sequence[float], space: float) -> list[float]:
    """The length of each bar in a space of ``space`` units: proportional to the largest
    positive value, at least 1 for a positive value, 0 for zero or less."""
    most = max((v for v in values if v > 0), default=0.0)
    if most <= 0:
        return [0.0 for _ in values]
    return [max(1.0, v / most * space) if v > 0 else 0.0 for v in values]


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    value_header: str,
    label_header: str = "",
    description: str | None = None,
) -> Chart:
    """A horizontal bar chart of ``bars`` and its table (label, value).

    ``description`` is the one-sentence summary for screen readers; by default the chart's
    data as ``label: value; …``."""
    values = [svg.check_finite(b.value, f"bar {b.label!r}") for b in bars]
    for b in bars:
        if b.href is not None:
            svg.check_href(b.href)
    labels = [(MARK if b.highlight else "") + svg.shorten(b.label, MAX_LABEL_CHARS) for b in bars]
    label_width = min(
        MAX_LABEL_WIDTH, max((svg.text_width(t, FONT) for t in labels), default=0.0) + PAD
    )
    value_width = min(
        MAX_VALUE_WIDTH,
        max((svg.text_width(MARK + b.display, FONT) for b in bars), default=0.0) + PAD,
    )
    start = PAD + label_width
    space = WIDTH - start - value_width - PAD
    lengths = bar_lengths(values, space)
    height = 2 * PAD + max(1, len(bars)) * ROW

    body: list[str] = []
    for i, (b, label, length) in enumerate(zip(bars, labels, lengths, strict=True)):
        top = PAD + i * ROW
        middle = top + ROW / 2
        weight = "bold" if b.highlight else None
        value_text = (MARK if b.highlight else "") + b.display
        row = "".join(
            (
                svg.element("title", svg.escape(f"{b.label}: {b.display}")),
                svg.element(
                    "text",
                    svg.escape(label),
                    x=start - PAD / 2,
                    y=middle,
                    text_anchor="end",
                    dominant_baseline="central",
                    font_weight=weight,
                ),
                svg.element(
                    "rect",
                    class_="bar",
                    x=start,
                    y=top + (ROW - BAR) / 2,
                    width=float(length),
                    height=BAR,
                    fill=HIGHLIGHT if b.highlight else COLOUR,
                ),
                svg.element(
                    "text",
                    svg.escape(value_text),
                    x=start + length + PAD / 2,
                    y=middle,
                    dominant_baseline="central",
                    font_weight=weight,
                ),
            )
        )
        group = svg.element("g", row, class_="bar-row highlight" if b.highlight else "bar-row")
        body.append(svg.link(b.href, group))
    body.append(
        svg.element("line", x1=start, y1=PAD / 2, x2=start, y2=height - PAD / 2, stroke=svg.MUTED)
    )
    summary = description
    if summary is None:
        summary = svg.listing(((MARK if b.highlight else "") + b.label, b.display) for b in bars)
    table = Table(
        caption=title,
        headers=(label_header, value_header),
        rows=tuple(((MARK if b.highlight else "") + b.label, b.display) for b in bars),
        hrefs=tuple(b.href for b in bars),
    )
    links = any(b.href is not None for b in bars)
    return Chart(svg.frame("bars", WIDTH, height, title, summary, body, links=links), table)
