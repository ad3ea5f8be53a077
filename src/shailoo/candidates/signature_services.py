"""Verifying a candidate's signature sheets against the voter register, on the ledger.

The register is read once into a column snapshot (``signatures.RegisterSnapshot``: PIN,
verdict, territory, name key, death, last move), the signer list is read with its located
problems (``signers_file``), and the pure engine decides every signature. The submission
keeps the counts per reason, the verdict with the law's threshold, the flagged collectors and
every invalid signature by sheet and line — never a signer's PIN in clear, except the sorted
PINs of the valid signatures, kept so that a later candidate for the same office can be
checked for voters who signed twice where the law allows one signature.

Territory: a district candidate's signers must be voters of the district's polling stations
(the ballot styles of the contest for that district in the loaded definition); a local
deputy's, of the candidate's region; a presidential candidate's, anywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.candidates.models import Candidate, SignatureFinding, SignatureSubmission
from shailoo.candidates.services import edition_of, office_rules, scope
from shailoo.candidates.signatures import RegisterSnapshot, SignatureReport, verify
from shailoo.candidates.signers_file import read_signers
from shailoo.common.actors import actor_name
from shailoo.common.refusals import Conflict
from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.register.models import Person, PersonChange

SIGNATURES = "candidates.signatures"
#: Territory ids of the snapshot: the candidate's territory, and everywhere else.
INSIDE, OUTSIDE = 1, 2
#: Invalid signatures kept one by one (the counts always cover all of them).
MAX_FINDINGS = 200_000


def _district_stations(candidate: Candidate) -> set[int] | None:
    """Station ids of the candidate's electoral district, from the loaded definition."""
    from django.apps import apps

    if not candidate.district:
        return None
    contest_model = apps.get_model("counting", "Contest")
    contests = contest_model.objects.filter(
        election=candidate.election, district=candidate.district
    )
    stations = PollingStation.objects.filter(ballot_styles__contests__in=contests)
    found = set(stations.values_list("pk", flat=True))
    if not found:
        raise Conflict(
            "district_unknown",
            gettext("The loaded election definition has no polling stations for district %(d)s.")
            % {"d": candidate.district},
        )
    return found


def territory_of_stations(candidate: Candidate) -> dict[int, int] | None:
    """Station id -> INSIDE/OUTSIDE for the candidate's territory; None: nationwide."""
    if candidate.office == "president":
        return None
    inside: set[int] | None = None
    if candidate.office == "jk_deputy":
        inside = _district_stations(candidate)
    elif candidate.region_id is not None:
        inside = set(
            PollingStation.objects.filter(region_id=candidate.region_id).values_list(
                "pk", flat=True
            )
        )
    if inside is None:
        return None
    every = PollingStation.objects.values_list("pk", flat=True)
    return {pk: INSIDE if pk in inside else OUTSIDE for pk in every}


def _last_moves(
    territory: dict[int, int] | None,
) -> dict[int, tuple[date, int]]:
    """Person id -> (day of the last change of station, territory before it)."""
    if territory is None:
        return {}
    numbers = dict(PollingStation.objects.values_list("number", "pk"))
    moves: dict[int, tuple[date, int]] = {}
    rows = PersonChange.objects.filter(changes__has_any_keys=["station", "station_id"])
    for person_id, at, changes in rows.order_by("at", "pk").values_list(
        "person_id", "at", "changes"
    ):
        if "station_id" in changes:
            old_station = changes["station_id"][0]
        else:
            old_station = numbers.get(changes["station"][0])
        if old_station is None:
            continue
        moves[person_id] = (timezone.localtime(at).date(), territory.get(old_station, OUTSIDE))
    return moves


def register_snapshot(territory: dict[int, int] | None) -> RegisterSnapshot:
    """The voter register as the signature engine reads it, in one pass over the persons."""
    moves = _last_moves(territory)

    def rows() -> Iterator[tuple[Any, ...]]:
        query = Person.objects.values_list(
            "pk", "pin", "ineligible_codes", "station_id", "name_key", "death_date"
        ).order_by()
        for pk, pin, codes, station, key, death in query.iterator(chunk_size=20_000):
            place = INSIDE if territory is None else territory.get(station, OUTSIDE)
            moved = moves.get(pk)
            yield (
                pin,
                codes,
                place,
                key,
                death,
                moved[0] if moved else None,
                moved[1] if moved else None,
            )

    return RegisterSnapshot.from_rows(rows())


def _other_pins(candidate: Candidate) -> np.ndarray[Any, Any] | None:
    """PINs that signed validly for another candidate for the same office."""
    others = SignatureSubmission.objects.filter(
        candidate__election=candidate.election, candidate__office=candidate.office
    ).exclude(candidate=candidate)
    blobs = [bytes(blob) for blob in others.values_list("valid_pins", flat=True) if blob]
    if not blobs:
        return None
    return np.unique(np.concatenate([np.frombuffer(b, dtype="<i8") for b in blobs]))


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_signatures(
    actor: Any,
    candidate: Candidate,
    path: Path,
    *,
    sample: int | None = None,
    seed: int | None = None,
    today: date | None = None,
) -> tuple[SignatureSubmission, SignatureReport]:
    """Verify a signer list for ``candidate``; keep and ledger the outcome."""
    require(actor, Permission.CANDIDATES_DECIDE, scope(candidate.region))
    election = candidate.election
    edition = edition_of(election)
    rules = edition.candidates.signatures
    office = office_rules(election, candidate.office)
    if sample is not None and seed is None:
        raise Conflict("seed_required", gettext("A sample needs a published seed."))
    signers = read_signers(path, today or timezone.localdate(), source=path.name)
    territory = territory_of_stations(candidate)
    snapshot = register_snapshot(territory)
    other = _other_pins(candidate) if rules.one_signature_per_voter.value else None
    report = verify(
        signers,
        snapshot,
        rules,
        territory=None if territory is None else INSIDE,
        other_pins=other,
        sample=sample,
        seed=seed,
        required=office.signatures_min.value if office.signatures_min is not None else None,
        min_age=edition.voters.min_age.value,
        leap_day=edition.voters.leap_day_birthday.value,
    )
    summary = report.summary()
    valid = np.unique(signers.pin[report.reasons == 0]).astype("<i8")
    name = actor_name(actor)
    with transaction.atomic():
        submission = SignatureSubmission.objects.create(
            candidate=candidate,
            file_name=path.name[:255],
            file_sha256=_file_sha256(path),
            rows=report.total,
            valid=report.valid,
            counts=summary["counts"],
            invalid_share=report.invalid_share,
            verdict=report.verdict,
            sample_size=sample,
            sample_seed=seed,
            anomalies=summary["anomalies"],
            valid_pins=valid.tobytes(),
            actor=name,
        )
        findings = []
        for explanation in report.explain():
            findings.append(
                SignatureFinding(
                    submission=submission,
                    sheet=explanation.sheet,
                    line=explanation.line,
                    collector=explanation.collector[:40],
                    reason=explanation.code,
                    detail=explanation.detail[:300],
                )
            )
            if len(findings) >= MAX_FINDINGS:
                break
        SignatureFinding.objects.bulk_create(findings, batch_size=5000)
        entry = ledger.record(
            SIGNATURES,
            actor=name,
            subject=ledger.ref(submission),
            data={
                "candidate": candidate.ref,
                "file_sha256": submission.file_sha256,
                **{k: v for k, v in summary.items() if k != "anomalies"},
                "anomalous_collectors": [a["collector"] for a in summary["anomalies"]],
            },
        )
        submission.ledger_index = entry.sequence
        submission.save(update_fields=["ledger_index"])
    return submission, report
