"""Admin for the electoral geography: regions, districts, TECs and polling stations."""

from __future__ import annotations

from django.contrib import admin

from shailoo.geo.models import District, PollingStation, Region, TerritorialCommission


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ky", "name_ru", "name_en", "is_abroad")
    search_fields = ("code", "name_ky", "name_ru", "name_en")
    list_filter = ("is_abroad",)


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ky", "name_ru", "region")
    search_fields = ("code", "name_ky", "name_ru")
    list_filter = ("region",)
    list_select_related = ("region",)


@admin.register(TerritorialCommission)
class TerritorialCommissionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")
    search_fields = ("code", "name")
    list_filter = ("region",)
    list_select_related = ("region",)


@admin.register(PollingStation)
class PollingStationAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "name",
        "address",
        "region",
        "district",
        "tec",
        "is_remote_voting",
        "is_abroad",
        "capacity",
    )
    search_fields = ("=number", "name", "address")
    list_filter = ("region", "is_remote_voting", "is_abroad")
    list_select_related = ("region", "district", "tec")
    autocomplete_fields = ("region", "district", "tec")
