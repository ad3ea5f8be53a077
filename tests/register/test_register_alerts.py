"""The register's findings routed to the rapid-response groups: likely duplicate persons and
crowded dwellings become ``multiple_voting`` cases, once while open, with no PIN anywhere."""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from typer.testing import CliRunner

import factories as f
from shailoo.cli import app
from shailoo.common.refusals import InvalidInput, PermissionRefused
from shailoo.incidents.models import Case, CaseEvent
from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import load_edition
from shailoo.register import alerts
from shailoo.register.models import Person

pytestmark = pytest.mark.django_db
BORN = datetime.date(1988, 2, 29)
DIGITS14 = re.compile(r"[0-9]{14}")


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready


def texts_of(case: Case) -> list[str]:
    """Everything a case keeps that a handler, a log or the ledger could show."""
    events = [str(e.data) for e in CaseEvent.objects.filter(case=case)]
    entries = [bytes(e.data).decode() for e in LedgerEntry.objects.all()]
    return [case.description, case.alert_subject, case.dedupe_key, case.place, *events, *entries]


def assert_no_pin(texts: list[str], pins: set[str]) -> None:
    for text in texts:
        assert not pins & set(DIGITS14.findall(text)), text
        assert not any(pin in text for pin in pins), text


@pytest.fixture
def twins() -> tuple[Person, Person, Person]:
    """One woman registered twice under a spelling variant, and an unrelated woman."""
    f.election(polling_day=datetime.date(2027, 3, 14))
    home, other = f.station(4101), f.station(4102)
    first = f.person(home, "Өмүрова", "Айгүл", "Талантовна", birth_date=BORN)
    again = f.person(other, "Омурова", "Айгул", "Талантовна", birth_date=BORN)
    stranger = f.person(home, "Токтосунова", "Нургүл", "Маматовна", birth_date=BORN)
    return first, again, stranger


def test_a_likely_duplicate_pair_opens_one_case_naming_persons_by_pin_ref(twins) -> None:
    first, again, stranger = twins
    pairs = alerts.likely_duplicates()
    assert [{p.pin_a, p.pin_b} for p in pairs] == [{first.pin, again.pin}]
    assert alerts.raise_duplicate_alerts(pairs, "cli") == (1, 0)
    case = Case.objects.get()
    a = first if pairs[0].pin_a == first.pin else again
    b = again if a is first else first
    assert (case.category, case.source, case.severity) == ("multiple_voting", "alert", "medium")
    assert case.alert_kind == "register.likely_duplicate"
    assert case.station is not None and case.station.number == a.station.number
    assert ledger.pin_ref(a.pin) in case.description
    assert ledger.pin_ref(b.pin) in case.description
    assert f"record_a: register.person:{a.pk}" in case.description
    assert f"score: {pairs[0].score}" in case.description and pairs[0].reason in case.description
    assert case.ledger_index is not None
    assert_no_pin(texts_of(case), {first.pin, again.pin, stranger.pin})


def test_a_second_run_opens_nothing_new_while_the_case_is_open(twins) -> None:
    pairs = alerts.likely_duplicates()
    assert alerts.raise_duplicate_alerts(pairs, "cli") == (1, 0)
    entries = LedgerEntry.objects.count()
    assert alerts.raise_duplicate_alerts(alerts.likely_duplicates(), "cli") == (0, 1)
    case = Case.objects.get()
    assert CaseEvent.objects.filter(case=case, kind="alert_again").count() == 1
    assert LedgerEntry.objects.count() == entries  # nothing new to ledger
    # Once the groups have closed it, the pair still in the register is raised anew.
    Case.objects.update(status=Case.Status.DECIDED)
    assert alerts.raise_duplicate_alerts(pairs, "cli") == (1, 0)
    assert Case.objects.count() == 2


def test_the_dedupe_key_is_the_unordered_pair(twins) -> None:
    first, again, _ = twins
    key = alerts.duplicate_key(first.pin, again.pin)
    assert key == alerts.duplicate_key(again.pin, first.pin)
    assert key != alerts.duplicate_key(first.pin, twins[2].pin)
    assert first.pin not in key and again.pin not in key


