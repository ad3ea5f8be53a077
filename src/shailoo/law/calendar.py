"""The election calendar: every deadline a law edition sets, dated from polling day and cited.

The law counts its deadlines in days from polling day (the voter list is posted 70 days
before it, corrections close 15 days before, ...). The portal's home page, the JSON calendar
and any later reminder must show the same dates with the same citations, so they are
computed here once, from the edition that governs the election, never from numbers in the
code. Each :class:`Milestone` keeps the parameters it applied, so a reader sees the article
behind every date and whether the collected sources confirm it.

The current stage of an election (:func:`current_stage`) follows from the calendar and a
few facts the domains know (nominations still undecided, protocols still to accept), given
here as plain numbers (:class:`Progress`), so that this module stays pure.

Pure: the standard library and the law schema only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.law.schema import Cited, Edition, Lang

#: ``day``: something happens on that day (the list is posted); ``deadline``: the last day
#: to do something (a request made later is refused); ``window``: from ``first`` to ``last``,
#: both days included.
Shape = Literal["day", "deadline", "window"]
#: Where a milestone stands on a given day: over, on that day (or open), still to come.
State = Literal["past", "now", "upcoming"]
#: The stages of an election, in the order they follow one another.
Stage = Literal["preparation", "nominations", "campaign", "polling_day", "counting", "results"]
STAGES: tuple[Stage, ...] = (
    "preparation",
    "nominations",
    "campaign",
    "polling_day",
    "counting",
    "results",
)

#: Every milestone key, in the order milestones falling on the same day are listed.
KEYS: tuple[str, ...] = (
    "voter_list_posted",
    "list_corrections",
    "voting_place_change_deadline",
    "correction_answers_due",
    "home_voting_requests",
    "candidate_replacement_deadline",
    "finance_report_before",
    "candidate_withdrawal_deadline",
    "campaign_complaints_answered",
    "home_voting_day",
    "polling_day",
    "result_appeals",
    "finance_report_after",
    "runoff_by",
)
_ORDER = {key: i for i, key in enumerate(KEYS)}


class CalendarError(InvalidInput):
    """A deadline that falls outside the calendar (an edition counting 10,000,000 days)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(
            "calendar_out_of_range",
            "The law edition's deadlines cannot be dated from this polling day.",
            problems=problems,
        )


@dataclass(frozen=True, slots=True)
class Milestone:
    """One dated step of the election calendar and the parameters that set it.

    ``basis`` pairs each applied parameter's dotted path in the edition
    (``calendar.preliminary_list_days_before``) with the parameter itself, which carries its
    value, article and act. ``opens`` and ``closes`` are the local hours of a day that has
    them (polling day, the home-voting day).
    """

    key: str
    shape: Shape
    first: date
    last: date
    basis: tuple[tuple[str, Cited[Any]], ...]
    opens: time | None = None
    closes: time | None = None

    @property
    def unconfirmed(self) -> bool:
        """True when any parameter behind the date is not confirmed by the sources."""
        return any(param.unconfirmed for _, param in self.basis)

    @property
    def parameters(self) -> tuple[str, ...]:
        return tuple(path for path, _ in self.basis)

    def state(self, today: date) -> State:
        """Past once its last day is over, ``now`` from its first day to its last."""
        if today > self.last:
            return "past"
        if today >= self.first:
            return "now"
        return "upcoming"

    def citations(self, lang: Lang) -> list[str]:
        """The full references in ``lang``, each once, in the order applied."""
        seen: list[str] = []
        for _, param in self.basis:
            text = param.citation_in(lang)
            if text not in seen:
                seen.append(text)
        return seen


def _shift(polling_day: date, days: int, path: str) -> date:
    try:
        return polling_day + timedelta(days=days)
    except OverflowError:
        side = "after" if days > 0 else "before"
        why = f"{abs(days)} days {side} {polling_day.isoformat()} is not a date of the calendar"
        raise CalendarError([Problem(f"{path}.value", why)]) from None


def _before(polling_day: date, path: str, param: Cited[int]) -> date:
    return _shift(polling_day, -param.value, path)


