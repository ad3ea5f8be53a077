"""``/healthz``: whether this server can answer, for a load balancer and an operator.

Public and tiny, so a balancer can poll it every second without a login: the database
answers a query (else 503, and the balancer takes the server out of rotation), how old the
ledger's latest signed tree head is (a head that stops advancing on a results night means
entries are no longer being sealed), and the running version. It says nothing more: no
counts, no paths, no configuration. It lives beside the ledger because the head is the one
domain fact it reads, and the ledger is on the floor every server has.
"""

from __future__ import annotations

import time

from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

import shailoo
from shailoo.integrity.heads import latest_head


def database_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def ledger_head_age_seconds(now_ms: int | None = None) -> float | None:
    """Seconds since the latest signed tree head, or None when nothing was signed yet."""
    head = latest_head()
    if head is None:
        return None
    now = int(time.time() * 1000) if now_ms is None else now_ms
    return round(max(0, now - head.timestamp_ms) / 1000, 3)


def _answer(database: bool, age: float | None, status: int) -> JsonResponse:
    body = {
        "status": "ok" if status == 200 else "unavailable",
        "database": database,
        "ledger_head_age_seconds": age,
        "version": shailoo.__version__,
    }
    return JsonResponse(body, status=status)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 with ``{"status": "ok", ...}``; 503 with ``"unavailable"`` when the database is not."""
    if not database_reachable():
        return _answer(False, None, 503)
    try:
        age = ledger_head_age_seconds()
    except DatabaseError:  # the ledger's tables are missing (not migrated): do not send here
        return _answer(True, None, 503)
    return _answer(True, age, 200)