def test_a_pair_whose_person_left_the_register_is_skipped(twins) -> None:
    pairs = alerts.likely_duplicates()
    Person.objects.filter(pin=pairs[0].pin_b).delete()
    assert alerts.raise_duplicate_alerts(pairs, "cli") == (0, 0)
    assert not Case.objects.exists()


def crowd(station, dwelling: str, voters: int, others: int = 0) -> None:
    """``voters`` voters on the lists and ``others`` persons not on them at one dwelling."""
    for n in range(voters + others):
        f.person(station, given_name=f"Айгүл{n}", dwelling_id=dwelling, address="Ош ш., 7-үй",
                 eligible=n < voters)  # fmt: skip


@pytest.fixture
def dwellings() -> int:
    """DW-OVER holds one voter more than the screening level, DW-AT exactly the level (and
    persons not on the lists, who do not pad it); the level is the law edition's."""
    f.election(polling_day=datetime.date(2027, 3, 14))
    level = load_edition("kg-2025").polling.max_registered_per_dwelling.value
    crowd(f.station(5101), "DW-OVER", level + 1)
    crowd(f.station(5102), "DW-AT", level, others=3)
    return level


def test_the_default_level_is_the_law_editions(dwellings: int) -> None:
    assert alerts.dwelling_threshold() == dwellings


def test_one_voter_over_the_level_is_flagged_and_the_level_itself_is_not(dwellings) -> None:
    (row,) = alerts.crowded_dwellings(alerts.dwelling_threshold())
    assert (row.dwelling_id, row.station_number, row.voters, row.persons, row.stations) == (
        "DW-OVER", 5101, dwellings + 1, dwellings + 1, 1,
    )  # fmt: skip
    assert row.address == "Ош ш., 7-үй" and row.threshold == dwellings
    lower = alerts.crowded_dwellings(dwellings - 1)
    assert [(r.dwelling_id, r.voters, r.persons) for r in lower] == [
        ("DW-OVER", dwellings + 1, dwellings + 1),
        ("DW-AT", dwellings, dwellings + 3),
    ]
    assert alerts.crowded_dwellings(dwellings + 1) == []


def test_one_dwelling_across_two_stations_says_so(dwellings: int) -> None:
    f.person(f.station(5103), given_name="Жаңы", dwelling_id="DW-AT", address="Ош ш., 7-үй")
    rows = {r.dwelling_id: r for r in alerts.crowded_dwellings(dwellings - 1)}
    row = rows["DW-AT"]
    assert (row.dwelling_id, row.voters, row.stations, row.station_number) == (
        "DW-AT", dwellings + 1, 2, 5102,
    )  # fmt: skip


def test_a_negative_level_is_refused() -> None:
    with pytest.raises(InvalidInput) as refused:
        alerts.crowded_dwellings(-1)
    assert refused.value.code == "bad_threshold"
    assert [p.where for p in refused.value.problems] == ["threshold"]


def test_crowded_dwellings_open_one_case_each_once(dwellings: int) -> None:
    rows = alerts.crowded_dwellings(dwellings - 1)
    assert alerts.raise_crowded_dwelling_alerts(rows, "cli") == (2, 0)
    assert alerts.raise_crowded_dwelling_alerts(rows, "cli") == (0, 2)
    case = Case.objects.get(dedupe_key="register:crowded_dwelling:DW-OVER")
    assert (case.category, case.alert_kind, case.station.number) == (
        "multiple_voting", "register.crowded_dwelling", 5101,
    )  # fmt: skip
    assert case.alert_subject == "register.dwelling:DW-OVER"
    assert f"voters: {dwellings + 1}" in case.description
    assert f"threshold: {dwellings - 1}" in case.description
    assert "address: Ош ш., 7-үй" in case.description
    pins = set(Person.objects.values_list("pin", flat=True))
    for case in Case.objects.all():
        assert_no_pin(texts_of(case), pins)


