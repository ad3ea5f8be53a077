"""Persons bound to the ledger: `shailoo ledger verify --state` names what an outsider changed.

The outsider here has the database and ``sqlite3``: edits are raw SQL through
``connection.cursor()``, never the ORM's save (which an honest service would pair with a
ledger entry). Legitimate changes go through the services and must keep the state clean.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.db.models import F
from typer.testing import CliRunner

import factories as f
from shailoo.integrity import state as integrity_state
from shailoo.integrity.models import LedgerEntry
from shailoo.law.loader import load_edition
from shailoo.register import ledger_entries, services, statedigest
from shailoo.register.importer import RegisterImporter
from shailoo.register.models import Person, PersonState
from shailoo.register.state import bind_unbound, current_states
from shailoo.register.verdicts import reevaluate_all

pytestmark = pytest.mark.django_db
CHECK = "register.persons"


@pytest.fixture
def verify(monkeypatch: pytest.MonkeyPatch):
    """``shailoo ledger verify --state --only register.persons``: (exit code, output)."""
    import shailoo.common.cli
    from shailoo.cli import app

    monkeypatch.setattr(shailoo.common.cli, "_ready", True)

    def run() -> tuple[int, str]:
        result = CliRunner().invoke(app, ["ledger", "verify", "--state", "--only", CHECK])
        return result.exit_code, result.output

    return run


@pytest.fixture
def imported(world):
    RegisterImporter(world.population_csv, batch_size=1000).run()
    return world


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def some_person(**filters: object) -> Person:
    return Person.objects.filter(**filters).order_by("id")[7]


def test_an_imported_register_verifies_clean(imported, verify) -> None:
    code, output = verify()
    assert code == 0, output
    assert f"state {CHECK}: {Person.objects.count()} records checked, OK" in output
    # one state per person, one row and entry per batch that wrote persons, after its batch
    assert sum(PersonState.objects.values_list("count", flat=True)) == Person.objects.count()
    assert set(PersonState.objects.values_list("ids", flat=True)) == {b""}  # consecutive ids
    kinds = list(LedgerEntry.objects.values_list("kind", flat=True))
    assert kinds.count(ledger_entries.PERSON_STATE) >= Person.objects.count() // 1000
    assert all(
        kinds[i - 1] == ledger_entries.IMPORT_BATCH
        for i, kind in enumerate(kinds)
        if kind == ledger_entries.PERSON_STATE
    )


@pytest.mark.parametrize(
    ("column", "value", "field"),
    [
        ("eligible", None, "eligible"),
        ("surname", "Хакерова", "surname"),
        ("given_name", "Жок", "given_name"),
        ("station_id", None, "station"),
        ("birth_date", "1950-01-01", "birth_date"),
        ("remote_station_id", None, "remote_station"),
        ("name_key", "xaker", "name_key"),  # no mark: told by deriving the key again
        ("address", "Бишкек ш., Жаңы көч., 1", "address"),
    ],
)
def test_an_outsiders_edit_is_named(imported, verify, column: str, value, field: str) -> None:
    person = some_person(eligible=True)
    if column == "eligible":
        value = False
    elif column.endswith("station_id"):
        value = Person.objects.exclude(station_id=person.station_id).first().station_id
    sql(f"UPDATE register_person SET {column} = %s WHERE id = %s", [value, person.pk])
    code, output = verify()
    assert code == 1
    line = next(row for row in output.splitlines() if f"register.person:{person.pk} " in row)
    assert f"[{field}]" in line and "known good since ledger #" in line
    assert person.pin not in output  # named by row id and pin_ref, never by PIN
    assert "STATE MISMATCH" in output


def test_a_changed_verdict_is_also_recomputed_against_the_law(imported) -> None:
    person = some_person(eligible=True)
    sql(
        "UPDATE register_person SET eligible = %s, ineligible_codes = %s WHERE id = %s",
        [False, "AGE", person.pk],
    )
    report = integrity_state.run([CHECK])
    fields = {m.field for m in report.shown}
    assert {"eligible, ineligible_codes", "verdict"} <= fields


def test_editing_the_state_table_is_named_by_batch(imported, verify) -> None:
    person = some_person()
    batch = PersonState.objects.get(first_id__lte=person.pk, first_id__gt=person.pk - F("count"))
    # The outsider changes a person and rewrites the person's state to match: the person
    # now agrees with the table, but the batch no longer hashes to its ledger entry.
    sql("UPDATE register_person SET surname = %s WHERE id = %s", ["Жаңы", person.pk])
    [(_, forged)] = current_states([person.pk])
    offset = (person.pk - batch.first_id) * statedigest.STATE_SIZE
    states = bytes(batch.states)
    states = states[:offset] + forged + states[offset + len(forged) :]
    sql("UPDATE register_personstate SET states = %s WHERE sequence = %s", [states, batch.sequence])
    code, output = verify()
    assert code == 1
    assert f"register.person_state #{batch.sequence} [states]" in output
    assert "were edited" in output
    assert f"register.person:{person.pk} " not in output  # the forged state matches the row
    # states slipped in as a batch of their own are named too
    sql(
        "INSERT INTO register_personstate (sequence, first_id, count, ids, states) "
        "VALUES (%s, %s, 1, %s, %s)",
        [10**9, person.pk, b"", forged],
    )
    code, output = verify()
    assert code == 1 and f"register.personstate #{10**9}" in output


def test_a_deleted_person_is_named(imported, verify) -> None:
    person = some_person()
    sql("DELETE FROM register_person WHERE id = %s", [person.pk])
    code, output = verify()
    assert code == 1
    assert f"register.person:{person.pk}: deleted" in output


def test_staff_edits_voting_place_changes_and_reevaluation_keep_the_state_clean(
    imported, verify
) -> None:
    from shailoo.accounts.roles import Role
    from shailoo.accounts.testing import make_user

    staff = make_user("clerk", Role.CEC_ADMIN)
    person = some_person(eligible=True)
    person.surname = "Түзөтүлгөн"
    person.in_confinement = True
    services.save_admin_edit(person, staff)
    person.refresh_from_db()
    assert not person.eligible  # the verdict followed the facts, and its state was bound
    code, output = verify()
    assert code == 0, output
    # A new polling day makes some stored verdicts stale: reported, then recomputed.
    from shailoo.elections.models import Election

    election = Election.objects.get(is_current=True)
    election.polling_day = datetime.date(2040, 1, 1)
    election.save()
    code, output = verify()
    assert code == 1 and "[verdict]" in output and "register reevaluate" in output
    changed, total = reevaluate_all(election)
    assert changed and total == Person.objects.count()
    code, output = verify()
    assert code == 0, output


def test_a_voting_place_change_binds_the_new_station(verify) -> None:
    bishkek = ZoneInfo("Asia/Bishkek")
    polling_day = datetime.date(2027, 3, 14)
    days = load_edition("kg-2025").polling.voting_place_change_deadline_days.value
    day = polling_day - datetime.timedelta(days=days + 5)
    f.election("kg-2025", polling_day)
    home = f.station(1001, district_=f.district(code="OSH-1"))
    far_remote = f.station(2002, district_=f.district(code="BISH-1"), is_remote_voting=True)
    voter = f.person(home)
    code, output = verify()  # made by hand, not registered through a service
    assert code == 1 and "no state bound" in output
    assert bind_unbound() == (1, 1)
    assert verify()[0] == 0
    when = datetime.datetime(day.year, day.month, day.day, 12, tzinfo=bishkek)
    services.change_voting_place(voter, far_remote, "cli", now=when)
    code, output = verify()
    assert code == 0, output
    assert bind_unbound() == (0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_first_load_through_workers_binds_the_states_they_computed(world, verify) -> None:
    """The staged path (SQLite): states computed in the workers, copied from the stage."""
    RegisterImporter(world.population_csv, batch_size=400, parallel=True).run()
    code, output = verify()
    assert code == 0, output
    batches = list(PersonState.objects.order_by("sequence"))
    assert sum(b.count for b in batches) == Person.objects.count()
    through_workers = b"".join(bytes(b.states) for b in batches)
    # the same states as the writer computes when it reads the rows back
    from shailoo.register.state import bind

    with transaction.atomic():
        entry = bind(Person.objects.values_list("id", flat=True), source="test")
    assert entry is not None
    assert bytes(PersonState.objects.get(sequence=entry.sequence).states) == through_workers


def test_a_reimport_that_updates_persons_binds_their_new_state(imported, verify) -> None:
    lines = imported.population_csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    changed = lines[1].split(",")
    changed[header.index("dwelling_id")] += "X"
    updated = imported.tmp / "updated.csv"
    updated.write_text("\n".join([lines[0], ",".join(changed), *lines[2:]]) + "\n", "utf-8")
    summary = RegisterImporter(updated, batch_size=1000).run()
    assert summary.updated == 1
    code, output = verify()
    assert code == 0, output
    states = LedgerEntry.objects.filter(kind=ledger_entries.PERSON_STATE).order_by("-sequence")
    assert b'"count":1' in bytes(states.first().data)


def test_ledger_head_state_signs_then_reports(verify, monkeypatch, tmp_path) -> None:
    from shailoo.cli import app
    from shailoo.integrity import keys
    from shailoo.integrity.models import TreeHead

    key = tmp_path / "head.pem"
    keys.write_private_key(key, keys.generate())
    monkeypatch.setenv("SHAILOO_SIGNING_KEY_FILE", str(key))
    f.election("kg-2025")
    f.person(f.station(1001))  # made by hand: no bound state
    result = CliRunner().invoke(app, ["ledger", "head", "--state"])
    assert result.exit_code == 1
    assert "head size=" in result.output and "no state bound" in result.output
    assert TreeHead.objects.count() == 1  # signed all the same


def test_a_row_read_in_canonical_form_reuses_its_digest() -> None:
    """The workers' shortcut (the registry row's digest as the facts digest) and the check's
    full computation from the stored values give one state; a row read otherwise (spaces
    around the address) is hashed in full, to the same state."""
    from shailoo.register.rowcache import digest as row_digest

    raw = ["22602199513449", "Эшонкулов", "Отабек", "Тимурович", "M", "1995-02-26", "KG", "",
           "0", "0", "1", "", "Ош ш., Ленин көч., 5", "5362-1", "1270"]  # fmt: skip
    stored = (
        *raw[:4], "eshonkulov otabek timurovich", "Eshonkulov Otabek Timurovich", "M",
        "1995-02-26", "KG", "", 0, 0, 1, None, raw[12], raw[13], 7, 1, "", row_digest(raw),
    )  # fmt: skip
    numbers = {7: "1270"}
    read_back = list(stored[:19])
    read_back[7] = datetime.date(1995, 2, 26)
    read_back[10:13] = [False, False, True]
    read_back[17] = True
    expected = statedigest.state(statedigest.stored_texts(read_back, None, numbers))
    assert statedigest.imported_state(raw, stored, numbers, reuse=True) == expected
    assert statedigest.imported_state(raw, stored, numbers, reuse=False) == expected
    padded = [*raw[:12], " " + raw[12], *raw[13:]]
    assert statedigest.imported_state(padded, stored, numbers, reuse=True) == expected
    assert len(expected) == statedigest.STATE_SIZE
    moved = statedigest.stored_texts(read_back, None, {7: "1271"})
    assert statedigest.changed_fields(expected, moved) == ["station"]


def test_text_moved_between_fields_changes_the_digest() -> None:
    base = ["2260", "А", "Б", "В", "M", "1995-02-26", "KG", "", "0", "0", "1", "", "A\x1fB",
            "C", "1270", "k", "l", "1", "", ""]  # fmt: skip
    other = list(base)
    other[12], other[13] = "A", "B\x1fC"  # the same text joined by U+001F
    assert statedigest.digest(base) != statedigest.digest(other)