def _dated(edition: Edition, polling_day: date) -> Iterator[Milestone]:
    cal, day = edition.calendar, edition.election_day
    posting = ("calendar.preliminary_list_days_before", cal.preliminary_list_days_before)
    closing = ("calendar.correction_deadline_days_before", cal.correction_deadline_days_before)
    answer = ("calendar.correction_answer_days", cal.correction_answer_days)
    posted = _before(polling_day, *posting)
    corrections_close = _before(polling_day, *closing)
    yield Milestone("voter_list_posted", "day", posted, posted, (posting,))
    yield Milestone("list_corrections", "window", posted, corrections_close, (posting, closing))
    # A request made on the last day is answered within the answer days: the last answers.
    answered = _shift(corrections_close, answer[1].value, answer[0])
    yield Milestone("correction_answers_due", "deadline", answered, answered, (closing, answer))

    change = (
        "polling.voting_place_change_deadline_days",
        edition.polling.voting_place_change_deadline_days,
    )
    last = _before(polling_day, *change)
    yield Milestone("voting_place_change_deadline", "deadline", last, last, (change,))

    nomination = edition.candidates.nomination
    for key, path, param in (
        (
            "candidate_replacement_deadline",
            "candidates.nomination.replacement_days_before",
            nomination.replacement_days_before,
        ),
        (
            "candidate_withdrawal_deadline",
            "candidates.nomination.withdrawal_days_before",
            nomination.withdrawal_days_before,
        ),
    ):
        last = _before(polling_day, path, param)
        yield Milestone(key, "deadline", last, last, ((path, param),))

    home = day.home_voting
    opens = ("election_day.home_voting.request_days_before", home.request_days_before)
    closes = (
        "election_day.home_voting.request_deadline_days_before",
        home.request_deadline_days_before,
    )
    held = ("election_day.home_voting.held_days_before", home.held_days_before)
    hours = (
        ("election_day.voting_opens", day.voting_opens),
        ("election_day.voting_closes", day.voting_closes),
    )
    first, last = _before(polling_day, *opens), _before(polling_day, *closes)
    yield Milestone("home_voting_requests", "window", first, last, (opens, closes))
    home_day = _before(polling_day, *held)
    yield Milestone(
        "home_voting_day", "day", home_day, home_day, (held, *hours), day.opens, day.closes
    )
    yield Milestone("polling_day", "day", polling_day, polling_day, hours, day.opens, day.closes)

    complaints = edition.incidents
    if complaints.answer_before_polling_day.value:
        # "answered no later than the end of the day before polling day" (incidents.deadlines)
        cap = ("incidents.answer_before_polling_day", complaints.answer_before_polling_day)
        eve = _shift(polling_day, -1, cap[0])
        yield Milestone("campaign_complaints_answered", "deadline", eve, eve, (cap,))

    finance = edition.finance
    if finance.report_days_before is not None:
        path = "finance.report_days_before"
        due = _before(polling_day, path, finance.report_days_before)
        yield Milestone(
            "finance_report_before", "deadline", due, due, ((path, finance.report_days_before),)
        )
    if finance.report_days_after is not None:
        path = "finance.report_days_after"
        due = _shift(polling_day, finance.report_days_after.value, path)
        yield Milestone(
            "finance_report_after", "deadline", due, due, ((path, finance.report_days_after),)
        )


def milestones(
    edition: Edition,
    polling_day: date,
    *,
    runoff: bool = False,
    results_published: tuple[date, date] | None = None,
) -> list[Milestone]:
    """The dated, cited calendar of an election on ``polling_day`` under ``edition``.

    ``runoff``: the election has a presidential contest, whose run-off date the edition
    bounds (``counting.president.runoff_within_days``; left out when the edition has no
    presidential system). ``results_published``: the first and last day station results
    were published, if any were; the window for appeals against them then runs from the
    first to ``incidents.result_appeal_days`` days after the last.

    Ordered by first day, then last day, then the order of :data:`KEYS`. Raises
    :class:`CalendarError` (located at the parameter) when a date falls outside the
    calendar.
    """
    if isinstance(polling_day, datetime):
        raise TypeError("a polling day is a date, not a datetime")
    found = list(_dated(edition, polling_day))
    president = edition.counting.president
    if runoff and president is not None:
        path = "counting.president.runoff_within_days"
        by = _shift(polling_day, president.runoff_within_days.value, path)
        found.append(
            Milestone("runoff_by", "deadline", by, by, ((path, president.runoff_within_days),))
        )
    if results_published is not None:
        first, last = sorted(results_published)
        path = "incidents.result_appeal_days"
        param = edition.incidents.result_appeal_days
        found.append(
            Milestone(
                "result_appeals",
                "window",
                first,
                _shift(last, param.value, path),
                ((path, param),),
            )
        )
    return sorted(found, key=lambda m: (m.first, m.last, _ORDER[m.key]))


@dataclass(frozen=True, slots=True)
class Progress:
    """What the domains report about an election, as counts.

    ``nominations_pending``: candidates nominated and not yet decided;
    ``candidates_registered``: registered candidates; ``protocols_expected`` and
    ``protocols_accepted``: station protocols the ballot styles call for, and those accepted.
    """

    nominations_pending: int = 0
    candidates_registered: int = 0
    protocols_expected: int = 0
    protocols_accepted: int = 0


def current_stage(
    edition: Edition, polling_day: date, now: datetime, tz: tzinfo, progress: Progress
) -> Stage:
    """Where the election stands at ``now`` (an aware moment), read in the zone ``tz``.

    Before polling day: ``nominations`` while any nomination is undecided, then
    ``campaign`` once candidates are registered, ``preparation`` before either. On polling
    day until the polls close (``election_day.voting_closes``): ``polling_day``. After:
    ``results`` once every expected protocol is accepted, ``counting`` until then.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise TypeError("now must be an aware moment: the law's days are local")
    today = now.astimezone(tz).date()
    if today < polling_day:
        if progress.nominations_pending > 0:
            return "nominations"
        if progress.candidates_registered > 0:
            return "campaign"
        return "preparation"
    if now < edition.election_day.closes_at(polling_day, tz):
        return "polling_day"
    expected = progress.protocols_expected
    if expected > 0 and progress.protocols_accepted >= expected:
        return "results"
    return "counting"


def by_state(found: Iterable[Milestone], today: date) -> dict[State, list[Milestone]]:
    """The milestones grouped by their state on ``today`` (each group in calendar order)."""
    groups: dict[State, list[Milestone]] = {"past": [], "now": [], "upcoming": []}
    for milestone in found:
        groups[milestone.state(today)].append(milestone)
    return groups


__all__ = [
    "KEYS",
    "STAGES",
    "CalendarError",
    "Milestone",
    "Progress",
    "Shape",
    "Stage",
    "State",
    "by_state",
    "current_stage",
    "milestones",
]
