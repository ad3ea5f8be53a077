"""Admin: read-only views of the ledger, signed heads and registered keys.

Nothing here can add, change or delete a row: entries and heads are written only by the
ledger service, keys only through ``shailoo keys`` (each act itself a ledger entry).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shailoo.integrity.models import LedgerEntry, RegisteredKey, TreeHead


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("sequence", "kind", "created_at")
    list_filter = ("kind",)
    fields = ("sequence", "kind", "created_at", "entry_text", "leaf_hash_hex")
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description=_("entry"))
    def entry_text(self, obj: LedgerEntry) -> str:
        return bytes(obj.data).decode("utf-8", "replace")

    @admin.display(description=_("leaf hash"))
    def leaf_hash_hex(self, obj: LedgerEntry) -> str:
        return bytes(obj.leaf_hash).hex()


@admin.register(TreeHead)
class TreeHeadAdmin(ReadOnlyAdmin):
    list_display = ("id", "size", "key_id", "created_at")
    fields = ("size", "root_hex", "timestamp_ms", "key_id", "created_at")
    readonly_fields = fields

    @admin.display(description=_("root hash"))
    def root_hex(self, obj: TreeHead) -> str:
        return bytes(obj.root_hash).hex()


@admin.register(RegisteredKey)
class RegisteredKeyAdmin(ReadOnlyAdmin):
    list_display = ("key_id", "usage", "status", "station_number", "commission_code", "valid_to")
    list_filter = ("usage", "status")
    search_fields = ("key_id", "commission_code", "label")
    exclude = ("public_key",)
    readonly_fields = ("public_key_hex",)

    @admin.display(description=_("public key"))
    def public_key_hex(self, obj: RegisteredKey) -> str:
        return bytes(obj.public_key).hex()
