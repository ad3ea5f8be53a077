"""Admin for accounts: role assignments, authenticators, and the personal-data access log.

Groups are not used (roles replace them), so their admin is removed. The access log is
read-only: it is evidence, written only by the pages that show personal data.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shailoo.accounts.models import PersonalDataAccess, RoleAssignment, TOTPDevice

if admin.site.is_registered(Group):
    admin.site.unregister(Group)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope", "place", "agency", "granted_at", "revoked_at")
    list_filter = ("role", "scope", "agency", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "region", "tec", "station")
    search_fields = ("user__username",)
    autocomplete_fields = ("user", "region", "tec", "station")
    readonly_fields = ("granted_by", "granted_at")
    fields = (
        "user",
        "role",
        "scope",
        "region",
        "tec",
        "station",
        "agency",
        "granted_by",
        "granted_at",
        "revoked_at",
    )

    @admin.display(description=_("territory"))
    def place(self, obj: RoleAssignment) -> str:
        """The region, TEC or station the role covers; the country by its name."""
        target = obj.region or obj.tec or obj.station
        return str(target) if target is not None else str(obj.get_scope_display())

    def save_model(
        self, request: HttpRequest, obj: RoleAssignment, form: object, change: bool
    ) -> None:
        if not change:
            obj.granted_by = request.user.get_username()
        super().save_model(request, obj, form, change)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    """Authenticators: list, rename, unconfirm or delete (a lost phone); never the secret."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = (
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_count",
    )
    readonly_fields = ("user", "created_at", "last_used_at", "throttling_failure_count")


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "subject_type", "subject_id", "subject_label", "view", "ip")
    list_filter = ("subject_type", "view")
    search_fields = ("username", "=subject_id")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
