"""The incidents deadline engine: the law's clocks for complaints, appeals and alerts.

The boundaries are the ones a coordination group meets: the eve of polling day late in the
evening, the first minute of polling day, and a moment that is still the eve in UTC but
already polling day in Bishkek (UTC+6). The properties hold for any received moment, any zone
it is written in, and any law values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import strategies as sx
from shailoo.incidents.deadlines import (
    BISHKEK,
    KINDS,
    STATES,
    Deadline,
    appeal_window_closes,
    deadline,
    end_of_day,
    state,
)
from shailoo.law.loader import load_edition
from shailoo.law.schema import Incidents

LAW = load_edition("kg-2025").incidents
#: The Jogorku Kenesh elections of 30 November 2025.
POLLING_DAY = date(2025, 11, 30)
EVE_ENDS = datetime(2025, 11, 29, 23, 59, 59, 999_999, tzinfo=BISHKEK)


def bishkek(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=BISHKEK)


def utc(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=UTC)


def law_with(rules: Incidents = LAW, **values: Any) -> Incidents:
    """The edition's section with some values changed (a law that differs)."""
    changed = {
        key: getattr(rules, key).model_copy(update={"value": v}) for key, v in values.items()
    }
    return rules.model_copy(update=changed)


def test_the_kg_2025_values_the_examples_rely_on() -> None:
    assert LAW.campaign_answer_days.value == 5
    assert LAW.answer_before_polling_day.value is True
    assert LAW.polling_day_answer_hours.value == 2
    assert LAW.result_appeal_days.value == 3
    assert LAW.result_appeal_decision_days.value == 3


def test_the_engine_zone_is_the_zone_of_the_settings() -> None:
    from django.conf import settings

    assert BISHKEK.key == settings.TIME_ZONE
    assert bishkek(2025, 1, 15, 12).utcoffset() == timedelta(hours=6)
    assert bishkek(2025, 7, 15, 12).utcoffset() == timedelta(hours=6)


# --- complaints during the campaign -----------------------------------------------------------


def test_a_campaign_complaint_is_answered_five_days_later_at_the_same_time() -> None:
    got = deadline("complaint", bishkek(2025, 11, 10, 14, 30), POLLING_DAY, LAW)
    assert got.due == bishkek(2025, 11, 15, 14, 30)
    assert got.rule == "campaign_days"
    assert got.cite == (LAW.campaign_answer_days,)
    assert "Art. 43" in got.cite[0].citation


def test_the_eve_at_23_00_is_capped_at_the_end_of_that_evening() -> None:
    got = deadline("complaint", bishkek(2025, 11, 29, 23, 0), POLLING_DAY, LAW)
    assert got.due == EVE_ENDS
    assert got.due.astimezone(BISHKEK).time() == time(23, 59, 59, 999_999)
    assert got.rule == "before_polling_day"
    assert got.cite == (LAW.campaign_answer_days, LAW.answer_before_polling_day)


def test_the_cap_binds_from_the_first_moment_five_days_would_reach_polling_day() -> None:
    last_uncapped = deadline(
        "complaint", bishkek(2025, 11, 24, 23, 59, 59, 999_999), POLLING_DAY, LAW
    )
    assert last_uncapped.due == EVE_ENDS
    assert last_uncapped.rule == "campaign_days"
    first_capped = deadline("complaint", bishkek(2025, 11, 25, 0, 0), POLLING_DAY, LAW)
    assert first_capped.due == EVE_ENDS
    assert first_capped.rule == "before_polling_day"
    early = deadline("complaint", bishkek(2025, 11, 24, 10, 0), POLLING_DAY, LAW)
    assert (early.due, early.rule) == (bishkek(2025, 11, 29, 10, 0), "campaign_days")


def test_days_landing_in_the_hour_a_spring_clock_change_skipped_move_past_it() -> None:
    # Bishkek, 28 March 2004: 02:30 (UTC+5) became 03:30 (UTC+6), so 03:00 never happened.
    received = bishkek(2004, 3, 23, 3, 0)
    got = deadline("complaint", received, date(2004, 4, 10), LAW)
    assert got.rule == "campaign_days"
    assert got.due.replace(tzinfo=None) == datetime(2004, 3, 28, 4, 0)
    assert got.due.utcoffset() == timedelta(hours=6)
    assert got.due.astimezone(UTC) - received.astimezone(UTC) == timedelta(days=5)


