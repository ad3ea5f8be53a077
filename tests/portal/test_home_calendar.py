"""The election calendar: the pure engine (``shailoo.law.calendar``) over any edition and
polling day, and the home page and ``/calendar.json`` that show it with the current stage."""

from __future__ import annotations

import datetime
import json
import re
import sys
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

import factories as f
import strategies as sx
from shailoo.candidates.models import Candidate
from shailoo.law import calendar
from shailoo.law.calendar import CalendarError, Progress, current_stage, milestones
from shailoo.law.loader import load_edition
from shailoo.law.schema import LANGS, Edition, LawModel, localize_cite
from shailoo.portal.views_calendar import STAGE_LABELS

BISHKEK = ZoneInfo("Asia/Bishkek")
EDITIONS = ["kg-2020", "kg-2021", "kg-2025"]
STATE_ORDER = {"upcoming": 0, "now": 1, "past": 2}


def with_values(edition: Edition, changes: dict[str, Any]) -> Edition:
    """``edition`` with the parameters at the dotted paths set to new values (``None``
    removes an optional parameter), citations kept."""

    def rebuild(model: LawModel, parts: list[str], value: Any) -> LawModel:
        name, child = parts[0], getattr(model, parts[0])
        if len(parts) > 1:
            new: Any = rebuild(child, parts[1:], value)
        elif value is None:
            new = None
        else:
            new = child.model_copy(update={"value": value})
        return model.model_copy(update={name: new})

    for path, value in changes.items():
        edition = rebuild(edition, path.split("."), value)  # type: ignore[assignment]
    return edition


class Drawn:
    """A packaged edition with some parameters redrawn; its repr is the changes only (an
    edition's own repr runs to tens of kilobytes in a failing example)."""

    def __init__(self, edition_id: str, changes: dict[str, Any]) -> None:
        self.edition_id, self.changes = edition_id, changes
        self.edition = with_values(load_edition(edition_id), changes)

    def __repr__(self) -> str:
        return f"Drawn({self.edition_id!r}, {self.changes!r})"


@st.composite
def editions(draw: st.DrawFn) -> Drawn:
    """A packaged edition with its day counts redrawn within what ``law check`` accepts."""
    edition_id = draw(st.sampled_from(EDITIONS))
    posted = draw(st.integers(1, 400))
    held = draw(st.integers(0, 30))
    closes = draw(st.integers(held + 1, held + 60))
    optional = st.none() | st.integers(0, 400)
    return Drawn(
        edition_id,
        {
            "calendar.preliminary_list_days_before": posted,
            "calendar.correction_deadline_days_before": draw(st.integers(0, posted - 1)),
            "calendar.correction_answer_days": draw(st.integers(1, 60)),
            "polling.voting_place_change_deadline_days": draw(st.integers(0, 400)),
            "candidates.nomination.withdrawal_days_before": draw(st.integers(0, 400)),
            "candidates.nomination.replacement_days_before": draw(st.integers(0, 400)),
            "election_day.home_voting.held_days_before": held,
            "election_day.home_voting.request_deadline_days_before": closes,
            "election_day.home_voting.request_days_before": draw(st.integers(closes, closes + 60)),
            "incidents.answer_before_polling_day": draw(st.booleans()),
            "incidents.result_appeal_days": draw(st.integers(1, 30)),
            "finance.report_days_before": draw(optional),
            "finance.report_days_after": draw(optional),
        },
    )


publications = st.none() | st.tuples(st.integers(0, 40), st.integers(0, 40))


def published(polling_day: date, offsets: tuple[int, int] | None) -> tuple[date, date] | None:
    if offsets is None:
        return None
    return polling_day + timedelta(days=offsets[0]), polling_day + timedelta(days=offsets[1])


# -- the engine ------------------------------------------------------------------------------


