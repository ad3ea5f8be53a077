"""The registries the screen reads: legal entities and their owners over time, the statuses of
persons that bar them from giving (civil servants, religious figures, debtors), and the
transfers the financial-intelligence service reports to donors.

In production these tables are filled by adapters over the live registries (the Ministry of
Justice's register of legal entities, the tax service, the financial-intelligence service);
in the demo and the tests ``shailoo.synth`` fills them. The screen only reads them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalEntity(models.Model):
    """A legal entity, a branch or representative office, a state body or an organisation.

    ``kind`` is the registry's category; the screen maps it to the law's prohibited sources
    (``finance.facts``). A foreign entity has its home country; its branch or representative
    office registered here has ``country`` KG, ``kind`` foreign_branch and ``parent`` set.
    """

    class Kind(models.TextChoices):
        LOCAL_COMPANY = "local_company", _("local company")
        FOREIGN_COMPANY = "foreign_company", _("foreign company")
        FOREIGN_BRANCH = "foreign_branch", _("branch or representative office of a foreign entity")
        FOREIGN_STATE_BODY = "foreign_state_body", _("foreign state or its body or enterprise")
        INTERNATIONAL_ORGANISATION = "international_organisation", _("international organisation")
        STATE_BODY = "state_body", _("state or local government body or institution")
        STATE_ENTERPRISE = "state_enterprise", _("state or municipal enterprise")
        MILITARY_UNIT = "military_unit", _("military unit")
        LAW_ENFORCEMENT = "law_enforcement", _("law-enforcement body")
        COURT = "court", _("court")
        CHARITY = "charity", _("charitable organisation")
        RELIGIOUS_ORGANISATION = "religious_organisation", _("religious organisation")
        PARTY = "party", _("political party")
        NON_PROFIT = "non_profit", _("other non-profit organisation")

    inn = models.CharField(_("tax number (INN)"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=300)
    #: Other spellings: Latin, Russian and Kyrgyz names, former names (JSON list of strings).
    other_names = models.JSONField(_("other names"), default=list, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    country = models.CharField(
        _("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2 of registration")
    )
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="branches",
    )
    #: A state or municipal share together with tax preferences (Art. 41(3)).
    state_share_tax_preference = models.BooleanField(
        _("state share with tax preferences"), default=False
    )
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name_plural = _("legal entities")
        verbose_name = _("legal entity")

    def __str__(self) -> str:
        return f"{self.inn} {self.name}"


class Shareholding(models.Model):
    """Who held how much of an entity, from when to when (``ended_on``: the exit day)."""

    owned = models.ForeignKey(
        LegalEntity, verbose_name=_("owned entity"), on_delete=models.CASCADE, related_name="owners"
    )
    owner_entity = models.ForeignKey(
        LegalEntity,
        verbose_name=_("owner entity"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="holdings",
    )
    #: A natural person owner: the PIN for a person of the register (citizen or not), else
    #: empty and the name and nationality as the registry states them.
    owner_pin = models.CharField(_("owner PIN"), max_length=14, blank=True, db_index=True)
    owner_name = models.CharField(_("owner name"), max_length=300, blank=True)
    owner_country = models.CharField(
        _("owner country"), max_length=2, blank=True, help_text=_("XX: stateless")
    )
    share = models.DecimalField(_("share (%)"), max_digits=9, decimal_places=6)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__gt=0) & models.Q(share__lte=1), name="share_in_0_1"
            ),
        ]
        verbose_name = _("shareholding")
        verbose_name_plural = _("shareholdings")

    def __str__(self) -> str:
        return f"{self.share} of {self.owned_id}"


class PersonStatus(models.Model):
    """A status that bars a person from giving: a civil servant, a religious figure, a debtor
    to the budget or the Social Fund — from the registry that keeps it, with its period."""

    class Status(models.TextChoices):
        CIVIL_SERVANT = "civil_servant", _("civil servant")
        RELIGIOUS_FIGURE = "religious_figure", _("religious figure")
        BUDGET_DEBTOR = "budget_debtor", _("debtor to the budget or the Social Fund")

    pin = models.CharField(_("PIN"), max_length=14, db_index=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    source = models.CharField(_("source registry"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("person status")
        verbose_name_plural = _("person statuses")

    def __str__(self) -> str:
        return self.status


class EntityDebt(models.Model):
    """A legal entity's debt to the budget or the Social Fund over a period."""

    entity = models.ForeignKey(
        LegalEntity, verbose_name=_("entity"), on_delete=models.CASCADE, related_name="debts"
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("entity debt")
        verbose_name_plural = _("entity debts")

    def __str__(self) -> str:
        return f"debt {self.amount} of {self.entity_id}"


class ReportedTransfer(models.Model):
    """A payment the financial-intelligence service reported: who paid whom, when, how much.

    Parties are identity keys (``P:<pin>``, ``E:<inn>``, ``F:<foreign id>``): the conduit check
    looks for money from a prohibited source shortly before its receiver donated.
    """

    payer = models.CharField(_("payer"), max_length=40, db_index=True)
    payer_name = models.CharField(_("payer name"), max_length=300, blank=True)
    payee = models.CharField(_("payee"), max_length=40, db_index=True)
    day = models.DateField(_("day"))
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="KGS")
    reference = models.CharField(_("reference"), max_length=80, blank=True)

    class Meta:
        verbose_name = _("reported transfer")
        verbose_name_plural = _("reported transfers")

    def __str__(self) -> str:
        return f"{self.day} {self.amount} {self.currency}"
