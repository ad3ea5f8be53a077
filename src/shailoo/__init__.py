"""Shailoo: election administration for a central election commission."""

__version__ = "0.1.0"
