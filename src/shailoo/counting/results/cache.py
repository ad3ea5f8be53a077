"""The public results, cached for a results night and never staler than the last acceptance.

On the night every reader asks for the same few pages while protocols arrive one by one, so
each answer is computed once per change, not once per request. What is cached: the whole
rendered HTML of each public results page (:class:`PublicPageCache`, a middleware over the
``results`` URL namespace), the computed figures behind them (:func:`figures`), and the
whole body of each public API answer with its ``ETag`` and ``Last-Modified``, so that a
client that polls gets ``304 Not Modified`` until something changes (:func:`json_answer`).

Every key holds two versions, and an entry is used only while both still match:

- the **results version**, a counter in the cache that the accept and dispute services
  advance (:func:`bump`) once their transaction commits: with a shared cache (file or
  Redis) every worker sees the change at once;
- the **protocol stamp** of the election (how many protocols it has, how many accepted,
  when the newest changed), one aggregate query written once in SQL: with the default
  per-process cache, another worker's acceptance, a bulk import or an edit in the admin
  still changes the key.

When the key changes, the new answer is computed **once**: one request computes it while
the others asking at the same moment get the previous answer for that address (counted as
``stale``) rather than queueing up to compute it too — a national page takes a second or
more to compute at the scale of the country, and a results night without this spends its
CPU recomputing one page in every thread. A reader who comes after the computation gets
the new answer; with a shared cache one worker of the host computes, and the others wait
for it or answer with the previous one.

A stored page holds no reader's CSRF token (the language switch is a POST form): the token
is cut out when the page is stored and the reader's own put in on each answer. Requests
with a query string, signed-in readers and readers with a session or pending messages are
never served from the cache (a flood of ``?x=N`` would evict the real pages; a staff page
shows its user), nor is an election with no accepted protocol (nothing to protect, and
nothing to go stale before the night begins). Requests with ``If-None-Match`` or
``If-Modified-Since`` go to the view, which knows its validators.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.dateparse import parse_datetime
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
    forget()  # after: a stamp read meanwhile by another thread is read again


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
        last = f"{self.last.timestamp():.6f}" if self.last else "-"
        return f"{self.protocols}.{self.accepted}.{last}"


def _stamp_sql(where: str) -> str:
    """One aggregate over the protocols, written once: the ORM's query building costs more
    than the query (about a millisecond), and every cached answer asks it first."""
    quote = connection.ops.quote_name
    protocols = quote(Protocol._meta.db_table)
    elections = quote(Election._meta.db_table)
    sql = (
        f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN p.{quote('status')} = %s THEN 1 ELSE 0 END), 0),"
        f" MAX(p.{quote('updated_at')}) FROM {protocols} p"
    )
    if where == "election":
        sql += f" WHERE p.{quote('election_id')} = %s"
    elif where == "code":
        sql += f" JOIN {elections} e ON e.{quote('id')} = p.{quote('election_id')}"
        sql += f" WHERE e.{quote('code')} = %s"
    return sql


def _aware(value: Any) -> datetime | None:
    """The newest change as an aware datetime (SQLite hands back text, in UTC)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None:
        return None
    return timezone.make_aware(moment, UTC) if timezone.is_naive(moment) else moment


def _stamp_query(where: str, params: list[Any]) -> Stamp:
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql(where), [str(Protocol.Status.ACCEPTED), *params])
        count, accepted, last = cursor.fetchone()
    return Stamp(int(count), int(accepted), _aware(last))


#: What was read in the last ``RESULTS_STAMP_SECONDS`` (0: nothing kept): the stamps, by
#: what they were of, and the results version.
_recent: dict[tuple[str, object], tuple[float, Any]] = {}


def _kept(what: tuple[str, object], read: Callable[[], Any]) -> Any:
    """``read()``, done again at most once every ``RESULTS_STAMP_SECONDS`` in this process.

    Under load the stamp's query is most of the cost of a cached answer; kept for a second,
    it is read once a second, and another worker's acceptance shows within that second
    (this process's own changes clear what it kept at once: :func:`forget`).
    """
    keep = float(getattr(settings, "RESULTS_STAMP_SECONDS", 0))
    if keep <= 0:
        return read()
    now = time.monotonic()
    found = _recent.get(what)
    if found is not None and now - found[0] < keep:
        return found[1]
    value = read()
    if len(_recent) > 1000:  # many election codes asked for (most of them unknown)
        _recent.clear()
    _recent[what] = (now, value)
    return value


