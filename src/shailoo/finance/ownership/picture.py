"""A small picture of ownership chains for the explanation page: one row per chain, a box per
owner (foreign ones marked), arrows labelled with the share held, the product at the end.

Plain SVG text, self-contained (a generic font family, no external font, script, image or
link), every name escaped and stripped of characters XML cannot carry — names come from
registries and statements and are hostile until shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from .model import Assessment, Chain, ChainStep, percent

__all__ = ["chain_svg"]

BOX_HEIGHT: Final = 44
ROW_HEIGHT: Final = 76
ARROW: Final = 84
MARGIN: Final = 16
CHAR_WIDTH: Final = 7.2
MAX_NAME: Final = 34
MAX_ROWS: Final = 12

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_STYLES: Final = {
    "foreign": ("#fde8e7", "#b42318"),
    "local": ("#e8f1fb", "#1f5fa8"),
    "unknown": ("#f1f1f1", "#666666"),
}


def _text(value: str) -> str:
    """Safe as SVG character data and attribute values."""
    clean = _NOT_XML.sub("", value)
    return (
        clean.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
        .replace("\r", "&#13;")
    )


def _short(value: str) -> str:
    return value if len(value) <= MAX_NAME else value[: MAX_NAME - 1] + "…"


def _kind(step: ChainStep, home: str) -> str:
    if not step.country:
        return "unknown"
    return "local" if step.country == home else "foreign"


def _box_width(step: ChainStep) -> int:
    label = _short(step.name or step.node)
    return int(max(96.0, len(label) * CHAR_WIDTH + 20))


def chain_svg(chains: Assessment | Sequence[Chain], *, home: str = "KG", title: str = "") -> str:
    """The chains (or an assessment's) as an SVG document, largest product first.

    ``home`` decides which boxes are drawn as foreign; ``title`` (default: an assessment's
    first explanation line) heads the picture and names it for screen readers.
    """
    if isinstance(chains, Assessment):
        title = title or chains.lines()[0]
        rows = list(chains.chains)
    else:
        rows = list(chains)
    rows = rows[:MAX_ROWS]
    top = MARGIN + (24 if title else 0)
    body: list[str] = []
    width = 240
    for r, chain in enumerate(rows):
        y = top + r * ROW_HEIGHT
        x = MARGIN
        for s, step in enumerate(chain.steps):
            w = _box_width(step)
            fill, stroke = _STYLES[_kind(step, home)]
            name = _text(_short(step.name or step.node))
            where = _text(step.country or "?")
            body.append(
                f"<g><title>{_text(step.name or step.node)} ({where})</title>"
                f'<rect x="{x}" y="{y}" width="{w}" height="{BOX_HEIGHT}" rx="6" '
                f'fill="{fill}" stroke="{stroke}" stroke-width="1.5"/>'
                f'<text x="{x + w / 2:.1f}" y="{y + 18}" text-anchor="middle" '
                f'font-weight="bold">{name}</text>'
                f'<text x="{x + w / 2:.1f}" y="{y + 35}" text-anchor="middle" '
                f'fill="{stroke}">{where}</text></g>'
            )
            x += w
            if s < len(chain.steps) - 1 and step.share is not None:
                body.append(
                    f'<line x1="{x + 4}" y1="{y + BOX_HEIGHT / 2:.1f}" x2="{x + ARROW - 6}" '
                    f'y2="{y + BOX_HEIGHT / 2:.1f}" stroke="#333" stroke-width="1.5" '
                    'marker-end="url(#arrow)"/>'
                    f'<text x="{x + ARROW / 2:.1f}" y="{y + BOX_HEIGHT / 2 - 6:.1f}" '
                    f'text-anchor="middle">{_text(percent(step.share))}</text>'
                )
                x += ARROW
        body.append(
            f'<text x="{x + 10}" y="{y + BOX_HEIGHT / 2 + 5:.1f}" font-weight="bold">'
            f"= {_text(percent(chain.product))}</text>"
        )
        width = max(width, x + 10 + 80)
    if not rows:
        body.append(f'<text x="{MARGIN}" y="{top + 20}">no chain of foreign ownership</text>')
    height = top + max(1, len(rows)) * ROW_HEIGHT
    label = _text(title or "Ownership chains")
    head = (
        f'<text x="{MARGIN}" y="{MARGIN + 12}" font-weight="bold">{label}</text>' if title else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        'font-family="sans-serif" font-size="12">'
        f"<title>{label}</title>"
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker>'
        "</defs>"
        f"{head}{''.join(body)}</svg>\n"
    )
