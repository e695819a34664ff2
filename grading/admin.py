from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from crm.admin import SpreadsheetAdmin
from grading.models import ClientScore, GradingPolicy, GradingRun, PotentialAssessment, Receivable, SalesOrder
from grading.resources import ReceivableResource, SalesOrderResource


@admin.register(SalesOrder)
class SalesOrderAdmin(SpreadsheetAdmin, SimpleHistoryAdmin):
    resource_classes = [SalesOrderResource]
    list_display = ("client", "ordered_on", "amount", "quantity", "product", "margin")
    list_select_related = ("client",)
    search_fields = ("client__code", "client__name", "product")
    raw_id_fields = ("client",)
    date_hierarchy = "ordered_on"
    show_full_result_count = False


@admin.register(Receivable)
class ReceivableAdmin(SpreadsheetAdmin, SimpleHistoryAdmin):
    resource_classes = [ReceivableResource]
    list_display = ("invoice", "client", "amount", "due_on", "paid_on", "delay_reason")
    list_select_related = ("client",)
    search_fields = ("invoice", "client__code", "client__name")
    raw_id_fields = ("client",)
    date_hierarchy = "due_on"
    show_full_result_count = False


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
    list_display = ("as_of", "status", "clients_graded", "started_by", "started_at", "finished_at")
    readonly_fields = [f.name for f in GradingRun._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False  # runs are started by the schedule or "grade now" (GRD-6), never typed in


@admin.register(ClientScore)
class ClientScoreAdmin(admin.ModelAdmin):
    list_display = ("client", "run", "level", "composite", "credit_score", "volume_rank", "profit_rank")
    list_filter = ("level",)
    list_select_related = ("client", "run")
    raw_id_fields = ("client", "run")
    show_full_result_count = False
