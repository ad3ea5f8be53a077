"""The election calendar on the portal: the home page's dated deadlines and current stage,
and the same calendar as JSON (``/calendar.json``) for programs.

The dates come from :mod:`shailoo.law.calendar` (the law edition of the election and its
polling day); this module adds what only the site knows: the words for each milestone in
the reader's language, today's date in Kyrgyzstan, and the facts the stage depends on
(nominations still undecided, protocols still to accept), read from the domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from shailoo.candidates.models import Candidate
from shailoo.common.conditional import json_refusal, json_response
from shailoo.common.refusals import Refusal
from shailoo.counting.models import Contest
from shailoo.counting.results import aggregation
from shailoo.counting.results import cache as results_cache
from shailoo.counting.results.models import ProtocolDecision
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.geo.models import PollingStation
from shailoo.law import calendar
from shailoo.law.calendar import Milestone, Progress, Stage, State
from shailoo.law.schema import LANGS, Edition, Lang, localize_cite
from shailoo.register import services as register

#: What each milestone is, for a reader (the law's words, not the parameter's name).
LABELS: dict[str, Promise] = {
    "voter_list_posted": _("The preliminary voter lists are posted at the polling stations"),
    "list_corrections": _("Requests to correct the voter list"),
    "voting_place_change_deadline": _("Last day to ask for a change of voting place"),
    "correction_answers_due": _("Last answers to requests to correct the list"),
    "home_voting_requests": _("Written requests to vote at home"),
    "candidate_replacement_deadline": _("Last day for a party to replace a candidate"),
    "finance_report_before": _("Financial reports of the election funds due"),
    "candidate_withdrawal_deadline": _("Last day for a candidate to withdraw"),
    "campaign_complaints_answered": _("Last day to answer complaints of the campaign"),
    "home_voting_day": _("Voting at home with the mobile ballot box"),
    "polling_day": _("Polling day"),
    "result_appeals": _("Appeals against the results of polling stations"),
    "finance_report_after": _("Final financial reports of the election funds due"),
    "runoff_by": _("Latest day of a presidential run-off"),
}
STATE_LABELS: dict[State, Promise] = {
    "past": _("past"),
    "now": _("now"),
    "upcoming": _("to come"),
}
STAGE_LABELS: dict[Stage, Promise] = {
    "preparation": _("Preparation: voter lists"),
    "nominations": _("Nomination and registration of candidates"),
    "campaign": _("Election campaign"),
    "polling_day": _("Polling day"),
    "counting": _("Counting of votes and tabulation"),
    "results": _("Results published"),
}
STAGE_HINTS: dict[Stage, Promise] = {
    "preparation": _("Check that you are on the voter list of your polling station."),
    "nominations": _("Nominations are being checked; see each candidate's status."),
    "campaign": _("Candidates are registered; campaign finance reports are public."),
    "polling_day": _("The polls are open; turnout is published through the day."),
    "counting": _("Protocols of the polling stations are being entered and accepted."),
    "results": _("Every expected protocol has been accepted."),
}


@dataclass(frozen=True, slots=True)
class Row:
    """A milestone as the home page shows it."""

    milestone: Milestone
    label: str
    state: State
    state_label: str
    #: Each article applied (localised, ``ст. 15``) with the number of its act in
    #: :attr:`ElectionCalendar.sources`, once each.
    articles: list[tuple[str, int]]

    @property
    def key(self) -> str:
        return self.milestone.key


@dataclass(frozen=True, slots=True)
class ElectionCalendar:
    """An election's calendar on a given day: its rows, its stage and the day it was read."""

    election: Election
    law: Edition
    today: date
    rows: list[Row]
    stage: Stage
    #: The acts the rows cite, numbered from 1 in order of first citation: ``(number, title)``.
    sources: list[tuple[int, str]]

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def stage_hint(self) -> str:
        return str(STAGE_HINTS[self.stage])

    @property
    def stage_index(self) -> int:
        return calendar.STAGES.index(self.stage)

    @property
    def stages(self) -> list[tuple[Stage, str]]:
        return [(stage, str(STAGE_LABELS[stage])) for stage in calendar.STAGES]

    @property
    def next_row(self) -> Row | None:
        """The first milestone still open or to come."""
        return next((row for row in self.rows if row.state != "past"), None)


def _published_days(election: Election) -> tuple[date, date] | None:
    """The first and last local day a station's protocol was accepted (published)."""
    found = ProtocolDecision.objects.filter(
        protocol__election=election, kind=ProtocolDecision.Kind.ACCEPT
    ).aggregate(first=Min("created_at"), last=Max("created_at"))
    if found["first"] is None or found["last"] is None:
        return None
    return timezone.localdate(found["first"]), timezone.localdate(found["last"])


def _protocol_counts(election: Election) -> dict[str, Any]:
    total, _units = aggregation.status_counts(election, PollingStation.objects.all())
    return {"expected": total.expected, "accepted": total.accepted}


