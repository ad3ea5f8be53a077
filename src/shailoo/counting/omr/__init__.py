"""Optical mark reading of Shailoo ballots (pure: numpy, OpenCV, zxing-cpp; no Django).

:func:`read_sheet` turns a scanned image into a :class:`shailoo.counting.reads.SheetRead`;
:func:`locate_contest` gives the pixel box of a contest for the adjudication screen. The design
is described in ``docs/omr.md``.
"""

from shailoo.counting.omr.reader import (
    IMAGE_SUFFIXES,
    load_image,
    locate_contest,
    read_image_file,
    read_sheet,
)

__all__ = ["IMAGE_SUFFIXES", "load_image", "locate_contest", "read_image_file", "read_sheet"]
