"""Role assignments with territorial scope, TOTP devices, and the personal-data access log."""

from __future__ import annotations

import secrets
import time
from base64 import b32encode
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP

from shailoo.accounts.fields import EncryptedBinaryField
from shailoo.accounts.roles import ROLES, Agency, Grant, Role, Scope, check_role_scope
from shailoo.geo.models import PollingStation, Region, TerritorialCommission

# The names the admin shows (accounts.roles is a pure module: its titles are English).
ROLE_NAMES = {
    Role.CEC_ADMIN: _("CEC administrator"),
    Role.CEC_MEMBER: _("CEC member"),
    Role.TEC_OPERATOR: _("TEC operator"),
    Role.PEC_OPERATOR: _("Precinct (PEC) operator"),
    Role.STATION_DEVICE: _("Polling-station device"),
    Role.FINANCE_AUDITOR: _("Finance auditor"),
    Role.RESPONSE_GROUP: _("Response-group member"),
    Role.AGENT: _("Candidate or party agent"),
    Role.OBSERVER: _("Observer"),
}
SCOPE_NAMES = {
    Scope.COUNTRY: _("Country"),
    Scope.REGION: _("Region"),
    Scope.TEC: _("TEC"),
    Scope.STATION: _("Station"),
}
AGENCY_NAMES = {
    Agency.COMMISSION: _("Election commission"),
    Agency.PROSECUTOR: _("Prosecutor's office"),
    Agency.POLICE: _("Internal affairs (police)"),
    Agency.NATIONAL_SECURITY: _("National security"),
}
ROLE_CHOICES = [(role.value, ROLE_NAMES[role]) for role in Role if ROLES[role].scopes]
SCOPE_CHOICES = [(scope.value, SCOPE_NAMES[scope]) for scope in Scope]
AGENCY_CHOICES = [(agency.value, AGENCY_NAMES[agency]) for agency in Agency]


def _only(target: str = "") -> dict[str, bool]:
    """isnull lookups: exactly ``target`` of region, tec and station is set."""
    return {f"{name}__isnull": name != target for name in ("region", "tec", "station")}


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active(self) -> RoleAssignmentQuerySet:
        return self.filter(revoked_at__isnull=True)


