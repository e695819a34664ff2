from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import SpreadsheetAdmin
from grading.forms import LedgerAdminForm
from grading.models import (
    ClientScore,
    Delivery,
    GradingPolicy,
    GradingRun,
    LedgerCorrection,
    OrderComplaint,
    PotentialAssessment,
    Receivable,
    SalesOrder,
)
from grading.resources import DeliveryResource, ReceivableResource, SalesOrderResource


class LedgerAdmin(SpreadsheetAdmin, SimpleHistoryAdmin):
    form = LedgerAdminForm

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # a fresh class per request (modelform_factory)
        return form


@admin.register(SalesOrder)
class SalesOrderAdmin(LedgerAdmin):
    resource_classes = [SalesOrderResource]
    list_display = ("client", "ordered_on", "amount", "quantity", "product", "margin", "status")
    list_filter = ("status",)
    list_select_related = ("client",)
    search_fields = ("client__code", "client__name", "product")
    raw_id_fields = ("client",)
    date_hierarchy = "ordered_on"
    show_full_result_count = False


@admin.register(Receivable)
class ReceivableAdmin(LedgerAdmin):
    resource_classes = [ReceivableResource]
    list_display = ("invoice", "client", "amount", "due_on", "paid_on", "delay_reason")
    list_select_related = ("client",)
    search_fields = ("invoice", "client__code", "client__name")
    raw_id_fields = ("client",)
    date_hierarchy = "due_on"
    show_full_result_count = False


@admin.register(LedgerCorrection)
class LedgerCorrectionAdmin(SimpleHistoryAdmin):
    # Decided on /grading/corrections/, where the four-eyes rule and the audit apply: read-only here.
    list_display = ("client", "field", "old_value", "new_value", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("status",)
    list_select_related = ("client", "requested_by", "decided_by")
    search_fields = ("client__code", "client__name", "reason")
    readonly_fields = [f.name for f in LedgerCorrection._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(PotentialAssessment)
class PotentialAssessmentAdmin(admin.ModelAdmin):
    list_display = ("client", "score", "assessed_by", "assessed_at")
    raw_id_fields = ("client",)


@admin.register(GradingPolicy)
class GradingPolicyAdmin(admin.ModelAdmin):
    # Policies are never edited in place (every run names its policy): change it on /grading/policy/.
    list_display = (
        "created_at",
        "created_by",
        "window_months",
        "volume_basis",
        "weight_credit",
        "weight_volume",
        "weight_profit",
        "threshold_a",
        "threshold_b",
        "threshold_c",
    )

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GradingRun)
class GradingRunAdmin(admin.ModelAdmin):
    list_display = ("as_of", "status", "clients_graded", "levels_moved", "started_by", "started_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = [f.name for f in GradingRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        # A run is started on the grading page (grading_run_start), never typed in: every field
        # is read-only, so an add form could only save an empty row (a 500).
        return False


@admin.register(ClientScore)
class ClientScoreAdmin(admin.ModelAdmin):
    list_display = ("client", "run", "level", "composite", "credit_score", "volume_rank", "profit_rank")
    list_filter = ("level",)
    list_select_related = ("client", "run")
    raw_id_fields = ("client", "run")
    show_full_result_count = False


@admin.register(Delivery)
class DeliveryAdmin(SpreadsheetAdmin, SimpleHistoryAdmin):
    resource_classes = [DeliveryResource]
    list_display = ("order", "status", "carrier", "tracking_number", "shipped_on", "delivered_on")
    list_filter = ("status",)
    list_select_related = ("order",)
    search_fields = ("tracking_number", "carrier", "order__client__code", "order__client__name")
    raw_id_fields = ("order", "recorded_by")
    date_hierarchy = "shipped_on"
    show_full_result_count = False


@admin.register(OrderComplaint)
class OrderComplaintAdmin(SimpleHistoryAdmin):
    list_display = ("order", "complaint")
    list_select_related = ("order", "complaint")
    search_fields = ("complaint__subject", "order__client__code", "order__client__name")
    raw_id_fields = ("order", "complaint")
    show_full_result_count = False
