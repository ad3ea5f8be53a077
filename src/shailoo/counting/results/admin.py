"""Admin: read-only views of protocols, their versions, decisions, automatic counts, alerts.

Nothing here writes: protocols change only through ``counting.results.services``, which
keeps every version and puts every step on the ledger. The admin is for looking things up.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shailoo.counting.models import contest_label
from shailoo.counting.results.models import (
    AutomaticCount,
    CountingAlert,
    Protocol,
    ProtocolDecision,
    ProtocolVersion,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    @admin.display(description=_("contest"), ordering="contest_id")
    def contest(self, row: Protocol | AutomaticCount) -> str:
        """The contest's code with its title, never the code alone."""
        return contest_label(row.election_id, row.contest_id)

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Protocol)
class ProtocolAdmin(ReadOnlyAdmin):
    list_display = ("station", "contest", "election", "status", "acceptable", "updated_at")
    list_filter = ("status", "acceptable", "election")
    search_fields = ("contest_id", "station__number")
    list_select_related = ("station", "election")


@admin.register(ProtocolVersion)
class ProtocolVersionAdmin(ReadOnlyAdmin):
    list_display = ("protocol", "number", "source", "entered_by", "acceptable", "created_at")
    list_filter = ("source", "acceptable")
    list_select_related = ("protocol__station",)


@admin.register(ProtocolDecision)
class ProtocolDecisionAdmin(ReadOnlyAdmin):
    list_display = ("protocol", "kind", "actor", "created_at")
    list_filter = ("kind",)
    list_select_related = ("protocol__station",)


@admin.register(AutomaticCount)
class AutomaticCountAdmin(ReadOnlyAdmin):
    list_display = ("station", "contest", "source", "submitted_by", "created_at")
    list_filter = ("source",)
    list_select_related = ("station",)


@admin.register(CountingAlert)
class CountingAlertAdmin(ReadOnlyAdmin):
    list_display = ("station", "kind", "resolved", "created_at")
    list_filter = ("kind", "resolved")
    list_select_related = ("station", "protocol")
