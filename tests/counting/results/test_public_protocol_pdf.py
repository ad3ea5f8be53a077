"""The printable protocol names its contest as the definition titles it, in the requester's
language, with a word for "contest" in that language (never the bare id, never a made-up
word), and nothing on it runs off the page.
"""

from __future__ import annotations

from typing import Any

import pypdfium2
import pytest
from django.core.cache import cache as django_cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from public_world import accept, enter, named_world

from shailoo.counting.results import decisions

pytestmark = pytest.mark.django_db

TITLES = {"ky": "President ky", "ru": "President ru", "en": "President ky"}  # en: no title


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    django_cache.clear()
    return named_world(monkeypatch, tmp_path)


def pdf(world: dict[str, Any], lang: str) -> pypdfium2.PdfDocument:
    url = reverse("results:protocol_pdf", args=[world["election"].code, 101, "pres"])
    response = Client().get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return pypdfium2.PdfDocument(response.content)


def text_of(document: pypdfium2.PdfDocument) -> str:
    return " ".join(" ".join(page.get_textpage().get_text_range().split()) for page in document)


def word(lang: str) -> str:
    with translation.override(lang):
        return gettext("Contest on the ballot")


@pytest.mark.parametrize("lang", ["ky", "ru", "en"])
def test_the_contest_is_named_in_the_readers_language(world: dict[str, Any], lang: str) -> None:
    accept(world, world["stations"][0])
    shown = text_of(pdf(world, lang))
    assert f"{word(lang)}: {TITLES[lang]}" in shown
    assert "Контест" not in shown
    assert ": pres " not in f"{shown} ", "the contest's id is not its name"


def test_each_language_has_its_own_copy(world: dict[str, Any]) -> None:
    """The public PDF is cached: a Russian reader after a Kyrgyz one gets the Russian title."""
    accept(world, world["stations"][0])
    ky, ru, ky_again = (text_of(pdf(world, lang)) for lang in ("ky", "ru", "ky"))
    assert f"{word('ky')}: President ky" in ky and f"{word('ru')}: President ru" in ru
    assert ky_again == ky


def test_a_contest_no_definition_titles_keeps_its_id(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    django_cache.clear()
    world = named_world(monkeypatch, tmp_path, definition=False)
    accept(world, world["stations"][0])
    assert f"{word('ru')}: pres" in text_of(pdf(world, "ru"))


def test_no_text_runs_off_the_page(world: dict[str, Any]) -> None:
    """The longest lines (who accepted, in Kyrgyz and Russian; the version line) wrap."""
    version = enter(world, world["stations"][0])
    decisions.accept_protocol(version.protocol, "demo:tec-T1")
    document = pdf(world, "ru")
    for page in document:
        width = page.get_width()
        chars = page.get_textpage()
        for index in range(chars.count_chars()):
            left, _, right, _ = chars.get_charbox(index)
            assert left >= 0 and right <= width - 20, f"character {index} is off the page"
