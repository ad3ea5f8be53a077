"""Shared fixtures: the synthetic world from ``shailoo.synth`` at test scale."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")


import pytest


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language: a page request activates the visitor's
    language for the thread (LocaleMiddleware) and would otherwise leak into the next test."""
    from django.utils import translation

    translation.deactivate()