@settings(max_examples=60)
@given(editions(), sx.polling_days, st.booleans(), publications)
def test_milestones_are_ordered_cited_and_non_empty(
    drawn: Drawn, polling_day: date, runoff: bool, offsets: tuple[int, int] | None
) -> None:
    edition = drawn.edition
    found = milestones(
        edition, polling_day, runoff=runoff, results_published=published(polling_day, offsets)
    )
    keys = [m.key for m in found]
    assert len(keys) == len(set(keys)) and set(keys) <= set(calendar.KEYS)
    assert [(m.first, m.last) for m in found] == sorted((m.first, m.last) for m in found)
    for milestone in found:
        assert milestone.first <= milestone.last, milestone.key
        assert milestone.shape == "window" or milestone.first == milestone.last
        assert milestone.basis, f"{milestone.key} cites nothing"
        for lang in LANGS:
            texts = milestone.citations(lang)
            assert texts and all(text.strip() for text in texts)
            for _path, param in milestone.basis:
                assert any(text.startswith(localize_cite(param.cite, lang)) for text in texts)
        assert milestone.unconfirmed == any(p.unconfirmed for _, p in milestone.basis)
    assert ("runoff_by" in keys) == (runoff and edition.counting.president is not None)
    assert ("result_appeals" in keys) == (offsets is not None)
    assert ("finance_report_before" in keys) == (edition.finance.report_days_before is not None)


@settings(max_examples=60)
@given(editions(), sx.polling_days)
def test_each_date_is_polling_day_moved_by_the_parameters_it_cites(
    drawn: Drawn, polling_day: date
) -> None:
    edition = drawn.edition
    found = {m.key: m for m in milestones(edition, polling_day)}
    value = {path: param.value for m in found.values() for path, param in m.basis}

    def before(path: str) -> date:
        return polling_day - timedelta(days=value[path])

    posted = before("calendar.preliminary_list_days_before")
    closed = before("calendar.correction_deadline_days_before")
    assert (found["voter_list_posted"].first, found["voter_list_posted"].last) == (posted, posted)
    assert (found["list_corrections"].first, found["list_corrections"].last) == (posted, closed)
    answers = closed + timedelta(days=value["calendar.correction_answer_days"])
    assert found["correction_answers_due"].first == answers
    change = found["voting_place_change_deadline"]
    assert change.first == before("polling.voting_place_change_deadline_days")
    requests = found["home_voting_requests"]
    assert requests.first == before("election_day.home_voting.request_days_before")
    assert requests.last == before("election_day.home_voting.request_deadline_days_before")
    home = found["home_voting_day"]
    assert home.first == before("election_day.home_voting.held_days_before") <= polling_day
    assert requests.last < home.first  # requests close before the mobile box goes out
    day = found["polling_day"]
    assert (day.first, day.last, day.opens, day.closes) == (
        polling_day,
        polling_day,
        edition.election_day.opens,
        edition.election_day.closes,
    )
    for key, milestone in found.items():
        if key in ("result_appeals", "finance_report_after", "runoff_by"):
            assert milestone.first >= polling_day, key
        elif key != "correction_answers_due":  # may fall after polling day: 0 + 7 days
            assert milestone.last <= polling_day, key
    assert found["correction_answers_due"].first > found["list_corrections"].last
    complaints = found.get("campaign_complaints_answered")
    assert (complaints is not None) == edition.incidents.answer_before_polling_day.value
    if complaints is not None:
        assert complaints.first == polling_day - timedelta(days=1)


@settings(max_examples=40)
@given(editions(), sx.polling_days, sx.days, sx.days)
def test_a_milestone_goes_from_to_come_to_now_to_past(
    drawn: Drawn, polling_day: date, one: date, other: date
) -> None:
    edition = drawn.edition
    earlier, later = sorted((one, other))
    for milestone in milestones(edition, polling_day):
        assert STATE_ORDER[milestone.state(earlier)] <= STATE_ORDER[milestone.state(later)]
        assert milestone.state(milestone.first) == "now"
        assert milestone.state(milestone.last) == "now"
        assert milestone.state(milestone.last + timedelta(days=1)) == "past"
        assert milestone.state(milestone.first - timedelta(days=1)) == "upcoming"


