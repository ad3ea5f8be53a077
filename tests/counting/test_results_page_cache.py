"""Whole public results pages from the cache, each reader with their own CSRF token.

On a results night the national page is rendered once per change and then sent as stored:
the stored page holds no reader's token (the language switch is a POST form), each answer
carries the reader's own and it works; readers with a session, query strings and
conditional requests get the view. When the figures change, one request computes the new
page and readers arriving meanwhile get the previous one instead of computing it too.
"""

from __future__ import annotations

import re
import string
import threading
from typing import Any

import pytest
from counting_results_helpers import enter, setup_world
from django.core.cache import cache as django_cache
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from shailoo.common import metrics
from shailoo.counting.results import aggregation, cache, decisions
from shailoo.counting.results.models import Protocol

LATER = {"a": 311, "b": 189, "c": 50}
TOKEN_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    """Nothing kept from another test: the shared cache, the stamps, the process's copies."""
    django_cache.clear()
    cache.forget()
    cache._near.clear()
    cache._not_pages.clear()
    yield
    cache.forget()
    cache._near.clear()


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    made = setup_world(monkeypatch, tmp_path)
    decisions.accept_protocol(enter(made, made["stations"][0]).protocol, "cli")
    return made


def page_lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the pages the middleware looks up (the view runs without one)."""
    looked: list[str] = []
    real = cache._once

    def spy(key: str, latest: str, kind: type, compute: Any) -> Any:
        if kind is cache.Page:
            looked.append(key)
        return real(key, latest, kind, compute)

    monkeypatch.setattr(cache, "_once", spy)
    return looked


def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the times the figures are aggregated (the view computing its page)."""
    calls: list[int] = []
    real = aggregation.results

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregation, "results", counted)
    return calls


def outcome(result: str) -> float:
    return float(metrics.CACHE.labels(cache.METRIC, result)._value.get())


def tokens(html: str) -> list[str]:
    return TOKEN_FIELD.findall(html)


@pytest.mark.django_db
def test_each_reader_gets_the_stored_page_with_their_own_working_token(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("results:election", args=[world["election"].code])
    calls = renders(monkeypatch)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get(url).content.decode()
    hits = outcome("hit")
    page_two = second.get(url).content.decode()
    assert len(calls) == 1, "the second reader got the stored page"
    assert outcome("hit") == hits + 1
    assert ">300<" in page_two
    (one,), (two,) = tokens(page_one), tokens(page_two)
    assert one != two and cache.TOKEN_SLOT.decode() not in page_two
    secret = second.cookies["csrftoken"].value
    assert _unmask_cipher_token(two) == secret != _unmask_cipher_token(one)
    # The token works: the language switch accepts the second reader's POST.
    answer = second.post(reverse("set_language"), {"language": "ky", "next": url,
                                                   "csrfmiddlewaretoken": two})  # fmt: skip
    assert answer.status_code == 302
    assert second.get(url).content.decode().count("csrfmiddlewaretoken") == 1


@pytest.mark.django_db
def test_the_stored_page_is_never_another_languages(world: dict[str, Any]) -> None:
    url = reverse("results:election", args=[world["election"].code])
    russian = Client().get(url, HTTP_ACCEPT_LANGUAGE="ru")
    kyrgyz = Client().get(url, HTTP_ACCEPT_LANGUAGE="ky")
    assert russian["Content-Language"] == "ru" and kyrgyz["Content-Language"] == "ky"
    again = Client().get(url, HTTP_ACCEPT_LANGUAGE="ru")
    assert again["Content-Language"] == "ru"
    assert tokens(again.content.decode()) != tokens(russian.content.decode())
    strip = re.compile(r'value="[A-Za-z0-9]{64}"')
    assert strip.sub("", again.content.decode()) == strip.sub("", russian.content.decode())
    assert again["X-Frame-Options"] == "DENY" and "Content-Security-Policy" in again


@pytest.mark.django_db
def test_a_cached_page_is_counted_in_the_request_metrics(world: dict[str, Any]) -> None:
    url = reverse("results:station", args=[world["election"].code, 101])
    counter = metrics.REQUESTS.labels("results:station", "GET", "2xx")
    before = counter._value.get()
    assert Client().get(url).status_code == 200  # rendered (the metrics middleware counts)
    assert Client().get(url).status_code == 200  # from the cache (counted by the cache)
    assert counter._value.get() == before + 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "extra",
    [
        {"QUERY_STRING": "x=1"},
        {"HTTP_IF_MODIFIED_SINCE": "Sat, 01 Jan 2000 00:00:00 GMT"},
        {"HTTP_COOKIE": "sessionid=abc"},
        {"HTTP_COOKIE": "messages=abc"},
    ],
)
def test_readers_with_something_of_their_own_get_the_view(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, extra: dict[str, str]
) -> None:
    url = reverse("results:election", args=[world["election"].code])
    looked = page_lookups(monkeypatch)
    Client().get(url)
    assert len(looked) == 1
    answer = Client().generic("GET", url, **extra)
    assert answer.status_code == 200 and len(looked) == 1, "the view answered"


@pytest.mark.django_db
def test_an_acceptance_changes_the_stored_page(world: dict[str, Any]) -> None:
    url = reverse("results:election", args=[world["election"].code])
    assert ">611<" not in Client().get(url).content.decode()
    decisions.accept_protocol(enter(world, world["stations"][2], votes=LATER).protocol, "cli")
    assert ">611<" in Client().get(url).content.decode()


