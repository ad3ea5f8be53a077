"""Deduplication over enrolled persons: the run, the queue, decisions on the ledger, the pages."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path
from typing import Any

import pytest
from dedup_testdata import finger_calibration
from django.test import Client, override_settings
from django.urls import reverse

import factories as f
from shailoo.accounts.models import PersonalDataAccess
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import login_verified, make_user
from shailoo.biometrics import services as biometric_services
from shailoo.biometrics.dedup import services
from shailoo.biometrics.dedup.models import AdjudicationDecision, DedupRun, DuplicateCandidate
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.common.refusals import Refusal
from shailoo.integrity import ledger
from shailoo.integrity.models import LedgerEntry
from shailoo.register.pin import mask_pin
from shailoo.synth import embeddings
from shailoo.synth.fingerprints import impression, master_finger

pytestmark = [pytest.mark.django_db, pytest.mark.urls("dedup_test_urls")]
SEED = 77


def face(identity: int, session: int, model: str = "synth-face-512") -> EmbeddingTemplate:
    return EmbeddingTemplate(
        model, embeddings.capture_of(embeddings.ISOTROPIC, SEED, identity, session)
    )


def fingers(identity: int, session: int) -> list[Any]:
    return [impression(master_finger(SEED, identity, pos), session) for pos in (2, 7)]


@pytest.fixture
def world(tmp_path: Path, settings: Any) -> dict[str, Any]:
    calibration = tmp_path / "finger.json"
    calibration.write_text(finger_calibration().to_json(), encoding="utf-8")
    settings.BIOMETRICS_FINGER_CALIBRATION = str(calibration)
    settings.DEDUP_DIR = tmp_path / "runs"
    settings.DEDUP_STRENGTH_THRESHOLD = 8.0
    f.election("kg-2025", datetime.date(2099, 3, 14))
    region = f.region("KG-Y")
    tec = f.tec(region, "TY")
    station = f.station(701, district_=f.district(region), tec_=tec)
    people = [f.person(station, given_name=f"Person{i}") for i in range(8)]
    enrolments = {
        0: [face(0, 0)],
        1: [face(1, 0)],
        2: [face(2, 0)],
        3: [face(0, 1)],  # second enrolment of person 0's face
        4: [EmbeddingTemplate("other-model-512", face(1, 0).vector)],  # same numbers, other model
        5: fingers(10, 0),
        6: fingers(11, 0),
        7: fingers(10, 1),  # person 5's fingers again
    }
    for i, templates in enrolments.items():
        biometric_services.enrol(people[i], templates, "test")
    return {
        "people": people,
        "cec": make_user("cec", Role.CEC_MEMBER),
        "tec": make_user("tec", Role.TEC_OPERATOR, tec),
    }


def pair_of(a: Any, b: Any) -> tuple[int, int]:
    return (min(a.pk, b.pk), max(a.pk, b.pk))


def test_run_queues_face_and_fingerprint_duplicates_only(world: dict[str, Any]) -> None:
    people = world["people"]
    run = services.start_run("cli", scheduler="synchronous")
    assert run.status == DedupRun.Status.FINISHED
    assert (run.faces, run.finger_only, run.model_id) == (4, 3, "synth-face-512")
    queued = {(c.person_a_id, c.person_b_id) for c in DuplicateCandidate.objects.all()}
    assert queued == {pair_of(people[0], people[3]), pair_of(people[5], people[7])}
    # the other model's identical numbers were never compared with person 1's face
    assert pair_of(people[1], people[4]) not in queued
    entry = LedgerEntry.objects.filter(kind=services.RUN_ENTRY).get()
    assert json.loads(bytes(entry.data))["payload"]["data"]["queued"] == 2
    assert not list(Path(run.run_dir).glob("vectors*"))  # biometric inputs discarded
    again = services.start_run("cli", scheduler="synchronous")
    assert (again.candidates, again.queued) == (2, 0)
    assert DuplicateCandidate.objects.count() == 2


def _candidate(world: dict[str, Any]) -> DuplicateCandidate:
    services.start_run("cli", scheduler="synchronous")
    people = world["people"]
    a, b = pair_of(people[0], people[3])
    return DuplicateCandidate.objects.get(person_a_id=a, person_b_id=b)


def test_a_decision_goes_on_the_ledger_by_reference(world: dict[str, Any]) -> None:
    pair = _candidate(world)
    decision = services.adjudicate(pair, "same_person", "Same face, same birth date.", world["cec"])
    pair.refresh_from_db()
    assert pair.status == DuplicateCandidate.Status.DECIDED
    entry = LedgerEntry.objects.get(sequence=decision.ledger_sequence)
    assert entry.kind == services.DECISION_ENTRY
    text = bytes(entry.data).decode()
    payload = json.loads(text)["payload"]
    assert payload["actor"] == "cec"
    assert payload["data"]["person_a"] == ledger.pin_ref(pair.person_a.pin)
    assert payload["data"]["outcome"] == "same_person"
    assert pair.person_a.pin not in text and pair.person_b.pin not in text
    assert "Same face" not in text  # the reason is pinned by its hash only
    with pytest.raises(Refusal) as twice:
        services.adjudicate(pair, "different_persons", "Changed my mind today.", world["cec"])
    assert twice.value.code == "already_decided"
    # a confirmed double enrolment reaches the rapid-response groups as a case
    from shailoo.incidents.models import Case

    (case,) = Case.objects.filter(alert_kind="biometrics.duplicate_enrolment")
    assert (case.category, case.agency, case.severity) == ("multiple_voting", "commission", "high")
    assert case.alert_subject == ledger.ref(pair)
    assert pair.person_a.pin not in case.description


def test_decisions_need_a_reason_an_outcome_and_the_whole_country(world: dict[str, Any]) -> None:
    pair = _candidate(world)
    with pytest.raises(Refusal) as short:
        services.adjudicate(pair, "same_person", "  short ", world["cec"])
    assert short.value.code == "reason_required"
    with pytest.raises(Refusal) as unknown:
        services.adjudicate(pair, "maybe", "A perfectly long reason.", world["cec"])
    assert unknown.value.code == "bad_outcome"
    with pytest.raises(Refusal) as refused:
        services.adjudicate(pair, "same_person", "A perfectly long reason.", world["tec"])
    assert refused.value.code == "forbidden"
    assert not AdjudicationDecision.objects.exists()


def test_resume_refuses_unknown_and_finished_runs(world: dict[str, Any]) -> None:
    with pytest.raises(Refusal) as missing:
        services.resume_run(999, "cli", scheduler="synchronous")
    assert missing.value.code == "no_run" and "999" in missing.value.message
    run = services.start_run("cli", scheduler="synchronous")
    with pytest.raises(Refusal) as finished:
        services.resume_run(run.pk, "cli", scheduler="synchronous")
    assert finished.value.code == "run_finished"


def test_staff_pages_side_by_side_logged_and_decided(world: dict[str, Any]) -> None:
    pair = _candidate(world)
    client = Client()
    login_verified(client, world["cec"])
    queue = client.get(reverse("biometrics_dedup:queue"))
    assert queue.status_code == 200
    assert reverse("biometrics_dedup:candidate", args=[pair.pk]) in queue.content.decode()
    page = client.get(reverse("biometrics_dedup:candidate", args=[pair.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert mask_pin(pair.person_a.pin) in html and mask_pin(pair.person_b.pin) in html
    assert not re.search(r"\b\d{14}\b", html)  # no full PIN anywhere
    logged = PersonalDataAccess.objects.filter(user=world["cec"])
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted(
        [pair.person_a_id, pair.person_b_id]
    )
    url = reverse("biometrics_dedup:decide", args=[pair.pk])
    empty = client.post(url, {"outcome": "same_person", "reason": ""}, follow=True)
    assert not AdjudicationDecision.objects.exists()
    assert empty.redirect_chain[-1][0] == reverse("biometrics_dedup:candidate", args=[pair.pk])
    assert [m.level_tag for m in empty.context["messages"]] == ["error"]
    done = client.post(url, {"outcome": "different_persons", "reason": "Twins: fingers differ."})
    assert done.status_code == 302
    assert AdjudicationDecision.objects.get().outcome == "different_persons"
    assert (
        "Twins"
        in client.get(reverse("biometrics_dedup:candidate", args=[pair.pk])).content.decode()
    )


def test_pages_refuse_territorial_staff_and_strangers(world: dict[str, Any]) -> None:
    pair = _candidate(world)
    client = Client()
    for name, args in (("queue", []), ("candidate", [pair.pk])):
        response = client.get(reverse(f"biometrics_dedup:{name}", args=args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    login_verified(client, world["tec"])
    assert client.get(reverse("biometrics_dedup:queue")).status_code == 403
    assert client.get(reverse("biometrics_dedup:candidate", args=[pair.pk])).status_code == 403
    response = client.post(
        reverse("biometrics_dedup:decide", args=[pair.pk]),
        {"outcome": "same_person", "reason": "Trying from a TEC account."},
    )
    assert response.status_code == 403
    assert not AdjudicationDecision.objects.exists()
    assert not PersonalDataAccess.objects.exists()


@override_settings(DEDUP_FACE_THRESHOLD=0.99)
def test_thresholds_come_from_settings(world: dict[str, Any]) -> None:
    assert services.thresholds().face == 0.99
    run = services.start_run("cli", scheduler="synchronous")
    assert run.config["thresholds"]["face"] == 0.99
    people = world["people"]
    assert not DuplicateCandidate.objects.filter(person_a=people[0]).exists()


def test_an_interrupted_run_is_resumed(world: dict[str, Any], monkeypatch: Any) -> None:
    from shailoo.biometrics.dedup import job

    real_run = job.run
    monkeypatch.setattr(job, "run", lambda path, **kw: real_run(path, **{**kw, "limit": 1}))
    with pytest.raises(Refusal) as stopped:
        services.start_run("cli", scheduler="synchronous")
    assert stopped.value.code == "dedup_interrupted"
    run = DedupRun.objects.get()
    assert run.status == DedupRun.Status.INTERRUPTED
    assert (run.partitions, run.partitions_done) == (2, 1)
    assert "not computed yet" in run.error
    assert not DuplicateCandidate.objects.exists()
    monkeypatch.setattr(job, "run", real_run)
    resumed = services.resume_run(run.pk, "cli", scheduler="synchronous")
    assert resumed.status == DedupRun.Status.FINISHED and resumed.queued == 2
