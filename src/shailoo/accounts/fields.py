"""Model fields whose values are sealed at rest (``accounts.crypto`` envelope encryption).

Python code sees plaintext; the database only ever holds sealed bytes. Each field
authenticates its own name (``app_label.model.field``) as the context, so a sealed value
copied into another field or model does not open. Sealed values are randomised, so equality
lookups are impossible by design: only ``isnull`` is offered.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.db import models
from django.db.models import Lookup

from shailoo.accounts.crypto import MAGIC, CryptoError
from shailoo.accounts.keys import keyring


class Sealed(bytes):
    """Bytes that are already sealed: stored as they are (key rotation writes these)."""


class _EncryptedMixin:
    """Seal on the way to the database, open on the way back."""

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        self._explicit_context = context
        self.context = context or ""
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: type[models.Model], name: str, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, **kwargs)  # type: ignore[misc]
        if not self._explicit_context:
            self.context = f"{cls._meta.label_lower}.{name}"

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()  # type: ignore[misc]
        if self._explicit_context:
            kwargs["context"] = self._explicit_context
        if kwargs.get("editable") is False:
            del kwargs["editable"]
        return name, path, args, kwargs

    def _to_bytes(self, value: Any) -> bytes:
        raise NotImplementedError

    def _from_bytes(self, value: bytes) -> Any:
        raise NotImplementedError

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            sealed = bytes(value)
        else:
            sealed = keyring().seal(self._to_bytes(value), self.context)
        return connection.Database.Binary(sealed)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self._from_bytes(keyring().open(bytes(value), self.context))

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)  # type: ignore[misc]

    def value_to_string(self, obj: models.Model) -> str:
        """Serialised (dumpdata) values stay sealed: base64 of the sealed bytes."""
        value = self.value_from_object(obj)  # type: ignore[attr-defined]
        if value is None:
            return ""
        sealed = keyring().seal(self._to_bytes(value), self.context)
        return base64.b64encode(sealed).decode("ascii")

    def _from_serialised(self, text: str) -> Any:
        """Open a value written by :meth:`value_to_string`; anything else is plaintext."""
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            return None
        if not raw.startswith(MAGIC):
            return None
        try:
            return self._from_bytes(keyring().open(raw, self.context))
        except CryptoError:
            return None


class EncryptedBinaryField(_EncryptedMixin, models.BinaryField):
    """Bytes (a biometric template, a document scan) sealed at rest."""

    def _to_bytes(self, value: Any) -> bytes:
        if isinstance(value, memoryview | bytearray | bytes):
            return bytes(value)
        raise TypeError(f"{self.context} holds bytes, not {type(value).__name__}")

    def _from_bytes(self, value: bytes) -> bytes:
        return value

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            opened = self._from_serialised(value)
            return opened if opened is not None else base64.b64decode(value.encode("ascii"))
        return value


class EncryptedTextField(_EncryptedMixin, models.BinaryField):
    """Text sealed at rest (stored as sealed UTF-8 bytes)."""

    def get_internal_type(self) -> str:
        return "BinaryField"

    def _to_bytes(self, value: Any) -> bytes:
        if isinstance(value, str):
            return value.encode("utf-8")
        raise TypeError(f"{self.context} holds text, not {type(value).__name__}")

    def _from_bytes(self, value: bytes) -> str:
        return value.decode("utf-8")

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            opened = self._from_serialised(value)
            return opened if opened is not None else value
        if isinstance(value, bytes | memoryview):
            return bytes(value).decode("utf-8")
        return value
