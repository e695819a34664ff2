from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from repairs.models import (
    Callback,
    FeeItem,
    FeeSchedule,
    MonthlyReport,
    MonthlySignOff,
    RepairEvent,
    RepairLine,
    RepairOrder,
    RepairSettings,
    RepairSignature,
    RepairSlipFiling,
    Technician,
)


@admin.register(RepairSettings)
class RepairSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "arrival_tolerance_minutes", "callback_share_percent", "slip_one_copy_per_page")

    def has_add_permission(self, request) -> bool:
        return not RepairSettings.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Technician)
class TechnicianAdmin(SimpleHistoryAdmin):
    list_display = ("user", "get_specialties_display", "base_building", "active")
    list_filter = ("active", "base_building")
    list_select_related = ("user", "base_building")
    search_fields = ("user__username", "user__first_name")
    raw_id_fields = ("user",)


class FeeItemInline(admin.TabularInline):
    model = FeeItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ("code", "name", "kind", "category", "unit", "price", "active")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeeSchedule)
class FeeScheduleAdmin(SimpleHistoryAdmin):
    # Finance drafts and publishes schedules at /repairs/fees/ (repairs.fees); a published schedule
    # is never edited again, so here everything is read-only.
    list_display = ("__str__", "state", "effective_from", "published_at", "published_by")
    list_filter = ("state",)
    readonly_fields = ("state", "effective_from", "note", "published_at", "published_by", "created_by", "created_at")
    inlines = [FeeItemInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(FeeItem)
class FeeItemAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "kind", "category", "unit", "price", "usual_quantity", "schedule")
    list_filter = ("schedule", "kind", "category")
    list_select_related = ("schedule",)
    search_fields = ("code", "name")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("schedule")

    def get_readonly_fields(self, request, obj=None):
        if obj is None or not obj.schedule.is_draft:
            return [field.name for field in FeeItem._meta.fields]  # published prices stay as published
        return ("schedule",)

    def has_add_permission(self, request) -> bool:
        return False  # items are added to the draft schedule at /repairs/fees/

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retired from the draft at /repairs/fees/ (earlier schedules keep theirs)


class RepairLineInline(admin.TabularInline):
    model = RepairLine
    extra = 0
    can_delete = False
    readonly_fields = ("fee_item", "description", "kind", "quantity", "unit_price", "amount")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class RepairEventInline(admin.TabularInline):
    model = RepairEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RepairOrder)
class RepairOrderAdmin(SimpleHistoryAdmin):
    # Orders move only through repairs.workflow (the pages); here the workflow fields are read-only
    # and a closed or completed order cannot be edited at all.
    list_display = ("number", "unit", "category", "status", "technician", "created_at", "total")
    list_filter = ("status", "category", "urgency", "channel")
    list_select_related = ("unit__floor__building", "technician__user")
    search_fields = ("number", "contact_name", "unit__number", "client__name")
    raw_id_fields = ("unit", "client", "complaint")
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [RepairLineInline, RepairEventInline]
    WORKFLOW_FIELDS = (
        "number",
        "status",
        "technician",
        "assigned_at",
        "arrived_at",
        "on_time",
        "consented_at",
        "completed_at",
        "closed_at",
        "total",
        "signature",
        "signed_by",
        "reopen_count",
        "created_by",
        "created_at",
        "work_notes",
        "damage",
        "compensation",
        "first_completed_at",
        "rework_count",
        "finance_copy_received_by",
        "finance_copy_received_at",
        "billing_status",
        "billing_reason",
        "billing_changed_at",
    )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status in RepairOrder.DONE_STATUSES:
            return [field.name for field in RepairOrder._meta.fields]
        return self.WORKFLOW_FIELDS

    def has_add_permission(self, request) -> bool:
        return False  # orders are logged at /repairs/new/, which fills the client and the history

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Callback)
class CallbackAdmin(SimpleHistoryAdmin):
    list_display = ("order", "month", "result", "recorded_by", "recorded_at")
    list_filter = ("month", "result")
    raw_id_fields = ("order",)


@admin.register(MonthlyReport)
class MonthlyReportAdmin(admin.ModelAdmin):
    list_display = ("month", "generated_at", "generated_by")
    readonly_fields = ("month", "figures", "generated_at", "generated_by")

    def has_add_permission(self, request) -> bool:
        # Reports are produced on the statistics page (monthly_report_generate), never typed in:
        # every field is read-only, so an add form could only save an empty row (a 500).
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows the application only ever adds: shown here, never added, changed or deleted."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RepairSignature)
class RepairSignatureAdmin(ReadOnlyAdmin):
    # REP-5: every signature given on an order is kept as given (append-only, see the model).
    list_display = ("order", "signer", "signer_name", "signed_at", "recorded_by")
    list_filter = ("signer",)
    list_select_related = ("order", "recorded_by")
    search_fields = ("order__number", "signer_name")
    date_hierarchy = "signed_at"


@admin.register(RepairSlipFiling)
class RepairSlipFilingAdmin(ReadOnlyAdmin):
    list_display = ("order", "document", "filed_at")
    list_select_related = ("order", "document")
    search_fields = ("order__number",)


@admin.register(MonthlySignOff)
class MonthlySignOffAdmin(admin.ModelAdmin):
    list_display = ("month", "signed_by", "signed_at")
    readonly_fields = ("month", "figures", "signed_by", "signed_at")

    def has_add_permission(self, request) -> bool:
        return False  # signed on the statistics page (repairs.signoff): the figures come from the report

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