def progress(election: Election, today: date, request: HttpRequest | None = None) -> Progress:
    """What the domains know about the election's stage. Protocols are counted only from
    polling day on (before it there are none, and the count reads every station); with a
    ``request``, through the results cache, so that a results night's readers of the home
    page do not count them once each."""
    counts = Candidate.objects.filter(election=election).aggregate(
        pending=Count("id", filter=Q(status=Candidate.Status.NOMINATED)),
        registered=Count("id", filter=Q(status=Candidate.Status.REGISTERED)),
    )
    pending, registered = int(counts["pending"]), int(counts["registered"])
    if today < election.polling_day:
        return Progress(pending, registered)
    if request is None:
        found = _protocol_counts(election)
    else:
        found = results_cache.figures(request, election, lambda: _protocol_counts(election))
    return Progress(pending, registered, int(found["expected"]), int(found["accepted"]))


def election_calendar(
    election: Election, now: datetime | None = None, request: HttpRequest | None = None
) -> ElectionCalendar:
    """The dated, cited calendar of ``election`` and its stage at ``now`` (default: now).

    Raises :class:`Refusal` when the election's law edition cannot be loaded, and
    :class:`~shailoo.law.calendar.CalendarError` when its deadlines cannot be dated.
    """
    moment = now or timezone.now()
    zone = timezone.get_default_timezone()
    today = timezone.localdate(moment, zone)
    law = register.law_for(election)
    runoff = Contest.objects.filter(election=election, kind="president").exists()
    found = calendar.milestones(
        law,
        election.polling_day,
        runoff=runoff,
        results_published=_published_days(election),
    )
    lang = register.ui_lang()
    titles = {source.id: source.title.get(lang) for source in law.meta.sources}
    numbers: dict[str, int] = {}
    rows = []
    for milestone in found:
        state = milestone.state(today)
        articles: list[tuple[str, int]] = []
        for _path, param in milestone.basis:
            number = numbers.setdefault(param.source, len(numbers) + 1)
            article = (localize_cite(param.cite, lang), number)
            if article not in articles:
                articles.append(article)
        label, state_label = str(LABELS[milestone.key]), str(STATE_LABELS[state])
        rows.append(Row(milestone, label, state, state_label, articles))
    sources = [(n, titles.get(source, source)) for source, n in numbers.items()]
    stage = calendar.current_stage(
        law, election.polling_day, moment, zone, progress(election, today, request)
    )
    return ElectionCalendar(election, law, today, rows, stage, sources)


def home_context(request: HttpRequest | None = None) -> dict[str, Any]:
    """The current election's calendar for the home page; nothing when no election is set or
    its law cannot be read (the page then says so instead of showing wrong dates)."""
    try:
        election = register.current_election()
    except Refusal:
        return {"calendar": None}
    try:
        return {"calendar": election_calendar(election, request=request), "election": election}
    except Refusal as error:
        return {"calendar": None, "election": election, "calendar_refusal": error}


def _milestone_json(milestone: Milestone, today: date) -> dict[str, Any]:
    citations: dict[Lang, list[str]] = {lang: milestone.citations(lang) for lang in LANGS}
    return {
        "key": milestone.key,
        "shape": milestone.shape,
        "first": milestone.first.isoformat(),
        "last": milestone.last.isoformat(),
        "opens": milestone.opens.strftime("%H:%M") if milestone.opens else None,
        "closes": milestone.closes.strftime("%H:%M") if milestone.closes else None,
        "state": milestone.state(today),
        "label": str(LABELS[milestone.key]),
        "parameters": [
            {"path": path, "value": param.value, "cite": param.cite, "source": param.source}
            for path, param in milestone.basis
        ],
        "unconfirmed": milestone.unconfirmed,
        "citations": citations,
    }


def calendar_document(found: ElectionCalendar) -> dict[str, Any]:
    """The calendar as the JSON variant serves it: dates ISO 8601, citations in ky/ru/en."""
    election = found.election
    return {
        "election": election.code,
        "name": str(election.name),
        "polling_day": election.polling_day.isoformat(),
        "law_edition": found.law.meta.id,
        "today": found.today.isoformat(),
        "stage": found.stage,
        "stage_label": found.stage_label,
        "milestones": [_milestone_json(row.milestone, found.today) for row in found.rows],
    }


@require_GET
def calendar_json(request: HttpRequest) -> HttpResponse:
    """``/calendar.json[?election=CODE]``: the calendar of an election (default: the current
    one), with an ``ETag`` so a program polling it gets 304 until a date or state changes."""
    code = request.GET.get("election", "").strip()[:50] or None
    try:
        election = election_named(code)
        found = election_calendar(election, request=request)
    except Refusal as error:
        return json_refusal(error)
    # No Last-Modified: the stage and each milestone's state move with the clock, not only
    # with the data; the ETag (a hash of the body) changes with either.
    response = json_response(request, calendar_document(found))
    response["Content-Language"] = register.ui_lang()
    return response