def _remembered(where: str, param: Any) -> Stamp:
    stamp_now: Stamp = _kept(
        (where, param), lambda: _stamp_query(where, [param] if where != "all" else [])
    )
    return stamp_now


def forget(**kwargs: Any) -> None:
    """Drop the stamps this process keeps: a protocol changed here."""
    _recent.clear()


post_save.connect(forget, sender=Protocol, dispatch_uid="results-cache-forget-save")
post_delete.connect(forget, sender=Protocol, dispatch_uid="results-cache-forget-delete")


def stamp(election: Election | None) -> Stamp:
    if election is None:
        return _remembered("all", None)
    return _remembered("election", election.pk)


def stamp_of_code(code: str) -> Stamp:
    """The stamp of the election with this code (no protocol at all for an unknown code)."""
    return _remembered("code", code)


def cacheable(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    return request.method in ("GET", "HEAD") and not request.GET and not signed_in


def _where(request: HttpRequest) -> str:
    """The address an answer is for, in the reader's language (the key of the previous one)."""
    return f"{get_language() or ''}|{request.path}"


def _key(kind: str, request: HttpRequest, current: Stamp) -> str:
    parts = f"{_kept(('version', None), version)}|{current.key()}|{_where(request)}"
    return f"results:{kind}:{hashlib.sha256(parts.encode()).hexdigest()}"


def _latest_key(kind: str, request: HttpRequest) -> str:
    return f"results:{kind}-latest:{hashlib.sha256(_where(request).encode()).hexdigest()}"


# -- computing each answer once ------------------------------------------------------------

#: A key's misses take turns on one of these locks (by the key's hash): one thread of a
#: process computes, the others answer with the previous answer or wait for it. Re-entrant:
#: a page's computation asks for its figures, whose key may fall on the same lock.
_STRIPES = tuple(threading.RLock() for _ in range(64))
#: The longest a reader waits for another's computation before computing it itself.
WAIT_SECONDS = 30.0
_POLL_SECONDS = 0.05


class _Near:
    """The answers this process used lately, kept as objects (no unpickling per request).

    Their keys name the results version and the protocol stamp, so an entry never shows
    figures older than its key says; it still ends with ``RESULTS_CACHE_SECONDS``, as in the
    shared cache (a name edited in the admin changes no stamp). At most ``size`` entries, the
    least recently used leaving first.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._items: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: str, value: Any) -> None:
        until = time.monotonic() + settings.RESULTS_CACHE_SECONDS
        with self._lock:
            self._items[key] = (until, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_near = _Near()


def _near_on() -> bool:
    """Kept in memory only while stamps are kept (``shailoo serve``): the tests clear the
    cache between them and expect what follows to be computed again."""
    return float(getattr(settings, "RESULTS_STAMP_SECONDS", 0)) > 0


def _lookup(key: str, kind: type) -> Any:
    """The value under ``key`` (this process's copy, else the shared cache's), or ``None``."""
    near = _near_on()
    found = _near.get(key) if near else None
    if isinstance(found, kind):
        return found
    found = cache.get(key)
    if isinstance(found, kind):
        if near:
            _near.put(key, found)
        return found
    return None


@dataclass(frozen=True)
class _Got:
    """What :func:`_once` came to: a stored value (hit or stale) or a computed result."""

    stored: Any
    made: Any
    outcome: str


def _once(key: str, latest: str, kind: type, compute: Callable[[], tuple[Any, Any]]) -> _Got:
    """The value under ``key``, else ``compute()`` once (see the module).

    ``compute`` returns ``(result, value)``: what this reader gets, and what is stored under
    ``key`` and ``latest`` (``None``: nothing to store, an error page say). Values are
    instances of ``kind``; anything else under a key (an old format) counts as missing.
    """
    found = _lookup(key, kind)
    if found is not None:
        return _Got(found, None, "hit")
    stripe = _STRIPES[int(key[-8:], 16) % len(_STRIPES)]
    held = stripe.acquire(blocking=False)
    if not held:  # another thread of this process is computing: the previous answer
        previous = _lookup(latest, kind)
        if previous is not None:
            return _Got(previous, None, "stale")
        held = stripe.acquire(timeout=WAIT_SECONDS)
    claim = f"{key}:computing"
    claimed = False
    try:
        found = _lookup(key, kind)  # stored while this thread waited for the lock
        if found is not None:
            return _Got(found, None, "hit")
        claimed = cache.add(claim, 1, timeout=int(WAIT_SECONDS))
        if not claimed:  # another process computes it (a shared cache)
            previous = _lookup(latest, kind)
            if previous is not None:
                return _Got(previous, None, "stale")
            deadline = time.monotonic() + WAIT_SECONDS
            while time.monotonic() < deadline:
                time.sleep(_POLL_SECONDS)
                found = _lookup(key, kind)
                if found is not None:
                    return _Got(found, None, "hit")
        made, value = compute()
        if value is not None:
            cache.set_many({key: value, latest: value}, settings.RESULTS_CACHE_SECONDS)
            if _near_on():
                _near.put(key, value)
                _near.put(latest, value)
        return _Got(None, made, "miss")
    finally:
        if claimed:
            cache.delete(claim)
        if held:
            stripe.release()


def figures(
    request: HttpRequest, election: Election | None, compute: Callable[[], dict[str, Any]]
) -> dict[str, Any]:
    """``compute()`` (a page's figures), from the cache while nothing has changed."""
    current = stamp(election)
    if not cacheable(request) or current.accepted == 0:
        return compute()

    def computed() -> tuple[dict[str, Any], dict[str, Any]]:
        value = compute()
        return value, value

    got = _once(_key("page", request, current), _latest_key("page", request), dict, computed)
    metrics.cache_result(METRIC, got.outcome)
    return dict(got.stored) if got.made is None else got.made


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

    def made() -> tuple[Answer, Answer]:
        body = render()
        answer = Answer(body, quote_etag(hashlib.sha256(body).hexdigest()[:32]), current.last)
        return answer, answer

    if cacheable(request) and current.accepted > 0:
        got = _once(_key("api", request, current), _latest_key("api", request), Answer, made)
        metrics.cache_result(METRIC, got.outcome)
        answer: Answer = got.stored if got.made is None else got.made
    else:
        answer = made()[0]
    return _json_response(request, answer)


def _json_response(request: HttpRequest, answer: Answer) -> HttpResponse:
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


# -- whole public pages --------------------------------------------------------------------

#: The URL namespace of the public results pages (``counting.results.public_urls``).
NAMESPACE = "results"
#: What stands in a stored page where the reader's CSRF token was.
TOKEN_SLOT = b"@@shailoo-csrf-token@@"
#: A masked CSRF token as Django writes it: 64 letters and digits, nothing of the kind around.
_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")
#: Headers a stored page keeps (the rest are set again for each reader by the middleware).
_KEPT = ("Content-Type", "Content-Language", "Cache-Control", "Last-Modified", "X-Frame-Options")
#: A reader asking "changed since?" is answered by the view, which knows its validators.
_CONDITIONAL = ("If-None-Match", "If-Modified-Since")


@dataclass(frozen=True)
class Page:
    """A rendered public page as stored: its HTML with the token cut out, and its headers."""

    content: bytes
    headers: tuple[tuple[str, str], ...]


def _is_token(candidate: bytes, secret: str) -> bool:
    """Whether ``candidate`` is a mask of ``secret`` (the token the page was given)."""
    from django.middleware.csrf import _unmask_cipher_token

    try:
        return bool(_unmask_cipher_token(candidate.decode("ascii")) == secret)
    except Exception:  # a 64-character word that is no token
        return False


def _without_token(content: bytes, secret: str) -> bytes:
    if not secret:
        return content
    return _TOKEN.sub(lambda m: TOKEN_SLOT if _is_token(m.group(), secret) else m.group(), content)


def _personal(request: HttpRequest) -> bool:
    """A reader whose page may hold something of their own: a session, messages waiting."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies


#: Page keys whose view answered something that is not stored (a 404, JSON): their next
#: readers go straight to the view, without waiting on the key's lock.
_not_pages: set[str] = set()
#: The public results API's views, answered from the cache like the pages (``api_urls``).
API_VIEWS = frozenset({"api-results-election", "api-results-station"})


@dataclass(frozen=True)
class _Target:
    """A request the cache may answer: its keys now, its view's name, what it may be."""

    page: str
    api: str
    view: str
    json_only: bool


class PublicPageCache:
    """Answer the public results pages and API from the cache while nothing has changed.

    It sits right after the CSRF middleware (the reader's language and CSRF cookie are
    known), before authentication, messages and the rest, so that a cached answer costs a
    dictionary look-up and no database query (with ``RESULTS_STAMP_SECONDS``): a reader
    without a session cookie is anonymous. A stored JSON answer (:func:`json_answer`, by a
    view of the results API or a page's JSON twin) is sent with its validators (``304``
    when the client has it); a stored page with the reader's token. Otherwise the view
    runs, through the rest of the middleware, and its ``200`` HTML answer (with their
    headers) is stored on the way out; an address whose view answered anything else goes
    straight to its view next time. An answer from the cache is counted in the metrics
    here, by its view's name.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._prefixes: tuple[str, ...] | None = None

    def prefixes(self) -> tuple[str, ...]:
        if self._prefixes is None:
            from django.urls import reverse

            api = reverse("api-results-election", args=["-"]).removesuffix("-/")
            self._prefixes = (reverse(f"{NAMESPACE}:index"), api)
        return self._prefixes

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        target = self._target(request)
        if target is None:
            return self.get_response(request)
        answer = _lookup(target.api, Answer)
        if answer is not None:
            metrics.cache_result(METRIC, "hit")
            response = _json_response(request, answer)
            metrics.answered(target.view, request.method, response.status_code, started)
            return response
        if target.json_only or target.page in _not_pages:
            return self.get_response(request)  # the view (json_answer) computes and stores
        latest = _latest_key("html", request)
        got = _once(target.page, latest, Page, lambda: self._render(request, target.page))
        metrics.cache_result(METRIC, got.outcome)
        if got.made is not None:
            return got.made  # counted by the metrics middleware, which it went through
        page: Page = got.stored
        content = page.content
        if TOKEN_SLOT in content:
            content = content.replace(TOKEN_SLOT, get_token(request).encode("ascii"))
        response = HttpResponse(content)
        for header, value in page.headers:
            response[header] = value
        metrics.answered(target.view, request.method, response.status_code, started)
        return response

    def _target(self, request: HttpRequest) -> _Target | None:
        """What the cache may answer this request with, or ``None``: the view answers."""
        if not request.path_info.startswith(self.prefixes()):
            return None
        if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
            return None
        if _personal(request):
            return None
        from django.urls import Resolver404, resolve

        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        json_only = match.url_name in API_VIEWS
        if match.namespace != NAMESPACE and not json_only:
            return None
        if not json_only and any(h in request.headers for h in _CONDITIONAL):
            return None  # a page's view knows its validators
        code = match.kwargs.get("code")
        if code is not None and not str(code).isprintable():
            return None  # a NUL or control character: the view refuses it (PostgreSQL cannot
            # even hold it in a query)
        # One query, by the election's code: an unknown code has no accepted protocol, and
        # its view answers 404 in the reader's language.
        current = stamp(None) if code is None else stamp_of_code(str(code)[:50])
        if current.accepted == 0:
            return None
        return _Target(
            _key("html", request, current), _key("api", request, current),
            match.view_name, json_only,
        )  # fmt: skip

    def _render(self, request: HttpRequest, key: str) -> tuple[HttpResponse, Page | None]:
        response = self.get_response(request)
        html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code != 200 or not html or response.streaming:
            if len(_not_pages) > 10_000:
                _not_pages.clear()
            _not_pages.add(key)
            return response, None
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            return response, None  # signed in by this very request: never shared
        secret = str(request.META.get("CSRF_COOKIE") or "")
        kept = tuple((header, response[header]) for header in _KEPT if header in response)
        return response, Page(_without_token(response.content, secret), kept)
