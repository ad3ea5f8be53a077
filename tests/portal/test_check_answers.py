"""The self-check always answers the latest question: error answers are shown, not dropped.

htmx swaps only 2xx responses unless told otherwise, so the 400 (bad input) and 429 (too
many checks) answers must be named to the page's form; without JavaScript the whole page
comes back with the answer in it. The browser side is in tests/browser/test_browser_check.py.
"""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def voter():
    f.election()
    return f.person(f.station(101, name="Мектеп №5", address="Ош ш., Курманжан Датка көч., 5"))


def check(client: Client, pin: str, birth: str, htmx: bool = False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("portal:check"), {"pin": pin, "birth_date": birth}, headers=headers)


def form_tag(page: str, form_id: str) -> str:
    match = re.search(rf'<form[^>]*id="{form_id}"[^>]*>', page)
    assert match, page
    return match.group(0)


def test_the_form_tells_htmx_to_show_error_answers(client: Client) -> None:
    page = client.get(reverse("portal:check")).content.decode()
    tag = form_tag(page, "check-form")
    assert 'hx-target="#check-result"' in tag
    assert 'data-answer-statuses="400 429"' in tag  # the statuses the view answers with
    assert "data-answer-clear" in tag  # the previous answer goes when a new question starts
    assert 'data-answer-failed="Не удалось получить ответ.' in tag  # Russian by default
    assert "/static/shailoo/htmx-answers.js" in page


def test_the_answer_script_is_served(client: Client) -> None:
    response = client.get("/static/shailoo/htmx-answers.js")
    assert response.status_code == 200
    script = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    for event in ("htmx:beforeRequest", "htmx:beforeSwap", "htmx:responseError", "htmx:sendError"):
        assert event in script


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("ru", "должен состоять ровно из 14 цифр"),
        ("ky", "так 14 сандан турушу керек"),
        ("en", "must be exactly 14 digits"),
    ],
)
def test_a_malformed_pin_is_named_in_the_voters_language(
    client: Client, voter, lang: str, reason: str
) -> None:
    client.cookies["django_language"] = lang
    assert check(client, voter.pin, voter.birth_date.isoformat(), htmx=True).status_code == 200
    response = check(client, "123", voter.birth_date.isoformat(), htmx=True)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" not in body and 'id="check-answer"' in body
    assert reason in body
    assert "№101" not in body and "status" not in body  # nothing of the previous answer


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("31705199000001", "первая цифра должна быть 1"),
        ("13205199000001", "цифры 2–9 не образуют правильную дату"),
    ],
)
def test_every_pin_reason_is_translated(client: Client, pin: str, reason: str) -> None:
    assert reason in check(client, pin, "1990-05-17", htmx=True).content.decode()


def test_without_javascript_the_page_shows_the_error_answer(client: Client, voter) -> None:
    response = check(client, "123", voter.birth_date.isoformat())
    assert response.status_code == 400
    page = response.content.decode()
    result = page[page.index('id="check-result"') :]
    assert 'id="check-answer"' in result and "должен состоять ровно из 14 цифр" in result
    assert 'id="check-form"' in page  # the voter can correct and ask again


def test_the_rate_limit_answer_names_itself_and_says_when(client: Client, voter, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"selfcheck": "1/min"})
    assert check(client, voter.pin, voter.birth_date.isoformat(), htmx=True).status_code == 200
    response = check(client, voter.pin, voter.birth_date.isoformat(), htmx=True)
    assert response.status_code == 429
    body = response.content.decode()
    assert 'id="check-answer"' in body and "Подождите минуту" in body and "№101" not in body
    assert 1 <= int(response["Retry-After"]) <= 60
    plain = check(client, voter.pin, voter.birth_date.isoformat())
    assert plain.status_code == 429 and "Подождите минуту" in plain.content.decode()


def test_staff_search_form_shows_a_failure_instead_of_old_results(client: Client) -> None:
    from shailoo.accounts.roles import Role
    from shailoo.accounts.testing import login_verified, make_user

    login_verified(client, make_user("clerk", Role.CEC_ADMIN))
    page = client.get(reverse("register:search")).content.decode()
    tag = re.search(r'<form[^>]*class="search"[^>]*>', page)
    assert tag, page
    assert 'data-answer-failed="Не удалось получить ответ.' in tag.group(0)
    assert 'hx-sync="this:replace"' in tag.group(0)  # a slow older search cannot come last
