"""Read-only admin pages: runs, the pairs they queued and the decisions (scores only)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shailoo.biometrics.dedup.models import AdjudicationDecision, DedupRun, DuplicateCandidate


class ReadOnly(admin.ModelAdmin):
    """Decisions are made on the adjudication page (with the ledger), never edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(DedupRun)
class DedupRunAdmin(ReadOnly):
    list_display = ("pk", "status", "started_at", "faces", "finger_only", "candidates", "queued")
    list_filter = ("status",)


@admin.register(DuplicateCandidate)
class DuplicateCandidateAdmin(ReadOnly):
    """Persons by row number only: their records are opened (and logged) on the pair page."""

    list_display = ("pk", "person_a_row", "person_b_row", "face_score", "fused_strength", "status")
    list_filter = ("status",)
    fields = (
        "run",
        "person_a_row",
        "person_b_row",
        "face_score",
        "fused_strength",
        "evidence",
        "status",
        "created_at",
    )
    readonly_fields = fields

    @admin.display(description=_("first person (row number)"))
    def person_a_row(self, pair: DuplicateCandidate) -> str:
        return str(pair.person_a_id)

    @admin.display(description=_("second person (row number)"))
    def person_b_row(self, pair: DuplicateCandidate) -> str:
        return str(pair.person_b_id)


@admin.register(AdjudicationDecision)
class AdjudicationDecisionAdmin(ReadOnly):
    list_display = ("pk", "candidate_id", "outcome", "actor", "decided_at", "ledger_sequence")
    list_filter = ("outcome",)
    fields = ("candidate_id", "outcome", "reason", "actor", "decided_at", "ledger_sequence")
    readonly_fields = fields
