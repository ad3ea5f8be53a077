"""Risk-limiting audits as stored: the audit, its manifest, rounds, sample and paper reads.

An audit checks one contest's reported outcome against the paper ballots. Everything needed
to re-run it sits here (seed, manifest, reported tallies), so an observer can redraw the same
sample and recompute the same stopping decision; every step is also on the ledger.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.elections.models import Election

#: Plain-string values of the choices below, for code that compares or stores them.
BRAVO, COMPARISON = "bravo", "comparison"
IN_PROGRESS, CONFIRMED, ESCALATE = "in_progress", "confirmed", "escalate_full_hand_count"
NEXT_ROUND = "next_round"


class Audit(models.Model):
    """One contest's risk-limiting audit."""

    class Method(models.TextChoices):
        BRAVO = BRAVO, _("ballot polling (BRAVO)")
        COMPARISON = COMPARISON, _("ballot comparison (super-simple)")

    class Status(models.TextChoices):
        IN_PROGRESS = IN_PROGRESS, _("in progress")
        CONFIRMED = CONFIRMED, _("outcome confirmed")
        ESCALATE = ESCALATE, _("escalate to a full hand count")
        NEXT_ROUND = NEXT_ROUND, _("round complete: another round needed")

    election = models.ForeignKey(
        Election, verbose_name=_("election"), on_delete=models.PROTECT, related_name="rla_audits"
    )
    contest_id = models.CharField(_("contest id"), max_length=64)
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    risk_limit = models.FloatField(
        _("risk limit"), help_text=_("Largest chance of confirming a wrong outcome")
    )
    seed = models.CharField(
        _("random seed"), max_length=200, help_text=_("Public random seed (dice ceremony)")
    )
    winners = models.PositiveSmallIntegerField(_("winners"), default=1)
    #: Reported votes per option, exactly as started: {"option": votes}.
    reported = models.JSONField(_("reported results"))
    ballots = models.PositiveIntegerField(_("ballots"), help_text=_("Ballots in the manifest"))
    sample_size = models.PositiveIntegerField(
        _("sample size"), help_text=_("Draws planned when the audit started")
    )
    replacement = models.BooleanField(
        _("with replacement"), default=True, help_text=_("Sampling with replacement")
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.IN_PROGRESS
    )
    #: Latest stopping-rule state: ballots examined in draw order and the measured risk.
    examined = models.PositiveIntegerField(_("ballots examined"), default=0)
    risk = models.FloatField(_("measured risk"), default=1.0)
    created_by = models.CharField(_("created by"), max_length=150)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("risk-limiting audit")
        verbose_name_plural = _("risk-limiting audits")

    def __str__(self) -> str:
        return f"RLA {self.pk} {self.contest_id} ({self.get_status_display()})"

    @property
    def station(self) -> None:
        """An audit covers the whole contest, no one station: only country-wide roles may run
        it (``accounts.permissions.places_of`` reads this)."""
        return None


