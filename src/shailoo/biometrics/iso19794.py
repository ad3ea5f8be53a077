"""ISO/IEC 19794-2:2005 finger minutiae records: strict reader and writer (pure).

Capture devices hand us these records; a record that is truncated, oversized, inconsistent or
hostile is refused with the byte offset and the reason (:class:`TemplateError`) instead of
being half-read, because a mis-parsed template silently turns into a false match or a false
non-match. The parser never trusts a length field to allocate: every count is checked against
the bytes actually present before it is used, and the input size itself is capped.

Layout (big-endian)::

    header (24 bytes)
      0  4  "FMR\\0"
      4  4  " 20\\0"
      8  4  record length (whole record, header included)
     12  2  capture equipment: 4 bits certification flags, 12 bits device type id
     14  2  image width (px)      16  2  image height (px)
     18  2  x resolution (px/cm)  20  2  y resolution (px/cm)
     22  1  number of finger views
     23  1  reserved (0)
    per view
      +0 1  finger position (0-10)
      +1 1  view number (4 bits) | impression type (4 bits)
      +2 1  finger quality (0-100)
      +3 1  number of minutiae
      per minutia (6 bytes)
        2 bits type (01 ridge ending, 10 bifurcation, 00 other) | 14 bits x
        2 bits reserved (00) | 14 bits y
        1 byte angle, 360/256 degree units, counter-clockwise
        1 byte quality (0-100)
      2  extended data length, then blocks of (2 type, 2 length incl. these 4, data)

Angles run counter-clockwise as seen on the image, exactly as :mod:`shailoo.biometrics.minutiae`
holds them, so only the unit changes at this border.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from shailoo.biometrics.minutiae import TWO_PI, FingerTemplate, Minutia, MinutiaKind
from shailoo.common.refusals import InvalidInput

MAGIC = b"FMR\x00"
VERSION = b" 20\x00"
HEADER_SIZE = 24
VIEW_HEADER_SIZE = 4
MINUTIA_SIZE = 6
#: Largest record accepted: far above any real record (a few kilobytes), small enough that a
#: hostile input cannot make the parser work for long.
MAX_RECORD_SIZE = 1 << 20
MAX_COORDINATE = (1 << 14) - 1
#: Impression types both standards define: live-scan plain/rolled, non-live plain/rolled,
#: swipe, contactless.
IMPRESSION_TYPES = frozenset({0, 1, 2, 3, 8, 9})
ANGLE_STEPS = 256


class TemplateError(InvalidInput):
    """A template refused at ``offset`` (bytes from the start of the record) for ``reason``."""

    default_code = "template_invalid"

    def __init__(self, offset: int, reason: str) -> None:
        super().__init__(self.default_code, f"byte {offset}: {reason}")
        self.offset = offset
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ExtendedBlock:
    """One extended-data block (ridge counts, cores and deltas, vendor data), kept verbatim."""

    type_id: int
    data: bytes


@dataclass(frozen=True, slots=True)
class FingerView:
    """One finger view as the record stores it; angles already converted to radians."""

    finger: int
    view: int
    impression: int
    quality: int
    minutiae: tuple[Minutia, ...]
    extended: tuple[ExtendedBlock, ...] = ()


@dataclass(frozen=True, slots=True)
class FingerRecord:
    """A whole minutiae record: the capture geometry shared by its views, and the views."""

    width: int
    height: int
    x_resolution: int
    y_resolution: int
    views: tuple[FingerView, ...]
    certification: int = 0
    device_type: int = 0
    #: ANSI/INCITS 378 only: the CBEFF product identifier (owner, type); ISO has none.
    product: tuple[int, int] = (0, 0)

    def templates(self) -> list[FingerTemplate]:
        """The views as :class:`FingerTemplate` values (extended data is not carried)."""
        return [
            FingerTemplate(
                width=self.width,
                height=self.height,
                minutiae=v.minutiae,
                resolution=self.x_resolution,
                finger=v.finger,
                impression=v.impression,
                quality=v.quality,
            )
            for v in self.views
        ]


class Reader:
    """Bounds-checked big-endian reads over an untrusted buffer; every failure is located."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def need(self, n: int, what: str) -> None:
        if self.pos + n > len(self.data):
            raise TemplateError(
                self.pos, f"truncated: {what} needs {n} bytes, {len(self.data) - self.pos} left"
            )

    def u8(self, what: str) -> int:
        self.need(1, what)
        value = self.data[self.pos]
        self.pos += 1
        return value

    def u16(self, what: str) -> int:
        self.need(2, what)
        (value,) = struct.unpack_from(">H", self.data, self.pos)
        self.pos += 2
        return int(value)

    def u32(self, what: str) -> int:
        self.need(4, what)
        (value,) = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return int(value)

    def raw(self, n: int, what: str) -> bytes:
        self.need(n, what)
        value = self.data[self.pos : self.pos + n]
        self.pos += n
        return value