def test_without_the_polling_day_rule_five_days_run_past_polling_day() -> None:
    law = law_with(answer_before_polling_day=False)
    got = deadline("complaint", bishkek(2025, 11, 29, 23, 0), POLLING_DAY, law)
    assert got.due == bishkek(2025, 12, 4, 23, 0)
    assert got.rule == "campaign_days"
    assert got.cite == (law.campaign_answer_days,)


def test_a_complaint_in_the_last_microsecond_of_the_eve_is_due_at_once() -> None:
    received = EVE_ENDS
    got = deadline("complaint", received, POLLING_DAY, LAW)
    assert got.due == received
    assert got.rule == "before_polling_day"
    assert state(got, received, received_at=received) == "due_soon"
    assert state(got, received + timedelta(microseconds=1), received_at=received) == "overdue"


# --- polling day --------------------------------------------------------------------------------


def test_on_polling_day_at_midnight_a_complaint_gets_two_hours() -> None:
    got = deadline("complaint", bishkek(2025, 11, 30, 0, 0), POLLING_DAY, LAW)
    assert got.due == bishkek(2025, 11, 30, 2, 0)
    assert got.rule == "polling_day_hours"
    assert got.cite == (LAW.polling_day_answer_hours,)


def test_the_eve_in_utc_but_polling_day_in_bishkek_follows_the_polling_day_rule() -> None:
    received = utc(2025, 11, 29, 20, 0)  # 02:00 on 30 November in Bishkek
    got = deadline("complaint", received, POLLING_DAY, LAW)
    assert got.rule == "polling_day_hours"
    assert got.due == utc(2025, 11, 29, 22, 0)
    assert got.due.utcoffset() == timedelta(hours=6)  # expressed in Kyrgyz time
    assert got.due.replace(tzinfo=None) == datetime(2025, 11, 30, 4, 0)


def test_the_last_utc_moment_of_the_bishkek_eve_is_still_the_campaign() -> None:
    just_before = deadline("complaint", utc(2025, 11, 29, 17, 59, 59), POLLING_DAY, LAW)
    assert just_before.rule == "before_polling_day"
    assert just_before.due == EVE_ENDS
    midnight = deadline("complaint", utc(2025, 11, 29, 18, 0), POLLING_DAY, LAW)
    assert (midnight.rule, midnight.due) == ("polling_day_hours", bishkek(2025, 11, 30, 2, 0))


def test_two_hours_are_two_hours_the_night_the_clocks_went_back() -> None:
    # Bishkek kept summer time until 2005; on 31 October 2004 at 02:00 (UTC+6) it was 01:00.
    received = bishkek(2004, 10, 31, 0, 30)
    got = deadline("complaint", received, date(2004, 10, 31), LAW)
    assert got.due.astimezone(UTC) == utc(2004, 10, 30, 20, 30)  # an ambiguous local time
    assert got.due.utcoffset() == timedelta(hours=5)
    assert got.due.replace(tzinfo=None) == datetime(2004, 10, 31, 1, 30)


def test_the_zone_that_decides_the_day_is_a_parameter() -> None:
    received = utc(2025, 11, 29, 20, 0)
    got = deadline("complaint", received, POLLING_DAY, LAW, tz=UTC)
    assert got.rule == "before_polling_day"
    assert got.due == utc(2025, 11, 29, 23, 59, 59, 999_999)


def test_a_complaint_during_the_count_after_polling_day_keeps_the_short_clock() -> None:
    got = deadline("complaint", bishkek(2025, 12, 1, 9, 15), POLLING_DAY, LAW)
    assert (got.due, got.rule) == (bishkek(2025, 12, 1, 11, 15), "polling_day_hours")


# --- result appeals and alerts ------------------------------------------------------------------


def test_a_result_appeal_is_decided_within_three_days() -> None:
    got = deadline("result_appeal", bishkek(2025, 12, 1, 15, 0), POLLING_DAY, LAW)
    assert got.due == bishkek(2025, 12, 4, 15, 0)
    assert got.rule == "result_appeal_decision_days"
    assert got.cite == (LAW.result_appeal_decision_days,)
    assert "Art. 50" in got.cite[0].citation


