from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin

from archives.models import (
    Building,
    ChangeRequest,
    Document,
    DocumentVersion,
    Floor,
    Loan,
    Notice,
    Tenancy,
    TenantProfile,
    Unit,
    YearlyArchive,
)


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Archived documents are append-only (ARC-7): the admin shows them and changes nothing."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ("number", "original_name", "size", "sha256", "created_by", "approved_by", "created_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "unit", "category", "kind", "dated", "created_by")
    list_filter = ("kind", "category")
    list_select_related = ("unit__floor__building", "created_by")
    search_fields = ("title", "unit__number")
    inlines = [VersionInline]

    def delete_view(self, request: HttpRequest, object_id: str, extra_context=None) -> HttpResponse:
        # The refusal says why (shown on the 403 page), not only that it is refused.
        raise PermissionDenied(
            _(
                "Archived documents are never deleted: an original is kept as filed "
                "and a working document keeps every version (ARC-7)."
            )
        )


@admin.register(ChangeRequest)
class ChangeRequestAdmin(SimpleHistoryAdmin, ReadOnlyAdmin):
    list_display = ("document", "status", "requested_by", "decided_by", "requested_at")
    list_filter = ("status",)


@admin.register(Loan)
class LoanAdmin(SimpleHistoryAdmin):
    list_display = ("unit", "borrower", "status", "due_on", "returned_at")
    list_filter = ("status",)
    list_select_related = ("unit__floor__building", "borrower")
    readonly_fields = ("status", "decided_by", "decided_at", "returned_at")


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ("title", "scope", "sent_by", "sent_at")


@admin.register(YearlyArchive)
class YearlyArchiveAdmin(ReadOnlyAdmin):
    list_display = ("year", "compiled_at")


# The incoming correspondence register (ARC-8); its steps go through archives.correspondence.
from archives.models import IncomingLetter  # noqa: E402


@admin.register(IncomingLetter)
class IncomingLetterAdmin(SimpleHistoryAdmin):
    list_display = ("subject", "unit", "sender", "kind", "received_on", "status", "handler", "due_on")
    list_filter = ("status", "kind")
    list_select_related = ("unit__floor__building", "handler")
    search_fields = ("subject", "sender")
    raw_id_fields = ("unit", "tenancy", "handler", "answered_by", "logged_by")
    readonly_fields = ("status", "routed_at", "answered_on", "answered_by", "original_name")


@admin.register(TenantProfile)
class TenantProfileAdmin(SimpleHistoryAdmin):
    list_display = ("tenancy", "company_type", "staff_count", "fees_paid_until", "arrears", "updated_by")
    list_filter = ("company_type",)
    list_select_related = ("tenancy__unit__floor__building", "updated_by")
    search_fields = ("tenancy__company_name", "tenancy__unit__number")
    raw_id_fields = ("tenancy",)
    readonly_fields = ("version", "updated_at", "updated_by")