@pytest.mark.django_db
def test_unknown_elections_and_no_accepted_protocol_are_not_cached(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = Client().get(reverse("results:election", args=["no-such-election"]))
    assert missing.status_code == 404
    (protocol,) = Protocol.objects.filter(election=world["election"])
    decisions.dispute_protocol(protocol, "cli", "the seal was broken")
    calls = renders(monkeypatch)
    url = reverse("results:election", args=[world["election"].code])
    Client().get(url)
    Client().get(url)
    assert len(calls) == 2, "nothing accepted: nothing stored"


@pytest.mark.django_db
def test_kept_stamps_hide_another_workers_change_for_a_second_at_most(
    world: dict[str, Any],
) -> None:
    """With RESULTS_STAMP_SECONDS (as `shailoo serve` runs) a worker reads the stamp at most
    once in that time; this process's own saves show at once."""
    url = reverse("results:station", args=[world["election"].code, 201])
    with override_settings(RESULTS_STAMP_SECONDS=3600):
        assert ">311<" not in Client().get(url).content.decode()
        decisions.accept_protocol(enter(world, world["stations"][2], votes=LATER).protocol, "cli")
        assert ">311<" in Client().get(url).content.decode(), "saved here: seen at once"
        # Another worker's change: rows changed without this process saving a protocol.
        Protocol.objects.filter(election=world["election"]).update(status="disputed")
        assert ">311<" in Client().get(url).content.decode(), "kept for the second"
        cache.forget()
        assert ">311<" not in Client().get(url).content.decode(), "read again: disputed"


def test_a_change_is_computed_once_while_readers_get_the_previous_answer() -> None:
    django_cache.clear()
    key_old, key_new, latest = "results:t:" + "0" * 64, "results:t:" + "1" * 64, "results:t-l"
    assert cache._once(key_old, latest, str, lambda: ("old", "old")).outcome == "miss"
    started, release = threading.Event(), threading.Event()
    computed: list[str] = []

    def slow() -> tuple[str, str]:
        computed.append("new")
        started.set()
        release.wait(10)
        return "new", "new"

    worker = threading.Thread(target=lambda: cache._once(key_new, latest, str, slow))
    worker.start()
    assert started.wait(10)
    during = cache._once(key_new, latest, str, lambda: ("again", "again"))
    assert (during.outcome, during.stored) == ("stale", "old")
    release.set()
    worker.join(10)
    after = cache._once(key_new, latest, str, lambda: ("again", "again"))
    assert (after.outcome, after.stored) == ("hit", "new")
    assert computed == ["new"], "computed once"


def test_a_computation_that_asks_for_another_key_on_its_lock_does_not_deadlock() -> None:
    """A page's computation asks for its figures; both keys may fall on one lock."""
    django_cache.clear()
    outer, inner = "results:x:" + "a" * 64, "results:y:" + "b" * 56 + "a" * 8
    assert int(outer[-8:], 16) % len(cache._STRIPES) == int(inner[-8:], 16) % len(cache._STRIPES)

    def page() -> tuple[str, str]:
        figures = cache._once(inner, "results:y-l", str, lambda: ("figures", "figures"))
        return f"page of {figures.made}", "page"

    assert cache._once(outer, "results:x-l", str, page).made == "page of figures"


ALNUM = string.ascii_letters + string.digits


@given(
    pieces=st.lists(st.text(alphabet='<>=" abc\n', max_size=12), min_size=1, max_size=6),
    decoys=st.lists(st.text(alphabet=ALNUM, min_size=64, max_size=64), max_size=3),
)
def test_only_the_readers_token_is_cut_out(pieces: list[str], decoys: list[str]) -> None:
    """A page's own 64-character words (a SHA-256 in hex, say) stay; every mask of the
    reader's secret goes, wherever it stands."""
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "s" * 32
    masks = [get_token(request) for _ in pieces]
    secret = str(request.META["CSRF_COOKIE"])
    parts: list[str] = []
    for piece, mask, decoy in zip(pieces, masks, [*decoys, *[""] * len(pieces)], strict=False):
        parts += [piece, f' value="{mask}" ', f" {decoy} " if decoy else ""]
    html = "".join(parts).encode()
    cut = cache._without_token(html, secret)
    assert cut.count(cache.TOKEN_SLOT) == len(masks)
    for mask in masks:
        assert mask.encode() not in cut
    for decoy in decoys[: len(pieces)]:
        assert decoy.encode() in cut


@pytest.mark.django_db
def test_the_api_is_answered_from_the_cache_before_its_view_with_its_validators(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("api-results-election", args=[world["election"].code])
    views: list[str] = []
    real = cache._once

    def spy(key: str, latest: str, kind: type, compute: Any) -> Any:
        views.append(kind.__name__)
        return real(key, latest, kind, compute)

    monkeypatch.setattr(cache, "_once", spy)
    first = Client().get(url)
    assert views == ["Answer"], "the view computed and stored it"
    again = Client().get(url)
    assert views == ["Answer"], "answered before the view"
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert Client().get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    counter = metrics.REQUESTS.labels("api-results-election", "GET", "2xx")
    before = counter._value.get()
    Client().get(url)
    assert counter._value.get() == before + 1
    decisions.accept_protocol(enter(world, world["stations"][2], votes=LATER).protocol, "cli")
    changed = Client().get(url, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


@pytest.mark.django_db
def test_an_address_whose_view_answers_no_page_goes_to_its_view(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A station with no accepted protocol (or none at all) is not held up by the lock."""
    url = reverse("results:station", args=[world["election"].code, 999])
    looked = page_lookups(monkeypatch)
    assert Client().get(url).status_code == 404
    assert Client().get(url).status_code == 404
    assert len(looked) == 1
