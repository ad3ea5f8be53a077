"""Master-key rotation: move every sealed value to the current key, batch by batch, online.

The site keeps running throughout: the key ring opens values sealed with the previous keys,
so readers never notice which values are already moved. Each batch is one short transaction
and each row is updated only if it still holds the sealed bytes that were read (compare and
swap), so a value rewritten by the application meanwhile is left alone and picked up by the
next pass. When a pass finds nothing left under an old key, the old key can be removed
from the configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connection, models, transaction

from shailoo.accounts.crypto import CryptoError, KeyRing
from shailoo.accounts.fields import _EncryptedMixin
from shailoo.accounts.keys import keyring

DEFAULT_BATCH = 500
MAX_PASSES = 5


@dataclass
class RotationReport:
    """What a rotation did, per field (``app_label.model.field``)."""

    key_id: str
    resealed: dict[str, int] = field(default_factory=dict)
    current: dict[str, int] = field(default_factory=dict)
    raced: int = 0
    passes: int = 0

    @property
    def total_resealed(self) -> int:
        return sum(self.resealed.values())

    def line(self) -> str:
        fields = ", ".join(
            f"{name} resealed {self.resealed.get(name, 0)} already current "
            f"{self.current.get(name, 0)}"
            for name in sorted(set(self.resealed) | set(self.current))
        )
        return f"master key {self.key_id}: {fields or 'no encrypted fields'} ({self.passes} passes)"


def encrypted_fields() -> Iterator[tuple[type[models.Model], models.Field[object, object]]]:
    """Every sealed field of every installed concrete model."""
    for model in apps.get_models():
        if model._meta.abstract or model._meta.proxy:
            continue
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, _EncryptedMixin):
                yield model, model_field


def _batch(
    model: type[models.Model], column: str, after: object, size: int
) -> list[tuple[object, bytes]]:
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    where = "" if after is None else f"WHERE {pk} > %s "
    sql = f"SELECT {pk}, {quote(column)} FROM {table} {where}ORDER BY {pk} LIMIT %s"
    params = [size] if after is None else [after, size]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(row[0], bytes(row[1])) for row in cursor.fetchall() if row[1] is not None]


def _swap(model: type[models.Model], column: str, pk: object, old: bytes, new: bytes) -> bool:
    quote = connection.ops.quote_name
    table, pk_column, col = (
        quote(model._meta.db_table),
        quote(model._meta.pk.column),
        quote(column),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {col} = %s WHERE {pk_column} = %s AND {col} = %s",
            [new, pk, old],
        )
        return bool(cursor.rowcount == 1)


def rotate(
    batch_size: int = DEFAULT_BATCH,
    ring: KeyRing | None = None,
    on_batch: Callable[[str, int], None] | None = None,
) -> RotationReport:
    """Reseal every value not under the current master key; repeat passes until none is left."""
    ring = ring or keyring()
    report = RotationReport(ring.current.id.hex())
    for report.passes in range(1, MAX_PASSES + 1):
        raced = 0
        for model, model_field in encrypted_fields():
            name = f"{model._meta.label_lower}.{model_field.name}"
            context = model_field.context
            after: object = None
            while rows := _batch(model, model_field.column, after, batch_size):
                after = rows[-1][0]
                with transaction.atomic():
                    for pk, sealed in rows:
                        if ring.is_current(sealed):
                            if report.passes == 1:
                                report.current[name] = report.current.get(name, 0) + 1
                            continue
                        try:
                            new = ring.reseal(sealed, context)
                        except CryptoError as exc:
                            raise CryptoError(f"{name} pk={pk}: {exc}") from exc
                        if _swap(model, model_field.column, pk, sealed, new):
                            report.resealed[name] = report.resealed.get(name, 0) + 1
                        else:
                            raced += 1
                if on_batch is not None:
                    on_batch(name, len(rows))
        report.raced += raced
        if raced == 0:
            break
    return report
