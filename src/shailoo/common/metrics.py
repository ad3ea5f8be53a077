"""Prometheus metrics for a results night: requests, latency, the results cache, the count.

What an operator watches while protocols arrive: requests by view, method and status class,
their latency, how often the results cache answered, how many protocols were accepted and
check-ins recorded. The counters are kept per process by ``prometheus_client``; under a
multi-process server (``shailoo serve`` with gunicorn workers) each worker writes its figures
to files in ``PROMETHEUS_MULTIPROC_DIR`` (``shailoo serve`` sets it, before
``prometheus_client`` is first imported, to a fresh folder for each run: ``common.server``)
and :func:`exposition` adds them up, so one scrape sees the whole server, the counts of
workers that were replaced included. Without it (the tests, ``runserver``, waitress) the
process's own registry answers.

``/metrics`` is not public: load and counts by view tell an attacker what works and when,
so it answers only the host's own scraper (a loopback peer naming a loopback host, with no
proxy header: a reverse proxy on the same host would otherwise make every visitor look
local) or a request with ``Authorization: Bearer <SHAILOO_METRICS_TOKEN>``; everyone else
gets 403. No label carries a path, a query or a PIN: views are
named by their URL name, so the number of series stays bounded.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_save
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

REQUESTS = Counter(
    "shailoo_http_requests",
    "HTTP requests answered, by view (URL name), method and status class",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "shailoo_http_request_duration_seconds",
    "Time from the request reaching Django to the response leaving it, by view",
    ["view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CACHE = Counter(
    "shailoo_cache_requests",
    "Public results answers looked up in the cache: hit, miss or stale",
    ["cache", "result"],
)
PROTOCOLS_ACCEPTED = Counter(
    "shailoo_protocols_accepted", "Protocols accepted and signed by a commission"
)
CHECKINS = Counter("shailoo_checkins_recorded", "Voters checked in at polling stations")

#: The methods a label may name; anything else is counted as "other" (bounded series).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_LOOPBACK_PEERS = frozenset({"127.0.0.1", "::1", "::ffff:127.0.0.1"})
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "[::1]", "::1"})
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def status_class(status: int) -> str:
    """``2xx``, ``3xx``, ``4xx`` or ``5xx`` (a label with five values, not one per code)."""
    return f"{status // 100}xx" if 100 <= status < 600 else "other"


def view_name(request: HttpRequest) -> str:
    """The URL name of the view that answered (``results:election``), never the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return match.view_name or "unnamed"


class MetricsMiddleware:
    """Count every request and time it, labelled by view name, method and status class."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        answered(view_name(request), request.method, response.status_code, started)
        return response


def answered(view: str, method: str | None, status: int, started: float) -> None:
    """Count one answered request of ``view`` begun at ``started`` (``time.perf_counter``).

    Also for a middleware that answers before the view runs (a results page from the cache).
    """
    label = method if method in _METHODS else "other"
    REQUESTS.labels(view, label, status_class(status)).inc()
    LATENCY.labels(view).observe(time.perf_counter() - started)


#: What a cache lookup can come to: found, computed, or the previous answer served while
#: another request computes the new one.
CACHE_RESULTS = frozenset({"hit", "miss", "stale"})


def cache_result(cache: str, hit: bool | str) -> None:
    """Count one lookup: ``True``/``False`` for hit/miss, or one of :data:`CACHE_RESULTS`."""
    result = ("hit" if hit else "miss") if isinstance(hit, bool) else hit
    CACHE.labels(cache, result if result in CACHE_RESULTS else "other").inc()


def protocol_accepted() -> None:
    PROTOCOLS_ACCEPTED.inc()


def _checkin_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    if created:
        CHECKINS.inc()


# Election day's check-ins are counted where they are saved, whichever path saves them (a
# device's POST, an offline sync); the model is named lazily so the floor imports no domain.
post_save.connect(_checkin_saved, sender="polling.CheckIn", dispatch_uid="metrics-checkins")


def is_scraper(request: HttpRequest) -> bool:
    """Whether ``request`` may read the metrics: the host's own scraper, or the bearer token."""
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return hmac.compare_digest(header[len("Bearer ") :].encode(), token.encode())
    if not getattr(settings, "METRICS_LOOPBACK", True):
        return False
    if any(name in request.META for name in _PROXY_HEADERS):
        return False
    host = request.get_host()
    host = host[: host.find("]") + 1] if host.startswith("[") else host.split(":")[0]
    return request.META.get("REMOTE_ADDR", "") in _LOOPBACK_PEERS and host in _LOOPBACK_HOSTS


def exposition() -> bytes:
    """The Prometheus text format: this process's figures, or every worker's when several."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    """``/metrics`` for the scraper; 403 for everyone else (deny by default)."""
    if not is_scraper(request):
        return HttpResponseForbidden("metrics are for the operator's scraper", "text/plain")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
