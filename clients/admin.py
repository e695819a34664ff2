from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from clients.models import (
    Answer,
    Brand,
    BrandPlan,
    BrandPlanMilestone,
    BrandPlanTarget,
    Campaign,
    CampaignContact,
    CampaignMember,
    Client,
    ClientFilePolicy,
    Complaint,
    ComplaintEvent,
    Contact,
    DemandRecord,
    Interaction,
    KeyAccountCost,
    KeyAccountProfile,
    Lead,
    LeadStageChange,
    Product,
    ProductFeedback,
    Question,
    ServicePlan,
    Survey,
    SurveyInvitation,
)
from clients.resources import ClientResource, ContactResource
from crm.admin import SpreadsheetAdmin


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


class KeyAccountInline(admin.StackedInline):
    model = KeyAccountProfile
    extra = 0


@admin.register(Client)
class ClientAdmin(SpreadsheetAdmin, SimpleHistoryAdmin):
    resource_classes = [ClientResource]
    list_display = (
        "code",
        "name",
        "kind",
        "status",
        "owner",
        "territory",
        "level",
        "is_key_account",
        "card_updated_at",
    )
    list_filter = ("kind", "status", "channel", "level", "is_key_account", "territory")
    list_select_related = ("owner", "territory")
    search_fields = ("code", "name", "phone", "contacts__name")
    autocomplete_fields = ("owner",)
    readonly_fields = ("level", "discount_tier", "graded_at", "created_at")
    inlines = [ContactInline, KeyAccountInline]
    show_full_result_count = False


@admin.register(ClientFilePolicy)
class ClientFilePolicyAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "review_after_days", "code_prefix", "code_digits", "next_code_number")

    def has_add_permission(self, request) -> bool:
        return not ClientFilePolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contact)
class ContactAdmin(SpreadsheetAdmin, SimpleHistoryAdmin):
    resource_classes = [ContactResource]
    list_display = ("name", "client", "position", "phone", "email", "is_emergency")
    list_select_related = ("client",)
    search_fields = ("name", "phone", "client__name", "client__code")
    raw_id_fields = ("client",)


@admin.register(Interaction)
class InteractionAdmin(SimpleHistoryAdmin):
    list_display = ("client", "kind", "occurred_at", "next_contact_date", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("client", "recorded_by")
    search_fields = ("client__name", "outcome")
    raw_id_fields = ("client",)
    date_hierarchy = "occurred_at"


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    readonly_fields = ("action", "from_status", "to_status", "actor", "note", "at")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(SimpleHistoryAdmin):
    # The workflow lives in clients.complaints; here the status is read-only so admins cannot skip steps.
    list_display = ("subject", "client", "kind", "category", "status", "assignee", "received_at")
    list_filter = ("kind", "status", "category", "channel")
    list_select_related = ("client", "assignee")
    search_fields = ("subject", "client__name")
    raw_id_fields = ("client",)
    readonly_fields = ("status", "assigned_at", "resolved_at", "closed_at", "reopen_count")
    inlines = [ComplaintEventInline]


@admin.register(ProductFeedback)
class ProductFeedbackAdmin(SimpleHistoryAdmin):
    list_display = ("product", "client", "informed_on", "rating", "recorded_by")
    list_select_related = ("client", "recorded_by")
    search_fields = ("product", "client__name")
    raw_id_fields = ("client",)


@admin.register(DemandRecord)
class DemandRecordAdmin(SimpleHistoryAdmin):
    list_display = ("product", "client", "quantity", "unit", "period_start", "period_end")
    list_select_related = ("client",)
    search_fields = ("product", "client__name")
    raw_id_fields = ("client",)


@admin.register(Campaign)
class CampaignAdmin(SimpleHistoryAdmin):
    list_display = ("name", "channel", "starts_on", "ends_on", "launched_at", "created_by")
    list_filter = ("channel",)
    search_fields = ("name", "offer")
    date_hierarchy = "starts_on"
    raw_id_fields = ("product",)


@admin.register(CampaignMember)
class CampaignMemberAdmin(admin.ModelAdmin):
    list_display = ("campaign", "client", "group", "owner", "reached_at", "response", "attempts")
    list_filter = ("group", "response")
    search_fields = ("campaign__name", "client__name", "client__code")
    raw_id_fields = ("campaign", "client", "owner", "added_by")
    list_select_related = ("campaign", "client", "owner")


@admin.register(CampaignContact)
class CampaignContactAdmin(admin.ModelAdmin):
    list_display = ("member", "method", "response", "at", "by")
    list_filter = ("method", "response")
    search_fields = ("member__client__name", "member__campaign__name")
    raw_id_fields = ("member", "by")
    list_select_related = ("member__campaign", "member__client", "by")


class LeadStageChangeInline(admin.TabularInline):
    model = LeadStageChange
    extra = 0
    readonly_fields = ("from_stage", "to_stage", "by", "at", "note")
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(SimpleHistoryAdmin):
    # Stages move only through clients.pipeline (signing creates the client); read-only here.
    list_display = ("name", "stage", "owner", "expected_volume", "next_step_on", "stage_changed_at")
    list_filter = ("stage",)
    list_select_related = ("owner",)
    search_fields = ("name", "client__name", "client__code")
    raw_id_fields = ("client",)
    autocomplete_fields = ("owner",)
    readonly_fields = ("stage", "lost_reason", "stage_changed_at", "created_by", "created_at")
    inlines = [LeadStageChangeInline]

    def has_add_permission(self, request) -> bool:
        return False  # a card is opened in the app, with its first stage row


@admin.register(KeyAccountCost)
class KeyAccountCostAdmin(SimpleHistoryAdmin):
    list_display = ("client", "kind", "amount", "incurred_on", "recorded_by")
    list_filter = ("kind",)
    list_select_related = ("client", "recorded_by")
    search_fields = ("client__name", "client__code", "note")
    raw_id_fields = ("client",)
    readonly_fields = ("recorded_by", "recorded_at")
    date_hierarchy = "incurred_on"

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.recorded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ServicePlan)
class ServicePlanAdmin(SimpleHistoryAdmin):
    list_display = ("client", "year", "mid_year_review", "year_end_review", "updated_by", "updated_at")
    list_filter = ("year",)
    list_select_related = ("client", "updated_by")
    search_fields = ("client__code", "client__name")
    raw_id_fields = ("client", "updated_by")
    show_full_result_count = False


