"""Polling-station identification and 1:1 verification end to end: synthetic templates enrolled
through the service, the matcher's gallery cached per station, decisions logged without
templates, permissions, and the ``identify`` command."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.accounts.roles import Role
from shailoo.accounts.testing import make_user
from shailoo.biometrics import calibration, services
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.biometrics.minutiae import FingerTemplate
from shailoo.biometrics.models import IdentificationLog
from shailoo.common.refusals import Refusal
from shailoo.synth import embeddings
from shailoo.synth.biometric_evaluation import synthetic_impostor_scores
from shailoo.synth.enrolment import person_templates

pytestmark = pytest.mark.django_db
SEED = 77
VOTERS = 12


@pytest.fixture(scope="session")
def calibration_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A finger calibration fitted to synthetic impostors, and one for the synthetic faces."""
    folder = tmp_path_factory.mktemp("calibration")
    finger = calibration.fit(synthetic_impostor_scores(1000, 5, pool=40))
    spec = embeddings.CLUSTERED
    rows = embeddings.captures(spec, 2, embeddings.identities(spec, 1, 2000))
    impostor = (rows[:1000] @ rows[1000:].T).ravel()
    face = calibration.fit(impostor, matcher=spec.model_id)
    calibration.write_calibration(finger, folder / "finger.json")
    calibration.write_calibration(face, folder / "face.json")
    return folder / "finger.json", folder / "face.json"


@pytest.fixture
def configured(settings, calibration_files) -> None:
    finger, face = calibration_files
    settings.BIOMETRICS_FINGER_CALIBRATION = str(finger)
    settings.BIOMETRICS_FACE_CALIBRATIONS = {embeddings.CLUSTERED.model_id: str(face)}
    settings.BIOMETRICS_THRESHOLDS = {"target_fpir": 1e-3, "verify_fmr": 1e-4}
    services.forget_galleries()


def probe_of(identity: int, session: int = 1, face: bool = True) -> services.Probe:
    items = person_templates(identity, SEED, session, "standard")
    fingers = {t.finger: t for t in items if isinstance(t, FingerTemplate)}
    faces = [t for t in items if isinstance(t, EmbeddingTemplate)]
    return services.Probe(fingers, faces[0] if face else None)


@pytest.fixture
def station(configured):
    f.election("kg-2025", datetime.date(2099, 3, 14))
    home = f.station(701)
    other = f.station(702)
    voters = [f.person(home, surname=f"Сайлоочу{i}") for i in range(VOTERS)]
    for person in voters:
        services.enrol(person, person_templates(person.pk, SEED, 0, "standard"), "cli")
    stranger = f.person(other, surname="Башка")
    services.enrol(stranger, person_templates(stranger.pk, SEED, 0, "standard"), "cli")
    return {"home": home, "other": other, "voters": voters, "stranger": stranger}


def test_a_voter_of_the_station_is_identified_and_the_decision_logged(station) -> None:
    voter = station["voters"][5]
    result = services.identify_at_station(
        station["home"], probe_of(voter.pk), "checkin", device_key="k1"
    )
    assert result.decision == "identified" and result.person == voter
    assert result.candidates[0][0] == voter.pk
    log = IdentificationLog.objects.get()
    assert (log.mode, log.decision, log.candidate, log.station) == (
        "identify",
        "identified",
        voter,
        station["home"],
    )
    assert log.gallery_size == VOTERS and log.fingers == "2,7" and log.face
    assert log.device_key == "k1" and log.actor == "checkin"
    assert log.threshold == pytest.approx(-np.log10(1e-3 / VOTERS), abs=1e-3)
    assert all(isinstance(v, int | float) for pair in log.scores for v in pair)
    assert log.scores[0] == [voter.pk, result.candidates[0][1]]


def test_each_finger_alone_identifies_too(station) -> None:
    voter = station["voters"][9]
    probe = probe_of(voter.pk, face=False)
    for position, template in probe.fingers.items():
        result = services.identify_at_station(
            station["home"], services.Probe({position: template}), "checkin"
        )
        assert result.decision == "identified" and result.person == voter


