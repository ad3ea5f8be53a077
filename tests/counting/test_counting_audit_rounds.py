"""Audits in rounds: next-round sizes pinned to published figures, the sampler's continuation
property, and whole multi-round audits through the services, the ledger and the CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from django.apps import apps
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import factories as f
from shailoo.common.refusals import Refusal
from shailoo.counting.audits import math as rla
from shailoo.counting.audits.cli import app
from shailoo.counting.audits.migrations import __name__ as migrations_package
from shailoo.counting.audits.models import Audit, AuditedBallot, AuditRound, SampledBallot
from shailoo.counting.audits.round_services import escalate, plan_next_round, start_round
from shailoo.counting.audits.rounds import (
    bravo_next_round,
    comparison_next_round,
    observed_rates,
)
from shailoo.counting.audits.sampler import Batch, SamplerError, draw, draw_more
from shailoo.counting.audits.services import draw_sample, record_ballot, start_audit
from shailoo.integrity.models import LedgerEntry

SEED = "31415926535897932384"
READERS = ("Айгүл Өмүрова", "Бакыт Асанов")


# -- next-round sizes -------------------------------------------------------------------------


def log_t(share: float, wins: int, losses: int) -> float:
    return wins * math.log(2 * share) + losses * math.log(2 - 2 * share)


# BRAVO ASN after a first round, from the sample's T: Arlo's test_bravo.py
# ("test_expected_sample_sizes_second_round", from Stark's tool): 42 and 14 more ballots,
# and -12 for a sample that already met the limit.
@pytest.mark.parametrize(
    ("winner", "loser", "ballots", "wins", "losses", "expected"),
    [
        (600, 200, 900, 25, 18, 42),
        (300, 100, 700, 55, 30, 14),
        (600, 400, 1000, 72, 47, -12),
    ],
)
def test_bravo_asn_after_a_round_published(
    winner: int, loser: int, ballots: int, wins: int, losses: int, expected: int
) -> None:
    t = log_t(winner / (winner + loser), wins, losses)
    assert rla.bravo_pair_asn(winner, loser, ballots, 0.1, log_t=t) == expected


def test_bravo_round_two_size_against_lindemans_figure() -> None:
    # Lindeman's round-completion size after 2,923 winner and 2,735 runner-up votes (52/47,
    # 10%, 90%) is 2,636 more ballots (Arlo's test_bravo_sample_sizes_round1_incomplete); ours
    # is the exact binomial smallest, so a little below it. A sample that already met the
    # limit needs 0 (Arlo: round1_finish).
    share = 52 / 99
    measured = log_t(share, 2923, 2735)
    ours = rla.bravo_completion_size(520_000, 470_000, 1_000_000, 0.1, 0.9, measured)
    assert ours == 2573 and 0.95 * 2636 <= ours <= 2636
    assert (
        rla.bravo_completion_size(520_000, 470_000, 10**6, 0.1, 0.9, log_t(share, 10_000, 0)) == 0
    )
    # From T = 1 it is the first round's size.
    assert rla.bravo_completion_size(600, 400, 1000, 0.1, 0.9, 0.0) == 342


def test_bravo_next_round_takes_the_hardest_pair_and_escalates_when_too_big() -> None:
    pairs = rla.bravo_pairs({"a": 600, "b": 200, "c": 100})
    t = {"a>b": log_t(0.75, 25, 18), "a>c": log_t(6 / 7, 25, 5)}
    plan = bravo_next_round(pairs, t, 900, 48, 0.1)
    ab = rla.bravo_completion_size(600, 200, 900, 0.1, 0.9, t["a>b"])
    assert not plan.full_hand_count and plan.more == ab and plan.total == 48 + ab
    done = bravo_next_round(pairs, {"a>b": 3.0, "a>c": 3.0}, 900, 48, 0.1)
    assert done.more == 0 and "already meets" in done.reason
    dead = bravo_next_round(pairs, {"a>b": -math.inf, "a>c": 0.0}, 900, 48, 0.1)
    assert dead.full_hand_count
    # Evidence against the winner: the round would reach the whole manifest.
    small = bravo_next_round(rla.bravo_pairs({"a": 16, "b": 14}), {"a>b": -1.0}, 30, 5, 0.1)
    assert small.full_hand_count and "a full hand count" in small.reason


def test_comparison_next_round_continues_the_first() -> None:
    for margin, published in [(0.2, 27), (0.1, 54), (0.15, 36)]:
        assert comparison_next_round(margin, [], 10**6, 0, 0.1).more == published
        # After n clean ballots, n fewer remain (P is a product over ballots). A clean sample
        # no longer assumes the understatements the first plan hoped for, so pin it with none.
        no_under = rla.ErrorRates(one_under=0.0, two_under=0.0)
        whole = comparison_next_round(margin, [], 10**6, 0, 0.1, rates=no_under).more
        for n in (1, whole // 3, whole // 2):
            plan = comparison_next_round(margin, [0.0] * n, 10**6, n, 0.1, rates=no_under)
            assert plan.more == whole - n and plan.total == whole
        clean = [0.0] * (published + 5)
        assert comparison_next_round(margin, clean, 10**6, len(clean), 0.1).more == 0
    # A one-vote overstatement makes the next round larger than a clean one would be.
    hit = comparison_next_round(0.1, [1.0] + [0.0] * 20, 10**6, 21, 0.1)
    clean_plan = comparison_next_round(0.1, [0.0] * 21, 10**6, 21, 0.1)
    assert hit.more > clean_plan.more + 20


def test_observed_rates_never_plan_for_fewer_overstatements() -> None:
    base = rla.ErrorRates()
    assert observed_rates([], base) == base
    rates = observed_rates([1.0, 2.0, -1.0, 0.0], base)
    assert rates.one_over == 0.25 and rates.two_over == 0.25
    assert rates.one_under == base.one_under and rates.two_under == 0.0


# -- the sampler's continuation ---------------------------------------------------------------

manifests = st.lists(
    st.tuples(st.text("abcXYZ-ө1", min_size=1, max_size=4), st.integers(1, 12)),
    min_size=1,
    max_size=5,
    unique_by=lambda row: row[0],
).map(lambda rows: [Batch(b, n) for b, n in rows])


@settings(max_examples=60, deadline=None)
@given(
    manifest=manifests,
    seed=st.text(min_size=20, max_size=30).filter(lambda s: len(s.strip()) >= 20),
    first=st.integers(0, 15),
    more=st.integers(0, 15),
    replacement=st.booleans(),
)
def test_a_next_round_continues_the_same_sequence(
    manifest: list[Batch], seed: str, first: int, more: int, replacement: bool
) -> None:
    total = sum(b.ballots for b in manifest)
    if not replacement:
        first, more = min(first, total), min(more, total - min(first, total))
    whole = draw(manifest, seed, first + more, replacement=replacement)
    earlier = draw(manifest, seed, first, replacement=replacement)
    later = draw_more(manifest, seed, first, more, replacement=replacement)
    # Earlier draws keep their places; the next round is exactly the rest of the sequence.
    assert whole[:first] == earlier
    assert whole[first:] == later
    assert [d.order for d in later] == list(range(first + 1, first + more + 1))
    if not replacement:
        assert not {d.ballot_id for d in earlier} & {d.ballot_id for d in later}


def test_draw_more_refuses_bad_sizes() -> None:
    manifest = [Batch("A", 3)]
    with pytest.raises(SamplerError, match="negative"):
        draw_more(manifest, SEED, -1, 2)
    with pytest.raises(SamplerError, match="exceeds the 3 ballots"):
        draw_more(manifest, SEED, 2, 2)


# -- whole audits in rounds -------------------------------------------------------------------

MANIFEST = [Batch("S1001-box1", 400), Batch("S1001-box2", 300), Batch("S1002-box1", 300)]


def paper(share_a: float, manifest: list[Batch] = MANIFEST) -> dict[tuple[str, int], str]:
    truth = {}
    n = 0
    for batch in manifest:
        for position in range(1, batch.ballots + 1):
            truth[(batch.id, position)] = "a" if (n * 7919) % 1000 < share_a * 1000 else "b"
            n += 1
    return truth


def read_round(audit: Audit, truth: dict[tuple[str, int], str]) -> Audit:
    """Read the drawn ballots in draw order until the stopping rule ends the round."""
    for row in audit.sample.order_by("order"):
        audit.refresh_from_db()
        if audit.status != Audit.Status.IN_PROGRESS:
            break
        if AuditedBallot.objects.filter(
            audit=audit, batch=row.batch, position=row.position
        ).exists():
            continue
        record_ballot("cli", audit, row.ballot_id, truth[(row.batch, row.position)], READERS)
    audit.refresh_from_db()
    return audit


def begin(
    reported: dict[str, int], size: int, manifest: list[Batch] = MANIFEST, method: str = "bravo"
) -> Audit:
    return start_audit(
        "cli",
        election=f.election(),
        contest_id="president",
        manifest=manifest,
        reported=reported,
        seed=SEED,
        risk_limit=0.1,
        sample_size=size,
        method=method,
    )


@pytest.mark.django_db
def test_a_second_round_confirms_and_keeps_the_first_rounds_draws() -> None:
    before = LedgerEntry.objects.count()
    audit = begin({"a": 800, "b": 200}, 3)
    first = [(d.order, d.ballot_id) for d in draw_sample("cli", audit)]
    audit = read_round(audit, paper(0.8))
    assert audit.status == Audit.Status.NEXT_ROUND  # three ballots cannot reach 1/alpha
    with pytest.raises(Refusal) as closed:
        record_ballot("cli", audit, first[0][1], "a", READERS)
    assert closed.value.code in ("round_complete", "already_recorded")
    plan = plan_next_round(audit)
    assert 0 < plan.more < 40 and not plan.full_hand_count
    result = start_round("cli", audit)
    assert result.round is not None and result.round.number == 2
    assert result.round.first_order == 4 and result.round.basis == AuditRound.Basis.RISK
    audit.refresh_from_db()
    assert audit.status == Audit.Status.IN_PROGRESS
    rows = list(audit.sample.order_by("order"))
    assert [(r.order, r.ballot_id) for r in rows[:3]] == first
    assert [r.round for r in rows] == [1] * 3 + [2] * plan.more
    # The whole sample is the seeded sequence drawn further.
    again = draw(MANIFEST, SEED, len(rows), replacement=True)
    assert [d.ballot_id for d in again] == [r.ballot_id for r in rows]
    audit = read_round(audit, paper(0.8))
    assert audit.status == Audit.Status.CONFIRMED and audit.risk <= 0.1
    ended = list(audit.rounds.values_list("number", "ended_status"))
    assert ended == [(1, "next_round"), (2, "confirmed")]
    kinds = list(LedgerEntry.objects.order_by("sequence").values_list("kind", flat=True)[before:])
    assert kinds[:2] == ["counting.rla_start", "counting.rla_sample"]
    assert kinds.count("counting.rla_round") == 1 and kinds.count("counting.rla_round_end") == 2
    assert kinds[-2:] == ["counting.rla_round_end", "counting.rla_conclude"]
    entry = LedgerEntry.objects.get(kind="counting.rla_round")
    data = json.loads(entry.data)["payload"]["data"]
    assert data["round"] == 2 and data["first"] == 4 and data["planned"] == plan.more


@pytest.mark.django_db
def test_the_plan_escalates_when_the_next_round_reaches_the_manifest() -> None:
    manifest = [Batch("box", 30)]
    audit = begin({"a": 16, "b": 14}, 5, manifest)
    draw_sample("cli", audit)
    audit = read_round(audit, paper(0.5, manifest))
    assert audit.status == Audit.Status.NEXT_ROUND
    with pytest.raises(Refusal) as busy:
        escalate("cli", audit, "   ")
    assert busy.value.code == "reason_needed"
    result = start_round("cli", audit)
    audit.refresh_from_db()
    assert result.escalated and result.plan.full_hand_count
    assert audit.status == Audit.Status.ESCALATE and audit.rounds.count() == 1
    entry = json.loads(LedgerEntry.objects.get(kind="counting.rla_escalate").data)
    assert "a full hand count" in entry["payload"]["data"]["reason"]
    with pytest.raises(Refusal) as over:
        start_round("cli", audit)
    assert over.value.code == "round_not_over"


@pytest.mark.django_db
def test_the_operator_may_choose_the_size_or_a_full_hand_count() -> None:
    audit = begin({"a": 800, "b": 200}, 2)
    draw_sample("cli", audit)
    with pytest.raises(Refusal) as early:
        start_round("cli", audit)
    assert early.value.code == "round_not_over"
    audit = read_round(audit, paper(0.8))
    result = start_round("cli", audit, size=7)
    assert result.round is not None and result.round.size == 7
    assert result.round.basis == AuditRound.Basis.OPERATOR
    escalate("cli", audit, "observers found a broken seal on box 2")
    audit.refresh_from_db()
    assert audit.status == Audit.Status.ESCALATE
    with pytest.raises(Refusal) as closed:
        escalate("cli", audit, "again")
    assert closed.value.code == "audit_closed"


@pytest.mark.django_db
def test_a_comparison_round_needs_the_records_again() -> None:
    truth = paper(0.7)
    cvrs = dict(truth)
    wrong = next(iter(cvrs))
    cvrs[wrong] = "b" if truth[wrong] == "a" else "a"
    reported = {"a": sum(v == "a" for v in cvrs.values())}
    reported["b"] = 1000 - reported["a"]
    audit = begin(reported, 4, method="comparison")
    draw_sample("cli", audit, cvrs)
    audit = read_round(audit, truth)
    assert audit.status == Audit.Status.NEXT_ROUND
    with pytest.raises(Refusal) as need:
        start_round("cli", audit)
    assert need.value.code == "cvrs_needed"
    result = start_round("cli", audit, cvrs=cvrs)
    assert result.round is not None
    row = SampledBallot.objects.filter(audit=audit, round=2).first()
    assert row is not None and row.reported_vote == cvrs[(row.batch, row.position)]
    audit = read_round(audit, truth)
    assert audit.status in (Audit.Status.CONFIRMED, Audit.Status.NEXT_ROUND)


@pytest.mark.django_db
def test_cli_plan_next_round_and_escalate(tmp_path: Path) -> None:
    audit = begin({"a": 800, "b": 200}, 2)
    drawn = draw_sample("cli", audit)
    truth = paper(0.8)
    record_ballot(
        "cli", audit, drawn[0].ballot_id, truth[(drawn[0].batch, drawn[0].position)], READERS
    )
    runner = CliRunner()
    last = drawn[1]
    args = ["record", str(audit.pk), "--ballot", last.ballot_id, "--read-by", "A", "--read-by", "B"]
    result = runner.invoke(app, [*args, "--vote", truth[(last.batch, last.position)]])
    assert result.exit_code == 0, result.output
    assert "round 1 is over without confirming" in result.stdout
    audit.refresh_from_db()
    result = runner.invoke(app, ["plan", str(audit.pk)])
    assert result.exit_code == 0, result.output
    assert "90% chance to confirm from T so far" in result.stdout
    pull = tmp_path / "round2.csv"
    result = runner.invoke(app, ["next-round", str(audit.pk), "--out", str(pull)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("round 2: draws 3-")
    lines = pull.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "order,ballot,batch,position,generation,ticket,round"
    assert lines[1].startswith("3,") and lines[1].endswith(",2")
    result = runner.invoke(app, ["next-round", str(audit.pk), "--out", str(pull)])
    assert result.exit_code == 2 and "a next round starts only after" in result.output
    status = json.loads(runner.invoke(app, ["status", str(audit.pk)]).stdout)
    assert [r["round"] for r in status["rounds"]] == [1, 2]
    assert status["rounds"][0]["ended"] == "next_round"
    result = runner.invoke(app, ["escalate", str(audit.pk), "--reason", "seal broken"])
    assert result.exit_code == 0 and "escalate_full_hand_count" in result.stdout


@pytest.mark.django_db
def test_the_migration_gives_older_audits_their_first_round() -> None:
    import importlib

    audit = begin({"a": 800, "b": 200}, 4)
    draw_sample("cli", audit)
    AuditRound.objects.filter(audit=audit).delete()
    migration = importlib.import_module(f"{migrations_package}.0002_rounds")
    migration.first_rounds(apps, None)
    (round_,) = AuditRound.objects.filter(audit=audit)
    assert (round_.number, round_.first_order, round_.last_order) == (1, 1, 4)