progresses = st.builds(
    Progress,
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
    st.integers(0, 5),
)


@settings(max_examples=60)
@given(editions(), sx.polling_days, progresses, st.integers(-200, 200), st.integers(-200, 200))
def test_the_stage_never_goes_back_as_time_passes(
    drawn: Drawn, polling_day: date, progress: Progress, one: int, other: int
) -> None:
    """For the same facts, a later moment is never at an earlier stage; polling day is the
    stage from midnight until the polls close, in Bishkek."""
    edition = drawn.edition
    noon = datetime.datetime.combine(polling_day, time(12), tzinfo=BISHKEK)
    earlier, later = sorted((noon + timedelta(hours=one), noon + timedelta(hours=other)))
    first = current_stage(edition, polling_day, earlier, BISHKEK, progress)
    second = current_stage(edition, polling_day, later, BISHKEK, progress)
    assert calendar.STAGES.index(first) <= calendar.STAGES.index(second)
    closes = edition.election_day.closes_at(polling_day, BISHKEK)
    for moment in (earlier, later):
        stage = current_stage(edition, polling_day, moment, BISHKEK, progress)
        on_the_day = moment.date() == polling_day and moment < closes
        assert (stage == "polling_day") == on_the_day


def test_the_stage_follows_the_facts() -> None:
    law, day = load_edition("kg-2025"), date(2027, 3, 14)
    before = datetime.datetime(2027, 2, 1, 9, tzinfo=BISHKEK)
    assert current_stage(law, day, before, BISHKEK, Progress()) == "preparation"
    assert current_stage(law, day, before, BISHKEK, Progress(2, 1)) == "nominations"
    assert current_stage(law, day, before, BISHKEK, Progress(0, 3)) == "campaign"
    at_7 = datetime.datetime(2027, 3, 14, 7, tzinfo=BISHKEK)
    assert current_stage(law, day, at_7, BISHKEK, Progress(0, 3)) == "polling_day"
    at_19_59 = datetime.datetime(2027, 3, 14, 19, 59, 59, tzinfo=BISHKEK)
    assert current_stage(law, day, at_19_59, BISHKEK, Progress()) == "polling_day"
    at_20 = datetime.datetime(2027, 3, 14, 20, tzinfo=BISHKEK)
    assert current_stage(law, day, at_20, BISHKEK, Progress(0, 3, 10, 9)) == "counting"
    assert current_stage(law, day, at_20, BISHKEK, Progress(0, 3, 10, 10)) == "results"
    # no protocol expected (no definition imported): never "results" by default
    assert current_stage(law, day, at_20, BISHKEK, Progress(0, 3, 0, 0)) == "counting"
    # 21:00 UTC on 13 March is 03:00 on 14 March in Bishkek: polling day already
    utc_evening = datetime.datetime(2027, 3, 13, 21, tzinfo=datetime.UTC)
    assert current_stage(law, day, utc_evening, BISHKEK, Progress()) == "polling_day"


def test_kg_2025_dates_for_polling_day_14_march_2027() -> None:
    found = {m.key: m for m in milestones(load_edition("kg-2025"), date(2027, 3, 14))}
    assert found["voter_list_posted"].first == date(2027, 1, 3)  # 70 days before (Art. 15)
    assert found["list_corrections"].last == date(2027, 2, 27)  # 15 days before
    assert found["correction_answers_due"].first == date(2027, 3, 6)  # + 7 days to answer
    assert (found["home_voting_requests"].first, found["home_voting_requests"].last) == (
        date(2027, 3, 4),
        date(2027, 3, 11),
    )
    assert found["home_voting_day"].first == date(2027, 3, 13)
    assert found["home_voting_day"].opens == time(8)
    assert found["candidate_withdrawal_deadline"].first == date(2027, 3, 9)
    assert found["list_corrections"].citations("ru")[0].startswith("ст. 15, Конституционный закон")
    assert found["voter_list_posted"].citations("ky")[0].startswith("15-берене, ")
    assert not found["voter_list_posted"].unconfirmed
    assert found["home_voting_requests"].unconfirmed  # the 10-day opening is a placeholder


