from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from visits.models import (
    ActualFigure,
    CalendarDay,
    CalendarFeed,
    ContactSummary,
    MarketInfo,
    MarketReport,
    Metric,
    MonthPlan,
    Target,
    TargetSettings,
    TeamMonth,
    Visit,
    VisitPolicy,
)


@admin.register(VisitPolicy)
class VisitPolicyAdmin(admin.ModelAdmin):
    # Never edited in place (a plan names the policy it was made with): a change is a new row.
    list_display = ("created_at", "created_by", *VisitPolicy.SETTINGS)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: VisitPolicy, form, change: bool) -> None:
        obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """The holiday calendar: public holidays on weekdays, and weekend days worked (调休)."""

    list_display = ("date", "name", "is_working")
    list_filter = ("is_working",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(TeamMonth)
class TeamMonthAdmin(SimpleHistoryAdmin):
    list_display = ("team", "month", "focus_product", "min_coverage", "created_by", "created_at")
    list_filter = ("team",)
    filter_horizontal = ("focus_territories",)
    readonly_fields = ("policy", "created_by", "created_at")


@admin.register(MonthPlan)
class MonthPlanAdmin(SimpleHistoryAdmin):
    # Submitted and decided on /visits/plans/<id>/, where the rules apply: read-only here.
    list_display = ("owner", "month", "status", "submitted_at", "decided_by", "decided_at")
    list_filter = ("status", "month")
    list_select_related = ("owner", "decided_by")
    search_fields = ("owner__username", "owner__first_name", "owner__last_name")
    readonly_fields = [f.name for f in MonthPlan._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Visit)
class VisitAdmin(SimpleHistoryAdmin):
    list_display = ("client", "owner", "kind", "source", "status", "planned_for", "done_on")
    list_filter = ("status", "kind", "source")
    list_select_related = ("client", "owner")
    search_fields = ("client__code", "client__name", "note")
    raw_id_fields = ("plan", "client", "interaction")
    readonly_fields = ("version", "created_at")
    date_hierarchy = "planned_for"
    show_full_result_count = False


@admin.register(MarketInfo)
class MarketInfoAdmin(SimpleHistoryAdmin):
    list_display = ("client", "territory", "product", "price_seen", "recorded_by", "recorded_at")
    list_filter = ("territory",)
    list_select_related = ("client", "territory", "recorded_by")
    search_fields = ("client__code", "client__name", "product", "competitor_activity", "demand_signals", "notes")
    raw_id_fields = ("visit", "client")
    date_hierarchy = "recorded_at"
    show_full_result_count = False


@admin.register(MarketReport)
class MarketReportAdmin(SimpleHistoryAdmin):
    list_display = ("territory", "month", "responsible", "status", "due_date", "submitted_at", "reviewed_by")
    list_filter = ("status", "territory", "month")
    list_select_related = ("territory", "responsible", "reviewed_by")
    readonly_fields = ("figures", "version", "created_at")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    # The secret stays secret: admins can revoke a feed (delete it), not read its URL.
    list_display = ("user", "created_at")
    exclude = ("token",)
    readonly_fields = ("user", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ContactSummary)
class ContactSummaryAdmin(admin.ModelAdmin):
    """Derived from the interactions and visits (visits.contacts): looked at, never edited."""

    list_display = (
        "client",
        "last_interaction_at",
        "last_onsite_interaction_at",
        "last_visit_on",
        "last_onsite_visit_on",
    )
    list_select_related = ("client",)
    search_fields = ("client__name", "client__code")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    """Reference data (MKT-2): both sets ship with the application; names and units may be edited."""

    list_display = (
        "code",
        "name_en",
        "name_zh",
        "unit",
        "direction",
        "source",
        "aggregation",
        "metric_set",
        "position",
    )
    list_filter = ("metric_set", "source", "direction")
    search_fields = ("code", "name_en", "name_zh")

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(TargetSettings)
class TargetSettingsAdmin(SimpleHistoryAdmin):
    """The deployment's choice of metric set: one row."""

    list_display = ("metric_set", "changed_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not TargetSettings.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    # Set on /targets/set/ or imported, where the split and the metric set are checked: read-only
    # here, with each change's history (who, when, old → new).
    list_display = ("period_kind", "period_start", "team", "account_manager", "metric", "value", "set_by", "set_at")
    list_filter = ("period_kind", "metric", "team")
    list_select_related = ("team", "account_manager", "metric", "set_by")
    search_fields = ("account_manager__username", "team__name")
    readonly_fields = [f.name for f in Target._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ActualFigure)
class ActualFigureAdmin(SimpleHistoryAdmin):
    # Computed nightly or imported on /targets/import/: read-only, corrections in the history.
    list_display = ("month", "account_manager", "metric", "value", "base", "updated_at")
    list_filter = ("metric", "month")
    list_select_related = ("account_manager", "metric")
    search_fields = ("account_manager__username",)
    readonly_fields = [f.name for f in ActualFigure._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