def check_size(data: bytes) -> None:
    """Refuse non-bytes and oversized input before reading a single field."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TemplateError(0, f"a record is bytes, not {type(data).__name__}")
    if len(data) > MAX_RECORD_SIZE:
        raise TemplateError(MAX_RECORD_SIZE, f"record of {len(data)} bytes exceeds the limit")


def read_magic(r: Reader) -> None:
    start = r.pos
    if r.raw(4, "format identifier") != MAGIC:
        raise TemplateError(start, 'format identifier is not "FMR\\0"')
    start = r.pos
    if r.raw(4, "version") != VERSION:
        raise TemplateError(start, 'version is not " 20\\0"')


def read_geometry(r: Reader) -> tuple[int, int, int, int]:
    """Image width, height and resolutions; zero sizes or resolutions are refused."""
    values = []
    for what in ("image width", "image height", "x resolution", "y resolution"):
        start = r.pos
        value = r.u16(what)
        if value == 0:
            raise TemplateError(start, f"{what} is 0")
        values.append(value)
    return values[0], values[1], values[2], values[3]


def read_view(
    r: Reader, width: int, height: int, angle_steps: int, seen: set[tuple[int, int]]
) -> FingerView:
    """One finger view: its 4-byte header, minutiae and extended data (shared with ANSI 378)."""
    start = r.pos
    finger = r.u8("finger position")
    if finger > 10:
        raise TemplateError(start, f"finger position {finger} is not 0-10")
    packed = r.u8("view number and impression type")
    view, impression = packed >> 4, packed & 0x0F
    if impression not in IMPRESSION_TYPES:
        raise TemplateError(start + 1, f"impression type {impression} is not defined")
    if (finger, view) in seen:
        raise TemplateError(start, f"finger {finger} view {view} appears twice")
    seen.add((finger, view))
    quality = r.u8("finger quality")
    if quality > 100:
        raise TemplateError(start + 2, f"finger quality {quality} is over 100")
    count = r.u8("number of minutiae")
    r.need(count * MINUTIA_SIZE, f"{count} minutiae")
    minutiae = tuple(read_minutia(r, width, height, angle_steps) for _ in range(count))
    extended = read_extended(r)
    return FingerView(finger, view, impression, quality, minutiae, extended)


def read_views(r: Reader, width: int, height: int, angle_steps: int) -> tuple[FingerView, ...]:
    """The view count, the reserved byte and every view, to the record's last byte: the part
    of the header and body that ISO/IEC 19794-2 and ANSI/INCITS 378 share (bar the angle unit)."""
    start = r.pos
    n_views = r.u8("number of finger views")
    if n_views == 0:
        raise TemplateError(start, "record has no finger views")
    if r.u8("reserved byte") != 0:
        raise TemplateError(start + 1, "reserved header byte is not 0")
    seen: set[tuple[int, int]] = set()
    views = tuple(read_view(r, width, height, angle_steps, seen) for _ in range(n_views))
    if r.pos != len(r.data):
        raise TemplateError(r.pos, f"{len(r.data) - r.pos} bytes after the last finger view")
    return views


def read_minutia(r: Reader, width: int, height: int, angle_steps: int) -> Minutia:
    start = r.pos
    word = r.u16("minutia type and x")
    kind, x = word >> 14, word & MAX_COORDINATE
    if kind == 3:
        raise TemplateError(start, "minutia type 11 (binary) is not defined")
    if x >= width:
        raise TemplateError(start, f"minutia x {x} is outside the image width {width}")
    word = r.u16("minutia y")
    if word >> 14:
        raise TemplateError(start + 2, "reserved bits above minutia y are set")
    y = word & MAX_COORDINATE
    if y >= height:
        raise TemplateError(start + 2, f"minutia y {y} is outside the image height {height}")
    angle = r.u8("minutia angle")
    if angle >= angle_steps:
        raise TemplateError(start + 4, f"minutia angle {angle} is not below {angle_steps}")
    quality = r.u8("minutia quality")
    if quality > 100:
        raise TemplateError(start + 5, f"minutia quality {quality} is over 100")
    return Minutia(x, y, angle * TWO_PI / angle_steps, MinutiaKind(kind), quality)


def read_extended(r: Reader) -> tuple[ExtendedBlock, ...]:
    start = r.pos
    total = r.u16("extended data length")
    r.need(total, "extended data")
    end = r.pos + total
    blocks = []
    while r.pos < end:
        block_start = r.pos
        if end - r.pos < 4:
            raise TemplateError(block_start, "extended data ends inside a block header")
        type_id = r.u16("extended block type")
        if type_id == 0:
            raise TemplateError(block_start, "extended block type 0 is reserved")
        length = r.u16("extended block length")
        if length < 4 or block_start + length > end:
            raise TemplateError(
                block_start + 2,
                f"extended block length {length} does not fit the {total}-byte area at {start}",
            )
        blocks.append(ExtendedBlock(type_id, bytes(r.raw(length - 4, "extended block data"))))
    return tuple(blocks)


def decode(data: bytes) -> FingerRecord:
    """Parse an ISO/IEC 19794-2:2005 record, refusing anything not exactly well-formed."""
    check_size(data)
    data = bytes(data)
    r = Reader(data)
    read_magic(r)
    start = r.pos
    length = r.u32("record length")
    if length != len(data):
        raise TemplateError(start, f"record length field {length} but {len(data)} bytes given")
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
    )


# -- writing ------------------------------------------------------------------------------------


def angle_units(theta: float, steps: int) -> int:
    """Radians (counter-clockwise on the image) to the standard's angle steps, rounded."""
    return round((theta % TWO_PI) * steps / TWO_PI) % steps


