"""A results night: public results served from the cache, and never stale after acceptance.

The page and the API are computed once and then served from the cache; accepting a
protocol (here, in this process, or in another worker whose cache this one never sees)
changes what every reader gets next. The API's answers carry ``ETag`` and
``Last-Modified``, and a client holding the current one gets ``304``.
"""

from __future__ import annotations

from typing import Any

import pytest
from counting_results_helpers import enter, setup_world
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.common import metrics
from shailoo.counting.results import aggregation, cache, decisions

pytestmark = pytest.mark.django_db
#: A second station's votes: 550 valid like the first (300/200/50), so the protocol balances.
LATER = {"a": 311, "b": 189, "c": 50}


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    made = setup_world(monkeypatch, tmp_path)
    decisions.accept_protocol(enter(made, made["stations"][0]).protocol, "cli")
    return made


def hits() -> float:
    return metrics.CACHE.labels(cache.METRIC, "hit")._value.get()


def counting_results(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the aggregations the pages run (each one a pass over every accepted protocol)."""
    calls: list[int] = []
    real = aggregation.results

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(aggregation, "results", counted)
    return calls


def test_page_is_served_from_cache_then_shows_a_newly_accepted_protocol(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    url = reverse("results:election", args=[world["election"].code])
    calls = counting_results(monkeypatch)
    first = Client().get(url).content.decode()
    before = hits()
    again = Client().get(url).content.decode()
    assert len(calls) == 1, "the second reader got the cached figures"
    assert hits() == before + 1
    assert ">300<" in first and ">611<" not in first
    assert ">300<" in again

    decisions.accept_protocol(enter(world, world["stations"][2], votes=LATER).protocol, "cli")
    after = Client().get(url).content.decode()
    assert len(calls) == 2
    assert ">611<" in after, "the accepted protocol's votes are in the country total"


def test_another_workers_acceptance_is_seen_without_the_version_counter(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a per-process cache a bump in another worker never reaches this one: the
    protocol stamp in the key still changes."""
    url = reverse("results:station", args=[world["election"].code, 201])
    assert ">311<" not in Client().get(url).content.decode()
    monkeypatch.setattr(cache, "bump", lambda: None)
    decisions.accept_protocol(enter(world, world["stations"][2], votes=LATER).protocol, "cli")
    assert ">311<" in Client().get(url).content.decode()


def test_api_answers_carry_validators_and_304_until_the_results_change(
    world: dict[str, Any],
) -> None:
    url = reverse("api-results-election", args=[world["election"].code])
    client = Client()
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/json"
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified.endswith("GMT")
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    country = first.json()["contests"][0]["country"]
    assert {o["option"]: o["votes"] for o in country["options"]}["a"] == 300

    decisions.accept_protocol(enter(world, world["stations"][2], votes=LATER).protocol, "cli")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    country = changed.json()["contests"][0]["country"]
    assert {o["option"]: o["votes"] for o in country["options"]}["a"] == 611
    station = client.get(reverse("api-results-station", args=[world["election"].code, 201]))
    assert station.json()["protocols"][0]["votes"] == LATER


def test_a_dispute_takes_the_figures_out_of_the_cached_page(world: dict[str, Any]) -> None:
    url = reverse("api-results-election", args=[world["election"].code])
    assert Client().get(url).json()["status"]["accepted"] == 1
    (protocol,) = world["election"].protocols.all()
    decisions.dispute_protocol(protocol, "cli", "the seal was broken")
    assert Client().get(url).json()["status"] == {
        "reported": 0,
        "accepted": 0,
        "disputed": 1,
        "missing": 2,
    }


def test_query_strings_and_signed_in_readers_bypass_the_cache(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A flood of ``?x=N`` cannot evict the real pages; a staff page is never shared."""
    url = reverse("results:election", args=[world["election"].code])
    calls = counting_results(monkeypatch)
    for n in range(3):
        Client().get(f"{url}?x={n}")
    assert len(calls) == 3
    client = Client()
    login_verified(client, make_user("observer", Role.CEC_ADMIN, None))
    client.get(url)
    client.get(url)
    assert len(calls) == 5
    assert not any(key.startswith(":1:results:") for key in _keys() if "?" in key)


def _keys() -> list[str]:
    return list(getattr(django_cache, "_cache", {}))


def test_bump_advances_the_version_even_after_the_cache_lost_it() -> None:
    django_cache.clear()
    assert cache.version() == 0
    cache._advance()
    cache._advance()
    assert cache.version() == 2
    django_cache.delete(cache.VERSION_KEY)
    cache._advance()
    assert cache.version() == 1
