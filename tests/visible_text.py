"""What a reader sees of a page: its text without tags, attribute values, ``<code>`` (where a
page may keep a code for cross-reference), scripts and styles. The code-name tests check that
a staff page shows names here and keeps internal codes out of it."""

from __future__ import annotations

import html
import re

_HIDDEN = re.compile(r"<(code|script|style|title)\b.*?</\1>", re.S | re.I)


def visible(page: str, start: str = "<main", end: str = "</main>") -> str:
    """The text from ``start`` to the first ``end`` after it (by default the page's main part)
    as a reader sees it."""
    first = max(page.find(start), 0)
    last = page.find(end, first)
    part = page[first : last if last >= 0 else len(page)]
    part = part[part.find(">") + 1 :] if part.startswith("<") or start.startswith("id=") else part
    part = re.sub(r"<[^>]*>", " ", _HIDDEN.sub(" ", part))
    return re.sub(r"\s+", " ", html.unescape(part))