def test_a_deadline_off_the_calendar_is_a_located_refusal() -> None:
    law = with_values(load_edition("kg-2025"), {"polling.voting_place_change_deadline_days": 10**7})
    with pytest.raises(CalendarError) as refused:
        milestones(law, date(2027, 3, 14))
    (problem,) = refused.value.problems
    assert problem.where == "polling.voting_place_change_deadline_days.value"
    assert "10000000 days before 2027-03-14" in problem.why


def test_bad_moments_are_refused() -> None:
    law = load_edition("kg-2025")
    with pytest.raises(TypeError):
        milestones(law, datetime.datetime(2027, 3, 14, 12))
    with pytest.raises(TypeError):
        current_stage(
            law, date(2027, 3, 14), datetime.datetime(2027, 3, 14, 12), BISHKEK, Progress()
        )


def test_a_window_and_a_day_on_the_same_date_keep_the_law_s_order() -> None:
    """On 27 February 2027 (kg-2025) corrections close and so does a change of voting place:
    equal dates are listed in the fixed order of KEYS, so the page never reshuffles."""
    found = [m.key for m in milestones(load_edition("kg-2025"), date(2027, 3, 14))]
    assert found.index("list_corrections") < found.index("voting_place_change_deadline")


# -- the home page and /calendar.json ---------------------------------------------------------

ROW = re.compile(r'<tr class="state-(\w+)" id="milestone-(\w+)">(.*?)</tr>', re.S)


def rows(page: str) -> dict[str, tuple[str, str]]:
    """Milestone key → (state, the row's HTML), in page order."""
    return {key: (state, html) for state, key, html in ROW.findall(page)}


@pytest.fixture
def election_in_campaign() -> Any:
    """An election whose polling day is 20 days away: the list is posted, corrections are
    open, home voting requests are still to come."""
    today = timezone.localdate()
    return f.election("kg-2025", today + timedelta(days=20), name="Выборы депутатов 2027")


@pytest.mark.django_db
def test_home_shows_the_election_its_calendar_and_the_stage(
    client: Client, election_in_campaign: Any
) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Выборы депутатов 2027" in page
    found = rows(page)
    assert list(found)[:2] == ["voter_list_posted", "list_corrections"]
    assert "polling_day" in found and "runoff_by" not in found  # no presidential contest
    assert found["voter_list_posted"][0] == "past"  # 70 days before, 50 days ago
    assert found["list_corrections"][0] == "now"  # open until 15 days before
    assert found["home_voting_requests"][0] == "upcoming"  # from 10 days before
    assert found["polling_day"][0] == "upcoming"
    posted = found["voter_list_posted"][1]
    assert "ст. 15" in posted and 'href="#law-source-1"' in posted
    assert found["list_corrections"][1].count("ст. 15") == 1  # two parameters, one article
    assert 'id="law-source-1"' in page and "№ 68" in page
    polling_day = found["polling_day"][1]
    assert election_in_campaign.polling_day.strftime("%d.%m.%Y") in polling_day
    assert "08:00" in polling_day and "20:00" in polling_day
    with translation.override("ru"):
        preparation = str(STAGE_LABELS["preparation"])
    assert f'aria-current="step">{preparation}</li>' in page
    assert reverse("portal:ledger") in page and reverse("portal:open_data") in page
    for name in ("results:index", "candidates:public", "finance:funds", "polling:public"):
        assert reverse(name) in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "stage"),
    [(Candidate.Status.NOMINATED, "nominations"), (Candidate.Status.REGISTERED, "campaign")],
)
def test_home_stage_comes_from_the_nominations(
    client: Client, election_in_campaign: Any, status: str, stage: str
) -> None:
    Candidate.objects.create(
        election=election_in_campaign,
        ref="c1",
        pin="21705199000001",
        surname="Асанов",
        given_name="Бакыт",
        sex="M",
        birth_date=date(1980, 1, 1),
        office="president",
        nominated_on=timezone.localdate(),
        status=status,
    )
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    with translation.override("en"):
        label = str(STAGE_LABELS[stage])  # type: ignore[index]
    assert f'aria-current="step">{label}</li>' in page


