"""The polling day fixtures (``day``, ``calibration_files``) for every test of this folder."""

from .day_kit import calibration_files, day

__all__ = ["calibration_files", "day"]
