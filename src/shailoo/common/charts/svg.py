"""SVG building blocks shared by the charts: escaping, elements, the frame, palettes, contrast.

Charts carry names someone typed (parties, candidates, fund owners), so every text and
attribute goes through :func:`escape`, which also drops the characters XML 1.0 cannot carry
(a NUL or a lone surrogate would make the page's SVG unreadable). The markup uses
presentation attributes only — no ``style`` element or attribute, no script, no external
font or image — so the Content-Security-Policy without inline styles holds and the chart
shows without JavaScript. Links are only to the site's own pages or to http(s) addresses.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Sequence
from typing import Final

__all__ = [
    "CATEGORICAL",
    "DASHES",
    "GRID",
    "INK",
    "MUTED",
    "SEQUENTIAL",
    "Markup",
    "chart_id",
    "check_colour",
    "check_finite",
    "check_href",
    "contrast_ratio",
    "element",
    "escape",
    "frame",
    "link",
    "listing",
    "nice_ceiling",
    "num",
    "shorten",
    "text_colour_on",
    "text_width",
]

#: Text colour: 15.6:1 on white.
INK: Final = "#1b2430"
#: Secondary text and axes: 6.7:1 on white (WCAG AA for text needs 4.5:1).
MUTED: Final = "#535d6b"
#: Grid lines: decoration only, never the sole carrier of a value.
GRID: Final = "#d9dee5"
#: Okabe and Ito's colour-blind-safe palette, darkened where a colour on white would fall
#: below the 3:1 that WCAG 1.4.11 asks of graphics (yellow and sky blue are left out).
CATEGORICAL: Final = (
    "#0072b2",  # blue
    "#d55e00",  # vermillion
    "#009e73",  # bluish green
    "#cc79a7",  # reddish purple
    "#8a6d00",  # dark yellow
    "#56307a",  # purple
    "#5a5a5a",  # grey
    "#00606b",  # teal
)
#: Dash patterns, one per series, so lines differ by more than their colour.
DASHES: Final = ("", "8 4", "2 3", "10 3 2 3", "5 5", "1 2", "12 2 2 2 2 2")
#: A sequential palette (ColorBrewer "Blues"; the fourth from its 7-class scale, so that
#: white text on it passes 4.5:1): light is low, dark is high.
SEQUENTIAL: Final = ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5", "#08519c")

Markup = str
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_SAFE_HREF = re.compile(r"(?:/(?!/)|\?|#|https?://)[^\s]*", re.IGNORECASE)


def escape(value: str) -> str:
    """``value`` safe as SVG character data and inside a double- or single-quoted attribute."""
    clean = _NOT_XML.sub("", value)
    return (
        clean.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("'", "&#39;")
    )


def num(value: float) -> str:
    """A coordinate with at most two decimals and no ``-0``: short markup, stable output."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def element(tag: str, content: Markup | None = None, /, **attrs: str | float | None) -> Markup:
    """``<tag a="…">content</tag>``; attribute names take ``_`` for ``-`` (``font_size``),
    a trailing ``_`` is dropped (``class_``), ``None`` values are left out. ``content`` is
    markup: escape text before passing it."""
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        key = name.rstrip("_").replace("_", "-")
        text = num(value) if isinstance(value, float) else escape(str(value))
        parts.append(f'{key}="{text}"')
    opening = " ".join(parts)
    if content is None:
        return f"<{opening}/>"
    return f"<{opening}>{content}</{tag}>"


def check_href(href: str) -> str:
    """``href`` if it points to a page of this site or an http(s) address; else ``ValueError``.

    A chart's links come from the views, but a ``javascript:`` or ``data:`` address must never
    reach a page, whatever produced it."""
    if not _SAFE_HREF.fullmatch(href):
        raise ValueError(f"refused link {href!r}: only /path, ?query, #anchor or http(s)")
    return href


