"""Printed ballots: one page per serial, Kyrgyz text, the QR code where the layout says."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import zxingcpp

from shailoo.counting.ballots import layout as lay
from shailoo.counting.ballots.pdf import render_sheets, render_station
from shailoo.counting.ballots.qr import BallotQr, decode, encode
from shailoo.counting.omr.qr import QR_ONLY
from shailoo.synth.ballot_definitions import make_ballot_definition
from shailoo.synth.ballots import printed_page

DEFINITION = make_ballot_definition(seed=9)


def test_pages_text_and_size() -> None:
    pdf = render_sheets(DEFINITION, "jk-d07", "1001", ["000001", "000002"])
    document = pdfium.PdfDocument(pdf)
    try:
        assert len(document) == 2
        width, height = document[0].get_size()
        assert round(width) == 595 and round(height) == 842
        text = document[0].get_textpage().get_text_range()
    finally:
        document.close()
    contest = DEFINITION.contest("jk-d07")
    assert contest.options[0].name.ky.split(" ")[0] in text
    assert "Баарына каршы" in text and "Против всех" in text
    assert "№ 1001" in text and "000001" in text


def test_qr_code_on_the_page_carries_the_sheet() -> None:
    image = printed_page(DEFINITION, "president", "1002", "000042", 150, exact_pdf=True)
    codes = zxingcpp.read_barcodes(image, formats=QR_ONLY)
    assert [decode(c.text) for c in codes] == [
        BallotQr(DEFINITION.election_id, "president", "1002", "000042")
    ]
    # The stamped fast path draws the very same code in the very same square.
    fast = printed_page(DEFINITION, "president", "1002", "000042", 150, exact_pdf=False)
    box = lay.sheet_layout(DEFINITION, "president").qr_box
    x0, y0, x1, y1 = (round(v * 150 / 72) for v in box)
    exact_dark = (image[y0:y1, x0:x1] < 128).mean()
    assert abs((fast[y0:y1, x0:x1] < 128).mean() - exact_dark) < 0.08
    codes = zxingcpp.read_barcodes(fast, formats=QR_ONLY)
    assert [c.text for c in codes] == [
        encode(BallotQr(DEFINITION.election_id, "president", "1002", "000042"))
    ]


def test_render_station_writes_one_pdf_per_style(tmp_path: Path) -> None:
    written = render_station(DEFINITION, "1001", tmp_path, sheets=3)
    assert len(written) == len(DEFINITION.styles_for_station("1001"))
    for path in written:
        document = pdfium.PdfDocument(path.read_bytes())
        assert len(document) == 3
        document.close()
