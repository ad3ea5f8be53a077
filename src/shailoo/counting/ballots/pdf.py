"""Printable ballots: one PDF page per sheet, drawn from :mod:`shailoo.counting.ballots.layout`.

Nothing here decides a position: marks, ovals, the QR square and text lines all come from the
layout, so the reader, which uses the same layout, finds exactly what was printed. Text is set
in DejaVu Sans shipped inside matplotlib (a declared dependency), the same face as the precinct
lists, because it carries the Kyrgyz letters ө ү ң. This module imports no Django: synthetic
scans are made by rasterising these very pages.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

import segno
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from shailoo.common.pdf_fonts import FONT, FONT_BOLD, register_fonts
from shailoo.counting.ballots import layout as lay
from shailoo.counting.ballots.qr import BallotQr, encode, serial_text
from shailoo.counting.definition import ElectionDefinition

MIN_FONT_SCALE = 0.7


def qr_modules(payload: str) -> list[list[bool]]:
    """Dark modules of the sheet's QR code, row by row, without a quiet zone.

    Error correction level M (15%) keeps the code small enough for its square yet survives a
    pen stroke or a fold across it.
    """
    qr = segno.make_qr(payload, error="m", boost_error=False)
    return [[bool(v) for v in row] for row in qr.matrix_iter(scale=1, border=0)]


def _fit(text: str, width: float, font: str, size: float) -> tuple[str, float]:
    """Shrink the type down to ``MIN_FONT_SCALE``, then cut with an ellipsis, to fit."""
    full = pdfmetrics.stringWidth(text, font, size)
    if full <= width:
        return text, size
    smaller = size * max(MIN_FONT_SCALE, width / full)
    if pdfmetrics.stringWidth(text, font, smaller) <= width:
        return text, smaller
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if pdfmetrics.stringWidth(text[:mid] + "…", font, smaller) <= width:
            low = mid
        else:
            high = mid - 1
    return text[:low] + "…", smaller


def draw_sheet(
    canvas: Canvas, sheet: lay.SheetLayout, station: str, serial: str, with_qr: bool = True
) -> None:
    """Draw one sheet on the current page of ``canvas`` (whose size must be the sheet's)."""
    register_fonts()
    height = sheet.page_height

    def flip(y: float) -> float:
        return height - y

    canvas.setFillGray(0)
    canvas.setStrokeGray(0)
    for mark in sheet.marks:
        x, y = sheet.point(mark.col, mark.row)
        canvas.rect(x - mark.width / 2, flip(y) - mark.height / 2, mark.width, mark.height, 0, 1)
    canvas.setLineWidth(lay.OVAL_STROKE)
    for oval in sheet.ovals:
        x, y = sheet.point(oval.col, oval.row)
        canvas.ellipse(
            x - lay.OVAL_WIDTH / 2,
            flip(y) - lay.OVAL_HEIGHT / 2,
            x + lay.OVAL_WIDTH / 2,
            flip(y) + lay.OVAL_HEIGHT / 2,
            stroke=1,
            fill=0,
        )
    canvas.setLineWidth(0.4)
    for block in sheet.blocks:
        x0, y0 = sheet.point(block.col0, block.row0)
        x1, y1 = sheet.point(block.col1, block.row1)
        canvas.rect(x0, flip(y1) + 4, x1 - x0 - 6, y1 - y0 - 4, stroke=1, fill=0)
    for item in sheet.texts:
        font = FONT_BOLD if item.bold else FONT
        text, size = _fit(item.text, item.max_width, font, item.size)
        x, y = sheet.point(item.col, item.row)
        canvas.setFont(font, size)
        canvas.drawString(x, flip(y), text)
    station_line = f"Шайлоо участогу / Избирательный участок № {station} · № {serial}"
    x, y = sheet.point(*sheet.station_text)
    text, size = _fit(station_line, lay.HEADER_WIDTH, FONT, 8.0)
    canvas.setFont(FONT, size)
    canvas.drawString(x, flip(y), text)
    if with_qr:
        payload = encode(BallotQr(sheet.election_id, sheet.style_id, station, serial))
        draw_qr(canvas, sheet, payload)


def draw_qr(canvas: Canvas, sheet: lay.SheetLayout, payload: str) -> None:
    """The QR code filling the layout's QR square, one rectangle per run of dark modules."""
    modules = qr_modules(payload)
    x0, y0, x1, _ = sheet.qr_box
    step = (x1 - x0) / len(modules)
    for r, row in enumerate(modules):
        c = 0
        while c < len(row):
            if not row[c]:
                c += 1
                continue
            start = c
            while c < len(row) and row[c]:
                c += 1
            top = y0 + r * step
            canvas.rect(
                x0 + start * step,
                sheet.page_height - top - step,
                (c - start) * step,
                step,
                stroke=0,
                fill=1,
            )


def render_sheets(
    definition: ElectionDefinition,
    style_id: str,
    station: str,
    serials: Iterable[str],
    with_qr: bool = True,
) -> bytes:
    """A PDF with one page per serial (the sheets a station prints for one ballot style)."""
    sheet = lay.sheet_layout(definition, style_id)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(sheet.page_width, sheet.page_height), invariant=1)
    canvas.setTitle(f"{definition.election_id} {style_id} station {station}")
    canvas.setCreator("shailoo")
    pages = 0
    for serial in serials:
        draw_sheet(canvas, sheet, station, serial, with_qr=with_qr)
        canvas.showPage()
        pages += 1
    if pages == 0:
        raise ValueError("no serials to print")
    canvas.save()
    return buffer.getvalue()


def render_station(
    definition: ElectionDefinition, station: str, out_dir: Path, sheets: int = 1, first: int = 1
) -> list[Path]:
    """One PDF per ballot style the station issues, ``sheets`` serial-numbered pages each."""
    styles = definition.styles_for_station(station)
    if not styles:
        raise KeyError(station)
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    serials = [serial_text(n) for n in range(first, first + sheets)]
    for style in styles:
        path = out_dir / f"{definition.election_id}_{style.id}_{station}.pdf"
        path.write_bytes(render_sheets(definition, style.id, station, serials))
        written.append(path)
    return written
