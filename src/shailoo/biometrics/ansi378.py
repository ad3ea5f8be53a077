"""ANSI/INCITS 378-2004 finger minutiae records: strict reader and writer (pure).

The American format shares the ISO/IEC 19794-2 view and minutia layout but has its own header
and counts angles in 2-degree steps (0-179). Errors are the same located
:class:`~shailoo.biometrics.iso19794.TemplateError`.

Header (big-endian)::

      0  4  "FMR\\0"
      4  4  " 20\\0"
      8  2  record length; or 0x0000 then a 4-byte length (only when it exceeds 65535)
    +0  4  CBEFF product identifier: 2 bytes owner, 2 bytes type
    +4  2  capture equipment: 4 bits compliance, 12 bits equipment id
    +6  2  image width (px)       +8  2  image height (px)
   +10  2  x resolution (px/cm)  +12  2  y resolution (px/cm)
   +14  1  number of finger views
   +15  1  reserved (0)

so 26 bytes with the short length, 30 with the long one; views and extended data follow as in
ISO/IEC 19794-2.
"""

from __future__ import annotations

import struct

from shailoo.biometrics.iso19794 import (
    MAGIC,
    MAX_RECORD_SIZE,
    VERSION,
    FingerRecord,
    Reader,
    TemplateError,
    check_geometry,
    check_size,
    encode_view,
    read_geometry,
    read_magic,
    read_views,
    record_of,
)
from shailoo.biometrics.minutiae import FingerTemplate

__all__ = ["ANGLE_STEPS", "TemplateError", "decode", "encode", "from_bytes", "to_bytes"]

ANGLE_STEPS = 180
SHORT_HEADER_SIZE = 26
LONG_HEADER_SIZE = 30


def decode(data: bytes) -> FingerRecord:
    """Parse an ANSI/INCITS 378-2004 record, refusing anything not exactly well-formed."""
    check_size(data)
    data = bytes(data)
    r = Reader(data)
    read_magic(r)
    start = r.pos
    length = r.u16("record length")
    if length == 0:
        length = r.u32("long record length")
        if length <= 0xFFFF:
            raise TemplateError(start, f"long length form used for a {length}-byte record")
    if length != len(data):
        raise TemplateError(start, f"record length field {length} but {len(data)} bytes given")
    product = (r.u16("CBEFF product owner"), r.u16("CBEFF product type"))
    equipment = r.u16("capture equipment")
    width, height, x_res, y_res = read_geometry(r)
    views = read_views(r, width, height, ANGLE_STEPS)
    return FingerRecord(
        width,
        height,
        x_res,
        y_res,
        views,
        certification=equipment >> 12,
        device_type=equipment & 0x0FFF,
        product=product,
    )


def encode(record: FingerRecord) -> bytes:
    """The record's ANSI/INCITS 378-2004 bytes; ``decode(encode(r))`` gives ``r`` back."""
    check_geometry(record)
    if not all(0 <= p <= 0xFFFF for p in record.product):
        raise ValueError("the CBEFF product identifier is two 16-bit numbers")
    if len({(v.finger, v.view) for v in record.views}) != len(record.views):
        raise ValueError("two views share a finger position and view number")
    body = b"".join(encode_view(record, v, ANGLE_STEPS) for v in record.views)
    length = SHORT_HEADER_SIZE + len(body)
    if length > 0xFFFF:
        length = LONG_HEADER_SIZE + len(body)
        length_field = struct.pack(">HI", 0, length)
    else:
        length_field = struct.pack(">H", length)
    if length > MAX_RECORD_SIZE:
        raise ValueError(f"record of {length} bytes exceeds the limit")
    rest = struct.pack(
        ">HHHHHHHBB",
        record.product[0],
        record.product[1],
        record.certification << 12 | record.device_type,
        record.width,
        record.height,
        record.x_resolution,
        record.y_resolution,
        len(record.views),
        0,
    )
    return MAGIC + VERSION + length_field + rest + body


def to_bytes(templates: list[FingerTemplate], device_type: int = 0) -> bytes:
    """``templates`` as one ANSI/INCITS 378-2004 record."""
    return encode(record_of(templates, device_type))


def from_bytes(data: bytes) -> list[FingerTemplate]:
    """The finger templates of an ANSI/INCITS 378-2004 record (TemplateError when malformed)."""
    return decode(data).templates()
