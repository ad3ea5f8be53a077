"""Kyrgyz and Russian catalogues: complete, faithful to their placeholders, compiled, in use.

English is the source language; a missing or fuzzy entry would show English to a Kyrgyz or
Russian voter, a lost placeholder would crash a page (``%`` with a missing key) or drop a
station number, and a stale .mo would ship last week's wording. Nothing here needs GNU
gettext: catalogues are read and compiled with polib, templates are scanned with Django's
own ``templatize``.
"""

from __future__ import annotations

import ast
import importlib.util
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import polib
import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize

import factories as f
from shailoo.common.refusals import Refusal
from shailoo.register import services

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = ROOT / "src" / "shailoo"
LOCALE_DIR = SOURCE_DIR / "locale"
LANGS = ("ky", "ru")
PLURAL_FORMS = {"ky": 1, "ru": 3}

PRINTF = re.compile(r"%(?:\((\w+)\))?[#0 +\-]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")
BRACES = re.compile(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})")
TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
# Calls Django's makemessages extracts from Python: (context argument, message argument).
PY_KEYWORDS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
TEMPLATE_CALL = re.compile(r"\b(gettext|ngettext|pgettext|npgettext)\(")
PY_STRING = re.compile(r"""u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*\"""")

Key = tuple[str | None, str]


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="module", params=LANGS)
def catalogue(request: pytest.FixtureRequest) -> polib.POFile:
    return polib.pofile(str(po_path(request.param)))


def placeholders(text: str) -> set[str]:
    """Printf (``%(name)s``, ``%s``) and brace (``{name}``) placeholders, ``%%`` left out."""
    found = {f"%({name})" if name else f"%{conv}" for name, conv in PRINTF.findall(text)}
    found.discard("%%")
    return found | {f"{{{name}}}" for name in BRACES.findall(text)}


def translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def untranslated(entry: polib.POEntry) -> bool:
    return any(not text.strip() for text in translations(entry))


# -- helpers ---------------------------------------------------------------------------------


def test_placeholders_finds_every_kind() -> None:
    assert placeholders("%(number)s of %(total)d, %s and {name}; 100%% {{literal}}") == {
        "%(number)",
        "%(total)",
        "%s",
        "{name}",
    }
    assert placeholders("Station №%(number)s") != placeholders("Station №%(numbr)s")
    assert placeholders("no placeholders here") == set()


def test_untranslated_sees_an_empty_plural_form() -> None:
    entry = polib.POEntry(msgid="%(n)s", msgid_plural="%(n)s s", msgstr_plural={0: "x", 1: ""})
    assert untranslated(entry)
    assert not untranslated(polib.POEntry(msgid="Home", msgstr="Главная"))


# -- the catalogues ------------------------------------------------------------------------


def test_header_names_the_language_and_its_plural_forms(catalogue: polib.POFile) -> None:
    lang = catalogue.metadata["Language"]
    assert lang in LANGS
    assert not catalogue.metadata_is_fuzzy, "remove '#, fuzzy' from the header"
    assert catalogue.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert f"nplurals={PLURAL_FORMS[lang]};" in catalogue.metadata["Plural-Forms"]


def test_every_entry_is_translated_and_not_fuzzy(catalogue: polib.POFile) -> None:
    assert len(catalogue) > 100
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    empty = [e.msgid for e in catalogue if not e.obsolete and untranslated(e)]
    obsolete = [e.msgid for e in catalogue if e.obsolete]
    assert fuzzy == [], f"fuzzy entries: {fuzzy}"
    assert empty == [], f"untranslated entries: {empty}"
    assert obsolete == [], f"obsolete (#~) entries, delete them: {obsolete}"


def test_plural_entries_have_every_form(catalogue: polib.POFile) -> None:
    expected = PLURAL_FORMS[catalogue.metadata["Language"]]
    plurals = [e for e in catalogue if e.msgid_plural]
    assert plurals, "the templates use blocktranslate count: the catalogue must have plurals"
    for entry in plurals:
        assert sorted(entry.msgstr_plural) == list(range(expected)), entry.msgid


def test_translations_keep_placeholders_and_markup(catalogue: polib.POFile) -> None:
    for entry in catalogue:
        source = entry.msgid_plural or entry.msgid
        for text in translations(entry):
            assert placeholders(text) == placeholders(source), (entry.msgid, text)
            assert sorted(TAG.findall(text)) == sorted(TAG.findall(source)), (entry.msgid, text)


