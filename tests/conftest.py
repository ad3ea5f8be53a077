"""Shared fixtures: the synthetic world from ``shailoo.synth`` at test scale."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")
# No background gallery warm-up: the test database is not shared with other threads.
os.environ.setdefault("SHAILOO_POLLING_WARM_GALLERIES", "0")
# Galleries stay in memory unless a test asks for the sealed copy on disk.
os.environ.setdefault("SHAILOO_BIOMETRICS_GALLERY_DIR", "")


import pytest
from hypothesis import settings

# Property tests check behaviour, not speed (speed lives in bench/): on a loaded two-core CI
# machine a first example that takes 250 ms is no failure. Each test keeps its own example
# count; only the per-example deadline is lifted.
settings.register_profile("shailoo", deadline=None)
settings.load_profile("shailoo")


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a page request activates the visitor's
    language for the thread (LocaleMiddleware) and would otherwise leak into the next test."""
    from django.utils import translation

    translation.deactivate()
