"""Admin for enrolments and identification decisions: metadata only, read-only, logged.

Template bytes are never shown: the sealed ``data`` column is not a field of any admin form,
list or inline (tests assert that no admin page carries them). Enrolments change only through
``services.enrol``; decisions only through identification. Every staff view of an enrolment
or a decision is written to the personal-data access log under the person concerned.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from shailoo.accounts.access_log import record_view
from shailoo.biometrics.models import BiometricEnrolment, BiometricTemplate, IdentificationLog
from shailoo.register.models import Person
from shailoo.register.pin import mask_pin

#: The metadata of a template staff may see; ``data`` is deliberately absent.
TEMPLATE_FIELDS = ("kind", "finger", "model_id", "quality", "minutiae", "sha256")


class _ReadOnly:
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class TemplateInline(_ReadOnly, admin.TabularInline):
    model = BiometricTemplate
    fields = TEMPLATE_FIELDS
    readonly_fields = TEMPLATE_FIELDS
    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        """Whoever may read the enrolment may read its templates' metadata."""
        return bool(request.user.has_perm("biometrics.view_biometricenrolment"))


def _log_view(request: HttpRequest, response: HttpResponse, person: Person | None) -> None:
    if request.method == "GET" and response.status_code == 200 and person is not None:
        record_view(request, person, f"biometrics {mask_pin(person.pin)}")


@admin.register(BiometricEnrolment)
class BiometricEnrolmentAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = ("pk", "person_ref", "active", "captured_at", "captured_by", "device_key")
    list_filter = ("active",)
    search_fields = ("=person__id", "captured_by", "device_key")
    date_hierarchy = "captured_at"
    fields = ("person_ref", "active", "captured_at", "captured_by", "device_key", "created_at")
    readonly_fields = fields
    inlines = [TemplateInline]
    show_full_result_count = False

    @admin.display(description=_("person"))
    def person_ref(self, enrolment: BiometricEnrolment) -> str:
        return f"#{enrolment.person_id}"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        enrolment = self.get_object(request, unquote(object_id))
        _log_view(request, response, enrolment.person if enrolment else None)
        return response


@admin.register(IdentificationLog)
class IdentificationLogAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = (
        "at",
        "mode",
        "station_number",
        "decision",
        "candidate_ref",
        "gallery_size",
        "elapsed_ms",
        "actor",
    )
    list_filter = ("mode", "decision")
    list_select_related = ("station",)
    search_fields = ("actor", "device_key")
    date_hierarchy = "at"
    fields = (
        "at",
        "mode",
        "station",
        "decision",
        "candidate_ref",
        "scores",
        "threshold",
        "gallery_size",
        "fingers",
        "face",
        "actor",
        "device_key",
        "elapsed_ms",
    )
    readonly_fields = fields

    @admin.display(description=_("station"), ordering="station__number")
    def station_number(self, log: IdentificationLog) -> str | None:
        return str(log.station.number) if log.station else None  # a name: never "1 234"

    @admin.display(description=_("candidate"))
    def candidate_ref(self, log: IdentificationLog) -> str:
        return f"#{log.candidate_id}" if log.candidate_id else "-"

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        log = self.get_object(request, unquote(object_id))
        _log_view(request, response, log.candidate if log else None)
        return response
