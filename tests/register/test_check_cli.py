"""``shailoo register check PIN --lang``: the whole answer in the language asked for."""

from __future__ import annotations

import datetime
import re

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.cli import app
from shailoo.register.models import Person
from shailoo.register.pin import mask_pin

pytestmark = pytest.mark.django_db

# What the command printed in English whatever --lang said (labels, status words, rule
# names, dates as ISO), and what it must print instead.
ENGLISH = (
    "station",
    "Station",
    "Polling",
    "Eligible",
    "eligible",
    "Remote",
    "not met",
    "met —",
    "Basis",
    "Age",
    "Biometric",
    "unconfirmed",
    "register",
    "2027-03-14",
)
EXPECTED = {
    "ru": (
        "Не имеет права голоса.",
        "Избирательный участок №7101, ",
        "Удалённое голосование; участок по месту регистрации — №7100.",
        "✗ Биометрическая регистрация: не выполнено",
        "✓ Возраст: выполнено",
        "Основание: ",
        "(ссылка не подтверждена)",
        "14.03.2027",
    ),
    "ky": (
        "Добуш берүү укугу жок.",
        "№7101 шайлоо участогу, ",
        "Аралыктан добуш берүү; катталган дареги боюнча участок — №7100.",
        "✗ Биометрикалык каттоо: аткарылган жок",
        "✓ Жаш курагы: аткарылды",
        "Негиз: ",
        "(шилтеме тастыкталган эмес)",
        "14.03.2027",
    ),
}


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready


@pytest.fixture
def person() -> Person:
    f.election(polling_day=datetime.date(2027, 3, 14), name="Шайлоо 2027")
    home = f.station(7100, address="Ош ш., Ленин көч., 1")
    remote = f.station(7101, address="Бишкек ш., Чүй пр., 5", is_remote_voting=True)
    return f.person(home, remote_station=remote, biometric_registered=False, eligible=False)


def check(pin: str, lang: str):
    return CliRunner().invoke(app, ["register", "check", pin, "--lang", lang])


@pytest.mark.parametrize("lang", ["ru", "ky"])
def test_the_whole_answer_follows_lang(person: Person, lang: str) -> None:
    result = check(person.pin, lang)
    assert result.exit_code == 0, result.output
    for text in EXPECTED[lang]:
        assert text in result.output, (text, result.output)
    left = [word for word in ENGLISH if word in result.output]
    assert not left, f"English left in the {lang} answer: {left}\n{result.output}"
    # Nothing in Latin letters but the citizenship code the registry stores (KG).
    assert set(re.findall(r"[A-Za-z]+", result.output)) <= {"KG"}, result.output


def test_english_stays_available(person: Person) -> None:
    result = check(person.pin, "en")
    assert result.exit_code == 0, result.output
    assert "Not eligible to vote." in result.output
    assert "Polling station №7101, " in result.output
    assert "✗ Biometric registration: not met" in result.output


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("ru", "В реестре избирателей нет лица с ПИН"),
        ("ky", "Шайлоочулардын реестринде ПИНи"),
    ],
)
def test_unknown_pin_is_said_in_lang(db, lang: str, expected: str) -> None:
    result = check("21705199099999", lang)
    assert result.exit_code == 1
    assert expected in result.output and mask_pin("21705199099999") in result.output
    assert "register" not in result.output


def test_unknown_lang_is_refused(person: Person) -> None:
    result = check(person.pin, "de")
    assert result.exit_code == 2 and "--lang" in result.output


def test_pin_can_come_on_standard_input(person: Person) -> None:
    """The PIN need not be an argument (shell history, the process list): '-' or nothing
    reads it from standard input."""
    for args in (["register", "check", "--lang", "en"], ["register", "check", "-", "--lang", "en"]):
        result = CliRunner().invoke(app, args, input=f"{person.pin}\n")
        assert result.exit_code == 0, result.output
        assert "Not eligible to vote." in result.output
        assert person.pin not in result.output


def test_no_pin_on_standard_input_is_refused(db) -> None:
    result = CliRunner().invoke(app, ["register", "check", "--lang", "en"], input="")
    assert result.exit_code == 2
    assert "no PIN given" in result.output