def test_a_result_appeal_before_polling_day_is_refused() -> None:
    with pytest.raises(ValueError, match="before polling day"):
        deadline("result_appeal", bishkek(2025, 11, 29, 23, 59), POLLING_DAY, LAW)


def test_an_alert_is_triaged_within_the_working_hours_and_cites_no_law() -> None:
    before = deadline("alert", bishkek(2025, 11, 20, 8, 0), POLLING_DAY, LAW)
    assert before == Deadline(bishkek(2025, 11, 21, 8, 0), "alert_triage", ())
    on_the_day = deadline("alert", bishkek(2025, 11, 30, 8, 0), POLLING_DAY, LAW, alert_hours=1)
    assert on_the_day == Deadline(bishkek(2025, 11, 30, 9, 0), "alert_triage", ())
    with pytest.raises(ValueError, match="alert_hours"):
        deadline("alert", bishkek(2025, 11, 30, 8, 0), POLLING_DAY, LAW, alert_hours=0)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_a_naive_received_moment_is_refused(kind: Any) -> None:
    with pytest.raises(ValueError, match="received_at must carry a time zone"):
        deadline(kind, datetime(2025, 11, 30, 10, 0), POLLING_DAY, LAW)


def test_a_polling_day_given_as_a_moment_and_an_unknown_kind_are_refused() -> None:
    received = bishkek(2025, 11, 20, 10, 0)
    with pytest.raises(ValueError, match="polling_day must be a date"):
        deadline("complaint", received, datetime(2025, 11, 30, tzinfo=BISHKEK), LAW)
    with pytest.raises(ValueError, match="unknown kind 'petition'"):
        deadline("petition", received, POLLING_DAY, LAW)  # type: ignore[arg-type]


def test_state_refuses_naive_moments_and_a_share_outside_zero_to_one() -> None:
    received = bishkek(2025, 11, 30, 10, 0)
    due = deadline("complaint", received, POLLING_DAY, LAW)
    with pytest.raises(ValueError, match="now must carry"):
        state(due, datetime(2025, 11, 30, 11, 0), received_at=received)
    with pytest.raises(ValueError, match="received_at must carry"):
        state(due, received, received_at=datetime(2025, 11, 30, 10, 0))
    for share in (-0.1, 1.5, float("nan")):
        with pytest.raises(ValueError, match="remind_share"):
            state(due, received, received_at=received, remind_share=share)


def test_the_appeal_window_refuses_a_naive_moment() -> None:
    with pytest.raises(ValueError, match="result_published_at must carry"):
        appeal_window_closes(datetime(2025, 12, 1, 10, 0), LAW)


# --- reminders and escalation -------------------------------------------------------------------


def test_a_two_hour_clock_reminds_in_its_last_half_hour_and_escalates_after_it() -> None:
    received = bishkek(2025, 11, 30, 10, 0)
    due = deadline("complaint", received, POLLING_DAY, LAW)

    def at(hh: int, mm: int, ss: int = 0, us: int = 0) -> str:
        return state(due, bishkek(2025, 11, 30, hh, mm, ss, us), received_at=received)

    assert at(10, 0) == "on_time"
    assert at(11, 30) == "on_time"  # exactly a quarter left: not yet
    assert at(11, 30, 0, 1) == "due_soon"
    assert at(12, 0) == "due_soon"  # the due moment itself is still in time
    assert at(12, 0, 0, 1) == "overdue"


def test_the_reminder_share_sets_how_early_the_reminder_comes() -> None:
    received = bishkek(2025, 11, 10, 12, 0)
    due = deadline("complaint", received, POLLING_DAY, LAW)  # 15 November, 12:00
    one_day_left = bishkek(2025, 11, 14, 12, 0)
    assert state(due, one_day_left, received_at=received) == "due_soon"
    assert state(due, one_day_left, received_at=received, remind_share=0.1) == "on_time"
    assert state(due, received, received_at=received, remind_share=0.0) == "on_time"
    assert state(due, due.due, received_at=received, remind_share=0.0) == "on_time"


# --- the appeal window --------------------------------------------------------------------------


