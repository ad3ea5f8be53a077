"""Protocol services: enter, compare, block and alert, accept, dispute, versions, ledger."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from counting_results_helpers import RELATIONS, VOTES, enter, lines, setup_world

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.common.refusals import Refusal
from shailoo.counting.results import decisions, services
from shailoo.counting.results.models import CountingAlert, Protocol, ProtocolDecision
from shailoo.integrity.models import LedgerEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> dict[str, Any]:
    return setup_world(monkeypatch, tmp_path)


def kinds() -> list[str]:
    return list(LedgerEntry.objects.values_list("kind", flat=True))


def test_a_consistent_protocol_is_reported_then_accepted_and_signed(world) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1)
    protocol = version.protocol
    assert (protocol.status, protocol.acceptable, version.number) == ("reported", True, 1)
    assert version.ledger_sequence is not None
    decision = decisions.accept_protocol(protocol, "cli")
    protocol.refresh_from_db()
    assert protocol.status == Protocol.Status.ACCEPTED
    assert decisions.verify_acceptance(decision)
    assert kinds()[-1] == "counting.protocol_accepted"
    assert "counting.protocol_version" in kinds() and "counting.automatic_count" in kinds()
    # the signature covers the figures: a changed figure no longer verifies
    version.votes = {**VOTES, "a": 301}
    version.save()
    assert not decisions.verify_acceptance(ProtocolDecision.objects.get(pk=decision.pk))


def test_a_discrepancy_beyond_tolerance_blocks_acceptance_and_raises_an_alert(world) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1, automatic={"a": 297, "b": 200, "c": 50})  # 3 > tolerance 2
    protocol = version.protocol
    assert not protocol.acceptable
    (alert,) = CountingAlert.objects.filter(resolved=False)
    assert alert.kind == "discrepancy"
    assert "difference 3 exceeds the tolerance of 2" in alert.reasons[0]
    with pytest.raises(Refusal) as caught:
        decisions.accept_protocol(protocol, "cli")
    assert caught.value.code == "blocked"
    assert "votes for 'a'" in caught.value.problems[0].why
    protocol.refresh_from_db()
    assert protocol.status == "reported"
    assert CountingAlert.objects.filter(resolved=False).count() == 1  # not duplicated
    assert "counting.alert" in kinds()


def test_within_tolerance_is_acceptable(world) -> None:
    version = enter(world, world["stations"][0], automatic={"a": 298, "b": 200, "c": 50})
    assert version.acceptable
    decisions.accept_protocol(version.protocol, "cli")


def test_a_later_automatic_count_rechecks_and_resolves(world) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1, automatic=None)
    protocol = Protocol.objects.get(pk=version.protocol.pk)
    assert not protocol.acceptable
    assert CountingAlert.objects.get().kind == "no_automatic"
    services.record_automatic_count(world["election"], s1, "pres", VOTES, "cli", source="signed")
    protocol.refresh_from_db()
    assert protocol.acceptable
    assert not CountingAlert.objects.filter(resolved=False).exists()
    assert "counting.alert_resolved" in kinds()


def test_counting_alerts_reach_the_rapid_response_groups_as_cases(world) -> None:
    """Counting raises each alert through the incidents door: a case for the commission's
    members of the station's territory, closed when the alert no longer holds."""
    from shailoo.incidents.models import Case

    s1 = world["stations"][0]
    enter(world, s1, automatic=None)
    (case,) = Case.objects.all()
    assert (case.kind, case.alert_kind, case.category) == (
        "alert",
        "counting.no_automatic",
        "count_irregularity",
    )
    assert (case.agency, case.station_id, case.severity) == ("commission", s1.pk, "low")
    assert case.alert_subject == f"counting_results.countingalert:{CountingAlert.objects.get().pk}"
    services.record_automatic_count(world["election"], s1, "pres", VOTES, "cli", source="signed")
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED  # nobody had started on it; the alert resolved
    assert case.events.filter(kind="alert_resolved").exists()


def test_control_failure_blocks_with_the_relation_named(world) -> None:
    version = enter(world, world["stations"][0], lines=lines(ballots_unused=431))
    assert not version.acceptable
    assert version.verdict["failures"][0]["relation"] == "ballots_accounted"
    assert CountingAlert.objects.get().kind == "control"