class RoleAssignment(models.Model):
    """One role a user holds over one territory; a user may hold several.

    Revoked assignments are kept (``revoked_at``) so that the record of who could do what,
    and when, survives the change.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("role"), max_length=24, choices=ROLE_CHOICES)
    scope = models.CharField(_("scope"), max_length=8, choices=SCOPE_CHOICES)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tec = models.ForeignKey(
        TerritorialCommission,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("TEC"),
    )
    station = models.ForeignKey(
        PollingStation,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.CharField(_("agency"), max_length=20, choices=AGENCY_CHOICES, blank=True)
    granted_by = models.CharField(_("granted by"), max_length=150)
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user_id", "role", "id"]
        verbose_name = _("role assignment")
        constraints = [
            models.CheckConstraint(
                name="role_assignment_scope_target",
                condition=(
                    Q(scope="country", **_only())
                    | Q(scope="region", **_only("region"))
                    | Q(scope="tec", **_only("tec"))
                    | Q(scope="station", **_only("station"))
                ),
            )
        ]
        verbose_name_plural = _("role assignments")

    def __str__(self) -> str:
        """As people read it: the role's and the scope's names, not their codes."""
        target = {"region": self.region, "tec": self.tec, "station": self.station}.get(self.scope)
        place = self.get_scope_display() if target is None else target
        return f"{self.user} · {self.get_role_display()} · {place}"

    @property
    def territory(self) -> str:
        target = {"region": self.region, "tec": self.tec, "station": self.station}.get(self.scope)
        return self.scope if target is None else f"{self.scope} {target}"

    def clean(self) -> None:
        problem = check_role_scope(Role(self.role), Scope(self.scope), self.agency)
        if problem is not None:
            raise ValidationError(problem)
        needed = {"region": "region", "tec": "tec", "station": "station"}.get(self.scope)
        for name in ("region", "tec", "station"):
            present = getattr(self, f"{name}_id") is not None
            if present != (name == needed):
                raise ValidationError(
                    {name: _("Scope %(scope)s takes exactly its own territory.")}
                    if present
                    else {name: _("Choose the territory for this scope.")},
                    params={"scope": self.scope},
                )

    def grant(self) -> Grant:
        """The assignment as the pure decision engine sees it."""
        return Grant(
            Role(self.role),
            Scope(self.scope),
            region_id=self.region_id,
            tec_id=self.tec_id,
            station_id=self.station_id,
        )


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (RFC 6238, 30 s, 6 digits) whose secret is sealed at rest.

    django-otp's own TOTP device keeps its secret in clear; with the secret sealed by the
    master key, a copy of the database is not enough to produce valid codes.
    """

    # django-otp's own fields, declared again only to name them in the reader's language.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        help_text=_("The user that this device belongs to."),
        on_delete=models.CASCADE,
    )
    name = models.CharField(
        _("name"), max_length=64, help_text=_("The human-readable name of this device.")
    )
    confirmed = models.BooleanField(
        _("confirmed"), default=True, help_text=_("Is this device ready for use?")
    )
    created_at = models.DateTimeField(
        _("created at"),
        null=True,
        blank=True,
        auto_now_add=True,
        help_text=_("When the authenticator was added."),
    )
    last_used_at = models.DateTimeField(
        _("last used at"),
        null=True,
        blank=True,
        help_text=_("When a code from this authenticator was last accepted."),
    )
    secret = EncryptedBinaryField()
    step = 30
    digits = 6
    tolerance = models.PositiveSmallIntegerField(
        _("tolerance (time steps)"),
        default=1,
        help_text=_("Steps either side of now that are still accepted"),
    )
    drift = models.SmallIntegerField(_("clock drift"), default=0)
    last_t = models.BigIntegerField(
        _("last time step used"),
        default=-1,
        help_text=_("Last time step accepted: a code is never accepted twice"),
    )

    class Meta(Device.Meta):
        verbose_name = _("TOTP device")
        verbose_name_plural = _("TOTP devices")

    @classmethod
    def for_user(cls, user: Any, name: str = "authenticator") -> TOTPDevice:
        """A new, unconfirmed device with a fresh 160-bit secret (saved)."""
        return cls.objects.create(user=user, name=name, confirmed=False, secret=_new_secret())

    def totp(self) -> TOTP:
        totp = TOTP(self.secret, self.step, 0, self.digits, self.drift)
        totp.time = time.time()
        return totp

    def verify_token(self, token: Any) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        text = str(token).strip().replace(" ", "")
        if not (text.isdigit() and len(text) == self.digits):
            self.throttle_increment(commit=True)
            return False
        totp = self.totp()
        if totp.verify(int(text), self.tolerance, self.last_t + 1):
            self.last_t = totp.t()
            self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment(commit=True)
        return False

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def secret_base32(self) -> str:
        return b32encode(self.secret).decode("ascii").rstrip("=")

    def config_url(self, issuer: str = "Shailoo") -> str:
        """The ``otpauth://`` URI authenticator apps read from the QR code."""
        label = quote(f"{issuer}:{self.user.get_username()}")
        params = urlencode(
            {
                "secret": self.secret_base32,
                "issuer": issuer,
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        return f"otpauth://totp/{label}?{params}"


def _new_secret() -> bytes:
    return secrets.token_bytes(20)


class PersonalDataAccess(models.Model):
    """One staff view of a person's record: who, which record, when, through which page."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("username"), max_length=150)
    subject_type = models.CharField(
        _("subject type"), max_length=60, help_text=_("app_label.model of the record")
    )
    subject_id = models.BigIntegerField(_("subject id"))
    subject_label = models.CharField(
        _("subject label"), max_length=100, help_text=_("Masked identifier, never a PIN")
    )
    view = models.CharField(_("page"), max_length=120, help_text=_("The page or API endpoint used"))
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "at"], name="pda_subject"),
            models.Index(fields=["username", "at"], name="pda_username"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.subject_label} ({self.view})"
