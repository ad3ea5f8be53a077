"""Integrity tables: the ledger's entries and tree nodes, signed tree heads, public keys.

Rows here are written only through :mod:`shailoo.integrity.ledger`, :mod:`.heads` and
:mod:`.keys`; nothing edits or deletes them afterwards. Whoever edits them by hand anyway is
caught by ``shailoo ledger verify``: every entry is a leaf of a Merkle tree whose roots the
commission signs and publishes.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

TREE_HEAD = "tree_head"
SUBMISSION = "submission"


class LedgerState(models.Model):
    """The single row (pk 1) that serialises appends and records the tree's size and root.

    Appenders lock it (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
    transactions already serialise writers), so leaf indices are handed out one at a time.
    """

    size = models.PositiveBigIntegerField(_("entries"), default=0)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("ledger state")
        verbose_name_plural = _("ledger states")

    def __str__(self) -> str:
        return f"ledger of {self.size} entries"


class LedgerEntry(models.Model):
    """One leaf of the ledger: ``data`` is the canonical JSON that was hashed.

    ``data`` holds the whole envelope ``{"kind", "payload", "seq", "time"}``, so the kind,
    the position and the time are covered by the leaf hash too; ``kind`` and ``created_at``
    are copies kept as columns for searching, and the verifier checks they agree.
    """

    sequence = models.BigIntegerField(
        _("sequence"), primary_key=True, help_text=_("Leaf index, from 0")
    )
    kind = models.CharField(_("kind"), max_length=64, db_index=True)
    data = models.BinaryField(
        _("payload"), help_text=_("RFC 8785 canonical JSON of the entry envelope")
    )
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind}"


class MerkleNode(models.Model):
    """A complete subtree's hash: the database side of ``merkle.NodeStore``."""

    level = models.PositiveSmallIntegerField(_("tree level"))
    index = models.BigIntegerField(_("node index"))
    hash = models.BinaryField(_("node hash"), max_length=32)

    class Meta:
        verbose_name = _("Merkle node")
        constraints = [
            models.UniqueConstraint(fields=["level", "index"], name="merkle_node_position")
        ]
        verbose_name_plural = _("Merkle nodes")

    def __str__(self) -> str:
        return f"({self.level}, {self.index})"


class TreeHead(models.Model):
    """A signed statement "the ledger had ``size`` entries with this root at this time"."""

    size = models.PositiveBigIntegerField(_("tree size"))
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    timestamp_ms = models.BigIntegerField(
        _("timestamp (ms)"), help_text=_("Milliseconds since 1970-01-01 UTC")
    )
    key_id = models.CharField(_("key id"), max_length=64)
    signature = models.BinaryField(_("signature"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("signed tree head")
        verbose_name_plural = _("signed tree heads")

    def __str__(self) -> str:
        return f"head size {self.size} by {self.key_id}"


class RegisteredKey(models.Model):
    """An Ed25519 public key of a commission or a polling-station device.

    Only the public part is stored. ``usage`` says what the key may sign: tree heads (the
    commission's ledger key) or submissions (devices, commissions sending protocols).
    A key is in force while active and inside ``[valid_from, valid_to)``; rotation closes the
    old key's validity so that what it signed before stays verifiable.
    """

    class Usage(models.TextChoices):
        TREE_HEAD = TREE_HEAD, _("signs ledger tree heads")
        SUBMISSION = SUBMISSION, _("signs submissions")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")

    key_id = models.CharField(_("key id"), max_length=64, unique=True)
    public_key = models.BinaryField(_("public key"), max_length=32)
    usage = models.CharField(_("usage"), max_length=12, choices=Usage.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    station_number = models.PositiveIntegerField(
        _("station number"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Polling station the device serves"),
    )
    commission_code = models.CharField(
        _("commission code"),
        max_length=16,
        blank=True,
        help_text=_("Commission holding the key: CEC or a TEC code"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revocation_reason = models.CharField(_("revocation reason"), max_length=300, blank=True)
    replaces = models.OneToOneField(
        "self",
        verbose_name=_("replaces key"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
    )
    last_sequence = models.BigIntegerField(
        _("last sequence number"),
        default=0,
        help_text=_("Highest submission sequence accepted (replay guard)"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "key_id"]
        verbose_name = _("registered key")
        verbose_name_plural = _("registered keys")

    def __str__(self) -> str:
        return f"{self.key_id} ({self.usage}, {self.status})"


class SecurityEvent(models.Model):
    """Something a security officer must see: a refused signed request (forged, replayed,
    revoked, stale), a device whose clock is wrong, a device acting outside its station.

    Kept apart from the ledger on purpose: refusals come from whoever can reach the API, so
    they are rows to review and count, not entries that grow the public log.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=40)
    key_id = models.CharField(_("key id"), max_length=64, blank=True, db_index=True)
    station_number = models.PositiveIntegerField(_("station number"), null=True, blank=True)
    path = models.CharField(_("path"), max_length=200, blank=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    remote = models.CharField(_("remote address"), max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("security event")
        verbose_name_plural = _("security events")

    def __str__(self) -> str:
        return f"{self.kind} {self.key_id[:12]} at {self.at:%Y-%m-%d %H:%M:%S}"
