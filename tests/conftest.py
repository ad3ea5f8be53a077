"""Shared fixtures: the synthetic world from ``shailoo.synth`` at test scale."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shailoo.settings")
# No background gallery warm-up: the test database is not shared with other threads.
os.environ.setdefault("SHAILOO_POLLING_WARM_GALLERIES", "0")
# Galleries stay in memory unless a test asks for the sealed copy on disk.
os.environ.setdefault("SHAILOO_BIOMETRICS_GALLERY_DIR", "")


from collections.abc import Iterator

import pytest
from hypothesis import settings

# Property tests check behaviour, not speed (speed lives in bench/): on a loaded two-core CI
# machine a first example that takes 250 ms is no failure. Each test keeps its own example
# count; only the per-example deadline is lifted.
settings.register_profile("shailoo", deadline=None)
settings.load_profile("shailoo")

#: The language the suite's pages default to (see :func:`_suite_speaks_russian`).
SUITE_LANGUAGE = "ru"
#: Marks a test that runs with the site's own default language instead.
SITE_DEFAULT_MARKER = "site_default_language"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{SITE_DEFAULT_MARKER}: runs with the site's own default language "
        "(settings.LANGUAGE_CODE, Kyrgyz unless SHAILOO_LANGUAGE_CODE says otherwise) instead "
        f"of the suite's {SUITE_LANGUAGE!r} (tests/conftest.py)",
    )


@pytest.fixture(scope="session", autouse=True)
def _suite_speaks_russian() -> Iterator[str]:
    """The suite's pages default to Russian, deliberately, while the site's default is
    Kyrgyz: most assertions were written in Russian against pages fetched without an
    Accept-Language header. Rewriting them would test the catalogue, not the code; what the
    real default does is tested where it is asked for, by the ``site_default_language``
    marker (``tests/test_default_language.py``). Session-wide, so that module-scoped fixtures
    and the live server's thread speak it too. Yields the site's own default."""
    from django.conf import settings as django_settings
    from django.test import override_settings

    site_default = str(django_settings.LANGUAGE_CODE)
    with override_settings(LANGUAGE_CODE=SUITE_LANGUAGE):
        yield site_default


@pytest.fixture(autouse=True)
def _default_language(request: pytest.FixtureRequest, _suite_speaks_russian: str) -> Iterator[None]:
    """Each test starts in the default language: a page request activates the visitor's
    language for the thread (LocaleMiddleware) and would otherwise leak into the next test.
    The default is the suite's Russian, or the site's own for a test marked
    ``site_default_language``."""
    from django.test import override_settings
    from django.utils import translation

    translation.deactivate()
    if request.node.get_closest_marker(SITE_DEFAULT_MARKER) is None:
        yield
    else:
        with override_settings(LANGUAGE_CODE=_suite_speaks_russian):
            translation.deactivate()
            yield
    translation.deactivate()
