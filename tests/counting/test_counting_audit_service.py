"""Whole audits through the services: paper agrees -> confirmed; wrong winner -> escalate.

Rounds beyond the first: tests/counting/test_counting_audit_rounds.py."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from typer.testing import CliRunner

import factories as f
from shailoo.accounts.roles import Role, Scope
from shailoo.accounts.services import ScopeTarget, grant_role
from shailoo.cli import app as shailoo_app
from shailoo.common.refusals import Refusal
from shailoo.counting.audits.cli import app
from shailoo.counting.audits.files import AuditFileError, read_cvrs, read_reported
from shailoo.counting.audits.models import Audit, AuditedBallot, StoppingState
from shailoo.counting.audits.round_services import start_round
from shailoo.counting.audits.sampler import Batch
from shailoo.counting.audits.services import (
    draw_sample,
    evaluate,
    record_ballot,
    start_audit,
)
from shailoo.integrity.models import LedgerEntry

SEED = "31415926535897932384"
READERS = ("Айгүл Өмүрова", "Бакыт Асанов")
MANIFEST = [Batch("S1001-box1", 400), Batch("S1001-box2", 300), Batch("S1002-box1", 300)]


def paper(share_a: float) -> dict[tuple[str, int], str]:
    """What the paper ballots really say: ``share_a`` for a, the rest for b (deterministic)."""
    truth = {}
    n = 0
    for batch in MANIFEST:
        for position in range(1, batch.ballots + 1):
            truth[(batch.id, position)] = "a" if (n * 7919) % 1000 < share_a * 1000 else "b"
            n += 1
    return truth


def run(audit: Audit, truth: dict[tuple[str, int], str]) -> Audit:
    for draw in draw_sample("cli", audit):
        audit.refresh_from_db()
        if audit.status != Audit.Status.IN_PROGRESS:
            break
        if AuditedBallot.objects.filter(
            audit=audit, batch=draw.batch, position=draw.position
        ).exists():
            continue
        vote = truth[(draw.batch, draw.position)]
        record_ballot("cli", audit, draw.ballot_id, vote, READERS)
    audit.refresh_from_db()
    return audit


@pytest.mark.django_db
def test_paper_agrees_audit_confirms() -> None:
    election = f.election()
    before = LedgerEntry.objects.count()
    audit = start_audit(
        "cli",
        election=election,
        contest_id="president",
        manifest=MANIFEST,
        reported={"a": 800, "b": 200},
        seed=SEED,
        risk_limit=0.1,
    )
    assert audit.sample_size < 40  # an 80/20 contest needs only a handful of ballots
    audit = run(audit, paper(0.8))
    assert audit.status == Audit.Status.CONFIRMED
    assert audit.risk <= 0.1
    states = list(StoppingState.objects.filter(audit=audit))
    assert states[-1].status == Audit.Status.CONFIRMED
    assert all(s.status == Audit.Status.IN_PROGRESS for s in states[:-1])
    kinds = list(LedgerEntry.objects.order_by("sequence").values_list("kind", flat=True)[before:])
    assert kinds[:2] == ["counting.rla_start", "counting.rla_sample"]
    assert kinds.count("counting.rla_record") == len(states)
    assert kinds[-1] == "counting.rla_conclude"
    start = json.loads(LedgerEntry.objects.get(kind="counting.rla_start").data)
    assert start["payload"]["data"]["seed"] == SEED
    with pytest.raises(Refusal, match="already confirmed"):
        record_ballot("cli", audit, audit.sample.last().ballot_id, "a", READERS)


@pytest.mark.django_db
def test_reported_winner_actually_lost_escalates() -> None:
    election = f.election()
    audit = start_audit(
        "cli",
        election=election,
        contest_id="president",
        manifest=MANIFEST,
        reported={"a": 600, "b": 400},
        seed=SEED,
        risk_limit=0.1,
        sample_size=60,
    )
    audit = run(audit, paper(0.4))  # the paper says b won 60/40
    # The round ends without confirming: another round, not yet a full hand count.
    assert audit.status == Audit.Status.NEXT_ROUND
    assert audit.risk > 0.1
    assert LedgerEntry.objects.filter(kind="counting.rla_round_end").count() == 1
    # The evidence against the reported winner calls for a far larger round than the first.
    from shailoo.counting.audits.round_services import plan_next_round

    assert plan_next_round(audit).more > 10 * 60
    # A round as large as the rest of the manifest is a full hand count.
    result = start_round("cli", audit, size=940)
    audit.refresh_from_db()
    assert result.escalated and audit.status == Audit.Status.ESCALATE
    assert (
        result.round is None
        and "940 more draws would bring the sample to 1000"
        in (
            json.loads(LedgerEntry.objects.get(kind="counting.rla_escalate").data)["payload"][
                "data"
            ]["reason"]
        )
    )
    assert LedgerEntry.objects.filter(kind="counting.rla_escalate").count() == 1
    assert LedgerEntry.objects.filter(kind="counting.rla_conclude").count() == 0


@pytest.mark.django_db
def test_comparison_audit_confirms_with_matching_records() -> None:
    election = f.election()
    truth = paper(0.7)
    reported = {"a": sum(v == "a" for v in truth.values()), "b": 0}
    reported["b"] = 1000 - reported["a"]
    audit = start_audit(
        "cli",
        election=election,
        contest_id="president",
        manifest=MANIFEST,
        reported=reported,
        seed=SEED,
        risk_limit=0.1,
        method=Audit.Method.COMPARISON,
    )
    with pytest.raises(Refusal, match="cast vote records"):
        draw_sample("cli", audit)
    draw_sample("cli", audit, cvrs=truth)
    audit = run(audit, truth)
    assert audit.status == Audit.Status.CONFIRMED
    assert audit.examined == evaluate(audit).examined


@pytest.mark.django_db
def test_recording_out_of_order_never_stops_early() -> None:
    audit = start_audit(
        "cli",
        election=f.election(),
        contest_id="president",
        manifest=MANIFEST,
        reported={"a": 800, "b": 200},
        seed=SEED,
        risk_limit=0.1,
    )
    sample = draw_sample("cli", audit)
    truth = paper(0.8)
    # Record everything but the first draw: nothing counts until the first is read.
    for draw in sample[1:]:
        if not AuditedBallot.objects.filter(
            audit=audit, batch=draw.batch, position=draw.position
        ).exists():
            state = record_ballot(
                "cli", audit, draw.ballot_id, truth[(draw.batch, draw.position)], READERS
            )
            assert (state.examined, state.status) == (0, Audit.Status.IN_PROGRESS)


@pytest.mark.django_db
def test_refusals_are_clear() -> None:
    election = f.election()
    kwargs = {
        "election": election,
        "contest_id": "president",
        "manifest": MANIFEST,
        "reported": {"a": 600, "b": 400},
        "seed": SEED,
        "risk_limit": 0.1,
    }
    with pytest.raises(Refusal, match="seed: needs at least 20"):
        start_audit("cli", **{**kwargs, "seed": "123"})
    with pytest.raises(Refusal, match="tie at the winning boundary"):
        start_audit("cli", **{**kwargs, "reported": {"a": 500, "b": 500}})
    with pytest.raises(Refusal, match="exceed the 1000 ballots"):
        start_audit("cli", **{**kwargs, "reported": {"a": 900, "b": 400}})
    audit = start_audit("cli", **kwargs)
    draw_sample("cli", audit)
    first = audit.sample.first().ballot_id
    with translation.override("en"), pytest.raises(Refusal, match="Two different people"):
        record_ballot("cli", audit, first, "a", ("Айгүл", "Айгүл"))
    with pytest.raises(Refusal, match="vote 'c' is not one of: a, b, blank"):
        record_ballot("cli", audit, first, "c", READERS)
    with pytest.raises(Refusal, match="not in the drawn sample"):
        record_ballot("cli", audit, "nowhere:1", "a", READERS)
    record_ballot("cli", audit, first, "blank", READERS)
    with pytest.raises(Refusal, match="already recorded"):
        record_ballot("cli", audit, first, "a", READERS)


@pytest.mark.django_db
def test_only_country_wide_roles_may_audit() -> None:
    user_model = get_user_model()
    tec = f.tec()
    local = user_model.objects.create_user("tec-op", password="x-long-pw-1")
    grant_role(local, Role.TEC_OPERATOR, ScopeTarget(Scope.TEC, tec), actor="test")
    member = user_model.objects.create_user("cec-member", password="x-long-pw-1")
    grant_role(member, Role.CEC_MEMBER, ScopeTarget(Scope.COUNTRY, None), actor="test")
    kwargs = {
        "election": f.election(),
        "contest_id": "president",
        "manifest": MANIFEST,
        "reported": {"a": 600, "b": 400},
        "seed": SEED,
        "risk_limit": 0.1,
    }
    with pytest.raises(Refusal) as refused:
        start_audit(local, **kwargs)
    assert refused.value.code == "forbidden"
    audit = start_audit(member, **kwargs)
    assert audit.created_by == "cec-member"


@pytest.mark.django_db
def test_cli_round_trip(tmp_path: Path) -> None:
    f.election()  # the current election: `audits start` audits it unless --election says
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("batch,ballots\nbox1,600\nbox2,400\n", encoding="utf-8")
    reported = tmp_path / "reported.csv"
    reported.write_text("option,votes\na,800\nb,200\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        shailoo_app,
        [
            "audits", "start", "--contest", "president",
            "--manifest", str(manifest), "--reported", str(reported), "--seed", SEED,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    audit_id = result.stdout.strip().splitlines()[-1]
    assert Audit.objects.get(pk=audit_id).election.is_current
    pull = tmp_path / "pull.csv"
    result = runner.invoke(app, ["sample", audit_id, "--out", str(pull)])
    assert result.exit_code == 0, result.output
    lines = pull.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "order,ballot,batch,position,generation,ticket,round"
    ballot = lines[1].split(",")[1]
    result = runner.invoke(
        app,
        ["record", audit_id, "--ballot", ballot, "--vote", "a", "--read-by", "A", "--read-by", "B"],
    )
    assert result.exit_code == 0, result.output
    assert "examined 1 in draw order" in result.stdout
    result = runner.invoke(app, ["status", audit_id])
    assert json.loads(result.stdout)["recorded"] == 1
    old_name = runner.invoke(shailoo_app, ["rla", "status", audit_id])  # hidden, one release
    assert old_name.exit_code == 0 and json.loads(old_name.stdout)["recorded"] == 1
    listed = runner.invoke(shailoo_app, ["--help"])
    assert " audits " in listed.output and " rla " not in listed.output


@pytest.mark.django_db
def test_cli_start_names_an_unknown_election(tmp_path: Path) -> None:
    f.election(code="jk-2027")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("batch,ballots\nbox1,600\n", encoding="utf-8")
    reported = tmp_path / "reported.csv"
    reported.write_text("option,votes\na,400\nb,200\n", encoding="utf-8")
    args = ["--contest", "p", "--manifest", str(manifest), "--reported", str(reported)]
    result = CliRunner().invoke(app, ["start", "--election", "nope", *args, "--seed", SEED])
    assert result.exit_code == 2 and "--election: " in result.output
    assert "jk-2027 (shailoo elections list)" in result.output
    assert not Audit.objects.exists()


def test_cli_sample_size() -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["sample-size", "--winner", "600", "--loser", "400", "--ballots", "1000"]
    )
    assert result.exit_code == 0, result.output
    assert "expected sample size (ASN): 119" in result.stdout
    result = runner.invoke(
        app, ["sample-size", "--winner", "400", "--loser", "400", "--ballots", "1000"]
    )
    assert result.exit_code == 2 and "count every ballot" in result.output


@pytest.mark.django_db
def test_cli_bad_manifest_is_located(tmp_path: Path) -> None:
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("batch,ballots\nbox1,600\nbox1,10\nbox3,many\n", encoding="utf-8")
    reported = tmp_path / "reported.csv"
    reported.write_text("option,votes\na,800\n", encoding="utf-8")
    result = CliRunner().invoke(
        app,
        [
            "start", "--election", "x", "--contest", "p", "--manifest", str(manifest),
            "--reported", str(reported), "--seed", SEED,
        ],
    )  # fmt: skip
    assert result.exit_code == 2
    assert f"{manifest}:3: batch: 'box1' already on line 2" in result.output
    assert f"{manifest}:4: ballots: 'many' is not a count >= 1" in result.output


@pytest.mark.parametrize(
    ("text", "problems"),
    [
        ("option,votes\na,10\na,5\n", ["line 3: option: 'a' listed twice"]),
        ("option,votes\na,10\nb,ten\n", ["line 3: votes: 'ten' is not a count"]),
        ("option,votes\na,10\nblank,3\n", ["line 3: option: 'blank' is reserved for ballots"]),
        ("option,count\na,1\n", ["line 1: votes: missing column(s); expected option,votes"]),
        ("option,votes\na,10\n", ["an audit needs at least two options"]),
        ("option,votes\na,1,2\nb,1\n", ["line 2: has 3 fields, the header 2"]),
        ("", ["line 1: the file is empty"]),
        # A quote left open is refused at its line, not allowed to merge rows into one cell.
        (
            'option,votes\n"a,800\nb",200\nc,5\n',
            ["line 2: malformed CSV: a quoted field is not closed on its line"],
        ),
        (
            "option,votes\na,1\nb," + "1" * 200_000 + "\n",
            ["line 3: malformed CSV: line longer than 65536 characters"],
        ),
    ],
)
def test_reported_file_errors_are_located(tmp_path: Path, text: str, problems: list[str]) -> None:
    path = tmp_path / "reported.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AuditFileError) as caught:
        read_reported(path)
    assert {p.source for p in caught.value.problems} == {str(path)}
    assert [str(p.located("")) for p in caught.value.problems] == problems


def test_cvr_file_errors_are_located(tmp_path: Path) -> None:
    path = tmp_path / "cvrs.csv"
    path.write_text("batch,position,vote\nb1,1,a\nb1,0,a\nb1,2,zz\nb1,1,b\n", encoding="utf-8")
    with pytest.raises(AuditFileError) as caught:
        read_cvrs(path, {"a", "b"})
    assert [str(p.located("")) for p in caught.value.problems] == [
        "line 3: position: '0' is not >= 1",
        "line 4: vote: 'zz' is not a reported option",
        "line 5: position: this ballot already has a record",
    ]
    path.write_text("batch,position,vote\nb1,1,a\nb1,2,Blank\n", encoding="utf-8")
    assert read_cvrs(path, {"a", "b"}) == {("b1", 1): "a", ("b1", 2): "blank"}


@pytest.mark.django_db
def test_the_pull_list_neutralises_batch_names_a_spreadsheet_would_run(tmp_path: Path) -> None:
    f.election()
    manifest = tmp_path / "manifest.csv"
    manifest.write_text("batch,ballots\n=cmd|' /C calc'!A0,600\n@box2,400\n", encoding="utf-8")
    reported = tmp_path / "reported.csv"
    reported.write_text("option,votes\na,800\nb,200\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(
        shailoo_app,
        [
            "audits", "start", "--contest", "president",
            "--manifest", str(manifest), "--reported", str(reported), "--seed", SEED,
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    audit_id = result.stdout.strip().splitlines()[-1]
    pull = tmp_path / "pull.csv"
    assert runner.invoke(app, ["sample", audit_id, "--out", str(pull)]).exit_code == 0
    with pull.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and {r["batch"] for r in rows} <= {"'=cmd|' /C calc'!A0", "'@box2"}
    assert all(r["ballot"].startswith("'") and r["order"].isdigit() for r in rows)