def test_a_person_of_another_station_is_not_identified(station) -> None:
    result = services.identify_at_station(
        station["home"], probe_of(station["stranger"].pk), "checkin"
    )
    assert result.decision == "not_identified" and result.person is None
    log = IdentificationLog.objects.get()
    assert log.candidate is None and log.decision == "not_identified"


def test_two_voters_enrolled_with_one_persons_biometrics_are_ambiguous(station) -> None:
    first, second = station["voters"][0], station["voters"][1]
    services.enrol(second, person_templates(first.pk, SEED, 0, "standard"), "cli")
    result = services.identify_at_station(station["home"], probe_of(first.pk), "checkin")
    assert result.decision == "ambiguous" and result.person is None
    assert {c[0] for c in result.candidates[:2]} == {first.pk, second.pk}


def test_the_gallery_is_built_once_and_rebuilt_after_an_enrolment(
    station, django_assert_num_queries, django_capture_on_commit_callbacks
) -> None:
    gallery, size = services.station_gallery(station["home"])
    with django_assert_num_queries(1):
        again, _ = services.station_gallery(station["home"])
    assert again is gallery and size == VOTERS
    newcomer = f.person(station["home"], surname="Жаңы")
    with django_capture_on_commit_callbacks(execute=True):
        services.enrol(newcomer, person_templates(newcomer.pk, SEED, 0, "standard"), "cli")
    assert not services._galleries.items  # the commit dropped every cached gallery
    rebuilt, size = services.station_gallery(station["home"])
    assert rebuilt is not gallery and size == VOTERS + 1
    result = services.identify_at_station(station["home"], probe_of(newcomer.pk), "checkin")
    assert result.person == newcomer


def test_a_stale_gallery_is_detected_without_the_commit_signal(station) -> None:
    """An enrolment made by another process clears only that process's cache; here the
    commit callback does not run (the test's transaction never commits), so only the
    stamp query can notice the change."""
    gallery, _ = services.station_gallery(station["home"])
    newcomer = f.person(station["home"], surname="Жаңы")
    services.enrol(newcomer, person_templates(newcomer.pk, SEED, 0, "standard"), "cli")
    assert services._galleries.items  # nothing dropped the cached gallery
    rebuilt, size = services.station_gallery(station["home"])
    assert rebuilt is not gallery and size == VOTERS + 1


def test_verification_accepts_the_voter_and_refuses_an_impostor(station) -> None:
    voter = station["voters"][3]
    yes = services.verify_person(voter, probe_of(voter.pk), "checkin")
    no = services.verify_person(voter, probe_of(station["voters"][4].pk), "checkin")
    assert (yes.decision, yes.person) == ("verified", voter)
    assert (no.decision, no.person) == ("not_verified", None)
    logs = list(IdentificationLog.objects.order_by("pk"))
    assert [(log.mode, log.decision) for log in logs] == [
        ("verify", "verified"),
        ("verify", "not_verified"),
    ]
    assert logs[0].threshold == pytest.approx(4.0) and logs[1].scores[0][0] == voter.pk


def test_verification_by_pin_names_the_person_in_the_log_never_the_pin(station) -> None:
    voter = station["voters"][6]
    result = services.verify_pin(voter.pin, probe_of(voter.pk), "checkin")
    assert result.decision == "verified" and result.person == voter
    log = IdentificationLog.objects.get()
    assert log.candidate == voter
    assert all(voter.pin not in str(getattr(log, f.name)) for f in log._meta.fields)
    with pytest.raises(Refusal) as caught:
        services.verify_pin("0" * 14, probe_of(voter.pk), "checkin")
    assert caught.value.code == "unknown_pin" and "0" * 14 not in caught.value.message


def test_face_alone_identifies_and_another_models_face_is_never_compared(station) -> None:
    voter = station["voters"][7]
    face = probe_of(voter.pk).face
    result = services.identify_at_station(station["home"], services.Probe({}, face), "checkin")
    assert result.person == voter
    foreign = EmbeddingTemplate("other-model", face.vector)
    result = services.identify_at_station(station["home"], services.Probe({}, foreign), "checkin")
    assert result.decision == "not_identified" and result.candidates == []


