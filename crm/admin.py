from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from crm.models import (
    Notification,
    NotificationDelivery,
    NotificationPreference,
    OutboxMessage,
    Team,
    Territory,
    User,
)
from crm.spreadsheets.formats import FORMATS

admin.site.site_header = admin.site.site_title = _("CRM administration")
admin.site.index_title = _("Reference data, users and schedules")


class SpreadsheetAdmin(ImportExportModelAdmin):
    """Admin import and export through the CRM's own CSV and Excel formats (crm/spreadsheets)."""

    formats = FORMATS

    def add_data_read_fail_error_to_form(self, form, e: Exception) -> None:
        # Our readers say what is wrong with the file (a cap, an encoding); say it.
        if isinstance(e, ValidationError):
            form.add_error("import_file", e)
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_export_data(self, file_format, request: HttpRequest, queryset: QuerySet, **kwargs) -> str | bytes:
        # The library gives Excel native numbers and dates only for its own XLSX class (an exact
        # type check); ours is a subclass, so say it here.
        if not self.has_export_permission(request):
            raise PermissionDenied
        data = self.get_data_for_export(request, queryset, force_native_type=file_format.is_binary(), **kwargs)
        return file_format.export_data(data)


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, DjangoUserAdmin):
    # The role decides groups and admin rights (User.save), so those fields are not edited here.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email", "phone", "wecom_id")}),
        (_("Notifications"), {"fields": ("language", "quiet_start", "quiet_end")}),
        (_("Role and scope"), {"fields": ("role", "team", "territories", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2")}),
        (_("Role and scope"), {"fields": ("role", "team", "email")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "role", "team", "is_active", "last_login")
    list_filter = ("role", "team", "is_active")
    list_select_related = ("team",)
    search_fields = ("username", "first_name", "last_name", "email", "phone")
    filter_horizontal = ("territories",)
    readonly_fields = ("last_login", "date_joined")


class MemberInline(admin.TabularInline):
    model = User
    fields = ("username", "first_name", "last_name", "role")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class TerritoryInline(admin.TabularInline):
    model = Territory
    extra = 0


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ("name",)
    search_fields = ("name",)
    inlines = [TerritoryInline, MemberInline]


@admin.register(Territory)
class TerritoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "team")
    list_filter = ("team",)
    list_select_related = ("team",)
    search_fields = ("code", "name")


class EmailFailedFilter(admin.SimpleListFilter):
    title = _("e-mail")
    parameter_name = "email"

    def lookups(self, request, model_admin):
        return [("failed", _("failed")), ("pending", _("waiting to be sent"))]

    def queryset(self, request, queryset):
        if self.value() == "failed":
            return queryset.email_failed()
        if self.value() == "pending":
            return queryset.email_pending()
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "message", "level", "created_at", "read_at", "emailed_at", "email_failed_at")
    list_filter = ("level", "created_at", EmailFailedFilter)
    list_select_related = ("recipient",)
    search_fields = ("title", "key", "message", "recipient__username")
    readonly_fields = ("created_at", "read_at", "emailed_at", "email_failed_at", "email_error")
    raw_id_fields = ("recipient",)


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(admin.ModelAdmin):
    """Read-only: each WeCom and SMS message, and why the last attempt failed."""

    list_display = ("notification", "recipient", "channel", "status", "due_at", "sent_at", "attempts", "error")
    list_filter = ("status", "channel")
    list_select_related = ("notification__recipient",)
    search_fields = ("notification__key", "notification__recipient__username", "error")

    @admin.display(description=_("recipient"))
    def recipient(self, obj: NotificationDelivery) -> str:
        return str(obj.notification.recipient)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "channel", "enabled")
    list_filter = ("channel", "enabled", "kind")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: what waits for the broker, and why its last publish failed."""

    list_display = ("pk", "task", "args", "created_at", "published_at", "attempts", "last_error")
    list_filter = (("published_at", admin.EmptyFieldListFilter), "task")
    search_fields = ("task",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
