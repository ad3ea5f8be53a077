"""Kyrgyz is the site's default language; Russian and English are there for whoever asks.

A visitor who sends no Accept-Language, or asks only for a language we do not offer
(German, French), reads Kyrgyz; one whose browser asks for Russian or English reads that;
the language switch (its cookie) wins over the browser. The same holds for the staff login
and the admin. A reader who subscribes without a language gets messages in Kyrgyz.
An election named only in Russian still shows its name on a Kyrgyz page (the fallback); one
named in Kyrgyz shows the Kyrgyz name there. An operator may make Russian or English the
default (``SHAILOO_LANGUAGE_CODE``) and nothing else: a typo stops the start.

Unlike the rest of the suite (whose pages default to Russian, ``tests/conftest.py``), every
test here runs with the site's own default (the ``site_default_language`` marker).
"""

from __future__ import annotations

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import given
from hypothesis import strategies as st

import factories as f
from shailoo import settings as site_settings
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.elections.models import Election
from shailoo.incidents.categories import CATEGORIES
from shailoo.incidents.open311 import SERVICE_NAMES, Lang
from shailoo.polling import turnout
from shailoo.polling.models import TurnoutPublication
from shailoo.portal import subscription_sending as sending
from shailoo.portal import subscriptions
from shailoo.portal.models import Subscription

pytestmark = pytest.mark.site_default_language

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("ky", "ru", "en")

#: Public pages and the staff login, each with the message its <title> starts with.
PAGES = [
    ("portal:home", "Home"),
    ("results:index", "Election results"),
    ("polling:public", "Turnout"),
    ("candidates:public", "Candidates and parties"),
    ("login", "Staff login"),
]


def said(msgid: str, lang: str) -> str:
    """``msgid`` as the ``lang`` catalogue has it."""
    with translation.override(lang):
        return gettext(msgid)


def spoken_in(msgid: str) -> dict[str, str]:
    """The message in each language, checked to differ, so that finding one on a page says
    which language the page speaks (a missing translation would make the test blind)."""
    texts = {lang: said(msgid, lang) for lang in LANGS}
    assert len(set(texts.values())) == len(LANGS), f"{msgid!r} is not translated: {texts}"
    return texts


def html_lang(body: str) -> str:
    found = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", body)
    assert found, body[:300]
    return found.group(1)


def title(body: str) -> str:
    found = re.search(r"<title>(.*?)</title>", body, re.S)
    assert found, body[:300]
    return html.unescape(found.group(1)).strip()


def fetch(client: Client, url: str, accept: str | None = None) -> str:
    headers = {"accept-language": accept} if accept is not None else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def assert_speaks(body: str, lang: str, msgid: str) -> None:
    """The page is marked ``lang`` and its title is the message in ``lang``, in no other."""
    texts = spoken_in(msgid)
    assert html_lang(body) == lang
    heading = title(body)
    assert heading.startswith(texts[lang]), (lang, heading)
    for other in LANGS:
        if other != lang:
            assert not heading.startswith(texts[other]), (lang, heading)


@pytest.fixture
def election(db: Any) -> Election:
    return f.election()


# -- the default and what a reader asks for ----------------------------------------------------


def test_the_site_default_is_kyrgyz_the_state_language() -> None:
    from django.conf import settings

    assert settings.LANGUAGE_CODE == "ky"
    assert [code for code, _ in settings.LANGUAGES] == ["ky", "ru", "en"]


@pytest.mark.parametrize(("name", "msgid"), PAGES)
def test_a_visitor_who_asks_for_no_language_reads_kyrgyz(
    election: Election, name: str, msgid: str
) -> None:
    assert_speaks(fetch(Client(), reverse(name)), "ky", msgid)


@pytest.mark.parametrize("accept", ["de", "de-DE,de;q=0.9", "fr-FR,fr;q=0.8,de;q=0.5", "zz"])
@pytest.mark.parametrize(("name", "msgid"), PAGES)
def test_a_visitor_who_asks_only_for_languages_we_do_not_offer_reads_kyrgyz(
    election: Election, name: str, msgid: str, accept: str
) -> None:
    assert_speaks(fetch(Client(), reverse(name), accept), "ky", msgid)