def test_translations_are_not_english(catalogue: polib.POFile) -> None:
    """A copied msgid passes every other check; Cyrillic text says someone translated it."""
    for entry in catalogue:
        for text in translations(entry):
            assert re.search("[А-Яа-яЁёӨөҮүҢң]", text), (entry.msgid, text)


def test_both_languages_translate_the_same_messages() -> None:
    keys = {
        lang: {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path(lang)))} for lang in LANGS
    }
    assert keys["ky"] == keys["ru"]


# -- the catalogues against the sources ----------------------------------------------------


def python_messages(path: Path) -> Iterator[Key]:
    """Literal messages passed to Django's gettext functions in one Python file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in PY_KEYWORDS:
            continue
        context_at, singular_at = PY_KEYWORDS[name]
        strings = [
            a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
            for a in node.args
        ]
        msgid = strings[singular_at] if len(strings) > singular_at else None
        context = strings[context_at] if context_at is not None else None
        if msgid is not None and (context_at is None or context is not None):
            yield context, msgid


def template_messages(path: Path) -> Iterator[Key]:
    """Messages of a template, as makemessages sees them (``templatize`` → gettext calls)."""
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for call in TEMPLATE_CALL.finditer(code):
        strings = [ast.literal_eval(s) for s in PY_STRING.findall(code[call.end() :])[:3]]
        if call.group(1) in ("pgettext", "npgettext"):
            yield strings[0], strings[1]
        else:
            yield None, strings[0]


def source_messages() -> set[Key]:
    found: set[Key] = set()
    for path in SOURCE_DIR.rglob("*.py"):
        if "migrations" not in path.parts:
            found.update(python_messages(path))
    for path in SOURCE_DIR.rglob("*"):
        if path.suffix in (".html", ".txt"):  # what makemessages reads as templates
            found.update(template_messages(path))
    return found


def test_source_scan_finds_known_messages() -> None:
    found = source_messages()
    assert (None, "Home") in found  # {% translate %}
    assert (None, "Voter list, station №%(n)s") in found  # {% blocktranslate with %}
    assert (None, "%(n)s station") in found  # {% blocktranslate count %}
    assert (None, "Personal identification number (PIN)") in found  # gettext_lazy
    assert any(msgid.startswith("Under this law the registered") for _, msgid in found)


def test_every_marked_message_is_in_the_catalogues() -> None:
    """A string marked in code but not in the catalogue shows English: run makemessages."""
    for lang in LANGS:
        known = {(e.msgctxt, e.msgid) for e in polib.pofile(str(po_path(lang)))}
        missing = sorted(msgid for _, msgid in source_messages() - known)
        assert missing == [], f"{lang}: not in the catalogue (see docs/translations.md): {missing}"


# -- compiled catalogues -------------------------------------------------------------------


def entries_of(catalogue: polib.POFile | polib.MOFile) -> dict[Key, tuple[str, ...]]:
    return {
        (e.msgctxt, e.msgid): tuple(translations(e))
        for e in catalogue
        if not e.obsolete and "fuzzy" not in e.flags and not untranslated(e)
    }


@pytest.mark.parametrize("lang", LANGS)
def test_mo_is_compiled_from_the_current_po(lang: str) -> None:
    po = polib.pofile(str(po_path(lang)))
    mo = polib.mofile(str(po_path(lang).with_suffix(".mo")))
    assert entries_of(mo) == entries_of(po), "stale .mo: run tools/compile_messages.py"
    assert mo.metadata["Plural-Forms"] == po.metadata["Plural-Forms"]
    assert mo.metadata["Language"] == lang


def load_compiler() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "compile_messages", ROOT / "tools" / "compile_messages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_compiler_check_passes_on_the_repository() -> None:
    assert load_compiler().main(["--check"]) == 0


def test_compiler_writes_stale_mo_and_skips_fuzzy(tmp_path: Path) -> None:
    compiler = load_compiler()
    shutil.copytree(LOCALE_DIR, tmp_path / "locale")
    po_file = tmp_path / "locale" / "ru" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(po_file))
    po.find("Home").msgstr = "Домой"
    po.find("Log in").flags.append("fuzzy")
    po.save()

    assert compiler.main(["--check", "--locale-dir", str(tmp_path / "locale")]) == 1
    assert compiler.main(["--locale-dir", str(tmp_path / "locale")]) == 0
    assert compiler.main(["--check", "--locale-dir", str(tmp_path / "locale")]) == 0
    mo = polib.mofile(str(po_file.with_suffix(".mo")))
    assert mo.find("Home").msgstr == "Домой"
    assert mo.find("Log in") is None  # fuzzy: Django falls back to the English source


def test_compiler_refuses_a_missing_or_empty_locale_dir(tmp_path: Path) -> None:
    compiler = load_compiler()
    assert compiler.main(["--locale-dir", str(tmp_path / "nowhere")]) == 2
    assert compiler.main(["--locale-dir", str(tmp_path)]) == 2


GOOD_HEADER = (
    'msgid ""\nmsgstr ""\n"Language: ru\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=3; plural=0;\\n"\n\n'
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (GOOD_HEADER + 'msgid "Home"\nmsgstr "Главная\n', ":8: not a keyword"),
        (GOOD_HEADER + 'msgid "Home\nmsgstr "Главная"\n', ":7: not a keyword"),
        (GOOD_HEADER + 'msgid "Home"\nmsgstr "Главная"\n\nmsgid "Home"\nmsgstr "Дом"\n', "exists"),
        ("#, fuzzy\n" + GOOD_HEADER, "header is marked fuzzy"),
        (GOOD_HEADER.replace('"Language: ru\\n"\n', ""), "lacks Language"),
        (GOOD_HEADER.replace("UTF-8", "KOI8-R"), "charset=UTF-8"),
    ],
)
def test_compiler_refuses_a_broken_catalogue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, reason: str
) -> None:
    """polib would compile these into a wrong .mo without a word; the compiler says where."""
    target = tmp_path / "locale" / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.po").write_text(text, encoding="utf-8")
    assert load_compiler().main(["--locale-dir", str(tmp_path / "locale")]) == 2
    assert reason in capsys.readouterr().err
    assert not (target / "django.mo").exists()


def test_compiler_accepts_the_minimal_sound_catalogue(tmp_path: Path) -> None:
    target = tmp_path / "locale" / "ru" / "LC_MESSAGES"
    target.mkdir(parents=True)
    (target / "django.po").write_text(GOOD_HEADER + 'msgid "Home"\nmsgstr ""\n"Главная"\n')
    assert load_compiler().main(["--locale-dir", str(tmp_path / "locale")]) == 0
    assert polib.mofile(str(target / "django.mo")).find("Home").msgstr == "Главная"


@pytest.mark.parametrize("lang", LANGS)
def test_repository_catalogues_have_no_problems(lang: str) -> None:
    assert load_compiler().problems(po_path(lang)) == []


# -- rendered pages ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "heading", "nav"),
    [
        ("ky", "Шайлоо участогуңузду текшериңиз", "Башкы бет"),
        ("ru", "Проверьте свой избирательный участок", "Главная"),
        ("en", "Check your polling station", "Home"),
    ],
)
def test_home_page_speaks_the_accepted_language(
    client: Client, lang: str, heading: str, nav: str
) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<html lang="{lang}">' in page
    assert heading in page and f'id="nav-home">{nav}</a>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "label"),
    [
        ("ky", "Жеке идентификациялык номер (ПИН)"),
        ("ru", "Персональный идентификационный номер (ПИН)"),
    ],
)
def test_check_page_follows_the_language_cookie(client: Client, lang: str, label: str) -> None:
    """The cookie the language switcher sets wins over the browser's Accept-Language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get(reverse("portal:check"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert label in page  # a gettext_lazy form label
    assert "Personal identification number" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "stations", "expected"),
    [
        ("ru", 1, "1 участок"),
        ("ru", 3, "3 участка"),
        ("ru", 5, "5 участков"),
        ("ky", 3, "3 участок"),
    ],
)
def test_station_count_uses_the_plural_forms(
    client: Client, lang: str, stations: int, expected: str
) -> None:
    for _ in range(stations):
        f.station()
    page = client.get(reverse("portal:stations"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f'<p class="muted">{expected}</p>' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ky", "Учурдагы шайлоо белгиленген эмес"),
        ("ru", "Текущие выборы не заданы"),
        ("en", "No current election is set"),
    ],
)
def test_service_errors_speak_the_active_language(lang: str, expected: str) -> None:
    """Services raise their messages through gettext; staff pages show them as they come."""
    with translation.override(lang), pytest.raises(Refusal) as error:
        services.current_election()
    assert error.value.message.startswith(expected)
