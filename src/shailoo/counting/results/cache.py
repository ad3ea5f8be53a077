"""The public results, cached for a results night and never staler than the last acceptance.

On the night every reader asks for the same few pages while protocols arrive one by one, so
the figures are computed once per change, not once per request. What is cached: the
computed figures of each public page (the page is still rendered per request, because it
carries the reader's CSRF token for the language switch and must never carry another
reader's) and the whole body of each public API answer, with its ``ETag`` and
``Last-Modified`` so a client that polls gets ``304 Not Modified`` until something changes.

Every key holds two versions, and an entry is used only while both still match:

- the **results version**, a counter in the cache that the accept and dispute services
  advance (:func:`bump`) once their transaction commits: with a shared cache (file or
  Redis) every worker sees the change at once;
- the **protocol stamp** of the election (how many protocols it has and when the newest
  changed), one small query: with the default per-process cache, another worker's
  acceptance, a bulk import or an edit in the admin still changes the key.

Requests with a query string and signed-in readers are never cached (a flood of ``?x=N``
would evict the real pages; a staff page shows its user), nor is an election with no
accepted protocol (nothing to protect, and nothing to go stale before the night begins).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language

from shailoo.common import metrics
from shailoo.counting.results.models import Protocol
from shailoo.elections.models import Election

VERSION_KEY = "results-version"
METRIC = "results"


def version() -> int:
    """The results version now (0 before the first acceptance this cache has seen)."""
    value = cache.get(VERSION_KEY)
    return value if isinstance(value, int) else 0


def _advance() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not there yet (or evicted): start it; a racing worker's add wins
        if not cache.add(VERSION_KEY, 1, timeout=None):
            cache.incr(VERSION_KEY)


def bump() -> None:
    """Advance the results version once the caller's transaction commits (now if none)."""
    transaction.on_commit(_advance)


@dataclass(frozen=True)
class Stamp:
    """What the protocols of an election (or of all elections) look like now."""

    protocols: int
    accepted: int
    last: datetime | None

    def key(self) -> str:
        return f"{self.protocols}.{self.accepted}.{self.last.isoformat() if self.last else '-'}"


def stamp(election: Election | None) -> Stamp:
    rows = (
        Protocol.objects.all() if election is None else Protocol.objects.filter(election=election)
    )
    found = rows.aggregate(
        n=Count("id"),
        accepted=Count("id", filter=Q(status=Protocol.Status.ACCEPTED)),
        last=Max("updated_at"),
    )
    return Stamp(found["n"], found["accepted"], found["last"])


def cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return request.method in ("GET", "HEAD") and not request.GET and not signed_in


def _key(kind: str, request: HttpRequest, current: Stamp) -> str:
    parts = f"{version()}|{current.key()}|{get_language() or ''}|{request.path}"
    return f"results:{kind}:{hashlib.sha256(parts.encode()).hexdigest()}"


def figures(
    request: HttpRequest, election: Election | None, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """``compute()`` (a page's figures), from the cache while nothing has changed."""
    current = stamp(election)
    if not cacheable(request) or current.accepted == 0:
        return compute()
    key = _key("page", request, current)
    found = cache.get(key)
    metrics.cache_result(METRIC, found is not None)
    if found is not None:
        return dict(found)
    computed = compute()
    cache.set(key, computed, settings.RESULTS_CACHE_SECONDS)
    return computed


@dataclass(frozen=True)
class Answer:
    """A public API answer as it was sent: its JSON bytes and validators."""

    body: bytes
    etag: str
    last_modified: datetime | None


def _not_modified(request: HttpRequest, answer: Answer) -> bool:
    wanted = request.headers.get("If-None-Match", "")
    if wanted:
        tags = {tag.strip().removeprefix("W/") for tag in wanted.split(",")}
        return answer.etag in tags or "*" in tags
    since = request.headers.get("If-Modified-Since", "")
    return bool(
        since and answer.last_modified and since == http_date(answer.last_modified.timestamp())
    )


def json_answer(
    request: HttpRequest, election: Election, render: Callable[[], bytes]
) -> HttpResponse:
    """A public JSON answer with ``ETag`` and ``Last-Modified``; 304 when the client has it."""
    current = stamp(election)
    key = _key("api", request, current)
    use_cache = cacheable(request) and current.accepted > 0
    answer = cache.get(key) if use_cache else None
    if use_cache:
        metrics.cache_result(METRIC, answer is not None)
    if not isinstance(answer, Answer):
        body = render()
        answer = Answer(body, quote_etag(hashlib.sha256(body).hexdigest()[:32]), current.last)
        if use_cache:
            cache.set(key, answer, settings.RESULTS_CACHE_SECONDS)
    if _not_modified(request, answer):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(answer.body, content_type="application/json")
    response["ETag"] = answer.etag
    if answer.last_modified is not None:
        response["Last-Modified"] = http_date(answer.last_modified.timestamp())
    # Readers may keep it briefly but must ask again (with the validators) before using it.
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response
