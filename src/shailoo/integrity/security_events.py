"""Security events: what a refused or suspicious signed request leaves behind.

Written outside any surrounding transaction's fate where it matters (a refusal rolls back the
request's work, never its trace), never with a body, template or PIN in it.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from shailoo.integrity.models import RegisteredKey, SecurityEvent


def record(
    kind: str,
    *,
    key_id: str = "",
    station_number: int | None = None,
    path: str = "",
    detail: str = "",
    remote: str = "",
) -> SecurityEvent:
    """One security event; ``key_id`` of a registered key also fills in its station."""
    safe_kid = key_id if key_id.isascii() and key_id.isalnum() else ""
    if station_number is None and safe_kid:
        station_number = (
            RegisteredKey.objects.filter(key_id=safe_kid[:64])
            .values_list("station_number", flat=True)
            .first()
        )
    with transaction.atomic():
        return SecurityEvent.objects.create(
            at=timezone.now(),
            kind=kind[:40],
            key_id=safe_kid[:64],
            station_number=station_number,
            path=path[:200],
            detail=detail[:300],
            remote=remote[:64],
        )
