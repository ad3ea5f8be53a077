"""Operations on a results night: /healthz for the balancer, /metrics for the scraper only,
and JSON log lines that still hold no PIN."""

from __future__ import annotations

import io
import json
import logging
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings

from shailoo.common import jsonlog, metrics
from shailoo.common.logs import MaskPins
from shailoo.integrity import health

TOKEN = "t" * 40
LOCAL = {"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000"}


@pytest.mark.django_db
def test_healthz_is_public_and_tiny() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "ledger_head_age_seconds", "version"}
    assert body["status"] == "ok" and body["database"] is True
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_reports_the_ledger_head_age() -> None:
    from shailoo.integrity import heads, keys, ledger

    assert Client().get("/healthz").json()["ledger_head_age_seconds"] is None
    ledger.record("test.event", actor="cli", subject="x", data={"n": 1})
    heads.sign_head(keys.generate())
    age = Client().get("/healthz").json()["ledger_head_age_seconds"]
    assert isinstance(age, float) and 0 <= age < 60


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    class Broken:
        def cursor(self) -> Any:
            raise DatabaseError("connection refused")

    monkeypatch.setattr(health, "connection", Broken())
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable" and response.json()["database"] is False


@pytest.mark.django_db
def test_metrics_count_requests_by_view_and_status_class() -> None:
    Client().get("/healthz")
    Client().get("/results/no-such-election/")
    text = Client().get("/metrics", **LOCAL).content.decode()
    assert 'shailoo_http_requests_total{method="GET",status="2xx",view="healthz"}' in text
    assert 'status="4xx",view="results:election"' in text
    assert "shailoo_http_request_duration_seconds_bucket" in text
    assert "shailoo_protocols_accepted_total" in text
    assert "shailoo_checkins_recorded_total" in text
    assert "/results/no-such-election/" not in text  # views by name, never a path


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "203.0.113.7", "HTTP_HOST": "127.0.0.1"},  # a remote peer
        {"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "testserver"},  # a public name via a proxy
        {**LOCAL, "HTTP_X_FORWARDED_FOR": "203.0.113.7"},  # a proxy on the same host
        {**LOCAL, "HTTP_AUTHORIZATION": "Bearer wrong"},  # a wrong token is never loopback
    ],
)
def test_metrics_are_closed_to_everyone_else(extra: dict[str, str]) -> None:
    with override_settings(METRICS_TOKEN=TOKEN):
        assert Client().get("/metrics", **extra).status_code == 403


@pytest.mark.django_db
def test_metrics_open_with_the_bearer_token_and_loopback_can_be_closed() -> None:
    remote = {"REMOTE_ADDR": "203.0.113.7", "HTTP_HOST": "testserver"}
    with override_settings(METRICS_TOKEN=TOKEN, METRICS_LOOPBACK=False):
        assert Client().get("/metrics", **LOCAL).status_code == 403
        good = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **remote)
        assert good.status_code == 200 and good["Content-Type"].startswith("text/plain")
    with override_settings(METRICS_TOKEN=""):  # no token configured: no bearer accepted
        assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer ", **remote).status_code == 403


def test_status_classes_are_bounded() -> None:
    assert [metrics.status_class(s) for s in (200, 304, 404, 503, 99, 700)] == [
        "2xx",
        "3xx",
        "4xx",
        "5xx",
        "other",
        "other",
    ]


def test_json_log_lines_hold_fields_and_no_pin() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPins())
    handler.setFormatter(jsonlog.JsonFormatter())
    logger = logging.getLogger("shailoo.test.jsonlog")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("Not Found: %s", "/api/persons/21705199099999/", extra={"status": 404})
        try:
            raise ValueError("bad pin 21705199099999")
        except ValueError:
            logger.exception("failed")
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["level"] == "WARNING" and first["logger"] == "shailoo.test.jsonlog"
    assert first["message"] == "Not Found: /api/persons/2***********99/"
    assert first["status"] == 404 and first["time"].endswith("+00:00")
    assert "ValueError" in second["exception"]
    assert "21705199099999" not in stream.getvalue()


def test_settings_log_format_json_uses_the_formatter_on_masked_handlers() -> None:
    import importlib
    import os

    import shailoo.settings as settings_module

    previous = os.environ.get("SHAILOO_LOG_FORMAT")
    os.environ["SHAILOO_LOG_FORMAT"] = "json"
    try:
        fresh = importlib.reload(settings_module)
        handlers = fresh.LOGGING["handlers"]
        assert all(h["formatter"] == "json" for h in handlers.values())
        assert all("mask_pins" in h["filters"] for h in handlers.values())
    finally:
        if previous is None:
            os.environ.pop("SHAILOO_LOG_FORMAT")
        else:
            os.environ["SHAILOO_LOG_FORMAT"] = previous
        importlib.reload(settings_module)


def test_cache_lookups_are_counted_by_a_bounded_result() -> None:
    counter = metrics.CACHE.labels("results", "stale")
    before = counter._value.get()
    metrics.cache_result("results", "stale")
    metrics.cache_result("results", "anything else")  # counted as "other", no new label
    assert counter._value.get() == before + 1
    assert metrics.CACHE.labels("results", "other")._value.get() >= 1


WORKER = """
import sys
from prometheus_client import Counter
requests = Counter("shailoo_http_requests", "d", ["view", "method", "status"])
for _ in range(int(sys.argv[1])):
    requests.labels("healthz", "GET", "2xx").inc()
"""


def test_exposition_adds_up_the_workers_files(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `shailoo serve` each worker writes its counters to PROMETHEUS_MULTIPROC_DIR;
    one scrape sees their sum, a worker that has exited included."""
    import os
    import subprocess
    import sys

    env = {**os.environ, metrics.MULTIPROC_ENV: str(tmp_path)}
    for count in (3, 4):  # two worker processes, one after the other
        subprocess.run([sys.executable, "-c", WORKER, str(count)], env=env, check=True)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2
    monkeypatch.setenv(metrics.MULTIPROC_ENV, str(tmp_path))
    text = metrics.exposition().decode()
    assert 'shailoo_http_requests_total{method="GET",status="2xx",view="healthz"} 7.0' in text
