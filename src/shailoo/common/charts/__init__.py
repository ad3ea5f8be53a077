"""Server-rendered SVG charts: bars, lines, a seat hemicycle and a schematic cartogram.

Pure (no Django): each function returns a :class:`Chart`, a complete ``<svg role="img">``
(``role="group"`` when its bars or tiles are links, which an image would hide from screen
readers) with ``<title>`` and ``<desc>``, every label escaped, no script and no external
reference, and a :class:`Table` that says the same for screen readers and readers without
the picture. Pages show both with ``{% include "charts/chart.html" with chart=x %}``.

Labels, headers and values arrive translated and formatted for the reader's locale; every
function also takes ``label_header`` (the table's first column) and ``description`` (the
``<desc>`` sentence, by default the data as ``label: value; …``).

Map of the package: ``model`` (the dataclasses), ``svg`` (escaping, elements, palettes,
contrast), ``bars``, ``lines``, ``hemicycle``, ``cartogram`` (the charts), ``layouts`` (the
tile grid of the Kyrgyz Republic's regions and the hemicycle's rows).
"""

from __future__ import annotations

from shailoo.common.charts.bars import bar_chart
from shailoo.common.charts.cartogram import cartogram
from shailoo.common.charts.hemicycle import hemicycle
from shailoo.common.charts.lines import line_chart
from shailoo.common.charts.model import Bar, Chart, Seats, Series, Table, Tile

__all__ = [
    "Bar",
    "Chart",
    "Seats",
    "Series",
    "Table",
    "Tile",
    "bar_chart",
    "cartogram",
    "hemicycle",
    "line_chart",
]
