"""Election events: the polling day and the law edition that governs them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.common.localized import localized
from shailoo.law.loader import LawError, available_editions, load_edition


def law_edition_choices() -> list[tuple[str, str]]:
    """The packaged law editions, each with the day it took force, for a choice in forms.

    A callable, so that an edition added to ``law/editions`` appears without a migration.
    """
    choices = []
    for edition_id in available_editions():
        try:
            since = load_edition(edition_id).meta.in_force_from
        except LawError:
            choices.append((edition_id, edition_id))
            continue
        label = gettext("%(edition)s, in force from %(date)s") % {
            "edition": edition_id,
            "date": formats.date_format(since, "SHORT_DATE_FORMAT"),
        }
        choices.append((edition_id, label))
    return choices


class Election(models.Model):
    """One election event. Eligibility and deadlines are computed against its polling day.

    ``name`` is translated (``elections/translation.py``): reading it gives the reader's
    language; :attr:`names` gives every language for programs.
    """

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    polling_day = models.DateField(_("polling day"))
    law_edition = models.CharField(
        _("law edition"),
        max_length=40,
        choices=law_edition_choices,
        help_text=_("The law edition that governs this election (its deadlines and rules)"),
    )
    is_current = models.BooleanField(
        _("current"),
        default=False,
        help_text=_("The election the register is being prepared for"),
    )

    class Meta:
        ordering = ["-polling_day"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return f"{self.name} ({self.polling_day})"

    @property
    def stable_name(self) -> str:
        """The name programs rely on (the results API's ``name``), whatever the reader's
        language: Russian, the language every election was named in before names were
        translated, else Kyrgyz, else English. (The untranslated ``name`` column is not it:
        saving writes the name in the language active at the time into it.)"""
        return localized(self, "name", settings.MODELTRANSLATION_DEFAULT_LANGUAGE) or str(
            self.__dict__.get("name") or ""
        )

    @property
    def names(self) -> dict[str, str]:
        """The name in Kyrgyz, Russian and English ("" where none was entered)."""
        return {lang: getattr(self, f"name_{lang}", "") or "" for lang in ("ky", "ru", "en")}
