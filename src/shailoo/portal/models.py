"""Readers' subscriptions to results and turnout, the outbox of changes, and the delivery log.

A subscription holds one personal datum, the reader's e-mail address or mobile number: sealed
at rest (``accounts.fields``) and found again only through a keyed hash, so that neither a
database dump nor a log line gives away who follows which station. Nothing is sent to an
address before its owner confirms it (double opt-in); an unconfirmed subscription is deleted
after 48 hours and an unsubscribed one at once.

Changes reach readers through an outbox: accepting a protocol or publishing turnout writes a
:class:`Notice` once its own transaction has committed, and ``shailoo portal
send-notifications`` turns notices into :class:`Delivery` rows (one per confirmed subscriber,
coalesced while one is still waiting) and sends them. The deliveries are the delivery log:
channel, status, attempts and times, never an address.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.accounts.fields import EncryptedTextField
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation, Region


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class Topic(models.TextChoices):
    STATION_RESULTS = "station_results", _("results of a polling station")
    REGION_RESULTS = "region_results", _("results of a region")
    TURNOUT = "turnout", _("turnout")


class Subscription(models.Model):
    """One address following one topic of one election, in the language it signed up in."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    topic = models.CharField(max_length=20, choices=Topic.choices)
    station = models.ForeignKey(
        PollingStation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    #: What the outbox matches on: ``results:station:101``, ``turnout:region:KG-C``, ...
    topic_key = models.CharField(max_length=40)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = EncryptedTextField(help_text="E-mail address or E.164 mobile number, sealed")
    address_hash = models.CharField(max_length=64, help_text="Keyed hash of the address")
    language = models.CharField(max_length=8)
    #: SHA-256 of the e-mail link's token, or keyed hash of the SMS code; "" once confirmed.
    confirm_hash = models.CharField(max_length=64, blank=True)
    #: Where the SMS code is typed in (``/subscribe/code/<ref>/``); "" for e-mail.
    code_ref = models.CharField(max_length=32, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    confirmation_sent_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "topic_key", "channel", "address_hash"],
                name="one_subscription_per_address_and_topic",
            )
        ]
        indexes = [
            models.Index(fields=["election", "topic_key", "confirmed_at"], name="sub_topic"),
            models.Index(fields=["address_hash"], name="sub_address"),
            models.Index(fields=["confirm_hash"], name="sub_confirm"),
            models.Index(fields=["code_ref"], name="sub_code_ref"),
            models.Index(fields=["confirmed_at", "confirmation_sent_at"], name="sub_unconfirmed"),
        ]

    def __str__(self) -> str:  # never the address
        return f"subscription {self.pk} ({self.channel}, {self.topic_key})"


class Notice(models.Model):
    """Outbox: the figures of a topic changed (a protocol accepted, turnout published)."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="+")
    topic_key = models.CharField(max_length=40)
    #: What changed them: ``decision:45`` (an acceptance), ``turnout:3`` (a publication).
    source = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    #: When the sender turned it into deliveries; null while waiting.
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("subscription notice")
        verbose_name_plural = _("subscription notices")
        constraints = [
            models.UniqueConstraint(fields=["topic_key", "source"], name="one_notice_per_change")
        ]
        indexes = [models.Index(fields=["expanded_at", "created_at"], name="notice_waiting")]

    def __str__(self) -> str:
        return f"notice {self.pk} ({self.topic_key}, {self.source})"


class Delivery(models.Model):
    """One message to one subscriber, and what became of it (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        DROPPED = "dropped", _("not sent (unsubscribed, or nothing left to report)")
        UNKNOWN = "unknown", _("unknown (the sender stopped while sending)")

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        Subscription, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The last error's kind and text with the address taken out.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = _("subscription delivery")
        verbose_name_plural = _("subscription deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notice", "subscription"], name="one_delivery_per_notice_and_subscriber"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.channel}, {self.status})"
