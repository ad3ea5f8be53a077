"""Admin: read-only views of the imported definition, cast vote records and decisions.

Rows here change only through ``counting.services`` (each change a ledger entry): the
definition by ``shailoo elections load-definition``, sheets by ``shailoo ballots load-scan``,
decisions on the adjudication pages. Who may read which list is decided by ``accounts.roles``.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from shailoo.counting.models import (
    Adjudication,
    BallotStyle,
    Contest,
    ContestInterpretation,
    ContestOption,
    Definition,
    ScannedSheet,
)


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Definition)
class DefinitionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("election", "sha256", "imported_at", "imported_by")
    exclude = ("document",)
    readonly_fields = ("election", "sha256", "imported_at", "imported_by")


class OptionInline(_ReadOnly, admin.TabularInline):
    model = ContestOption
    fields = ("position", "code", "kind", "name_ky", "name_ru", "party_ru")
    readonly_fields = fields
    extra = 0


@admin.register(Contest)
class ContestAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("code", "election", "kind", "title_ru", "votes_allowed", "seats")
    list_filter = ("election", "kind")
    search_fields = ("code", "title_ru", "title_ky")
    inlines = [OptionInline]


@admin.register(ContestOption)
class ContestOptionAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("code", "contest", "kind", "name_ru", "party_ru")
    list_filter = ("kind", "contest__election")
    search_fields = ("code", "name_ru", "name_ky", "party_ru")
    list_select_related = ("contest",)


@admin.register(BallotStyle)
class BallotStyleAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("code", "election", "contest_codes")
    list_filter = ("election",)
    search_fields = ("code",)
    exclude = ("stations",)
    readonly_fields = ("election", "code", "contest_codes", "contests")


class InterpretationInline(_ReadOnly, admin.TabularInline):
    model = ContestInterpretation
    fields = ("contest", "read_outcome", "outcome", "votes", "needs_decision", "decided", "fills")
    readonly_fields = fields
    extra = 0


@admin.register(ScannedSheet)
class ScannedSheetAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("serial", "station", "election", "status", "state", "recorded_at")
    list_filter = ("state", "status", "election")
    search_fields = ("serial", "source", "=station__number")
    list_select_related = ("station", "election")
    raw_id_fields = ("station",)
    inlines = [InterpretationInline]
    show_full_result_count = False


@admin.register(Adjudication)
class AdjudicationAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("sheet", "contest", "decision", "actor", "decided_at", "ledger_sequence")
    list_filter = ("decision",)
    search_fields = ("sheet__serial", "actor", "reason")
    list_select_related = ("sheet__station", "contest")
