from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from archives.models import Building, Floor, Tenancy, Unit


class FloorInline(admin.TabularInline):
    model = Floor
    extra = 0


@admin.register(Building)
class BuildingAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "zone", "address")
    search_fields = ("code", "name")
    inlines = [FloorInline]


class TenancyInline(admin.TabularInline):
    model = Tenancy
    extra = 0
    raw_id_fields = ("client",)


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "floor", "usage", "area", "file_label")
    list_filter = ("floor__building",)
    list_select_related = ("floor__building",)
    search_fields = ("number", "file_label", "tenancies__company_name")
    inlines = [TenancyInline]


@admin.register(Tenancy)
class TenancyAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "company_name", "client", "move_in", "move_out")
    list_select_related = ("unit__floor__building", "client")
    search_fields = ("company_name", "client__name", "unit__number")
    raw_id_fields = ("client", "unit")