def test_only_the_system_or_a_country_wide_role_raises_register_alerts() -> None:
    for actor in ("", AnonymousUser()):
        with pytest.raises(PermissionRefused):
            alerts.raise_crowded_dwelling_alerts([], actor)
        with pytest.raises(PermissionRefused):
            alerts.raise_duplicate_alerts([], actor)


# -- the commands ----------------------------------------------------------------------------


def register(*args: str):
    return CliRunner().invoke(app, ["register", *args])


def test_duplicates_alert_counts_opened_and_already_open(twins) -> None:
    result = register("duplicates", "--alert")
    assert result.exit_code == 0, result.output
    assert "1 likely duplicate pairs" in result.output
    assert "1 alerts opened, 0 already open" in result.output
    again = register("duplicates", "--alert")
    assert "0 alerts opened, 1 already open" in again.output
    assert Case.objects.count() == 1
    plain = register("duplicates")  # without --alert nothing is raised
    assert plain.exit_code == 0 and "alerts opened" not in plain.output
    assert CaseEvent.objects.filter(kind="alert_again").count() == 1
    pins = {p.pin for p in twins}
    assert not any(pin in result.output + again.output for pin in pins)


def test_dwellings_lists_writes_and_alerts(dwellings: int, tmp_path: Path) -> None:
    out = tmp_path / "dwellings.csv"
    result = register("dwellings", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"1 dwellings with more than {dwellings} voters" in result.output
    assert "DW-OVER" in result.output and "DW-AT" not in result.output
    assert not Case.objects.exists()
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert rows == [
        {"dwelling_id": "DW-OVER", "address": "Ош ш., 7-үй", "station": "5101",
         "voters": str(dwellings + 1), "persons": str(dwellings + 1)},
    ]  # fmt: skip
    assert not DIGITS14.search(text)
    lower = str(dwellings - 1)
    first = register("dwellings", "--over", lower, "--alert")
    assert first.exit_code == 0, first.output
    assert "2 dwellings with more than" in first.output
    assert "2 alerts opened, 0 already open" in first.output
    second = register("dwellings", "--over", lower, "--alert")
    assert "0 alerts opened, 2 already open" in second.output
    assert Case.objects.filter(alert_kind="register.crowded_dwelling").count() == 2


def test_dwellings_without_a_current_election_needs_over(tmp_path: Path) -> None:
    crowd(f.station(5201), "DW-ELSE", 4)
    refused = register("dwellings")
    assert refused.exit_code == 2 and "No current election" in refused.output
    given = register("dwellings", "--over", "3")
    assert given.exit_code == 0 and "DW-ELSE" in given.output
    assert register("dwellings", "--over", "-1").exit_code == 2


# -- the synthetic country -------------------------------------------------------------------


def test_the_synthetic_countrys_findings_reach_the_groups_without_a_pin(world) -> None:
    from shailoo.register.importer import RegisterImporter

    RegisterImporter(world.population_csv).run()
    with world.truth_csv.open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    planted = {r["pin"] for r in truth if r["problem"] == "duplicate"}
    crowded_pins = {r["pin"] for r in truth if r["problem"] == "crowded_dwelling"}
    crowded = set(Person.objects.filter(pin__in=crowded_pins).values_list("dwelling_id", flat=True))
    pairs = alerts.likely_duplicates()
    assert planted and {p.pin_a for p in pairs} | {p.pin_b for p in pairs} >= planted
    rows = alerts.crowded_dwellings(alerts.dwelling_threshold())
    # Only the planted dwellings are that crowded; each of them is found.
    assert {r.dwelling_id for r in rows} == crowded
    assert alerts.raise_duplicate_alerts(pairs, "cli") == (len(pairs), 0)
    assert alerts.raise_crowded_dwelling_alerts(rows, "cli") == (len(rows), 0)
    pins = set(Person.objects.values_list("pin", flat=True))
    cases = list(Case.objects.all())
    assert len(cases) == len(pairs) + len(rows)
    texts = [t for case in cases for t in texts_of(case)[:4]]
    texts += [
        bytes(e.data).decode() for e in LedgerEntry.objects.filter(kind="incidents.case_opened")
    ]
    assert_no_pin(texts, pins)
