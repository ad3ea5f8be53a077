"""The ``election_day`` section of the law editions: voting hours, identification, home voting
and the devices' rules; the moments its helpers give across clock changes; and the located
errors an official gets for a wrong value."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import strategies as sx
from shailoo.law.loader import LawError, load_edition, parse_edition
from shailoo.law.schema import LANGS, ElectionDay, HomeVoting, LawModel

ROOT = Path(__file__).resolve().parents[2]
EDITIONS_DIR = ROOT / "src" / "shailoo" / "law" / "editions"
EDITIONS = ["kg-2020", "kg-2021", "kg-2025"]
BISHKEK = ZoneInfo("Asia/Bishkek")
BERLIN = ZoneInfo("Europe/Berlin")
MANUAL_REASONS = {
    "fingerprint_unreadable",
    "not_identified_document_checked",
    "device_failure",
    "no_fingers",
}


def day_of(edition_id: str) -> ElectionDay:
    return load_edition(edition_id).election_day


# -- the packaged editions ------------------------------------------------------------------


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_every_edition_has_the_hours_and_reports_of_kyrgyz_polling_day(edition_id: str) -> None:
    day = day_of(edition_id)
    assert (day.voting_opens.value, day.voting_closes.value) == ("08:00", "20:00")
    assert (day.opens, day.closes) == (time(8), time(20))
    assert day.reporting_times == tuple(time(h) for h in (10, 12, 14, 16, 18, 20))
    assert day.identification_attempts.value == 3
    assert day.abroad_any_station.value is True
    assert day.offline_conflict_rule.value == "earliest_issue"
    assert day.max_device_clock_skew_s.value == 120
    assert day.home_voting.held_days_before.value == 1
    assert day.home_voting.request_days_before.value == 10
    assert {"health", "disability"} <= set(day.home_voting.grounds.value)


def test_face_identification_arrives_in_2025() -> None:
    assert day_of("kg-2020").biometric_modalities.value == ["finger"]
    assert day_of("kg-2021").biometric_modalities.value == ["finger"]
    assert day_of("kg-2025").biometric_modalities.value == ["finger", "face"]


def test_the_passport_app_is_an_identity_document_only_from_2025() -> None:
    assert day_of("kg-2025").identity_documents.value == ["id_card", "passport", "e_passport_app"]
    for edition_id in ("kg-2020", "kg-2021"):
        documents = day_of(edition_id).identity_documents.value
        assert {"id_card", "passport"} <= set(documents)
        assert "e_passport_app" not in documents


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_manual_reasons_are_the_four_codes_in_three_languages(edition_id: str) -> None:
    reasons = day_of(edition_id).manual_reasons.value
    assert set(reasons) == MANUAL_REASONS
    for code, text in reasons.items():
        for lang in LANGS:
            assert len(text.get(lang)) > 10, (code, lang)
    assert "papillary" in reasons["fingerprint_unreadable"].en
    assert "Устройство" in reasons["device_failure"].ru


@pytest.mark.parametrize("edition_id", EDITIONS)
def test_what_the_sources_do_not_confirm_is_marked_with_a_reason(edition_id: str) -> None:
    day = day_of(edition_id)
    for param in (
        day.voting_opens,
        day.turnout_reporting_times,
        day.identity_documents,
        day.identification_attempts,
        day.manual_reasons,
        day.home_voting.request_days_before,
        day.home_voting.request_deadline_days_before,
        day.home_voting.grounds,
        day.abroad_any_station,
        day.offline_conflict_rule,
        day.max_device_clock_skew_s,
    ):
        assert param.unconfirmed and len(param.note) > 40
    assert "law has no rule" in day.offline_conflict_rule.note
    assert "not a statute" in day.max_device_clock_skew_s.note
    assert day.voting_opens.citation.startswith("Art. 31(1), Constitutional Law No. 68")
    assert day.voting_opens.citation_in("ru").startswith("ч. 1 ст. 31, Конституционный закон")


def test_the_hours_are_bishkek_hours_on_polling_day() -> None:
    day = day_of("kg-2025")
    polling_day = date(2025, 11, 30)
    assert day.opens_at(polling_day, BISHKEK) == datetime(2025, 11, 30, 2, tzinfo=UTC)
    assert day.closes_at(polling_day, BISHKEK) == datetime(2025, 11, 30, 14, tzinfo=UTC)
    assert day.reporting_instants(polling_day, BISHKEK)[0] == datetime(2025, 11, 30, 4, tzinfo=UTC)


def test_home_voting_is_the_day_before_and_requests_close_before_it() -> None:
    day = day_of("kg-2021")
    polling_day = date(2021, 11, 28)
    opens, closes = day.home_voting_hours(polling_day, BISHKEK)
    assert opens == datetime(2021, 11, 27, 8, tzinfo=BISHKEK)
    assert closes == datetime(2021, 11, 27, 20, tzinfo=BISHKEK)
    first, after_last = day.home_voting_requests(polling_day, BISHKEK)
    assert first == datetime(2021, 11, 18, 0, tzinfo=BISHKEK)
    # "until 25 November": the whole of 25 November, nothing of the 26th.
    assert after_last == datetime(2021, 11, 26, 0, tzinfo=BISHKEK)
    assert after_last < opens


# -- moments across clock changes ------------------------------------------------------------


def test_the_hours_follow_summer_time_on_the_night_it_starts() -> None:
    day = day_of("kg-2025")
    spring = date(2025, 3, 30)  # Berlin: 02:00 CET -> 03:00 CEST
    assert day.opens_at(spring - timedelta(days=1), BERLIN) == datetime(2025, 3, 29, 7, tzinfo=UTC)
    assert day.opens_at(spring, BERLIN) == datetime(2025, 3, 30, 6, tzinfo=UTC)
    assert day.closes_at(spring, BERLIN) == datetime(2025, 3, 30, 18, tzinfo=UTC)
    instants = day.reporting_instants(spring, BERLIN)
    assert [moment.astimezone(UTC).hour for moment in instants] == [8, 10, 12, 14, 16, 18]
    assert all(moment.utcoffset() == timedelta(hours=2) for moment in instants)


def test_the_hours_follow_summer_time_on_the_night_it_ends() -> None:
    day = day_of("kg-2025")
    autumn = date(2025, 10, 26)  # Berlin: 03:00 CEST -> 02:00 CET
    assert day.opens_at(autumn, BERLIN) == datetime(2025, 10, 26, 7, tzinfo=UTC)
    elapsed = day.closes_at(autumn, BERLIN).astimezone(UTC) - day.opens_at(autumn, BERLIN)
    assert elapsed == timedelta(hours=12)
    # The request window straddles the change: eight days and one hour of elapsed time.
    first, after_last = day.home_voting_requests(date(2025, 10, 30), BERLIN)
    assert first.utcoffset() == timedelta(hours=2) and after_last.utcoffset() == timedelta(hours=1)
    assert after_last.astimezone(UTC) - first.astimezone(UTC) == timedelta(days=8, hours=1)


def _edition_with(old: str, new: str) -> str:
    text = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_a_time_that_the_clock_change_skips_is_read_as_the_time_it_lands_on() -> None:
    law = parse_edition(_edition_with('    value: "08:00"', '    value: "02:30"'), "kg-2025.yaml")
    opens = law.election_day.opens_at(date(2025, 3, 30), BERLIN)
    assert opens == datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert (opens.hour, opens.minute, opens.utcoffset()) == (3, 30, timedelta(hours=2))


@given(polling_day=sx.polling_days, zone=st.sampled_from(sx.ZONES))
def test_instants_are_the_local_times_in_order_within_the_hours(
    polling_day: date, zone: tzinfo
) -> None:
    day = day_of("kg-2025")
    opens, closes = day.opens_at(polling_day, zone), day.closes_at(polling_day, zone)
    instants = day.reporting_instants(polling_day, zone)
    assert opens < instants[0] and instants[-1] <= closes
    assert all(a < b for a, b in itertools.pairwise(instants))
    for moment, wall in zip(instants, day.reporting_times, strict=True):
        assert moment.tzinfo is not None and moment.utcoffset() is not None
        assert (moment.date(), moment.time()) == (polling_day, wall)
    hours_from, hours_to = day.home_voting_hours(polling_day, zone)
    requests_from, requests_to = day.home_voting_requests(polling_day, zone)
    assert requests_from < requests_to <= hours_from < hours_to < opens


def test_a_moment_needs_a_date_and_a_zone() -> None:
    day = day_of("kg-2025")
    with pytest.raises(TypeError, match="date, not a datetime"):
        day.opens_at(datetime(2025, 11, 30, 8), BISHKEK)
    with pytest.raises(TypeError, match="time zone"):
        no_zone: Any = None  # what an untyped caller might pass
        day.opens_at(date(2025, 11, 30), no_zone)
    fixed = timezone(timedelta(hours=6))
    assert day.opens_at(date(2025, 11, 30), fixed) == day.opens_at(date(2025, 11, 30), BISHKEK)


# -- bad values ----------------------------------------------------------------------------


def _refused(old: str, new: str) -> list[tuple[str, int | None, str]]:
    text = _edition_with(old, new)
    with pytest.raises(LawError) as caught:
        parse_edition(text, "kg-2025.yaml")
    return [(p.where, p.line, p.why) for p in caught.value.problems]


REPORTS = '    value: ["10:00", "12:00", "14:00", "16:00", "18:00", "20:00"]'
CLOSES = "  voting_closes:\n"
GROUNDS = "    grounds:\n      value:\n"


@pytest.mark.parametrize(
    ("old", "new", "where", "why", "at"),
    [
        (REPORTS, REPORTS.replace('"10:00", "12:00"', '"12:00", "10:00"'),
         "turnout_reporting_times.value.1", "10:00 must be later than 12:00", None),
        (REPORTS, REPORTS.replace('"14:00"', '"12:00"'), "turnout_reporting_times.value.2",
         "12:00 must be later than 12:00", None),
        (REPORTS, REPORTS.replace('"20:00"', '"20:30"'), "turnout_reporting_times.value.5",
         "outside the voting hours", None),
        (REPORTS, REPORTS.replace('"10:00"', '"08:00"'), "turnout_reporting_times.value.0",
         "outside the voting hours", None),
        (REPORTS, "    value: []", "turnout_reporting_times.value", "at least one time", None),
        (REPORTS, REPORTS.replace('"10:00"', "10:00"), "turnout_reporting_times.value.0",
         "write a time of day in quotes", None),
        ('    value: "08:00"', '    value: "21:00"', "voting_closes.value",
         "close after they open", CLOSES),
        ('    value: "20:00"', '    value: "07:59"', "voting_closes.value",
         "close after they open", None),
        ('    value: "08:00"', '    value: "8:00"', "voting_opens.value", "HH:MM", None),
        ('    value: "20:00"', '    value: "24:00"', "voting_closes.value", "HH:MM", None),
        ("    value: [finger, face]", "    value: [finger, iris]",
         "biometric_modalities.value.1", "'finger' or 'face'", None),
        ("    value: [finger, face]", "    value: [face, face]", "biometric_modalities.value",
         "named twice: face", None),
        ("    value: [finger, face]", "    value: []", "biometric_modalities.value",
         "at least one modality", None),
        ("    value: [id_card, passport, e_passport_app]", "    value: [id_card, driving_licence]",
         "identity_documents.value.1", "Input should be", None),
        ("    value: earliest_issue", "    value: latest_issue", "offline_conflict_rule.value",
         "'earliest_issue' or 'first_received'", None),
        ("      device_failure:\n", "      device failure:\n",
         "manual_reasons.value.device failure", "lower-case letters joined by underscores", None),
        ("      device_failure:\n", "      Device_Failure:\n",
         "manual_reasons.value.Device_Failure", "lower-case letters joined by underscores", None),
        ("  identification_attempts:\n    value: 3", "  identification_attempts:\n    value: 0",
         "identification_attempts.value", "greater than 0", None),
        ("  max_device_clock_skew_s:\n    value: 120",
         "  max_device_clock_skew_s:\n    value: '120'", "max_device_clock_skew_s.value",
         "valid integer", None),
        ("    request_deadline_days_before:\n      value: 3",
         "    request_deadline_days_before:\n      value: 1",
         "home_voting.request_deadline_days_before.value", "before the day of home voting", None),
        ("    request_deadline_days_before:\n      value: 3",
         "    request_deadline_days_before:\n      value: 11",
         "home_voting.request_deadline_days_before.value", "before they open", None),
        ("        - pretrial_detention\n", "        - health\n", "home_voting.grounds.value",
         "named twice: health", GROUNDS),
        ("        - pretrial_detention\n", "        - prison\n", "home_voting.grounds.value.3",
         "Input should be", None),
    ],
)  # fmt: skip
def test_a_wrong_value_is_refused_where_it_is_written(
    old: str, new: str, where: str, why: str, at: str | None
) -> None:
    """The problem names the key path and the line of the value at fault (``at``: the line
    of the key a rule across keys blames, when that is not the edited line)."""
    text = _edition_with(old, new)
    problems = _refused(old, new)
    found = [p for p in problems if p[0] == f"election_day.{where}"]
    assert found, problems
    _, line, reason = found[0]
    assert why in reason
    snippet = new if at is None else at
    section = text.index("\nelection_day:\n")
    offset = text.index(snippet, section)
    first = text[:offset].count("\n") + 1
    assert line is not None and first <= line <= first + snippet.count("\n"), (line, first)


def test_the_section_is_required() -> None:
    text = (EDITIONS_DIR / "kg-2025.yaml").read_text(encoding="utf-8")
    cut = text[: text.index("\nelection_day:\n")] + "\n"
    with pytest.raises(LawError) as caught:
        parse_edition(cut, "kg-2025.yaml")
    assert [p.where for p in caught.value.problems] == ["election_day"]


# -- the reference ---------------------------------------------------------------------------


@pytest.mark.parametrize("model", [ElectionDay, HomeVoting])
def test_every_key_is_in_the_reference(model: type[LawModel]) -> None:
    reference = (ROOT / "docs" / "law.md").read_text(encoding="utf-8")
    start = reference.index("## `election_day`")
    part = reference[start : reference.index("\n## ", start + 1)]
    missing = [key for key in model.model_fields if f"`{key}`" not in part]
    assert not missing, f"docs/law.md does not document {missing}"
