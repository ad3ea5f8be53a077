"""The one font every printed document uses: lists, ballots and protocols.

Kyrgyz needs ө, ү and ң, which reportlab's built-in fonts lack, so each PDF embeds a
TrueType face. It is taken from an installed Python package (no download at run time):
matplotlib ships DejaVu Sans, regular and bold. Registering once per process, under one
name, keeps every document's text the same face. Pure: reportlab only, no Django.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from shailoo.common.refusals import Unavailable

FONT = "ShailooSans"
FONT_BOLD = "ShailooSans-Bold"

#: Python packages that ship a TrueType font with Cyrillic and Kyrgyz letters, best first:
#: (package, regular face, bold face), paths inside the package.
FONT_PACKAGES: tuple[tuple[str, str, str], ...] = (
    ("matplotlib", "mpl-data/fonts/ttf/DejaVuSans.ttf", "mpl-data/fonts/ttf/DejaVuSans-Bold.ttf"),
)


class FontMissing(Unavailable):
    """No installed Python package provides a font with Kyrgyz letters."""

    def __init__(self, message: str) -> None:
        super().__init__("font_missing", message)


def font_files() -> tuple[Path, Path]:
    """Regular and bold font files from the first installed font package."""
    for package, regular, bold in FONT_PACKAGES:
        spec = importlib.util.find_spec(package)
        if spec is None or not spec.submodule_search_locations:
            continue
        root = Path(next(iter(spec.submodule_search_locations)))
        if (root / regular).is_file() and (root / bold).is_file():
            return root / regular, root / bold
    names = ", ".join(package.replace("_", "-") for package, _, _ in FONT_PACKAGES)
    raise FontMissing(f"no font with Kyrgyz letters is installed: install one of {names}")


@cache
def register_fonts() -> None:
    """Make :data:`FONT` and :data:`FONT_BOLD` available to reportlab (once per process)."""
    regular, bold = font_files()
    pdfmetrics.registerFont(TTFont(FONT, str(regular)))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(bold)))


__all__ = ["FONT", "FONT_BOLD", "FONT_PACKAGES", "FontMissing", "font_files", "register_fonts"]
