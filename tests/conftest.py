"""Shared fixtures: the synthetic world from ``shailoo.synth`` at test scale."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")
