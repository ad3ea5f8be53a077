"""The time the incidents domain reads: the real clock, or one a test sets and moves.

Deadlines, reminders and escalations are decided against :func:`now`; tests (and a replay of a
day) move it with :func:`frozen_at` instead of sleeping or patching Django.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.utils import timezone

_fixed: list[datetime] = []


def now() -> datetime:
    """The current time (aware), or the time a test fixed."""
    return _fixed[-1] if _fixed else timezone.now()


@contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Within the block, :func:`now` is ``moment`` (an aware datetime)."""
    if timezone.is_naive(moment):
        raise ValueError("the clock takes an aware datetime")
    _fixed.append(moment)
    try:
        yield
    finally:
        _fixed.pop()
