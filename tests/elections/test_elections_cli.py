"""``shailoo elections``: create, list, show, set-current, and what each writes on the ledger."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.cli import app
from shailoo.common.refusals import Conflict, InvalidInput, PermissionRefused
from shailoo.elections import services
from shailoo.elections.models import Election
from shailoo.integrity.canonical import canonical_loads
from shailoo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _django_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is set up


def run(*args: str) -> Result:
    return CliRunner().invoke(app, ["elections", *args])


def create(code: str, *more: str, day: str = "2027-03-14", law: str = "kg-2025") -> Result:
    return run(
        "create", code, "--name", f"Election {code}", "--polling-day", day,
        "--law-edition", law, *more,
    )  # fmt: skip


def entries(kind: str) -> list[Any]:
    """The payloads of the ledger entries of ``kind``, in order."""
    rows = LedgerEntry.objects.filter(kind=kind).order_by("sequence")
    return [canonical_loads(bytes(row.data))["payload"] for row in rows]  # type: ignore[index]


def current_codes() -> list[str]:
    return sorted(Election.objects.filter(is_current=True).values_list("code", flat=True))


def test_create_list_show_and_set_current() -> None:
    made = create("jk-2027", "--current")
    assert made.exit_code == 0, made.output
    assert "jk-2027 (2027-03-14, kg-2025), current" in made.output
    election = Election.objects.get(code="jk-2027")
    assert election.polling_day == datetime.date(2027, 3, 14) and election.is_current
    assert create("pr-2026", day="2026-01-11", law="kg-2021").exit_code == 0
    assert current_codes() == ["jk-2027"]  # a new election is not current unless asked

    listed = run("list")
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == [
        "* jk-2027  2027-03-14  kg-2025   Election jk-2027",
        "  pr-2026  2026-01-11  kg-2021   Election pr-2026",
    ]

    shown = run("show")  # the current one
    assert shown.exit_code == 0, shown.output
    assert "code         jk-2027" in shown.stdout and "polling day  2027-03-14" in shown.stdout
    assert "law edition  kg-2025 (" in shown.stdout and "current      yes" in shown.stdout
    assert "definition   not loaded" in shown.stdout
    other = run("show", "pr-2026")
    assert "law edition  kg-2021 (" in other.stdout and "current      no" in other.stdout

    switched = run("set-current", "pr-2026")
    assert switched.exit_code == 0, switched.output
    assert current_codes() == ["pr-2026"]
    assert run("list").stdout.splitlines()[1].startswith("* pr-2026")
    assert "code         pr-2026" in run("show").stdout
    again = run("set-current", "pr-2026")  # already the one: nothing changes, nothing recorded
    assert again.exit_code == 0 and current_codes() == ["pr-2026"]

    jk, pr = Election.objects.get(code="jk-2027"), Election.objects.get(code="pr-2026")
    assert entries("elections.create") == [
        {
            "actor": "cli",
            "subject": f"elections.election:{jk.pk}",
            "data": {
                "code": "jk-2027",
                "name": "Election jk-2027",
                "polling_day": "2027-03-14",
                "law_edition": "kg-2025",
            },
        },
        {
            "actor": "cli",
            "subject": f"elections.election:{pr.pk}",
            "data": {
                "code": "pr-2026",
                "name": "Election pr-2026",
                "polling_day": "2026-01-11",
                "law_edition": "kg-2021",
            },
        },
    ]
    assert [e["data"] for e in entries("elections.set_current")] == [
        {"code": "jk-2027", "previous": []},
        {"code": "pr-2026", "previous": ["jk-2027"]},
    ]
    assert CliRunner().invoke(app, ["ledger", "verify"]).exit_code == 0


def test_set_current_leaves_exactly_one_current_election() -> None:
    for code in ("a", "b", "c"):  # several current at once, as old data may have them
        Election.objects.create(
            code=code, name=code, polling_day=datetime.date(2027, 1, 1), law_edition="kg-2025",
            is_current=True,
        )  # fmt: skip
    result = run("set-current", "b")
    assert result.exit_code == 0, result.output
    assert current_codes() == ["b"]
    assert entries("elections.set_current")[-1]["data"] == {"code": "b", "previous": ["a", "c"]}


def test_a_duplicate_code_is_refused() -> None:
    assert create("jk-2027").exit_code == 0
    before = LedgerEntry.objects.count()
    result = create("jk-2027", day="2028-01-01")
    assert result.exit_code == 1
    assert "jk-2027" in result.output
    assert Election.objects.get().polling_day == datetime.date(2027, 3, 14)
    assert LedgerEntry.objects.count() == before


def test_bad_input_is_refused_with_every_problem_at_its_option() -> None:
    result = run(
        "create", "not a slug", "--name", " ", "--polling-day", "2027-02-30",
        "--law-edition", "kg-1999",
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("CODE: ") for line in lines)
    assert any(line.startswith("--name: ") for line in lines)
    assert any(line.startswith("--polling-day: '2027-02-30'") for line in lines)
    law = next(line for line in lines if line.startswith("--law-edition: "))
    assert "'kg-1999'" in law and "kg-2025" in law  # names the unknown one and the packaged ones
    long = create("x" * 51)
    assert long.exit_code == 2 and "CODE: " in long.output
    assert not Election.objects.exists() and not LedgerEntry.objects.exists()


def test_a_law_edition_is_an_id_never_a_path() -> None:
    result = create("jk-2027", law="src/shailoo/law/editions/kg-2025.yaml")
    assert result.exit_code == 2 and "--law-edition: " in result.output
    assert not Election.objects.exists()


def test_show_and_set_current_name_what_is_missing() -> None:
    empty = run("show")
    assert empty.exit_code == 2 and "shailoo elections create" in empty.output
    assert "no elections" in run("list").output
    create("jk-2027")
    unknown = run("show", "nope")
    assert unknown.exit_code == 2 and unknown.output.startswith("CODE: ")
    assert "jk-2027 (shailoo elections list)" in unknown.output
    missing = run("set-current", "nope")
    assert missing.exit_code == 2 and missing.output.startswith("CODE: ")
    assert current_codes() == []


def test_the_services_check_the_actor() -> None:
    kwargs = {
        "code": "jk-2027",
        "name": "Election",
        "polling_day": datetime.date(2027, 3, 14),
        "law_edition": "kg-2025",
    }
    with pytest.raises(PermissionRefused):
        services.create_election(make_user("member", Role.CEC_MEMBER), **kwargs)
    with pytest.raises(PermissionRefused):
        services.create_election("", **kwargs)  # an empty system name is nobody
    admin = make_user("admin", Role.CEC_ADMIN)
    election = services.create_election(admin, current=True, **kwargs)
    assert election.is_current
    assert entries("elections.create")[0]["actor"] == "admin"
    with pytest.raises(Conflict) as taken:
        services.create_election(admin, **kwargs)
    assert taken.value.code == "election_exists"
    with pytest.raises(InvalidInput) as bad:
        services.create_election(admin, **{**kwargs, "code": "b", "polling_day": "14.03.2027"})
    assert [p.where for p in bad.value.problems] == ["polling_day"]
    with pytest.raises(PermissionRefused):
        services.set_current(make_user("member2", Role.CEC_MEMBER), "jk-2027")