def link(href: str | None, content: Markup) -> Markup:
    """``content`` wrapped in an SVG link when ``href`` is given; the link is named by the
    text it shows (the label and the value), as WCAG 2.5.3 asks.

    A chart with links is framed as ``role="group"`` rather than ``role="img"``
    (:func:`frame`): inside an image the children are presentational, so a link there would
    be announced as nothing and reached by no screen reader (WCAG 4.1.2, axe's
    "nested-interactive"), and a negative tabindex does not help. In a group each link keeps
    its place in the tab order."""
    if href is None:
        return content
    return element("a", content, href=check_href(href))


def listing(pairs: Iterable[tuple[str, str]], most: int = 12) -> str:
    """``label: value; label: value; …`` for a chart's ``<desc>``: the data in a sentence that
    needs no words of any language (the caller may pass its own translated summary)."""
    items = [f"{' '.join(label.split())}: {value}" for label, value in pairs]
    if len(items) > most:
        items = [*items[:most], "…"]
    return "; ".join(items) + ("." if items else "")


def check_colour(colour: str) -> str:
    """``colour`` as ``#rrggbb`` (lower case); ``ValueError`` for anything else."""
    if not _COLOUR.fullmatch(colour):
        raise ValueError(f"refused colour {colour!r}: only #rgb or #rrggbb")
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.lower()


def check_finite(value: float, what: str) -> float:
    """``value`` as a float if finite; NaN and infinities have no length and no place."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what}: {value!r} is not a finite number")
    return number


def _luminance(colour: str) -> float:
    rgb = check_colour(colour)
    channels = []
    for i in (1, 3, 5):
        c = int(rgb[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else float(((c + 0.055) / 1.055) ** 2.4))
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.1 contrast ratio of two colours (1 to 21)."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def text_colour_on(background: str) -> str:
    """Ink or white, whichever reads better on ``background`` (at least 4.5:1 on the
    palettes used here)."""
    return (
        INK
        if contrast_ratio(INK, background) >= contrast_ratio("#ffffff", background)
        else ("#ffffff")
    )


def text_width(text: str, size: float) -> float:
    """An estimate of ``text``'s width in a sans-serif font of ``size``: SVG has no text
    measurement without a browser, and layouts need one to leave room for labels."""
    wide = sum(1 for c in text if c.isupper() or c in "mwMWШЩЖЮМФ✓—")
    return size * (0.56 * (len(text) - wide) + 0.82 * wide)


def shorten(text: str, most: int) -> str:
    """``text`` on one line, cut to ``most`` characters with an ellipsis (the full text is
    in the table and the tooltip)."""
    one_line = " ".join(text.split())
    if len(one_line) <= most:
        return one_line
    return one_line[: max(1, most - 1)].rstrip() + "…"


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``value`` (an axis's top)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return step * power
    return 10 * power  # pragma: no cover - the loop ends at 10


def chart_id(kind: str, title: str, body: Iterable[str]) -> str:
    """An id for the chart's ``<title>``/``<desc>`` derived from its content: stable across
    renders (cacheable pages) and different for different charts on one page."""
    digest = hashlib.blake2s(digest_size=5)
    for part in (kind, title, *body):
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1f")
    return f"chart-{kind}-{digest.hexdigest()}"


def frame(
    kind: str,
    width: float,
    height: float,
    title: str,
    description: str,
    body: Sequence[str],
    *,
    links: bool = False,
) -> Markup:
    """The complete ``<svg>``, labelled by its ``<title>`` and ``<desc>``, with a fixed
    viewBox and ``width="100%"`` so it scales to its column: ``role="img"``, or
    ``role="group"`` when it holds ``links`` (see :func:`link`)."""
    ident = chart_id(kind, title, body)
    role = "group" if links else "img"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {num(width)} {num(height)}" '
        f'width="100%" role="{role}" aria-labelledby="{ident}-t {ident}-d" '
        f'font-family="sans-serif" font-size="13" fill="{INK}" class="chart-svg chart-{kind}">'
        f'<title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(description)}</desc>'
    )
    return head + "".join(body) + "</svg>"
