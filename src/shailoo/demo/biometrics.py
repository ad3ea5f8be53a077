"""Biometric enrolment and a national deduplication run for the demo.

The voters of a few stations are enrolled with synthetic templates (right and left index
fingers from ``shailoo.synth.fingerprints``, a face embedding from ``shailoo.synth.embeddings``,
the same as ``shailoo synth biometrics``) through ``biometrics.services.enrol``, one
ledger entry each. Planted among them: a couple of people registered twice: a second register
record, at another station, enrolled with the *same person's* fingers and face captured in a
later session. Deduplication (``biometrics.dedup.services.start_run``, in this process) then
finds them, and the pairs wait at ``/staff/dedup/``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from shailoo.biometrics import services as biometrics
from shailoo.biometrics.dedup import services as dedup
from shailoo.biometrics.dedup.models import DuplicateCandidate
from shailoo.common.cli import progress
from shailoo.geo.models import PollingStation
from shailoo.register.models import Person
from shailoo.synth.enrolment import person_templates

ENROL_ACTOR = "demo:enrolment"
DEDUP_ACTOR = "demo:cec-dedup"
DUPLICATES = 2
SETTING = "standard"


@dataclass
class BiometricsSummary:
    """Who was enrolled, which pairs were planted, what deduplication queued."""

    stations: list[int] = field(default_factory=list)
    enrolled: int = 0
    planted: list[tuple[int, int]] = field(default_factory=list)
    run: int | None = None
    candidates: int = 0
    queued: int = 0
    open_pairs: int = 0
    planted_found: int = 0


def pick_stations(seed: int, count: int = 3) -> list[PollingStation]:
    """``count`` stations with voters on their lists, deterministic by seed."""
    numbers = sorted(
        set(Person.objects.filter(eligible=True).values_list("station__number", flat=True))
    )
    chosen = random.Random(f"demo.enrolment/{seed}").sample(numbers, min(count, len(numbers)))
    return list(PollingStation.objects.filter(number__in=chosen).order_by("number"))


def enrol_and_dedup(
    seed: int, stations: Sequence[PollingStation], duplicates: int = DUPLICATES
) -> BiometricsSummary:
    """Enrol the voters of ``stations``, plant ``duplicates`` double registrations, dedup."""
    summary = BiometricsSummary(stations=[s.number for s in stations])
    lists = [list(biometrics.voters_at(s).order_by("pk")) for s in stations]
    persons = [p for voters in lists for p in voters]
    rng = random.Random(f"demo.duplicates/{seed}")
    # The second record of each planted person lives at another station than the first.
    twins: dict[int, Person] = {}
    if len(lists) >= 2 and lists[0] and lists[1]:
        firsts = rng.sample(lists[0], min(duplicates, len(lists[0])))
        seconds = rng.sample(lists[1], min(len(firsts), len(lists[1])))
        twins = {second.pk: first for first, second in zip(firsts, seconds, strict=False)}
    with progress() as bar:
        task = bar.add_task("biometric enrolment", total=len(persons))
        for person in persons:
            original = twins.get(person.pk)
            if original is None:
                templates = person_templates(person.pk, seed, 0, SETTING)
            else:  # the same human again, captured in another session under this record
                templates = person_templates(original.pk, seed, 1, SETTING)
                summary.planted.append((original.pk, person.pk))
            biometrics.enrol(person, templates, ENROL_ACTOR, device_key="synth")
            bar.advance(task)
    summary.enrolled = len(persons)
    if persons:
        run = dedup.start_run(DEDUP_ACTOR, scheduler="synchronous")
        summary.run, summary.candidates, summary.queued = run.pk, run.candidates, run.queued
    open_pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN)
    summary.open_pairs = open_pairs.count()
    found = set(open_pairs.values_list("person_a_id", "person_b_id"))
    summary.planted_found = sum(
        (min(a, b), max(a, b)) in found or (max(a, b), min(a, b)) in found
        for a, b in summary.planted
    )
    return summary
