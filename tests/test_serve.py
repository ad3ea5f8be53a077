"""``shailoo serve`` on a results night: gunicorn workers, plain error pages, metrics added
up across workers, static files compressed and cached, PINs out of the logs, a clean stop.

The served application never shows Django's technical error pages: ``shailoo serve`` (and
the demo's serving) used to run with DEBUG on unless ``SHAILOO_ENV=production``, so any
visitor to an unknown address read the URL map, and a failure showed settings and local
variables. It forces DEBUG off and answers with the plain 404/500 pages in the visitor's
language.
"""

from __future__ import annotations

import gzip
import io
import json
import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import wsgiref.util
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from gunicorn.config import Config

from shailoo.cli import served_application
from shailoo.common import jsonlog, server
from shailoo.common.logs import MaskPins
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


# -- the pieces of `shailoo serve` -------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "ncores", "workers"),
    [
        ({}, 1, 3),  # 2 x cores + 1
        ({}, 2, 5),
        ({}, 64, server.MAX_DEFAULT_WORKERS),  # capped: each worker holds its own caches
        ({"SHAILOO_WEB_WORKERS": "12"}, 2, 12),  # the operator's number wins
        ({"SHAILOO_WEB_WORKERS": " "}, 2, 5),
    ],
)
def test_default_workers(environ: dict[str, str], ncores: int, workers: int) -> None:
    assert server.default_workers(environ, ncores=ncores) == workers


@pytest.mark.parametrize("text", ["0", "-1", "many", "2.5", "257"])
def test_a_wrong_worker_or_thread_count_is_refused_by_name(text: str) -> None:
    with pytest.raises(ValueError, match="SHAILOO_WEB_WORKERS"):
        server.default_workers({"SHAILOO_WEB_WORKERS": text})
    with pytest.raises(ValueError, match="SHAILOO_WEB_THREADS"):
        server.default_threads({"SHAILOO_WEB_THREADS": text})


def test_gunicorn_is_configured_for_a_results_night() -> None:
    options = server.ServerOptions(host="::1", port=8080, workers=3, threads=2)
    config = Config()
    for key, value in options.settings().items():
        config.set(key, value)
    assert config.bind == ["[::1]:8080"]
    assert (config.workers, config.threads, config.worker_class_str) == (3, 2, "gthread")
    assert config.preload_app and config.graceful_timeout == 30
    assert config.logger_class is server.ProjectLogger
    assert server.bind_address("0.0.0.0", 80) == "0.0.0.0:80"


def test_the_metrics_folder_is_fresh_for_each_run(tmp_path: Path) -> None:
    given = tmp_path / "metrics"
    given.mkdir()
    (given / "counter_123.db").write_bytes(b"yesterday")
    (given / "notes.txt").write_text("not ours")
    kept = server.MetricsDir({server.MULTIPROC_ENV: str(given)})
    assert kept.path == given and not (given / "counter_123.db").exists()
    kept.remove()  # the operator's folder stays, with what else is in it
    assert (given / "notes.txt").exists()
    made = server.MetricsDir({})
    assert made.path.is_dir() and made.path.name.startswith("shailoo-metrics-")
    made.remove()
    assert not made.path.exists()


