"""Biometric enrolments, their templates (sealed at rest) and the identification log.

A person's templates arrive together from one capture session (an enrolment); a later
enrolment supersedes the earlier one instead of overwriting it, so the history of what was
matched against stays. Template bytes live only in :class:`EncryptedBinaryField` columns and
leave the database only into the matcher: no view, admin page or API returns them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.accounts.fields import EncryptedBinaryField
from shailoo.geo.models import PollingStation
from shailoo.register.models import Person


class BiometricEnrolment(models.Model):
    """One capture session of one person: who captured it, where, with which device."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="enrolments"
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("The enrolment matched against")
    )
    captured_at = models.DateTimeField(_("captured at"))
    captured_by = models.CharField(
        _("captured by"), max_length=150, help_text=_("Staff user or system actor")
    )
    device_key = models.CharField(
        _("device key"),
        max_length=64,
        blank=True,
        help_text=_("Key id of the capture device, when signed"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("biometric enrolment")
        verbose_name_plural = _("biometric enrolments")
        indexes = [models.Index(fields=["person", "active"], name="bio_enrol_person_active")]

    def __str__(self) -> str:
        return f"enrolment {self.pk} of person {self.person_id}"


class BiometricTemplate(models.Model):
    """One template of an enrolment: a finger record (ISO or ANSI) or a face embedding."""

    class Kind(models.TextChoices):
        FINGER_ISO = "finger_iso", _("finger minutiae, ISO/IEC 19794-2")
        FINGER_ANSI = "finger_ansi", _("finger minutiae, ANSI/INCITS 378")
        EMBEDDING = "embedding", _("embedding (face)")

    enrolment = models.ForeignKey(
        BiometricEnrolment,
        verbose_name=_("enrolment"),
        on_delete=models.PROTECT,
        related_name="templates",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    finger = models.PositiveSmallIntegerField(
        _("finger"),
        null=True,
        blank=True,
        help_text=_("ISO finger position 1-10 (0 unknown); empty for faces"),
    )
    model_id = models.CharField(
        _("model"), max_length=64, blank=True, help_text=_("Embedding model")
    )
    quality = models.PositiveSmallIntegerField(_("quality"), default=0)
    minutiae = models.PositiveSmallIntegerField(
        _("minutiae"), default=0, help_text=_("Minutiae count")
    )
    sha256 = models.CharField(
        "SHA-256", max_length=64, help_text=_("SHA-256 of the template bytes")
    )
    data = EncryptedBinaryField()

    class Meta:
        verbose_name = _("biometric template")
        verbose_name_plural = _("biometric templates")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "kind", "finger"], name="bio_template_one_per_finger"
            )
        ]

    def __str__(self) -> str:
        where = f" finger {self.finger}" if self.finger is not None else ""
        return f"{self.get_kind_display()}{where}"


class IdentificationLog(models.Model):
    """One identification (1:N at a station) or verification (1:1) decision; never a template.

    The candidate is named by person id, the scores by person id too; the PIN never appears.
    """

    class Mode(models.TextChoices):
        IDENTIFY = "identify", _("identification 1:N")
        VERIFY = "verify", _("verification 1:1")

    class Decision(models.TextChoices):
        IDENTIFIED = "identified", _("identified")
        NOT_IDENTIFIED = "not_identified", _("not identified")
        AMBIGUOUS = "ambiguous", _("ambiguous")
        VERIFIED = "verified", _("verified")
        NOT_VERIFIED = "not_verified", _("not verified")

    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    station = models.ForeignKey(
        PollingStation,
        verbose_name=_("station"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    candidate = models.ForeignKey(
        Person,
        verbose_name=_("candidate"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    scores = models.JSONField(
        _("scores"), default=list, help_text=_("Top candidates as [person id, fused score]")
    )
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    gallery_size = models.PositiveIntegerField(_("gallery size"), default=0)
    fingers = models.CharField(
        _("fingers"), max_length=40, blank=True, help_text=_("Probe finger positions")
    )
    face = models.BooleanField(
        _("face"), default=False, help_text=_("A face embedding was in the probe")
    )
    actor = models.CharField(_("actor"), max_length=150)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device_key = models.CharField(_("device key"), max_length=64, blank=True)
    elapsed_ms = models.FloatField(_("time taken (ms)"), default=0.0)

    class Meta:
        verbose_name = _("identification decision")
        verbose_name_plural = _("identification decisions")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.mode} {self.decision} at {self.at:%Y-%m-%d %H:%M:%S}"
