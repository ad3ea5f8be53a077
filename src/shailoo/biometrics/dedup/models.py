"""Deduplication runs, the likely duplicates they found, and the staff decisions on them.

A candidate names two persons and carries only scores and evidence (cosines, matcher
scores, strengths): never a template. A pair is queued once whatever the number of runs
that find it; a decided pair stays decided (a later run does not reopen it), and the
decision itself is appended to the ledger in the same transaction.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.register.models import Person


class DedupRun(models.Model):
    """One national self-join: its inputs' size, progress and outcome."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        INTERRUPTED = "interrupted", _("interrupted (resumable)")
        FINISHED = "finished", _("finished")

    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    actor = models.CharField(_("actor"), max_length=150)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    run_dir = models.CharField(
        _("run directory"), max_length=500, help_text=_("Checkpoints of the run on disk")
    )
    model_id = models.CharField(
        _("model"), max_length=64, blank=True, help_text=_("Face embedding model")
    )
    faces = models.PositiveIntegerField(_("faces"), default=0)
    finger_only = models.PositiveIntegerField(
        _("finger only"),
        default=0,
        help_text=_("Persons shortlisted by fingerprint (no face of the model)"),
    )
    partitions = models.PositiveIntegerField(_("partitions"), default=0)
    partitions_done = models.PositiveIntegerField(_("partitions done"), default=0)
    candidates = models.PositiveIntegerField(_("candidates"), default=0, help_text=_("Pairs found"))
    queued = models.PositiveIntegerField(
        _("pairs queued"), default=0, help_text=_("Pairs newly queued")
    )
    config = models.JSONField(_("configuration"), default=dict)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("deduplication run")
        verbose_name_plural = _("deduplication runs")

    def __str__(self) -> str:
        return f"dedup run {self.pk} ({self.status})"


class DuplicateCandidate(models.Model):
    """Two persons whose biometrics look like one person: waits for a staff decision."""

    class Status(models.TextChoices):
        OPEN = "open", _("awaiting decision")
        DECIDED = "decided", _("decided")

    run = models.ForeignKey(
        DedupRun, verbose_name=_("run"), on_delete=models.PROTECT, related_name="found"
    )
    person_a = models.ForeignKey(
        Person, verbose_name=_("person a"), on_delete=models.PROTECT, related_name="+"
    )
    person_b = models.ForeignKey(
        Person, verbose_name=_("person b"), on_delete=models.PROTECT, related_name="+"
    )
    face_score = models.FloatField(
        _("face score"), null=True, blank=True, help_text=_("Face cosine")
    )
    fused_strength = models.FloatField(
        _("fused strength"),
        default=0.0,
        help_text=_("Fused -log10 false-match rate of fingers (and face)"),
    )
    evidence = models.JSONField(
        _("evidence"), default=dict, help_text=_("Scores per modality; no template")
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-fused_strength", "-face_score", "id"]
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="dedup_pair_once"),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")), name="dedup_pair_ordered"
            ),
        ]
        indexes = [models.Index(fields=["status", "-fused_strength"], name="dedup_queue")]

    def __str__(self) -> str:
        return f"pair {self.pk}: persons {self.person_a_id} and {self.person_b_id}"


class AdjudicationDecision(models.Model):
    """A staff decision on a candidate pair, with its reason (also on the ledger)."""

    class Outcome(models.TextChoices):
        SAME_PERSON = "same_person", _("same person (duplicate enrolment)")
        DIFFERENT_PERSONS = "different_persons", _("different persons")

    candidate = models.OneToOneField(
        DuplicateCandidate,
        verbose_name=_("candidate"),
        on_delete=models.PROTECT,
        related_name="decision",
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.CharField(_("actor"), max_length=150)
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    ledger_sequence = models.BigIntegerField(_("ledger sequence"), null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("adjudication decision")
        verbose_name_plural = _("adjudication decisions")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} on pair {self.candidate_id}"