def test_an_appeal_window_closes_at_the_end_of_the_third_local_day() -> None:
    closes = appeal_window_closes(bishkek(2025, 11, 30, 22, 0), LAW)
    assert closes == bishkek(2025, 12, 3, 23, 59, 59, 999_999)
    # Published at 20:00 UTC on the 30th: already 1 December in Bishkek.
    later = appeal_window_closes(utc(2025, 11, 30, 20, 0), LAW)
    assert later == bishkek(2025, 12, 4, 23, 59, 59, 999_999)


# --- properties ---------------------------------------------------------------------------------

incidents_laws = st.builds(
    lambda days, cap, hours, appeal, decide: law_with(
        campaign_answer_days=days,
        answer_before_polling_day=cap,
        polling_day_answer_hours=hours,
        result_appeal_days=appeal,
        result_appeal_decision_days=decide,
    ),
    st.integers(1, 30),
    st.booleans(),
    st.integers(1, 72),
    st.integers(1, 15),
    st.integers(1, 15),
)
#: Moments since Kyrgyzstan's last clock change (2005), in any zone they may be written in.
bishkek_era = st.builds(
    lambda moment, zone: moment.astimezone(zone),
    st.datetimes(datetime(2006, 1, 1), datetime(2100, 12, 31), timezones=st.just(UTC)),
    st.sampled_from(sx.ZONES),
)
zones = st.sampled_from([*sx.ZONES, ZoneInfo("America/New_York")])


@st.composite
def cases(
    draw: st.DrawFn, moments: st.SearchStrategy[datetime] = sx.aware_datetimes
) -> tuple[Any, datetime, date, Incidents]:
    """A kind, a received moment, a polling day near it (before, on or after), the law."""
    received = draw(moments)
    kind = draw(st.sampled_from(KINDS))
    local_day = received.astimezone(BISHKEK).date()
    days_since = draw(st.integers(0, 40) if kind == "result_appeal" else st.integers(-40, 40))
    return kind, received, local_day - timedelta(days=days_since), draw(incidents_laws)


@given(cases(), zones)
def test_due_comes_after_receipt_hours_elapse_in_any_zone(case: Any, tz: Any) -> None:
    kind, received, polling_day, law = case
    assume(kind != "result_appeal" or received.astimezone(tz).date() >= polling_day)
    got = deadline(kind, received, polling_day, law, tz=tz)
    assert got.due.tzinfo is not None
    elapsed = got.due.astimezone(UTC) - received.astimezone(UTC)
    if got.rule == "polling_day_hours":
        assert elapsed == timedelta(hours=law.polling_day_answer_hours.value)
    if got.rule == "alert_triage":
        assert elapsed == timedelta(hours=24)
    # Compared as instants: Python compares two times of one zone by their wall clocks and
    # ignores ``fold``, so 02:00 after a clock goes back would not count as later.
    assert got.due.astimezone(UTC) > received.astimezone(UTC) or (
        got.rule == "before_polling_day"
        and got.due == received == end_of_day(polling_day - timedelta(days=1), tz)
    )


@given(cases(), zones)
def test_a_campaign_complaint_is_never_due_after_the_eve(case: Any, tz: Any) -> None:
    _, received, polling_day, law = case
    assume(received.astimezone(tz).date() < polling_day)
    got = deadline("complaint", received, polling_day, law, tz=tz)
    eve_ends = end_of_day(polling_day - timedelta(days=1), tz)
    assert got.rule in ("campaign_days", "before_polling_day")
    if law.answer_before_polling_day.value:
        assert got.due <= eve_ends
        assert got.due.astimezone(tz).date() < polling_day
    if got.rule == "before_polling_day":
        assert got.due == eve_ends
        assert got.cite == (law.campaign_answer_days, law.answer_before_polling_day)
    else:
        assert got.cite == (law.campaign_answer_days,)