class ProductInline(admin.TabularInline):
    model = Product
    extra = 0
    fields = ("code", "name_zh", "name_en", "launch_on", "margin", "is_active")


@admin.register(Brand)
class BrandAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "is_active")
    list_filter = ("is_active",)
    search_fields = ("code", "name_zh", "name_en")
    inlines = [ProductInline]


@admin.register(Product)
class ProductAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name_zh", "name_en", "brand", "launch_on", "margin", "is_active")
    list_filter = ("brand", "is_active")
    search_fields = ("code", "name_zh", "name_en")
    autocomplete_fields = ("brand",)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never written in the admin: these rows are written by clients.surveys with its
    checks (questions freeze once answered, one response per invitation, links stored hashed)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ("position", "text", "kind", "required", "choices", "min_value", "max_value")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    # Built, sent and closed in the app (MKT-4); the admin corrects a title or the introduction.
    list_display = ("title", "status", "product", "deadline", "created_by", "sent_at")
    list_filter = ("status",)
    list_select_related = ("product", "created_by")
    search_fields = ("title",)
    readonly_fields = ("product", "status", "deadline", "segment", "created_by", "created_at", "sent_at", "sent_by")
    inlines = [QuestionInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Question)
class QuestionAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("survey", "position", "text", "kind", "required")
    list_filter = ("kind",)
    list_select_related = ("survey",)
    search_fields = ("text", "survey__title")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    list_display = ("survey", "client", "created_at", "answered_at", "answered_via", "answered_by")
    list_filter = ("answered_via",)
    list_select_related = ("survey", "client", "answered_by")
    search_fields = ("survey__title", "client__name", "client__code")
    exclude = ("token_hash",)


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdmin):
    list_display = ("invitation", "question", "choice", "number", "text")
    list_select_related = ("invitation__survey", "invitation__client", "question")
    search_fields = ("invitation__client__name", "question__text", "text")


class BrandPlanMilestoneInline(admin.TabularInline):
    model = BrandPlanMilestone
    extra = 0
    fields = ("month", "distribution_points", "sales_amount")


@admin.register(BrandPlan)
class BrandPlanAdmin(SimpleHistoryAdmin):
    list_display = ("name", "brand", "team", "start_month", "end_month", "created_by")
    list_filter = ("brand", "team")
    list_select_related = ("brand", "team", "created_by")
    search_fields = ("name", "brand__code", "brand__name_zh")
    readonly_fields = ("created_by", "created_at", "segment")
    inlines = [BrandPlanMilestoneInline]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BrandPlanTarget)
class BrandPlanTargetAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "client", "added_by", "added_at")
    list_select_related = ("plan", "client", "added_by")
    search_fields = ("plan__name", "client__code", "client__name")
    raw_id_fields = ("plan", "client")
    readonly_fields = ("added_by", "added_at")
    show_full_result_count = False

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(BrandPlanMilestone)
class BrandPlanMilestoneAdmin(SimpleHistoryAdmin):
    list_display = ("plan", "month", "distribution_points", "sales_amount")
    list_select_related = ("plan",)
    raw_id_fields = ("plan",)
