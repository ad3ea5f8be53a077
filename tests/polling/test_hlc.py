"""Hybrid logical clocks: values never go back, follow causality, agree with the paper's
algorithm, stay as close to real time as the clocks allow, and pack into one ordered integer."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.polling.hlc import (
    MAX_COUNTER,
    MAX_WALL_MS,
    Clock,
    ClockSkewError,
    from_datetime,
    pack,
    skew_ms,
    to_datetime,
    unpack,
)

walls = st.integers(0, MAX_WALL_MS)
counters = st.integers(0, MAX_COUNTER)
#: Wall times around 2025 (ms), so that clocks can go back and forth by minutes.
NOW = 1_764_468_000_000  # 2025-11-30T02:00:00Z
physical_readings = st.lists(st.integers(NOW - 600_000, NOW + 600_000), min_size=1, max_size=60)


class FakeClock:
    """A physical clock that returns the readings it is given, then stays on the last one."""

    def __init__(self, readings: list[int]) -> None:
        self.readings: Iterator[int] = iter(readings)
        self.current = readings[0]

    def __call__(self) -> int:
        self.current = next(self.readings, self.current)
        return self.current


# -- packing -------------------------------------------------------------------------------


@given(walls, counters)
def test_pack_and_unpack_are_inverse(wall: int, counter: int) -> None:
    value = pack(wall, counter)
    assert unpack(value) == (wall, counter)
    assert 0 <= value < 2**63  # a signed 64-bit column holds it


@given(walls, counters, walls, counters)
def test_packed_integers_order_as_the_pairs(w1: int, c1: int, w2: int, c2: int) -> None:
    assert (pack(w1, c1) < pack(w2, c2)) == ((w1, c1) < (w2, c2))
    assert (pack(w1, c1) == pack(w2, c2)) == ((w1, c1) == (w2, c2))


@pytest.mark.parametrize(
    ("wall", "counter"),
    [(-1, 0), (0, -1), (0, MAX_COUNTER + 1), (MAX_WALL_MS + 1, 0), (2**47, 0)],
)
def test_pack_refuses_what_does_not_fit(wall: int, counter: int) -> None:
    with pytest.raises(ValueError):
        pack(wall, counter)


@pytest.mark.parametrize("value", [-1, 2**63, 2**64])
def test_unpack_refuses_what_no_clock_gives(value: int) -> None:
    with pytest.raises(ValueError):
        unpack(value)


def test_yes_no_values_are_not_clock_values() -> None:
    with pytest.raises(TypeError):
        unpack(True)
    with pytest.raises(TypeError):
        pack(True, 0)


# -- tick and observe ------------------------------------------------------------------------


@given(physical_readings)
def test_tick_strictly_increases_even_when_the_clock_goes_back(readings: list[int]) -> None:
    clock = Clock(FakeClock(readings))
    values = [clock.tick() for _ in readings]
    assert all(a < b for a, b in itertools.pairwise(values))
    assert clock.last == values[-1]


@given(physical_readings, st.lists(st.tuples(walls, counters), min_size=1, max_size=60))
def test_observe_is_above_the_remote_and_every_earlier_value(
    readings: list[int], remotes: list[tuple[int, int]]
) -> None:
    clock = Clock(FakeClock(readings))
    previous = clock.tick()
    for wall, counter in remotes:
        remote = pack(min(wall, MAX_WALL_MS - 1), counter)
        value = clock.observe(remote)
        assert value > remote and value > previous
        previous = value


def _paper(
    state: tuple[int, int], physical: int, remote: tuple[int, int] | None
) -> tuple[int, int]:
    """The algorithm as Kulkarni et al. write it (unbounded counter)."""
    wall, counter = state
    if remote is None:
        new_wall = max(wall, physical)
        return new_wall, counter + 1 if new_wall == wall else 0
    remote_wall, remote_counter = remote
    new_wall = max(wall, remote_wall, physical)
    if new_wall == wall == remote_wall:
        return new_wall, max(counter, remote_counter) + 1
    if new_wall == wall:
        return new_wall, counter + 1
    if new_wall == remote_wall:
        return new_wall, remote_counter + 1
    return new_wall, 0


events = st.lists(
    st.tuples(
        st.integers(NOW - 5_000, NOW + 5_000),
        st.none() | st.tuples(st.integers(NOW - 5_000, NOW + 5_000), st.integers(0, 1000)),
    ),
    min_size=1,
    max_size=80,
)


@given(events)
def test_it_is_the_papers_algorithm_while_the_counter_fits(
    steps: list[tuple[int, tuple[int, int] | None]],
) -> None:
    readings = [physical for physical, _ in steps]
    clock = Clock(FakeClock(readings))
    state = (0, 0)
    for physical, remote in steps:
        state = _paper(state, physical, remote)
        value = clock.tick() if remote is None else clock.observe(pack(*remote))
        assert unpack(value) == state


@given(events)
def test_the_wall_part_is_the_largest_time_seen_never_more(
    steps: list[tuple[int, tuple[int, int] | None]],
) -> None:
    """Bounded divergence: a stamp is never ahead of every clock that contributed to it."""
    clock = Clock(FakeClock([physical for physical, _ in steps]))
    seen = 0
    for physical, remote in steps:
        value = clock.tick() if remote is None else clock.observe(pack(*remote))
        seen = max(seen, physical, remote[0] if remote else 0)
        assert unpack(value)[0] == seen


def test_a_stuck_clock_carries_the_counter_into_the_wall_part() -> None:
    clock = Clock(lambda: NOW)
    values = [clock.tick() for _ in range(MAX_COUNTER + 3)]
    assert unpack(values[0]) == (NOW, 0)
    assert unpack(values[MAX_COUNTER]) == (NOW, MAX_COUNTER)
    assert unpack(values[MAX_COUNTER + 1]) == (NOW + 1, 0)
    assert all(a < b for a, b in itertools.pairwise(values))
    # A message stamped in the stuck millisecond is received after the carried values.
    assert clock.observe(pack(NOW, 5)) == pack(NOW + 1, 2)


def test_two_devices_order_a_message_after_its_sending() -> None:
    """Device B's clock is a minute behind; what it does after hearing from A still comes
    after what A did, and B's own clock keeps its stamps close to A's."""
    a = Clock(lambda: NOW)
    b = Clock(lambda: NOW - 60_000)
    sent = a.tick()
    before = b.tick()
    received = b.observe(sent)
    after = b.tick()
    assert before < sent < received < after
    assert unpack(after)[0] == NOW


def test_a_remote_clock_too_far_ahead_is_refused_and_changes_nothing() -> None:
    clock = Clock(lambda: NOW)
    last = clock.tick()
    an_hour_ahead = pack(NOW + 3_600_000, 0)
    with pytest.raises(ClockSkewError) as caught:
        clock.observe(an_hour_ahead, max_ahead_ms=120_000)
    assert caught.value.ahead_ms == 3_600_000 and caught.value.max_ahead_ms == 120_000
    assert clock.last == last
    assert unpack(clock.observe(pack(NOW + 120_000, 0), max_ahead_ms=120_000))[0] == NOW + 120_000


def test_a_clock_resumes_after_a_restart_above_its_last_value() -> None:
    first = Clock(lambda: NOW)
    issued = [first.tick() for _ in range(5)]
    restarted = Clock(lambda: NOW - 10_000, last=first.last)  # rebooted with a slow clock
    assert restarted.tick() > issued[-1]
    with pytest.raises(ValueError):
        Clock(last=-1)


def test_threads_never_get_the_same_value() -> None:
    clock = Clock(lambda: NOW)
    results: list[list[int]] = [[] for _ in range(4)]

    def work(out: list[int]) -> None:
        out.extend(clock.tick() for _ in range(2_000))

    threads = [threading.Thread(target=work, args=(out,)) for out in results]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = [v for out in results for v in out]
    assert len(set(values)) == len(values) == 8_000
    assert all(a < b for out in results for a, b in itertools.pairwise(out))


def test_the_system_clock_gives_values_near_now() -> None:
    value = Clock().tick()
    assert abs(to_datetime(value) - datetime.now(UTC)) < timedelta(seconds=5)


# -- moments and skew ----------------------------------------------------------------------


@given(st.datetimes(datetime(1970, 1, 1), datetime(6000, 1, 1), timezones=st.just(UTC)))
def test_moments_round_trip_to_the_millisecond(moment: datetime) -> None:
    value = from_datetime(moment)
    assert unpack(value)[1] == 0
    back = to_datetime(value)
    assert back.tzinfo is UTC
    assert timedelta(0) <= moment - back < timedelta(milliseconds=1)


def test_a_moment_in_another_zone_is_the_same_instant() -> None:
    bishkek_eight = datetime(2025, 11, 30, 8, tzinfo=timezone(timedelta(hours=6)))
    assert from_datetime(bishkek_eight) == pack(NOW, 0)
    assert to_datetime(pack(NOW, 77)) == datetime(2025, 11, 30, 2, tzinfo=UTC)


def test_a_moment_without_a_zone_or_before_1970_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        from_datetime(datetime(2025, 11, 30, 8))
    with pytest.raises(ValueError):
        from_datetime(datetime(1969, 12, 31, 23, 59, tzinfo=UTC))


def test_skew_is_the_wall_part_minus_the_server_time() -> None:
    an_hour_ahead = Clock(lambda: NOW + 3_600_000).tick()
    assert skew_ms(an_hour_ahead, NOW) == 3_600_000
    assert skew_ms(pack(NOW - 1_500, 9), NOW) == -1_500
    assert skew_ms(pack(NOW, MAX_COUNTER), NOW) == 0