@pytest.mark.django_db
def test_home_without_an_election_still_links_everything(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "No election is being prepared" in page and 'id="milestone-' not in page
    assert reverse("portal:check") in page and reverse("portal:open_data") in page


@pytest.mark.django_db
def test_home_with_an_unreadable_law_edition_says_so_instead_of_dates(client: Client) -> None:
    f.election("kg-1999")
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert response.status_code == 200
    assert "kg-1999" in page and 'id="milestone-' not in page


@pytest.mark.django_db
def test_calendar_json_has_dates_citations_and_an_etag(
    client: Client, election_in_campaign: Any
) -> None:
    response = client.get(reverse("portal:calendar_json"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["election"] == election_in_campaign.code
    assert body["law_edition"] == "kg-2025"
    assert body["stage"] == "preparation"
    keys = [m["key"] for m in body["milestones"]]
    assert keys[0] == "voter_list_posted"
    day = next(m for m in body["milestones"] if m["key"] == "polling_day")
    assert day["first"] == election_in_campaign.polling_day.isoformat()
    assert (day["opens"], day["closes"]) == ("08:00", "20:00")
    posted = body["milestones"][0]
    assert posted["parameters"][0]["path"] == "calendar.preliminary_list_days_before"
    assert posted["parameters"][0]["value"] == 70
    assert posted["citations"]["ru"][0].startswith("ст. 15")
    assert posted["state"] == "past"
    again = client.get(
        reverse("portal:calendar_json"),
        HTTP_ACCEPT_LANGUAGE="en",
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304


@pytest.mark.django_db
def test_calendar_json_of_an_unknown_election_is_404(client: Client) -> None:
    f.election()
    response = client.get(reverse("portal:calendar_json"), {"election": "no-such"})
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "election_not_found"


@pytest.mark.django_db
def test_calendar_json_without_any_election_is_a_conflict(client: Client) -> None:
    response = client.get(reverse("portal:calendar_json"))
    assert response.status_code == 409


@pytest.mark.django_db
def test_after_polling_day_the_stage_and_the_appeals_follow_the_protocols(
    client: Client, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Counting until every expected protocol is accepted, then results; the appeal window
    opens with the first acceptance; a presidential contest brings the run-off date."""
    from django.core.cache import cache

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "counting"))
    from counting_results_helpers import enter, import_definition, setup_world

    from shailoo.counting.results import decisions

    cache.clear()
    world = setup_world(monkeypatch, tmp_path)
    import_definition(world)
    election = world["election"]
    today = timezone.localdate()
    type(election).objects.filter(pk=election.pk).update(polling_day=today - timedelta(days=2))
    s1, s2, s3 = world["stations"]
    for station in (s1, s2):
        decisions.accept_protocol(enter(world, station).protocol, "cli")

    def stage_and_rows() -> tuple[str, dict[str, tuple[str, str]]]:
        page = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        current = page.split('aria-current="step">')[1].split("</li>")[0]
        return current, rows(page)

    with translation.override("ru"):
        counting, results = str(STAGE_LABELS["counting"]), str(STAGE_LABELS["results"])
    stage, found = stage_and_rows()
    assert stage == counting
    assert found["result_appeals"][0] == "now"  # published today, open for 3 more days
    appeal_end = today + timedelta(days=3)
    assert appeal_end.strftime("%d.%m.%Y") in found["result_appeals"][1]
    assert found["polling_day"][0] == "past" and "runoff_by" in found
    decisions.accept_protocol(enter(world, s3).protocol, "cli")
    stage, _ = stage_and_rows()
    assert stage == results