def test_versions_are_kept_and_accepted_protocols_need_a_dispute(world) -> None:
    s1 = world["stations"][0]
    first = enter(world, s1, lines=lines(ballots_unused=431))
    second = services.enter_protocol(world["election"], s1, "pres", lines(), VOTES, "cli")
    assert (first.number, second.number) == (1, 2)
    protocol = second.protocol
    protocol.refresh_from_db()
    assert protocol.current_id == second.pk and protocol.versions.count() == 2
    assert not CountingAlert.objects.filter(resolved=False).exists()  # v1's alert closed
    decisions.accept_protocol(protocol, "cli")
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(world["election"], s1, "pres", lines(), VOTES, "cli")
    assert caught.value.code == "already_accepted"
    with pytest.raises(Refusal) as caught:
        decisions.accept_protocol(protocol, "cli")
    assert caught.value.code == "already_accepted"
    with pytest.raises(Refusal) as caught:
        decisions.dispute_protocol(protocol, "cli", "  ")
    assert caught.value.code == "reason_required"
    decisions.dispute_protocol(protocol, "cli", "observers report a recount")
    with pytest.raises(Refusal) as caught:
        decisions.dispute_protocol(protocol, "cli", "again")
    assert caught.value.code == "already_disputed"
    third = services.enter_protocol(world["election"], s1, "pres", lines(), VOTES, "cli")
    protocol.refresh_from_db()
    assert (third.number, protocol.status) == (3, "reported")
    assert [v.number for v in protocol.versions.all()] == [1, 2, 3]
    assert kinds().count("counting.protocol_version") == 3
    assert "counting.protocol_disputed" in kinds()


def test_bad_input_is_located(world) -> None:
    s1 = world["stations"][0]
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(
            world["election"], s1, "pres", lines(ballots_found=-1), {"a": "x"}, "cli"
        )
    assert caught.value.code == "invalid_protocol"
    assert [p for p, _ in caught.value.problems] == ["lines.ballots_found", "votes.a"]
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(world["election"], s1, "", lines(), VOTES, "cli")
    assert [tuple(p) for p in caught.value.problems] == [
        ("contest", "a contest id of 1-64 characters is required")
    ]
    with pytest.raises(Refusal) as caught:
        services.record_automatic_count(world["election"], s1, "pres", {"a": -1}, "cli")
    assert [tuple(p) for p in caught.value.problems] == [
        ("automatic.a", "must not be negative, got -1")
    ]
    assert not Protocol.objects.exists()


def test_permissions_follow_role_and_territory(world) -> None:
    s1, _, s3 = world["stations"]
    tec_a, _ = world["tecs"]
    pec = make_user("pec", Role.PEC_OPERATOR, s1)
    pec.is_staff = True
    pec.save()
    tec_user = make_user("tec", Role.TEC_OPERATOR, tec_a)
    tec_user.is_staff = True
    tec_user.save()
    services.record_automatic_count(world["election"], s1, "pres", VOTES, "cli", source="scanner")
    version = services.enter_protocol(world["election"], s1, "pres", lines(), VOTES, pec)
    assert version.entered_by == "pec"
    with pytest.raises(Refusal, match="№201") as caught:
        services.enter_protocol(world["election"], s3, "pres", lines(), VOTES, pec)
    assert caught.value.code == "forbidden"
    with pytest.raises(Refusal) as caught:
        decisions.accept_protocol(version.protocol, pec)  # a PEC cannot accept
    assert caught.value.code == "forbidden"
    decisions.accept_protocol(version.protocol, tec_user)
    other = enter(world, s3)
    with pytest.raises(Refusal) as caught:
        decisions.dispute_protocol(other.protocol, tec_user, "not mine")
    assert caught.value.code == "forbidden"
    with pytest.raises(Refusal):
        services.enter_protocol(world["election"], s1, "pres", lines(), VOTES, "")


def test_contest_and_options_are_checked_against_the_definition(world) -> None:
    from shailoo.counting.models import BallotStyle, Contest, ContestOption

    s1, s2, _ = world["stations"]
    contest = Contest.objects.create(
        election=world["election"],
        code="pres",
        kind="president",
        title_ky="Президент",
        title_ru="Президент",
        votes_allowed=1,
        seats=1,
        position=1,
    )
    for i, code in enumerate(("a", "b", "c")):
        ContestOption.objects.create(
            contest=contest, code=code, kind="candidate", name_ky=code, name_ru=code, position=i
        )
    style = BallotStyle.objects.create(
        election=world["election"], code="s1", contest_codes=["pres"]
    )
    style.contests.add(contest)
    style.stations.add(s1)
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(world["election"], s1, "pres", lines(), {"a": 300}, "cli")
    assert [tuple(p) for p in caught.value.problems] == [
        ("votes.b", "is missing"),
        ("votes.c", "is missing"),
    ]
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(world["election"], s1, "mayor", lines(), VOTES, "cli")
    assert caught.value.code == "unknown_contest"
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(world["election"], s2, "pres", lines(), VOTES, "cli")
    assert caught.value.code == "contest_not_at_station"
    with pytest.raises(Refusal) as caught:
        services.record_automatic_count(world["election"], s1, "pres", {"z": 1}, "cli")
    assert [tuple(p) for p in caught.value.problems] == [
        ("automatic.z", "is not an option of this contest")
    ]
    assert enter(world, s1).acceptable