@pytest.mark.parametrize(
    ("accept", "lang"),
    [
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE,de;q=0.9,en;q=0.5", "en"),  # the first language we offer, in their order
        ("ky-KG", "ky"),
    ],
)
@pytest.mark.parametrize(("name", "msgid"), PAGES)
def test_a_visitor_whose_browser_asks_for_ru_or_en_reads_it(
    election: Election, name: str, msgid: str, accept: str, lang: str
) -> None:
    assert_speaks(fetch(Client(), reverse(name), accept), lang, msgid)


@pytest.mark.parametrize("chosen", ["ru", "en", "ky"])
def test_the_language_switch_wins_over_the_browser_and_the_default(
    election: Election, chosen: str
) -> None:
    client = Client()
    home = reverse("portal:home")
    answer = client.post(reverse("set_language"), {"language": chosen, "next": home})
    assert answer.status_code == 302 and answer["Location"] == home
    for accept in (None, "ru", "en", "de"):
        for name, msgid in PAGES:
            assert_speaks(fetch(client, reverse(name), accept), chosen, msgid)


@pytest.fixture
def admin_client(db: Any) -> Client:
    user = make_user("chief", Role.CEC_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    client = Client()
    login_verified(client, user)
    return client


@pytest.mark.parametrize(
    ("accept", "lang"), [(None, "ky"), ("de", "ky"), ("ru", "ru"), ("en", "en")]
)
def test_the_admin_follows_the_same_default(admin_client: Client, accept: str, lang: str) -> None:
    body = fetch(admin_client, reverse("admin:index"), accept)
    assert_speaks(body, lang, "Administration")


def test_the_admin_follows_the_switch(admin_client: Client) -> None:
    admin_client.post(reverse("set_language"), {"language": "en", "next": "/admin/"})
    assert_speaks(fetch(admin_client, reverse("admin:index"), "ru"), "en", "Administration")


@pytest.mark.parametrize(
    ("accept", "query", "lang"),
    [(None, "", "ky"), ("de", "", "ky"), ("ru-RU", "", "ru"), (None, "?locale=en", "en")],
)
def test_open311_clients_get_the_same_default(
    db: Any, accept: str | None, query: str, lang: Lang
) -> None:
    """A GeoReport client that names no language reads the service list in Kyrgyz."""
    headers = {"accept-language": accept} if accept is not None else {}
    answer = Client().get("/open311/v2/services.json" + query, headers=headers)
    assert answer.status_code == 200
    names = {item["service_code"]: item["service_name"] for item in answer.json()}
    languages: tuple[Lang, ...] = ("ky", "ru", "en")
    tables = {
        other: {code: SERVICE_NAMES[code][other].name for code in CATEGORIES} for other in languages
    }
    assert len({tuple(table.values()) for table in tables.values()}) == 3, "they say which"
    assert names == tables[lang]


# -- names of elections ------------------------------------------------------------------------


def test_an_election_named_only_in_russian_shows_its_name_on_kyrgyz_pages(db: Any) -> None:
    with translation.override("ru"):
        election = f.election(name="Выборы депутатов местных кенешей 2028")
    election.refresh_from_db()
    assert election.names == {"ky": "", "ru": "Выборы депутатов местных кенешей 2028", "en": ""}
    body = fetch(Client(), reverse("portal:home"))
    assert html_lang(body) == "ky"
    assert '<h1 id="election-title">Выборы депутатов местных кенешей 2028</h1>' in body
    # The name programs read stays the Russian one (MODELTRANSLATION_DEFAULT_LANGUAGE).
    assert election.stable_name == "Выборы депутатов местных кенешей 2028"


def test_an_election_named_in_kyrgyz_shows_the_kyrgyz_name_by_default(db: Any) -> None:
    election = f.election(
        name_ky="Жергиликтүү кеңештердин депутаттарын шайлоо 2028",
        name_ru="Выборы депутатов местных кенешей 2028",
    )
    kyrgyz = fetch(Client(), reverse("portal:home"))
    assert '<h1 id="election-title">Жергиликтүү кеңештердин депутаттарын шайлоо 2028</h1>' in kyrgyz
    assert "Выборы депутатов местных кенешей 2028" not in kyrgyz
    russian = fetch(Client(), reverse("portal:home"), "ru")
    assert '<h1 id="election-title">Выборы депутатов местных кенешей 2028</h1>' in russian
    # No English name: the English page shows the Kyrgyz one, the first of the fallbacks.
    english = fetch(Client(), reverse("portal:home"), "en")
    assert (
        '<h1 id="election-title">Жергиликтүү кеңештердин депутаттарын шайлоо 2028</h1>' in english
    )
    # Programs read one stable name whatever the default: the Russian one where it exists.
    assert election.stable_name == "Выборы депутатов местных кенешей 2028"


# -- messages to readers -----------------------------------------------------------------------


@pytest.fixture
def fresh_throttles() -> Any:
    cache.clear()
    yield
    cache.clear()


def _publish_turnout(election: Election) -> TurnoutPublication:
    """Turnout at 10:00 as the commission publishes it, and the signal that follows the
    commit (``polling.turnout.publish_due`` sends it; here the figures are given)."""
    as_of = timezone.make_aware(timezone.datetime(2027, 3, 14, 10, 0))
    publication = TurnoutPublication.objects.create(
        election=election,
        as_of=as_of,
        published_at=as_of,
        figures={"country": {"listed": 3000, "voted": 1200, "turnout": 40.0}, "regions": {}},
    )
    turnout.turnout_published.send(TurnoutPublication, publication=publication)
    return publication


def test_a_subscriber_who_chose_no_language_gets_kyrgyz_messages(
    election: Election, mailoutbox: list[Any], fresh_throttles: Any
) -> None:
    subscriptions.subscribe(
        subscriptions.SignUp(topic="turnout", channel="email", email="reader@mail.kg")
    )
    subscription = Subscription.objects.get()
    assert subscription.language == "ky"
    (confirmation,) = mailoutbox
    subject = spoken_in("Confirm your subscription")["ky"]
    assert confirmation.subject.startswith(subject), confirmation.subject

    subscription.confirmed_at = timezone.now()
    subscription.save(update_fields=["confirmed_at"])
    mailoutbox.clear()
    _publish_turnout(election)
    # Sent later, from a process whose active language is not the reader's.
    with translation.override("en"):
        report = sending.send_notifications()
    assert report.sent == 1
    (update,) = mailoutbox
    place = spoken_in("Kyrgyz Republic")["ky"]
    heading = spoken_in("Turnout at %(time)s: %(place)s")["ky"] % {"time": "10:00", "place": place}
    assert update.subject.startswith(heading), update.subject
    voted = spoken_in("Voted: %(voted)s of %(listed)s")["ky"]
    assert voted % {"voted": "1\xa0200", "listed": "3\xa0000"} in update.body


def test_the_sign_up_page_files_a_visitor_without_a_language_as_kyrgyz(
    election: Election, mailoutbox: list[Any], fresh_throttles: Any
) -> None:
    answer = Client().post(
        reverse("subscriptions:subscribe"),
        {"topic": "turnout", "channel": "email", "email": "reader@mail.kg"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    assert Subscription.objects.get().language == "ky"


# -- the operator's setting --------------------------------------------------------------------


@pytest.mark.parametrize(("value", "code"), [("", "ky"), ("ky", "ky"), ("ru", "ru"), ("en", "en")])
def test_the_operator_may_choose_one_of_the_three(value: str, code: str) -> None:
    assert site_settings.default_language(value) == code


@given(st.text(max_size=12).filter(lambda text: text not in ("", "ky", "ru", "en")))
def test_anything_else_is_refused_naming_the_variable_and_the_choices(value: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        site_settings.default_language(value)
    message = str(refused.value)
    assert "SHAILOO_LANGUAGE_CODE" in message and "ky, ru, en" in message


@pytest.mark.parametrize("value", ["ru-RU", "KY", " ky", "kg", "de"])
def test_near_misses_are_refused_too(value: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape(repr(value))):
        site_settings.default_language(value)


SHOW_DEFAULT = (
    "import django; django.setup(); from django.conf import settings; "
    "print('LANGUAGE_CODE=' + settings.LANGUAGE_CODE)"
)


def _start(value: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="shailoo.settings")
    env["SHAILOO_LANGUAGE_CODE"] = value
    return subprocess.run(
        [sys.executable, "-c", SHOW_DEFAULT],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_start_with_a_language_we_do_not_offer_stops_with_the_reason() -> None:
    started = _start("de")
    assert started.returncode != 0
    assert "SHAILOO_LANGUAGE_CODE must be one of ky, ru, en" in started.stderr
    assert "LANGUAGE_CODE=" not in started.stdout


def test_a_start_with_russian_chosen_defaults_to_russian() -> None:
    started = _start("ru")
    assert started.returncode == 0, started.stderr[-2000:]
    assert started.stdout.strip().endswith("LANGUAGE_CODE=ru")
