"""Admin for election events: the name in three languages, the law edition a choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from modeltranslation.admin import TranslationAdmin

from shailoo.elections.models import Election
from shailoo.law.loader import LawError, available_editions, load_edition


class ElectionForm(forms.ModelForm):
    """Refuses a law edition that is not packaged or does not load, and a nameless election."""

    class Meta:
        model = Election
        fields = [
            "code",
            "name_ky",
            "name_ru",
            "name_en",
            "polling_day",
            "law_edition",
            "is_current",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One language is enough (clean() asks for it): a new election may be named in
        # Kyrgyz only, the state language, where the admin would otherwise insist on Russian.
        for lang in ("ky", "ru", "en"):
            if f"name_{lang}" in self.fields:
                self.fields[f"name_{lang}"].required = False

    def clean_law_edition(self) -> str:
        edition = str(self.cleaned_data["law_edition"]).strip()
        known = available_editions()
        if edition not in known:  # an id only: never a path typed into a form
            raise forms.ValidationError(
                gettext("Unknown law edition %(edition)s; packaged editions: %(known)s")
                % {"edition": edition, "known": ", ".join(known)}
            )
        try:
            load_edition(edition)
        except LawError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return edition

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f"name_{lang}") for lang in ("ky", "ru", "en")):
            raise forms.ValidationError(
                gettext("Give the election's name in one language at least.")
            )
        return data


@admin.register(Election)
class ElectionAdmin(TranslationAdmin):
    form = ElectionForm
    fields = ["code", "name", "polling_day", "law_edition", "is_current"]
    list_display = ["code", "name", "polling_day", "law_edition", "is_current"]
    list_filter = ("is_current", "law_edition")
    search_fields = ("code", "name_ky", "name_ru", "name_en")
    date_hierarchy = "polling_day"
