"""Admin for election events."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from shailoo.elections.models import Election
from shailoo.law.loader import LawError, available_editions, load_edition


class ElectionForm(forms.ModelForm):
    """Refuses a law edition that is not packaged or does not load."""

    class Meta:
        model = Election
        fields = ["code", "name", "polling_day", "law_edition", "is_current"]

    def clean_law_edition(self) -> str:
        edition = str(self.cleaned_data["law_edition"]).strip()
        known = available_editions()
        if edition not in known:  # an id only: never a path typed into a form
            raise forms.ValidationError(
                f"unknown law edition {edition!r}; packaged editions: {', '.join(known)}"
            )
        try:
            load_edition(edition)
        except LawError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return edition


@admin.register(Election)
class ElectionAdmin(admin.ModelAdmin):
    form = ElectionForm
    list_display = ("code", "name", "polling_day", "law_edition", "is_current")
    list_filter = ("is_current", "law_edition")
    search_fields = ("code", "name")
    date_hierarchy = "polling_day"
