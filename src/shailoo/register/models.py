"""The national voter register: persons from the population registry and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shailoo.geo.models import PollingStation


class Person(models.Model):
    """A person from the Unified State Population Register, with the register's verdict.

    Names are kept as entered plus a normalised key and a Latin transliteration
    (``register.names``) so that spelling variants can be searched and matched.
    ``eligible`` and ``ineligible_codes`` are the verdict for the current election,
    recomputed on every import and on demand; the full explanation comes from
    ``register.eligibility``.
    """

    class Sex(models.TextChoices):
        MALE = "M", _("male")
        FEMALE = "F", _("female")

    # Unique through Meta.constraints, not unique=True: a named constraint can be dropped
    # for a first load into an empty register and rebuilt once, sorted, at its end. Nullable
    # in the schema only (nothing writes NULL): on a NOT NULL column SQLite drops the partial
    # index's "pin IS NOT NULL" when it plans `pin = ?`, and then scans the whole register
    # for every look-up by PIN instead of using the unique index.
    pin = models.CharField(_("PIN"), max_length=14, null=True)  # noqa: DJ001
    surname = models.CharField(_("surname"), max_length=100)
    given_name = models.CharField(_("given name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    name_key = models.CharField(_("name search key"), max_length=300)
    name_latin = models.CharField(_("name in Latin letters"), max_length=300)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    citizenship = models.CharField(
        _("citizenship"), max_length=3, help_text=_("ISO 3166-1 alpha-2, or XX stateless")
    )
    other_citizenships = models.CharField(_("other citizenships"), max_length=60, blank=True)
    legally_incapable = models.BooleanField(_("legally incapable"), default=False)
    in_confinement = models.BooleanField(_("in confinement"), default=False)
    biometric_registered = models.BooleanField(_("biometric registered"), default=False)
    death_date = models.DateField(_("death date"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300)
    dwelling_id = models.CharField(_("dwelling id"), max_length=40)
    # Indexed through Meta.indexes (station, eligible): one index serves both look-ups.
    station = models.ForeignKey(
        PollingStation,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="registered_persons",
        db_index=False,
    )
    remote_station = models.ForeignKey(
        PollingStation,
        verbose_name=_("remote station"),
        on_delete=models.PROTECT,
        related_name="remote_voters",
        null=True,
        blank=True,
        db_index=False,
        help_text=_("Special remote-voting station, when the voter registered for one"),
    )
    eligible = models.BooleanField(_("eligible"), default=False)
    ineligible_codes = models.CharField(_("reasons for ineligibility"), max_length=200, blank=True)
    row_hash = models.CharField(
        _("row hash"), max_length=32, help_text=_("Digest of the registry row, for idempotency")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["surname", "given_name", "pin"]
        verbose_name = _("person")
        # Few indexes on purpose: every one is paid on each of millions of imported rows.
        # The register importer drops all of these (the PIN's uniqueness too) before a load
        # into an empty register and rebuilds them at its end (register.importer): maintaining
        # a B-tree in random order batch by batch costs several times the load itself.
        # The condition (always true) makes it a droppable unique *index* on SQLite, where an
        # unconditional constraint lives inside the table's definition.
        constraints = [
            models.UniqueConstraint(
                fields=["pin"], name="person_pin_unique", condition=models.Q(pin__isnull=False)
            )
        ]
        indexes = [
            models.Index(fields=["name_key"], name="person_name_key"),
            models.Index(fields=["station", "eligible"], name="person_station_eligible"),
            models.Index(
                fields=["remote_station"],
                name="person_remote_station",
                condition=models.Q(remote_station__isnull=False),
            ),
            models.Index(
                fields=["eligible"], name="person_ineligible", condition=models.Q(eligible=False)
            ),
        ]
        verbose_name_plural = _("Persons")

    def __str__(self) -> str:
        return f"{self.surname} {self.given_name} {self.patronymic}".strip()

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def voting_station(self) -> PollingStation:
        """The station whose list carries this voter on polling day."""
        return self.remote_station or self.station


class PersonChange(models.Model):
    """Append-only history of every change to a person: who, when, what, from where."""

    class Source(models.TextChoices):
        IMPORT = "import", _("registry import")
        ADMIN = "admin", _("staff correction")
        VOTING_PLACE = "voting_place", _("voting place change")
        CORRECTION = "correction", _("list correction")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="changes"
    )
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.CharField(_("actor"), max_length=150)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    changes = models.JSONField(
        _("changes"), help_text=_("Each changed field with its old and new value")
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("person change")
        verbose_name_plural = _("person changes")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} ({self.source})"


class ImportRun(models.Model):
    """One run of an importer over one file; the resume point is committed with each batch."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        COMPLETED = "completed", _("completed")
        FAILED = "failed", _("failed")

    kind = models.CharField(
        _("kind"), max_length=30, choices=[("register", _("Voter register"))], default="register"
    )
    file_name = models.CharField(_("file name"), max_length=500)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, db_index=True)
    actor = models.CharField(_("actor"), max_length=150)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    resume_line = models.PositiveIntegerField(
        _("resume from line"), default=1, help_text=_("Last physical line whose batch is committed")
    )
    resume_offset = models.PositiveBigIntegerField(
        _("resume from byte"), default=0, help_text=_("Byte offset just after resume_line")
    )
    read = models.PositiveIntegerField(_("lines read"), default=0)
    accepted = models.PositiveIntegerField(
        _("rows accepted"), default=0, help_text=_("Valid rows: created + updated + unchanged")
    )
    created = models.PositiveIntegerField(_("rows created"), default=0)
    updated = models.PositiveIntegerField(_("rows updated"), default=0)
    unchanged = models.PositiveIntegerField(_("rows unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"


class ImportReject(models.Model):
    """A refused row, stored with its batch so that a resumed run still reports every reject."""

    run = models.ForeignKey(
        ImportRun, verbose_name=_("run"), on_delete=models.CASCADE, related_name="rejects"
    )
    line = models.PositiveIntegerField(_("line"))
    field = models.CharField(_("field"), max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300)
    raw = models.TextField(_("raw line"), blank=True, help_text=_("The row as read, PIN masked"))

    class Meta:
        ordering = ["run", "line", "id"]
        verbose_name = _("import reject")
        verbose_name_plural = _("import rejects")

    def __str__(self) -> str:
        return f"line {self.line}: {self.field} {self.reason}"


class VotingPlaceChange(models.Model):
    """A request to vote elsewhere: a station change (older editions) or remote voting (2025)."""

    class Kind(models.TextChoices):
        STATION_CHANGE = "station_change", _("change of polling station")
        REMOTE_VOTING = "remote_voting", _("remote voting registration")

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        REFUSED = "refused", _("refused")

    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="voting_place_changes",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    from_station = models.ForeignKey(
        PollingStation, verbose_name=_("from station"), on_delete=models.PROTECT, related_name="+"
    )
    to_station = models.ForeignKey(
        PollingStation, verbose_name=_("to station"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    citation = models.CharField(_("citation"), max_length=200, blank=True)
    actor = models.CharField(_("actor"), max_length=150)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("voting place change")
        verbose_name_plural = _("voting place changes")

    def __str__(self) -> str:
        return f"{self.kind} {self.status} ({self.requested_at:%Y-%m-%d})"


class ListCorrection(models.Model):
    """A voter's request to correct the preliminary list, answered within the legal term."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("not on the list")
        WRONG_DATA = "wrong_data", _("wrong personal data")
        WRONG_STATION = "wrong_station", _("wrong polling station")
        EXCLUDE = "exclude", _("should be excluded")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    details = models.TextField(_("details"))
    requested_at = models.DateTimeField(_("requested at"))
    due_by = models.DateField(_("due by"), help_text=_("Answer deadline set by the law edition"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    citation = models.CharField(_("citation"), max_length=200, blank=True)

    class Meta:
        ordering = ["due_by", "id"]
        verbose_name = _("list correction")
        verbose_name_plural = _("list corrections")

    def __str__(self) -> str:
        return f"{self.kind} {self.status} (due {self.due_by})"


class PersonState(models.Model):
    """Append-only: the states of one batch of persons, bound by its ``register.person_state``
    ledger entry (``sequence``), written with each import batch, staff edit, voting-place
    change and verdict recomputation (``register.state``); never updated or deleted.

    One row per batch, not per person: ``states`` holds each person's state
    (``register.statedigest``, ``STATE_SIZE`` bytes) end to end in id order, for the persons
    ``first_id`` .. ``first_id + count - 1`` when ``ids`` is empty (an import's consecutive
    rows), else for the ids in ``ids`` (8 bytes each, big-endian). An import thus writes one
    row per 10,000 persons. ``shailoo ledger verify --state`` recomputes each row's digest
    against its entry and compares every person with the latest state bound for them.
    """

    sequence = models.BigIntegerField(
        _("sequence"),
        primary_key=True,
        help_text=_("The register.person_state ledger entry binding it"),
    )
    first_id = models.BigIntegerField(_("first person id"))
    count = models.PositiveIntegerField(_("persons"))
    ids = models.BinaryField(
        _("person ids"), blank=True, help_text=_("Person ids, 8 bytes each; empty: consecutive")
    )
    states = models.BinaryField(
        _("state digests"), help_text=_("Each person's state digest and field marks")
    )

    class Meta:
        verbose_name = _("person state block")
        verbose_name_plural = _("person state blocks")

    def __str__(self) -> str:
        return f"{self.count} person state(s) at #{self.sequence}"