def test_identification_needs_rights_over_the_station(station) -> None:
    own = make_user("pec_home", Role.PEC_OPERATOR, station["home"])
    foreign = make_user("pec_other", Role.PEC_OPERATOR, station["other"])
    voter = station["voters"][2]
    assert services.identify_at_station(station["home"], probe_of(voter.pk), own).person == voter
    assert IdentificationLog.objects.get().user == own
    for actor in (foreign, make_user("plain")):
        with pytest.raises(Refusal) as caught:
            services.identify_at_station(station["home"], probe_of(voter.pk), actor)
        assert caught.value.code == "forbidden"
        with pytest.raises(Refusal):
            services.verify_person(voter, probe_of(voter.pk), actor)
    assert IdentificationLog.objects.count() == 1


def test_empty_probes_and_unenrolled_persons_are_refused(station) -> None:
    with pytest.raises(Refusal) as caught:
        services.identify_at_station(station["home"], services.Probe({}), "checkin")
    assert caught.value.code == "empty_probe"
    with pytest.raises(Refusal) as caught:
        services.verify_person(f.person(station["home"]), probe_of(1), "checkin")
    assert caught.value.code == "not_enrolled"


def test_cli_identify_with_synthetic_probe_files(station, tmp_path, monkeypatch) -> None:
    from shailoo.cli import app

    monkeypatch.setattr("shailoo.common.cli._ready", True)
    voter = station["voters"][11]
    made = CliRunner().invoke(
        app,
        [
            "biometrics",
            "probe-synth",
            "--person",
            str(voter.pk),
            "--seed",
            str(SEED),
            "--out",
            str(tmp_path),
        ],
    )
    assert made.exit_code == 0, made.output
    files = sorted(tmp_path.iterdir())
    assert [p.name for p in files] == ["face.semb", "finger-2.iso", "finger-7.iso"]
    args = ["biometrics", "identify", "--station", "701", "--device", "desk-3"]
    for path in files:
        args += ["--probe", str(path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "station 701: identified" in result.output
    assert f"1. person #{voter.pk} " in result.output and voter.pin not in result.output
    assert IdentificationLog.objects.get().device_key == "desk-3"
    bad = tmp_path / "bad.iso"
    bad.write_bytes(files[1].read_bytes()[:-1])
    refused = CliRunner().invoke(
        app, ["biometrics", "identify", "--station", "701", "--probe", str(bad)]
    )
    assert refused.exit_code == 2 and "bad.iso: iso: byte 8:" in refused.output


def test_a_restarted_server_reads_the_sealed_gallery_back(station, settings, tmp_path) -> None:
    """The prepared gallery is kept on disk sealed with the master key: a new process (here:
    the memory cache forgotten) reads it instead of preparing every template; a new enrolment
    changes the stamp, and the stale copy is not used."""
    settings.BIOMETRICS_GALLERY_DIR = str(tmp_path / "galleries")
    home = station["home"]
    gallery, size = services.station_gallery(home)
    (stored,) = (tmp_path / "galleries").iterdir()
    assert stored.stat().st_mode & 0o077 == 0
    assert b"minutiae" not in stored.read_bytes()  # sealed, not a readable pickle
    services.forget_galleries()
    again, again_size = services.station_gallery(home)
    assert again is not gallery and again_size == size == VOTERS
    voter = station["voters"][3]
    assert again.identify(probe_of(voter.pk).fingers).candidates[0][0] == str(voter.pk)
    newcomer = f.person(home, surname="Жаңы")
    services.enrol(newcomer, person_templates(newcomer.pk, SEED, 0, "standard"), "cli")
    services.forget_galleries()
    assert services.station_gallery(home)[1] == VOTERS + 1
    stored.write_bytes(b"tampered")
    services.forget_galleries()
    assert services.station_gallery(home)[1] == VOTERS + 1  # rebuilt, not trusted