def _edition(protocol: Any) -> SimpleNamespace:
    return SimpleNamespace(counting=SimpleNamespace(protocol=protocol))


def _cited(value: Any) -> SimpleNamespace:
    return SimpleNamespace(value=value, citation="Art. 35(14), Law 68")


def test_protocol_rules_are_read_from_the_law_edition(
    db: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    election = f.election("kg-2025")
    law = _edition(
        SimpleNamespace(control_relations=_cited(list(RELATIONS)), tolerance_votes=_cited(3))
    )
    monkeypatch.setattr(services, "load_edition", lambda edition: law)
    found = services.protocol_rules(election)
    assert (found.relations, found.tolerance_votes) == (RELATIONS, 3)
    assert found.citation == "Art. 35(14), Law 68"
    monkeypatch.setattr(services, "load_edition", lambda edition: SimpleNamespace())
    with pytest.raises(Refusal) as caught:
        services.protocol_rules(election)
    assert caught.value.code == "law_lacks_protocol_rules"
    bad = [SimpleNamespace(name="x", left=["nope"], op="=", right=["ballots_found"])]
    law = _edition(SimpleNamespace(control_relations=_cited(bad), tolerance_votes=_cited(0)))
    monkeypatch.setattr(services, "load_edition", lambda edition: law)
    with pytest.raises(Refusal) as caught:
        services.protocol_rules(election)
    assert [tuple(p) for p in caught.value.problems] == [
        ("counting.protocol.control_relations.0", "unknown line 'nope'")
    ]


def test_the_packaged_editions_set_the_protocol_rules(db: Any) -> None:
    from shailoo.counting.results.protocol import BASE_LINES

    for edition in ("kg-2020", "kg-2021", "kg-2025"):
        found = services.protocol_rules(f.election(edition))
        named = {line for relation in found.relations for line in relation.lines()}
        assert set(BASE_LINES) <= named, edition
        assert "votes_valid" in named and found.tolerance_votes >= 0
        assert "Art. 35" in found.citation


def test_missing_protocols_follow_the_ballot_styles(world) -> None:
    from counting_results_helpers import import_definition

    from shailoo.counting.results import aggregation
    from shailoo.geo.models import PollingStation

    import_definition(world)
    s1, _, _ = world["stations"]
    decisions.accept_protocol(enter(world, s1).protocol, "cli")
    total, by_tec = aggregation.status_counts(world["election"], PollingStation.objects.all())
    assert (total.accepted, total.reported, total.missing) == (1, 0, 2)
    assert [(t.code, t.accepted, t.missing) for t in by_tec] == [("T1", 1, 1), ("T2", 0, 1)]
    only_t2 = PollingStation.objects.filter(tec__code="T2")
    total, _ = aggregation.status_counts(world["election"], only_t2, level="region")
    assert (total.accepted, total.missing, total.expected) == (0, 1, 1)
    (contest,) = aggregation.results(world["election"]).values()
    assert contest.country.turnout == Decimal("56.50")
    assert sum(contest.country.shares().values()) == Decimal("100.00")


def test_with_the_packaged_law_one_vote_off_blocks(
    db: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """kg-2025 sets tolerance 0 and the four protocol relations; no rules are patched here."""
    from shailoo.integrity import keys

    key = tmp_path / "protocol.pem"
    keys.write_private_key(key, keys.generate())
    monkeypatch.setenv("SHAILOO_PROTOCOL_KEY_FILE", str(key))
    election, s1 = f.election("kg-2025", code="real-law"), f.station(501)
    world = {"election": election}
    version = enter(world, s1, automatic={"a": 300, "b": 199, "c": 50})
    assert not version.acceptable
    assert version.verdict["differences"] == [
        {"option": "b", "automatic": 199, "manual": 200, "difference": 1, "tolerance": 0}
    ]
    s2 = f.station(502)
    version = enter(world, s2, lines=lines(ballots_found=566))
    failed = {x["relation"] for x in version.verdict["failures"]}
    assert failed == {"found_within_issued", "found_balance"}
    services.enter_protocol(election, s2, "pres", lines(), VOTES, "cli")
    decision = decisions.accept_protocol(Protocol.objects.get(station=s2), "cli")
    assert decisions.verify_acceptance(decision)


def test_a_pin_shaped_number_is_refused_not_written_to_the_ledger(world) -> None:
    s1 = world["stations"][0]
    version = enter(world, s1)
    with pytest.raises(Refusal) as caught:
        decisions.dispute_protocol(version.protocol, "cli", "voter 21505199012345 complained")
    assert caught.value.code == "ledger_refused"
    assert Protocol.objects.get().status == "reported"
    with pytest.raises(Refusal) as caught:
        services.enter_protocol(world["election"], s1, "12345678901234", lines(), VOTES, "cli")
    assert caught.value.code == "ledger_refused"
    assert Protocol.objects.count() == 1