def check_geometry(record: FingerRecord) -> None:
    for name in ("width", "height", "x_resolution", "y_resolution"):
        value = getattr(record, name)
        if not 0 < value <= 0xFFFF:
            raise ValueError(f"{name} {value} is not 1-65535")
    if not 0 < len(record.views) <= 255:
        raise ValueError(f"{len(record.views)} finger views: a record holds 1-255")
    if not 0 <= record.certification <= 0x0F or not 0 <= record.device_type <= 0x0FFF:
        raise ValueError("certification is 4 bits and device type 12 bits")


def encode_view(record: FingerRecord, view: FingerView, angle_steps: int) -> bytes:
    """A view's bytes (shared with ANSI 378); refuses values the format cannot hold."""
    if not 0 <= view.finger <= 10:
        raise ValueError(f"finger position {view.finger} is not 0-10")
    if not 0 <= view.view <= 15 or view.impression not in IMPRESSION_TYPES:
        raise ValueError(f"view {view.view} / impression {view.impression} cannot be stored")
    if not 0 <= view.quality <= 100:
        raise ValueError(f"finger quality {view.quality} is not 0-100")
    if len(view.minutiae) > 255:
        raise ValueError(f"{len(view.minutiae)} minutiae: a view holds at most 255")
    out = bytearray(
        struct.pack(
            ">BBBB", view.finger, view.view << 4 | view.impression, view.quality, len(view.minutiae)
        )
    )
    for m in view.minutiae:
        if not (0 <= m.x < record.width and 0 <= m.y < record.height):
            raise ValueError(f"minutia ({m.x}, {m.y}) is outside the image")
        if m.x > MAX_COORDINATE or m.y > MAX_COORDINATE:
            raise ValueError(f"minutia ({m.x}, {m.y}) exceeds 14 bits")
        if not 0 <= m.quality <= 100:
            raise ValueError(f"minutia quality {m.quality} is not 0-100")
        if not math.isfinite(m.theta):
            raise ValueError("minutia angle is not a number")
        out += struct.pack(
            ">HHBB", int(m.kind) << 14 | m.x, m.y, angle_units(m.theta, angle_steps), m.quality
        )
    ext = b"".join(struct.pack(">HH", b.type_id, len(b.data) + 4) + b.data for b in view.extended)
    if len(ext) > 0xFFFF or any(b.type_id == 0 or len(b.data) + 4 > 0xFFFF for b in view.extended):
        raise ValueError("extended data cannot be stored")
    return bytes(out) + struct.pack(">H", len(ext)) + ext


def encode(record: FingerRecord) -> bytes:
    """The record's ISO/IEC 19794-2:2005 bytes; ``decode(encode(r))`` gives ``r`` back."""
    check_geometry(record)
    seen = {(v.finger, v.view) for v in record.views}
    if len(seen) != len(record.views):
        raise ValueError("two views share a finger position and view number")
    body = b"".join(encode_view(record, v, ANGLE_STEPS) for v in record.views)
    length = HEADER_SIZE + len(body)
    if length > MAX_RECORD_SIZE:
        raise ValueError(f"record of {length} bytes exceeds the limit")
    header = (
        MAGIC
        + VERSION
        + struct.pack(
            ">IHHHHHBB",
            length,
            record.certification << 12 | record.device_type,
            record.width,
            record.height,
            record.x_resolution,
            record.y_resolution,
            len(record.views),
            0,
        )
    )
    return header + body


def record_of(templates: list[FingerTemplate], device_type: int = 0) -> FingerRecord:
    """One record holding ``templates`` (views of one capture: same image size and resolution).

    Several impressions of one finger get view numbers 0, 1, 2... in the order given.
    """
    if not templates:
        raise ValueError("a record holds at least one finger view")
    first = templates[0]
    if any(
        (t.width, t.height, t.resolution) != (first.width, first.height, first.resolution)
        for t in templates
    ):
        raise ValueError("views of one record share the image size and resolution")
    counts: dict[int, int] = {}
    views = []
    for t in templates:
        number = counts.get(t.finger, 0)
        counts[t.finger] = number + 1
        views.append(FingerView(t.finger, number, t.impression, t.quality, t.minutiae))
    return FingerRecord(
        first.width,
        first.height,
        first.resolution,
        first.resolution,
        tuple(views),
        device_type=device_type,
    )


def to_bytes(templates: list[FingerTemplate], device_type: int = 0) -> bytes:
    """``templates`` as one ISO/IEC 19794-2:2005 record."""
    return encode(record_of(templates, device_type))


def from_bytes(data: bytes) -> list[FingerTemplate]:
    """The finger templates of an ISO/IEC 19794-2:2005 record (TemplateError when malformed)."""
    return decode(data).templates()
