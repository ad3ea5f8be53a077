"""When a case must be answered: the law's clocks for complaints, result appeals and alerts.

Pure: the services compute a case's deadline here when it is received, store it, and ask
:func:`state` on each reminder round; a test drives both with any clock it likes.

Why the clocks run in local time: the law counts *days* — a complaint during the campaign is
answered within so many calendar days, and before polling day starts — and a day is a day in
Kyrgyzstan, not in UTC. A complaint received at 20:00 UTC on the eve of polling day arrives at
02:00 on polling day in Bishkek (UTC+6 all year, no summer time), so it is a polling-day
complaint with a polling-day clock. Every moment is therefore read in ``tz`` (by default
``Asia/Bishkek``, the ``TIME_ZONE`` of the settings) before its date is taken, and a naive
moment, whose zone nobody knows, is refused.

The rules (``incidents`` of a law edition; each :class:`Deadline` names its rule and cites the
parameters it applied):

* ``campaign_days``: a complaint received before polling day is answered within
  ``campaign_answer_days`` calendar days, at the same local time;
* ``before_polling_day``: but where ``answer_before_polling_day`` holds, no later than the end
  of the day before polling day, so that no complaint of the campaign is left open when the
  polls open;
* ``polling_day_hours``: a complaint received on polling day or after (the count and the
  tabulation) within ``polling_day_answer_hours`` hours of elapsed time;
* ``result_appeal_decision_days``: an appeal against a station's result, decided within
  ``result_appeal_decision_days`` calendar days; it cannot come before polling day;
* ``alert_triage``: an alert a domain raised by itself (a duplicate, a rewritten protocol) is
  triaged within ``alert_hours`` hours. That clock is the commission's working rule, not law,
  so it cites nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any, Final, Literal, get_args
from zoneinfo import ZoneInfo

from shailoo.law.schema import Cited, Incidents

__all__ = [
    "BISHKEK",
    "DEFAULT_ALERT_HOURS",
    "KINDS",
    "RULES",
    "STATES",
    "Deadline",
    "Kind",
    "Rule",
    "State",
    "appeal_window_closes",
    "deadline",
    "end_of_day",
    "state",
]

Kind = Literal["complaint", "result_appeal", "alert"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)
Rule = Literal[
    "campaign_days",
    "before_polling_day",
    "polling_day_hours",
    "result_appeal_decision_days",
    "alert_triage",
]
RULES: Final[tuple[Rule, ...]] = get_args(Rule)
State = Literal["on_time", "due_soon", "overdue"]
#: In the order a case passes through them as time goes by.
STATES: Final[tuple[State, ...]] = get_args(State)

#: Kyrgyz time: UTC+6 all year (no summer time since 2005).
BISHKEK: Final = ZoneInfo("Asia/Bishkek")
#: How long the groups take to triage an alert raised by a domain (a working rule, not law).
DEFAULT_ALERT_HOURS: Final = 24


@dataclass(frozen=True)
class Deadline:
    """The moment a case must be answered by, the rule that set it, and the law it applied.

    ``due`` is aware and expressed in the zone the deadline was computed in; ``cite`` holds
    the law parameters applied (for their citations), and is empty for alert triage.
    """

    due: datetime
    rule: Rule
    cite: tuple[Cited[Any], ...]


def deadline(
    kind: Kind,
    received_at: datetime,
    polling_day: date,
    rules: Incidents,
    *,
    tz: tzinfo = BISHKEK,
    alert_hours: int = DEFAULT_ALERT_HOURS,
) -> Deadline:
    """The deadline of a case of ``kind`` received at ``received_at`` (see the module's rules).

    Raises ``ValueError`` for a naive moment, a polling day given as a datetime, an unknown
    kind, a result appeal received before polling day, or ``alert_hours`` below 1.
    """
    _require_aware(received_at, "received_at")
    if isinstance(polling_day, datetime):
        raise ValueError("polling_day must be a date, not a datetime")
    local = received_at.astimezone(tz)
    if kind == "alert":
        if alert_hours < 1:
            raise ValueError(f"alert_hours must be at least 1, got {alert_hours}")
        return Deadline(_after_hours(local, alert_hours, tz), "alert_triage", ())
    if kind == "complaint":
        if local.date() < polling_day:
            return _campaign_deadline(local, polling_day, rules, tz)
        hours = rules.polling_day_answer_hours
        return Deadline(_after_hours(local, hours.value, tz), "polling_day_hours", (hours,))
    if kind == "result_appeal":
        if local.date() < polling_day:
            raise ValueError(
                f"a result appeal cannot be received before polling day ({polling_day}): "
                f"received {local.isoformat()}"
            )
        days = rules.result_appeal_decision_days
        return Deadline(_after_days(local, days.value, tz), "result_appeal_decision_days", (days,))
    raise ValueError(f"unknown kind {kind!r}: expected one of {', '.join(KINDS)}")


def state(
    deadline: Deadline,
    now: datetime,
    *,
    remind_share: float = 0.25,
    received_at: datetime,
) -> State:
    """Where a case stands at ``now``: on time, due soon (remind), or overdue (escalate).

    Due soon when less than ``remind_share`` of the window from ``received_at`` to the due
    moment is left, so that a two-hour polling-day clock reminds 30 minutes before and a
    five-day campaign clock 30 hours before; overdue strictly after the due moment (the due
    moment itself is still in time). A window of no length (a complaint received in the last
    microsecond before a capped deadline) is due soon until it is overdue.
    """
    _require_aware(now, "now")
    _require_aware(received_at, "received_at")
    if not 0.0 <= remind_share <= 1.0:
        raise ValueError(f"remind_share must be between 0 and 1, got {remind_share}")
    # As instants (UTC): two times of one zone compare and subtract by their wall clocks,
    # which is wrong across a clock change.
    now, due, received_at = (
        now.astimezone(UTC),
        deadline.due.astimezone(UTC),
        received_at.astimezone(UTC),
    )
    if now > due:
        return "overdue"
    window = due - received_at
    left = due - now
    if window <= timedelta(0) or left < window * remind_share:
        return "due_soon"
    return "on_time"


def appeal_window_closes(
    result_published_at: datetime, rules: Incidents, tz: tzinfo = BISHKEK
) -> datetime:
    """The last moment to appeal a station's result published at ``result_published_at``.

    ``result_appeal_days`` calendar days counted from the day after publication, as periods
    in days are, so the window closes at the end of the local day that many days after the
    day of publication (published 6 October, 3 days: open until 9 October, 23:59:59.999999).
    """
    _require_aware(result_published_at, "result_published_at")
    published = result_published_at.astimezone(tz).date()
    return end_of_day(published + timedelta(days=rules.result_appeal_days.value), tz)


def end_of_day(day: date, tz: tzinfo = BISHKEK) -> datetime:
    """The last representable moment of ``day`` in ``tz`` (23:59:59.999999 local)."""
    return _normalised(datetime.combine(day, time.max, tzinfo=tz), tz)


def _campaign_deadline(
    local: datetime, polling_day: date, rules: Incidents, tz: tzinfo
) -> Deadline:
    days = rules.campaign_answer_days
    due = _after_days(local, days.value, tz)
    cap = rules.answer_before_polling_day
    if cap.value:
        last = end_of_day(polling_day - timedelta(days=1), tz)
        if due > last:
            return Deadline(last, "before_polling_day", (days, cap))
    return Deadline(due, "campaign_days", (days,))


def _after_days(local: datetime, days: int, tz: tzinfo) -> datetime:
    """``days`` calendar days later at the same local time (wall-clock arithmetic)."""
    return _normalised(local + timedelta(days=days), tz)


def _after_hours(local: datetime, hours: int, tz: tzinfo) -> datetime:
    """``hours`` hours of elapsed time later, whatever the wall clock does meanwhile."""
    return (local.astimezone(UTC) + timedelta(hours=hours)).astimezone(tz)


def _normalised(moment: datetime, tz: tzinfo) -> datetime:
    """A wall-clock moment made real: a time a zone skips or repeats gets its actual offset.

    Bishkek has neither, but the engine takes any zone, and a complaint's due moment must be
    one instant, not a wall-clock reading that never happened.
    """
    return moment.astimezone(UTC).astimezone(tz)


def _require_aware(moment: datetime, name: str) -> None:
    if not isinstance(moment, datetime):
        raise ValueError(f"{name} must be a datetime, got {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must carry a time zone (naive datetime {moment.isoformat()})")