def test_the_access_line_goes_through_the_project_logging_without_a_pin() -> None:
    """One JSON object per request with its fields, the PIN in the path masked."""
    config = Config()
    for key, value in server.ServerOptions().settings().items():
        config.set(key, value)
    logger = server.ProjectLogger(config)
    assert logger.access_log.handlers == [] and logger.access_log.propagate
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPins())
    handler.setFormatter(jsonlog.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        environ = {
            "REMOTE_ADDR": "203.0.113.9",
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/api/persons/{PIN}/",
            "QUERY_STRING": f"pin={PIN}",
            "HTTP_USER_AGENT": "curl/8",
        }
        response = SimpleNamespace(status="404 Not Found", sent=153, headers=[])
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    finally:
        root.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert line["logger"] == "gunicorn.access" and line["status"] == 404
    assert line["method"] == "GET" and line["bytes"] == 153 and line["duration_ms"] == 12.0
    assert line["path"].startswith("/api/persons/") and "GET /api/persons/" in line["message"]
    assert PIN not in stream.getvalue()


def test_production_refuses_to_serve_with_development_defaults(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHAILOO_")}
    env.update(SHAILOO_ENV="production", SHAILOO_VAR_DIR=str(tmp_path / "var"))
    result = subprocess.run(
        [sys.executable, "-m", "shailoo.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Not serving" in result.stderr and "SHAILOO_SECRET_KEY" in result.stderr
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass


# -- the real command ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _children(pid: int) -> set[int]:
    """The worker processes of the arbiter ``pid`` (Linux)."""
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return {int(n) for n in text.split()}


def _healthz_count(base: str) -> float:
    status, _, body = _get(f"{base}/metrics")
    assert status == 200
    found = re.search(
        rb'shailoo_http_requests_total\{method="GET",status="2xx",view="healthz"\} ([\d.]+)', body
    )
    return float(found.group(1)) if found else 0.0


def _wait_for(condition: Any, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


@pytest.mark.slow
def test_shailoo_serve_runs_gunicorn_workers_and_stops_on_sigterm(tmp_path: Path) -> None:
    """The real command, with SHAILOO_DEBUG=1 in its environment: several workers answer,
    DEBUG stays off, /metrics adds up every worker (a killed one's counts too), the
    statics are compressed and cached for ever under their hashed names, the access log
    is JSON without PINs, and SIGTERM stops it all, its metrics folder removed."""
    port = _free_port()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHAILOO_", "PROMETHEUS_"))}
    env.update(
        SHAILOO_VAR_DIR=str(tmp_path / "var"),
        SHAILOO_DEBUG="1",
        SHAILOO_ENV="development",
        SHAILOO_LOG_FORMAT="json",
        TMPDIR=str(scratch),  # where the run's metrics folder is made
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    command = [sys.executable, "-m", "shailoo.cli", "serve", "--port", str(port),
               "--workers", "2", "--threads", "2", "--graceful-timeout", "5"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, headers, body = _get(f"{base}/healthz")
                break
            except OSError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "shailoo serve did not start"
                time.sleep(0.3)
        assert status == 200 and json.loads(body)["status"] == "ok"
        _wait_for(lambda: len(_children(process.pid)) == 2, "two workers under one arbiter")
        workers = _children(process.pid)
        made = [p for p in scratch.iterdir() if p.name.startswith("shailoo-metrics-")]
        assert len(made) == 1 and list(made[0].glob("*.db")), "the workers' metric files"

        # Plain pages, DEBUG off although SHAILOO_DEBUG=1 said otherwise.
        status, _, body = _get(f"{base}/no-such-page/{PIN}/", **{"Accept-Language": "ru"})
        assert status == 404 and "Страница не найдена" in body.decode()
        assert not [marker for marker in TECHNICAL if marker in body.decode()]
        status, _, home = _get(f"{base}/", **{"Accept-Language": "ru"})
        assert status == 200 and b"<html" in home

        # Statics: hashed names, compressed, cached for ever; the plain name briefly.
        css = re.search(rb"/static/shailoo/shailoo\.[0-9a-f]{12}\.css", home)
        assert css, "pages link the content-hashed stylesheet"
        status, headers, body = _get(base + css.group().decode(), **{"Accept-Encoding": "gzip"})
        assert status == 200 and headers["Content-Encoding"] == "gzip"
        assert b"{" in gzip.decompress(body)
        assert "immutable" in headers["Cache-Control"]
        assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= 31536000
        # brotli is a dependency (whitenoise[brotli]): the .br copy must be there and served.
        status, headers, _ = _get(base + css.group().decode(), **{"Accept-Encoding": "br"})
        assert headers["Content-Encoding"] == "br"
        status, headers, _ = _get(f"{base}/static/shailoo/shailoo.css")
        assert status == 200 and "immutable" not in headers.get("Cache-Control", "")

        # Metrics: requests on any worker add up; a killed worker's counts stay in the sum.
        before = _healthz_count(base)
        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(lambda _: _get(f"{base}/healthz")[0], range(24))) == {200}
        assert _healthz_count(base) == before + 24
        # One worker leaves gracefully (through the frames it was forked in), one is killed.
        graceful, killed = sorted(workers)
        os.kill(graceful, signal.SIGTERM)
        os.kill(killed, signal.SIGKILL)
        _wait_for(lambda: len(_children(process.pid) - workers) == 2, "workers replaced")
        assert made[0].is_dir(), "a leaving worker does not remove the metrics folder"
        _wait_for(lambda: _healthz_count(base) == before + 24, "counts of the killed workers")
        _get(f"{base}/healthz")
        assert _healthz_count(base) == before + 25
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert process.returncode == 0, "SIGTERM is a clean stop"
    assert not made[0].exists(), "the run's metrics folder is removed"
    log = err.decode()
    assert PIN not in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line.get("path") == "/healthz" and line.get("status") == 200 for line in lines)
    assert any(line["message"].startswith("Not Found: /no-such-page/") for line in lines)
