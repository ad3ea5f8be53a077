"""What the application seals at rest is exactly what the threat model says, field by field.

The threat model used to say "personal data at rest: AES-256-GCM envelope encryption", while
only authenticator secrets and biometric templates were sealed; names, addresses and PINs
are plain, indexed columns (the register's import and name search need them), protected by
the encrypted volume the database lives on. These tests pin the true statement: the sealed
fields are the ones listed, they hold ciphertext in the raw row, and the register columns
the threat model lists as clear are clear.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

import factories as f
from shailoo.accounts.crypto import MAGIC
from shailoo.accounts.rotation import encrypted_fields
from shailoo.accounts.testing import device_for, make_user
from shailoo.register.models import Person

THREAT_MODEL = Path(__file__).resolve().parents[2] / "docs" / "threat-model.md"
#: The fields the application seals (``accounts.fields``), as the threat model names them.
SEALED = {
    "accounts.totpdevice.secret",
    "biometrics.biometrictemplate.data",
    "portal.subscription.address",
}
#: Person columns the threat model lists as stored in clear (on the encrypted volume).
CLEAR_PERSON = (
    "pin",
    "surname",
    "given_name",
    "patronymic",
    "name_key",
    "name_latin",
    "birth_date",
    "address",
    "dwelling_id",
)


def _section() -> str:
    text = THREAT_MODEL.read_text(encoding="utf-8")
    match = re.search(r"^## Personal data at rest\n(.*?)(?=^## )", text, re.M | re.S)
    assert match, "docs/threat-model.md has a 'Personal data at rest' section"
    return match.group(1)


def test_the_sealed_fields_are_exactly_those_documented() -> None:
    found = {f"{model._meta.label_lower}.{field.name}" for model, field in encrypted_fields()}
    assert found == SEALED, "a sealed field was added or removed: update docs/threat-model.md"
    section = _section()
    for name in SEALED:
        assert f"`{name}`" in section, name


def test_the_clear_register_columns_are_documented() -> None:
    section = _section()
    for column in CLEAR_PERSON:
        assert f"`{column}`" in section, column
    assert "not encrypted by the application" in section


@pytest.mark.django_db
def test_sealed_fields_hold_ciphertext_and_register_columns_hold_text() -> None:
    device = device_for(make_user("clerk"))
    person = f.person(f.station(101), address="Ош ш., Ленин көч., 5")
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('secret')} FROM accounts_totpdevice WHERE id = %s", [device.pk]
        )
        (secret,) = cursor.fetchone()
        columns = ", ".join(quote(column) for column in CLEAR_PERSON)
        cursor.execute(f"SELECT {columns} FROM register_person WHERE id = %s", [person.pk])
        row = cursor.fetchone()
    secret = bytes(secret)
    assert secret.startswith(MAGIC) and device.secret not in secret
    stored = dict(zip(CLEAR_PERSON, row, strict=True))
    assert stored["pin"] == person.pin and stored["address"] == "Ош ш., Ленин көч., 5"
    assert stored["surname"] == person.surname
    assert Person.objects.filter(pin=person.pin).exists()  # searchable: a plain index


@pytest.mark.django_db
def test_biometric_templates_are_stored_sealed() -> None:
    from shailoo.biometrics.models import BiometricEnrolment, BiometricTemplate

    person = f.person(f.station(102))
    enrolment = BiometricEnrolment.objects.create(
        person=person, captured_at=timezone.now(), captured_by="test"
    )
    template = BiometricTemplate.objects.create(
        enrolment=enrolment, kind="embedding", sha256="0" * 64, data=b"face-embedding-bytes"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM biometrics_biometrictemplate WHERE id = %s", [template.pk])
        (raw,) = cursor.fetchone()
    assert bytes(raw).startswith(MAGIC) and b"face-embedding-bytes" not in bytes(raw)
