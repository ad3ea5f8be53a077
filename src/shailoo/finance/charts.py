"""Small horizontal bar charts as self-contained SVG, drawn on the server.

No script, no style element, no external font, image or link: only shapes, text and
presentation attributes, so the page's Content-Security-Policy (no inline script or style)
holds and the chart shows without JavaScript. Every label is escaped and stripped of the
characters XML cannot carry: fund owners, parties and legal entities are names someone
typed. Amounts are money (``Decimal``); bars are proportional to the largest value of the
chart, a non-zero value is never drawn as nothing, and a negative one (a balance) is drawn as
no bar with its value written.

Standard library only (no Django): the views mark the returned text safe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

__all__ = ["COLOURS", "Row", "bar_chart", "escape", "format_money"]

WIDTH: Final = 640
LABEL_HEIGHT: Final = 16
BAR_HEIGHT: Final = 12
BAR_GAP: Final = 3
ROW_GAP: Final = 10
BAR_SPACE: Final = 470  # the longest bar; its value is written after it
MAX_LABEL: Final = 80
#: One colour per series (income, spending, ...), dark enough to read on white.
COLOURS: Final = ("#1f5fa8", "#b8002e", "#2e7d32", "#6a4c93")

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def escape(value: str) -> str:
    """``value`` safe as SVG character data and as a double- or single-quoted attribute."""
    clean = _NOT_XML.sub("", value)
    return (
        clean.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def format_money(value: Decimal) -> str:
    """``1234567.5`` → ``1 234 567.50`` (a thin space between thousands, as printed in KG)."""
    return f"{value:,.2f}".replace(",", "\u202f")


@dataclass(frozen=True, slots=True)
class Row:
    """One label with one value per series."""

    label: str
    values: tuple[Decimal, ...]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def bar_chart(title: str, rows: Sequence[Row], series: Sequence[str] = ()) -> str:
    """A chart of ``rows`` (one bar per value), with a legend when there are several series.

    ``series`` names the values of each row, in order; every row has as many values as
    ``series`` (one value without a name when ``series`` is empty).
    """
    count = max(1, len(series))
    for row in rows:
        if len(row.values) != count:
            raise ValueError(f"{row.label!r} has {len(row.values)} values for {count} series")
    most = max((v for row in rows for v in row.values), default=Decimal(0))
    legend = LABEL_HEIGHT + 4 if len(series) > 1 else 0
    row_height = LABEL_HEIGHT + count * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    height = legend + max(1, len(rows)) * row_height
    parts: list[str] = []
    x = 0
    if legend:
        for s, name in enumerate(series):
            colour = COLOURS[s % len(COLOURS)]
            label = escape(_short(name))
            parts.append(
                f'<rect x="{x}" y="2" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16}" y="13" font-size="12" fill="#1b2430">{label}</text>'
            )
            x += 28 + int(7 * len(_short(name)))
    for r, row in enumerate(rows):
        top = legend + r * row_height
        label = escape(_short(row.label))
        bars = [f'<text x="0" y="{top + 12}" font-size="13" fill="#1b2430">{label}</text>']
        for s, value in enumerate(row.values):
            y = top + LABEL_HEIGHT + s * (BAR_HEIGHT + BAR_GAP)
            width = 0
            if most > 0 and value > 0:
                width = max(2, round(BAR_SPACE * value / most))
            colour = COLOURS[s % len(COLOURS)]
            name = f"{escape(_short(series[s]))}: " if series else ""
            text = escape(format_money(value))
            bars.append(
                f'<rect x="0" y="{y}" width="{width}" height="{BAR_HEIGHT}" fill="{colour}">'
                f"<title>{label} · {name}{text}</title></rect>"
                f'<text x="{width + 6}" y="{y + BAR_HEIGHT - 1}" font-size="11" '
                f'fill="#5b6675">{text}</text>'
            )
        parts.append(f'<g class="bar-row">{"".join(bars)}</g>')
    if not rows:
        parts.append('<text x="0" y="16" font-size="13" fill="#5b6675">—</text>')
    heading = escape(_short(title))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" role="img" aria-label="{heading}" font-family="sans-serif">'
        f"<title>{heading}</title>{''.join(parts)}</svg>"
    )
