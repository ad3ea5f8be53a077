"""The served platform never shows Django's technical error pages.

``shailoo serve`` (and the demo's serving) used to run with DEBUG on unless
``SHAILOO_ENV=production``, so any visitor to an unknown address read the URL map, and a
failure showed settings and local variables. The served application forces DEBUG off and
answers with the plain 404/500 pages in the visitor's language.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import wsgiref.util
from pathlib import Path
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler

from shailoo.cli import served_application
from shailoo.register.pin import build_pin

PIN = build_pin("M", __import__("datetime").date(1988, 3, 4), 31)
TECHNICAL = ("Using the URLconf", "technical_500", "Traceback", "Request Method:", "settings")


def call(app: Any, path: str, language: str = "ru") -> tuple[str, dict[str, str], str]:
    environ: dict[str, Any] = {}
    wsgiref.util.setup_testing_defaults(environ)
    environ.update(PATH_INFO=path, REQUEST_METHOD="GET", HTTP_ACCEPT_LANGUAGE=language)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        answer.update(status=status, headers=dict(headers))

    body = b"".join(app(environ, start_response)).decode()
    return answer["status"], answer["headers"], body


@pytest.mark.django_db
def test_the_development_handler_shows_the_technical_page(settings: Any) -> None:
    """The control: with DEBUG on, Django's 404 page lists the URL map."""
    settings.DEBUG = True
    status, _, body = call(WSGIHandler(), "/no-such-page/")
    assert status.startswith("404") and "Using the URLconf" in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("ru", "Страница не найдена"), ("ky", "Барак табылган жок")]
)
def test_served_unknown_address_gets_the_plain_404(settings: Any, language: str, text: str) -> None:
    settings.DEBUG = True  # what SHAILOO_ENV=development used to mean for `shailoo serve`
    app = served_application()
    status, headers, body = call(app, f"/no-such-page/{PIN}/", language)
    assert status.startswith("404")
    assert text in body and "<h1>" in body
    assert not [marker for marker in TECHNICAL if marker in body]
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_served_failure_gets_the_plain_500(settings: Any) -> None:
    settings.DEBUG = True
    settings.ROOT_URLCONF = "leak_urls"  # the site plus a page that fails
    status, _, body = call(served_application(), "/boom/")
    assert status.startswith("500")
    assert "Ошибка сервера" in body
    assert not [marker for marker in TECHNICAL if marker in body]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.slow
def test_shailoo_serve_shows_plain_pages_and_logs_no_pin(tmp_path: Path) -> None:
    """The real command, with SHAILOO_DEBUG=1 in its environment: DEBUG stays off."""
    port = _free_port()
    env = {
        **os.environ,
        "SHAILOO_VAR_DIR": str(tmp_path / "var"),
        "SHAILOO_DEBUG": "1",
        "SHAILOO_ENV": "development",
    }
    env.pop("SHAILOO_DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "shailoo.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                status, body = _get(f"{base}/no-such-page/{PIN}/")
                break
            except OSError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "shailoo serve did not start"
                time.sleep(0.5)
        assert status == 404 and "Страница не найдена" in body
        assert not [marker for marker in TECHNICAL if marker in body]
        css_status, _ = _get(f"{base}/static/shailoo/shailoo.css")  # whitenoise, DEBUG off
        assert css_status == 200
    finally:
        server.terminate()
        _, err = server.communicate(timeout=30)
    assert "Not Found: /no-such-page/" in err and PIN not in err
