"""Hybrid logical clocks (Kulkarni et al., "Logical Physical Clocks", OPODIS 2014).

A station device stamps every event (a check-in, a sync) with a hybrid logical clock value: the
largest wall-clock time in milliseconds it has seen, its own or a peer's, plus a counter that
orders events within one millisecond. Such stamps never go backwards even when the device's
clock does, respect causality (whatever a device learns from the server is stamped before what
it does next), and stay within the clocks' skew of real time, so "which of two offline
check-ins of one voter came first" has one answer that both devices and the server agree on.

A value is packed in one integer, ``(wall_ms << 16) | counter``, so that it fits a signed
64-bit database column and integers order exactly as the pairs (wall, counter) do. With that
packing the merge rules of the paper become one line each: a tick is
``max(pack(physical, 0), last + 1)``, a receive ``max(pack(physical, 0), max(last, remote) + 1)``;
a counter that would pass 0xFFFF carries into the wall part (the clock runs 1 ms ahead of the
largest wall time seen, counter 0), which keeps every value strictly above the one before.

Pure: no Django.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = [
    "COUNTER_BITS",
    "MAX_COUNTER",
    "MAX_WALL_MS",
    "Clock",
    "ClockSkewError",
    "from_datetime",
    "pack",
    "skew_ms",
    "system_ms",
    "to_datetime",
    "unpack",
]

COUNTER_BITS = 16
MAX_COUNTER = (1 << COUNTER_BITS) - 1
#: Wall times are below 2**47 ms (the year 6429), so a packed value stays below 2**63.
MAX_WALL_MS = (1 << 47) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


def pack(wall_ms: int, counter: int) -> int:
    """One integer for (``wall_ms``, ``counter``); ValueError outside the representable range."""
    if isinstance(wall_ms, bool) or isinstance(counter, bool):
        raise TypeError("a clock value is made of integers, not yes/no values")
    if not 0 <= wall_ms <= MAX_WALL_MS:
        raise ValueError(f"wall time {wall_ms} ms is outside 0..{MAX_WALL_MS}")
    if not 0 <= counter <= MAX_COUNTER:
        raise ValueError(f"counter {counter} is outside 0..{MAX_COUNTER}")
    return (wall_ms << COUNTER_BITS) | counter


def unpack(value: int) -> tuple[int, int]:
    """(``wall_ms``, ``counter``) of a packed value; ValueError for one no clock can give."""
    if isinstance(value, bool):
        raise TypeError("a clock value is an integer, not a yes/no value")
    if not 0 <= value <= (MAX_WALL_MS << COUNTER_BITS) | MAX_COUNTER:
        raise ValueError(f"{value} is not a hybrid logical clock value")
    return value >> COUNTER_BITS, value & MAX_COUNTER


def system_ms() -> int:
    """This machine's clock: milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


class ClockSkewError(ValueError):
    """A remote value whose wall time is further ahead of this clock than allowed.

    Accepting it would drag this clock (and every stamp after it) that far into the future.
    """

    def __init__(self, remote: int, ahead_ms: int, max_ahead_ms: int) -> None:
        self.remote = remote
        self.ahead_ms = ahead_ms
        self.max_ahead_ms = max_ahead_ms
        super().__init__(
            f"the remote clock is {ahead_ms} ms ahead of this one (at most {max_ahead_ms} allowed)"
        )


class Clock:
    """A hybrid logical clock: :meth:`tick` for a local or send event, :meth:`observe` for a
    receive event. Safe to share between threads.

    ``now_ms`` reads the physical clock (tests pass a fake one); ``last`` resumes from the
    last value issued before a restart, so values keep increasing across restarts.
    """

    def __init__(self, now_ms: Callable[[], int] = system_ms, last: int = 0) -> None:
        unpack(last)
        self._now_ms = now_ms
        self._last = last
        self._lock = threading.Lock()

    @property
    def last(self) -> int:
        """The last value issued (or resumed from)."""
        return self._last

    def _physical(self) -> int:
        """The physical clock as a packed value with counter 0."""
        return pack(self._now_ms(), 0)

    def tick(self) -> int:
        """A value for a local or send event: above every value issued before.

        The wall part is the physical time, or the last wall part if the physical clock is
        behind it (it went back, or a peer's clock is ahead); the counter then counts events
        within that millisecond.
        """
        with self._lock:
            value = max(self._physical(), self._last + 1)
            unpack(value)  # a counter past 0xFFFF at the last representable millisecond
            self._last = value
            return value

    def observe(self, remote: int, *, max_ahead_ms: int | None = None) -> int:
        """A value for receiving a message stamped ``remote``: above it and above every value
        issued before (the receive rule of the paper).

        ``max_ahead_ms`` refuses (:class:`ClockSkewError`, nothing changed) a remote value whose
        wall part is more than that many milliseconds ahead of the physical clock.
        """
        remote_wall, _ = unpack(remote)
        with self._lock:
            physical = self._physical()
            if max_ahead_ms is not None:
                ahead = remote_wall - (physical >> COUNTER_BITS)
                if ahead > max_ahead_ms:
                    raise ClockSkewError(remote, ahead, max_ahead_ms)
            value = max(physical, max(self._last, remote) + 1)
            unpack(value)
            self._last = value
            return value


def to_datetime(value: int) -> datetime:
    """The wall part of ``value`` as a moment in UTC (the counter is not a time)."""
    wall, _ = unpack(value)
    return _EPOCH + wall * _MS


def from_datetime(moment: datetime) -> int:
    """The first value at ``moment`` (counter 0), to the millisecond below.

    A moment without a zone is refused: it names no instant.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a moment without a time zone names no instant")
    return pack((moment - _EPOCH) // _MS, 0)


def skew_ms(value: int, server_now_ms: int) -> int:
    """How far the wall part of ``value`` is ahead of the server's clock (negative: behind)."""
    wall, _ = unpack(value)
    return wall - server_now_ms
