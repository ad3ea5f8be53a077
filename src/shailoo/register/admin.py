"""Admin for the voter register.

Who may open which page is decided by the roles (``accounts.roles.ADMIN_MODELS``), and
every view of a person's record in the admin is written to the personal-data access log.
Persons come from the population registry, so staff may correct a person but not add or
delete one; every save goes through ``services.save_admin_edit``, which recomputes the
derived fields and writes the old and new values into the person's history. History,
import runs, voting-place requests and corrections are read-only here: they change only
through their use cases (import, staff pages), never by hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.accounts.access_log import record_view
from shailoo.register import services
from shailoo.register.models import (
    ImportReject,
    ImportRun,
    ListCorrection,
    Person,
    PersonChange,
    VotingPlaceChange,
)
from shailoo.register.names import normalise
from shailoo.register.pin import mask_pin


class ReadOnlyAdmin(admin.ModelAdmin):
    """View-only: records that only their use case may write."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class PersonChangeInline(admin.TabularInline):
    model = PersonChange
    fields = ("at", "actor", "source", "changes")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-at", "-id")

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = (
        "surname",
        "given_name",
        "patronymic",
        "masked_pin",
        "birth_date",
        "station_number",
        "remote_station_number",
        "eligible",
    )
    list_select_related = ("station", "remote_station")
    list_filter = ("eligible", "sex", "biometric_registered", "station__region")
    search_fields = ("name_key",)
    search_help_text = _(
        "Any spelling of the name (Өмүров, Омуров, Omurov). Find a person by PIN with "
        "“Find a person”: the admin's search goes into the address, and addresses are logged."
    )
    readonly_fields = (
        "pin",
        "name_key",
        "name_latin",
        "eligible",
        "ineligible_codes",
        "row_hash",
        "created_at",
        "updated_at",
    )
    raw_id_fields = ("station", "remote_station")
    inlines = [PersonChangeInline]
    show_full_result_count = False

    @admin.display(description=_("PIN"), ordering="pin")
    def masked_pin(self, person: Person) -> str:
        return mask_pin(person.pin)

    @admin.display(description=_("station"), ordering="station__number")
    def station_number(self, person: Person) -> str:
        return str(person.station.number)  # a name, not a quantity: never "1 234"

    @admin.display(description=_("remote station"))
    def remote_station_number(self, person: Person) -> str | None:
        return str(person.remote_station.number) if person.remote_station else None

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Person], search_term: str
    ) -> tuple[QuerySet[Person], bool]:
        """Names in any spelling, folded like stored names; never a PIN.

        The admin searches with GET (``?q=``), so the term travels in the address, which
        servers and proxies log and the admin copies into every link of the list
        (``_changelist_filters``). A PIN is refused here with a pointer to the person search
        (a POST, ``register:search``).
        """
        term = search_term.strip()
        if not term:
            return queryset, False
        if sum(char.isdigit() for char in term) >= 14:
            messages.warning(
                request,
                gettext(
                    "The admin does not search by PIN (the address would carry it): "
                    "use “Find a person”."
                ),
            )
            return queryset.none(), False
        key = normalise(term)
        return queryset.filter(name_key__contains=key) if key else queryset.none(), False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # persons come from the population registry

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # the register keeps history; a person leaves through the registry

    def save_model(self, request: HttpRequest, obj: Person, form: ModelForm, change: bool) -> None:
        services.save_admin_edit(obj, request.user)

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """The person's record as the admin shows it; a successful read is logged."""
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            person = self.get_object(request, unquote(object_id))
            if person is not None:
                record_view(request, person, mask_pin(person.pin))
        return response


@admin.register(PersonChange)
class PersonChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "person", "actor", "source")
    list_filter = ("source",)
    list_select_related = ("person",)
    search_fields = ("actor", "person__name_key")
    date_hierarchy = "at"


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = (
        "started_at",
        "kind",
        "file_name",
        "status",
        "read",
        "accepted",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "actor",
    )
    list_filter = ("status", "kind")
    search_fields = ("file_name", "file_sha256", "actor")


@admin.register(ImportReject)
class ImportRejectAdmin(ReadOnlyAdmin):
    list_display = ("run", "line", "field", "reason")
    list_filter = ("field",)
    list_select_related = ("run",)
    search_fields = ("reason",)


@admin.register(VotingPlaceChange)
class VotingPlaceChangeAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "person", "kind", "from_number", "to_number", "status", "actor")
    list_filter = ("kind", "status")
    list_select_related = ("person", "from_station", "to_station")
    search_fields = ("person__name_key", "actor")
    date_hierarchy = "requested_at"

    @admin.display(description=_("from"), ordering="from_station__number")
    def from_number(self, record: VotingPlaceChange) -> str:
        return str(record.from_station.number)

    @admin.display(description=_("to"), ordering="to_station__number")
    def to_number(self, record: VotingPlaceChange) -> str:
        return str(record.to_station.number)


@admin.register(ListCorrection)
class ListCorrectionAdmin(ReadOnlyAdmin):
    list_display = ("requested_at", "masked_pin", "person", "kind", "status", "due_by")
    list_filter = ("status", "kind")
    list_select_related = ("person",)
    # Not by PIN: the admin searches with GET (?q=), and a query string is logged. A request
    # is found by PIN through the person search (a POST) and the person's page.
    search_fields = ("person__name_key",)
    date_hierarchy = "requested_at"
    exclude = ("pin",)
    readonly_fields = ("masked_pin",)

    @admin.display(description=_("PIN"))
    def masked_pin(self, correction: ListCorrection) -> str:
        return mask_pin(correction.pin)
