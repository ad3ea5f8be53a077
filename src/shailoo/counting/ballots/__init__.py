"""Ballots: the sheet layout, printable PDFs and the QR payload (pure; no Django).

- ``layout`` — where every mark, oval and code sits on a sheet; the printer and the reader
  both use it, so they cannot disagree;
- ``pdf`` — printable bilingual ballots drawn from the layout;
- ``qr`` — the text a ballot's QR code carries and its strict decoding;
- ``cli`` — ``shailoo ballots``: render, scan, synthetic sheets (the room's adapter).
"""