class ManifestBatch(models.Model):
    """One row of the ballot manifest: a container of paper ballots and how many."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="batches"
    )
    row = models.PositiveIntegerField(_("manifest row"), help_text=_("Line in the manifest file"))
    batch = models.CharField(_("batch"), max_length=100)
    ballots = models.PositiveIntegerField(_("ballots"))

    class Meta:
        ordering = ["audit", "row"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "batch"], name="rla_manifest_batch_once")
        ]
        verbose_name = _("ballot manifest batch")
        verbose_name_plural = _("ballot manifest batches")

    def __str__(self) -> str:
        return f"{self.batch} ({self.ballots})"


class AuditRound(models.Model):
    """One round of draws: the seeded sequence drawn further, and the verdict at its end."""

    class Basis(models.TextChoices):
        PLANNED = "planned", _("planned at the start")
        RISK = "risk_so_far", _("from the risk measured so far")
        OPERATOR = "operator", _("size given by the operator")

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="rounds"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    #: Draws in this round: sample orders ``first_order`` to ``last_order``.
    size = models.PositiveIntegerField(_("draws"))
    first_order = models.PositiveIntegerField(_("first sample order"))
    last_order = models.PositiveIntegerField(_("last sample order"))
    basis = models.CharField(_("basis"), max_length=12, choices=Basis.choices)
    #: The size the risk so far called for (the operator may have drawn another).
    planned = models.PositiveIntegerField(_("planned draws"))
    #: Measured risk when the round began (1.0 for the first round).
    risk_before = models.FloatField(_("risk before the round"), default=1.0)
    started_by = models.CharField(_("started by"), max_length=150)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    #: Filled when the stopping rule ends the round (confirmed, next round or escalate).
    ended_status = models.CharField(
        _("status at the end"), max_length=30, choices=Audit.Status.choices, blank=True
    )
    ended_risk = models.FloatField(_("risk at the end"), null=True, blank=True)
    ended_examined = models.PositiveIntegerField(
        _("ballots examined at the end"), null=True, blank=True
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["audit", "number"]
        constraints = [models.UniqueConstraint(fields=["audit", "number"], name="rla_round_once")]
        verbose_name = _("audit round")
        verbose_name_plural = _("audit rounds")

    def __str__(self) -> str:
        return f"round {self.number}: draws {self.first_order}-{self.last_order}"


class SampledBallot(models.Model):
    """One draw, in ticket order; a ballot drawn twice (with replacement) has two rows."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="sample"
    )
    order = models.PositiveIntegerField(_("sample order"))
    #: The round that drew it (draws of earlier rounds keep their places).
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    batch = models.CharField(_("batch"), max_length=100)
    position = models.PositiveIntegerField(_("position"))
    generation = models.PositiveIntegerField(_("ticket generation"), default=1)
    ticket = models.CharField(_("ticket"), max_length=40)
    #: What the count said about this ballot (comparison audits: its cast vote record).
    reported_vote = models.CharField(_("reported vote"), max_length=64, blank=True)

    class Meta:
        ordering = ["audit", "order"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "order"], name="rla_sample_order_once")
        ]
        verbose_name = _("sampled ballot")
        verbose_name_plural = _("sampled ballots")

    def __str__(self) -> str:
        return f"#{self.order} {self.batch}:{self.position}"

    @property
    def ballot_id(self) -> str:
        return f"{self.batch}:{self.position}"


class AuditedBallot(models.Model):
    """The vote two people read from one sampled paper ballot."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="audited"
    )
    batch = models.CharField(_("batch"), max_length=100)
    position = models.PositiveIntegerField(_("position"))
    #: An option id of the contest, or ``blank`` / ``overvote`` / ``invalid``.
    vote = models.CharField(_("vote"), max_length=64)
    read_by = models.CharField(
        _("read by"), max_length=300, help_text=_("The two people who read the paper")
    )
    recorded_by = models.CharField(_("recorded by"), max_length=150)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["audit", "recorded_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "batch", "position"], name="rla_ballot_audited_once"
            )
        ]
        verbose_name = _("audited ballot")
        verbose_name_plural = _("audited ballots")

    def __str__(self) -> str:
        return f"{self.batch}:{self.position} = {self.vote}"


class StoppingState(models.Model):
    """The stopping rule's verdict after one recorded ballot (an append-only history)."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="states"
    )
    audited = models.ForeignKey(
        AuditedBallot, verbose_name=_("audited"), on_delete=models.CASCADE, related_name="states"
    )
    examined = models.PositiveIntegerField(
        _("ballots examined"), help_text=_("Draws examined, in draw order")
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    risk = models.FloatField(_("measured risk"))
    p_values = models.JSONField(_("p-values"), help_text=_("P-value per winner>loser pair"))
    status = models.CharField(_("status"), max_length=30, choices=Audit.Status.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["audit", "pk"]
        verbose_name = _("audit stopping state")
        verbose_name_plural = _("audit stopping states")

    def __str__(self) -> str:
        return f"after {self.examined}: risk {self.risk:.4f} ({self.status})"