@given(cases(bishkek_era))
def test_each_rule_counts_as_the_law_says(case: Any) -> None:
    kind, received, polling_day, law = case
    got = deadline(kind, received, polling_day, law)
    local = received.astimezone(BISHKEK)
    on_or_after = local.date() >= polling_day
    if kind == "alert":
        assert (got.rule, got.cite) == ("alert_triage", ())
        assert got.due - received == timedelta(hours=24)
    elif kind == "complaint" and on_or_after:
        assert got.rule == "polling_day_hours"
        assert got.due - received == timedelta(hours=law.polling_day_answer_hours.value)
    elif kind == "result_appeal":
        assert got.rule == "result_appeal_decision_days"
        days = law.result_appeal_decision_days.value
        assert got.due.astimezone(BISHKEK).date() - local.date() == timedelta(days=days)
        assert got.due.astimezone(BISHKEK).time() == local.time()
    elif got.rule == "campaign_days":
        days = law.campaign_answer_days.value
        assert got.due.astimezone(BISHKEK).date() - local.date() == timedelta(days=days)
        assert got.due.astimezone(BISHKEK).time() == local.time()
    else:
        assert got.rule == "before_polling_day"
        assert local.date() + timedelta(days=law.campaign_answer_days.value) >= polling_day


@given(cases(), zones)
def test_the_zone_a_moment_is_written_in_does_not_matter(case: Any, tz: Any) -> None:
    kind, received, polling_day, law = case
    assume(kind != "result_appeal" or received.astimezone(tz).date() >= polling_day)
    here = deadline(kind, received, polling_day, law, tz=tz)
    there = deadline(kind, received.astimezone(UTC), polling_day, law, tz=tz)
    assert (here.due, here.rule, here.cite) == (there.due, there.rule, there.cite)


@given(bishkek_era, bishkek_era, st.integers(-10, 10), incidents_laws)
def test_with_the_polling_day_rule_a_later_complaint_is_never_due_earlier(
    first: datetime, second: datetime, offset: int, law: Incidents
) -> None:
    law = law_with(law, answer_before_polling_day=True)
    earlier, later = sorted((first, second))
    polling_day = earlier.astimezone(BISHKEK).date() + timedelta(days=offset)
    assert (
        deadline("complaint", earlier, polling_day, law).due
        <= deadline("complaint", later, polling_day, law).due
    )


@given(
    cases(),
    st.lists(st.integers(-(10**6), 10**6), min_size=2, max_size=6),
    st.floats(0.0, 1.0),
)
def test_states_move_on_time_then_due_soon_then_overdue(
    case: Any, seconds: list[int], share: float
) -> None:
    kind, received, polling_day, law = case
    got = deadline(kind, received, polling_day, law)
    nows = sorted(got.due + timedelta(seconds=s) for s in seconds)
    states = [
        STATES.index(state(got, now, received_at=received, remind_share=share)) for now in nows
    ]
    assert states == sorted(states)
    for now, index in zip(nows, states, strict=True):
        assert (STATES[index] == "overdue") == (now > got.due)


@given(sx.aware_datetimes, incidents_laws, zones)
def test_the_appeal_window_closes_at_the_end_of_the_last_local_day(
    published: datetime, law: Incidents, tz: Any
) -> None:
    closes = appeal_window_closes(published, law, tz)
    local = closes.astimezone(tz)
    assert closes > published
    assert local.time() == time.max
    days = law.result_appeal_days.value
    assert local.date() == published.astimezone(tz).date() + timedelta(days=days)
    assert (closes + timedelta(microseconds=1)).astimezone(tz).date() > local.date()


def test_end_of_day_in_a_fixed_offset_zone() -> None:
    plus6 = timezone(timedelta(hours=6))
    assert end_of_day(POLLING_DAY, plus6) == utc(2025, 11, 30, 17, 59, 59, 999_999)


def test_state_counts_instants_across_a_clock_going_back() -> None:
    """In a zone with summer time, 02:45 before the clocks go back is earlier than 02:30
    after: a case due at the second is not overdue at the first."""
    berlin = ZoneInfo("Europe/Berlin")
    received = datetime(2024, 10, 27, 1, 30, tzinfo=berlin)  # 23:30 UTC the day before
    due = datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=berlin)  # 01:30 UTC
    now = datetime(2024, 10, 27, 2, 45, tzinfo=berlin)  # 00:45 UTC, summer time
    assert state(Deadline(due, "polling_day_hours", ()), now, received_at=received) == "on_time"
    later = datetime(2024, 10, 27, 2, 31, fold=1, tzinfo=berlin)  # 01:31 UTC
    assert state(Deadline(due, "polling_day_hours", ()), later, received_at=received) == "overdue"
