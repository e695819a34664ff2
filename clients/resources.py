"""CSV/Excel import and export of clients and contacts (X-3), for the list page and the admin.

The same resources run both; the user-facing import passes ``user`` so rows go through the
permission gate: an account manager imports their own clients only, and a row whose code
belongs to a client outside the user's scope is an error, never an update.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from clients.models import Client, Contact
from clients.selectors import assignable_owners
from crm.models import Territory, User
from crm.roles import Role


class TextlessDiff(resources.Diff):
    """Compares rows (for "unchanged") without rendering the HTML diff the import pages never
    show: diff-match-patch takes up to a second per long text, so one upload of long notes could
    keep a worker busy for its whole time limit."""

    def as_html(self) -> list[str]:
        return []


class GatedResource(resources.ModelResource):
    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    def get_diff_class(self) -> type[resources.Diff]:
        # The admin's preview shows the diff; the import pages (with a user) do not.
        return super().get_diff_class() if self.user is None else TextlessDiff

    def blank_empty_cells(self, row) -> None:
        """Excel gives None for an empty cell; text columns want "" and flags want False."""
        for field in self._meta.model._meta.concrete_fields:
            column = self.fields[field.name].column_name if field.name in self.fields else None
            if column not in row or row[column] not in (None, ""):
                continue
            if field.get_internal_type() in ("CharField", "TextField", "EmailField"):
                row[column] = ""
            elif field.get_internal_type() == "BooleanField":
                row[column] = "0"

    def visible_clients(self):
        return Client.objects.all() if self.user is None else Client.objects.visible_to(self.user)


class ClientResource(GatedResource):
    owner = fields.Field(
        attribute="owner",
        column_name="owner",
        widget=widgets.ForeignKeyWidget(User, field="username"),
    )
    # The level comes from grading (GRD-5): exported for reading, never imported.
    level = fields.Field(attribute="level", column_name="level", readonly=True)
    territory = fields.Field(
        attribute="territory", column_name="territory", widget=widgets.ForeignKeyWidget(Territory, field="code")
    )

    class Meta:
        model = Client
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "kind",
            "status",
            "channel",
            "owner",
            "territory",
            "employer",
            "position",
            "address",
            "phone",
            "email",
            "is_key_account",
            "level",
            "notes",
        ]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
        use_bulk = False

    def get_queryset(self):
        return self.visible_clients().select_related("owner", "territory")

    def before_import_row(self, row, **kwargs) -> None:
        self.blank_empty_cells(row)
        if self.user is not None and self.user.role == Role.ACCOUNT_MANAGER:
            row["owner"] = self.user.username
        code = (row.get("code") or "").strip().upper()
        row["code"] = code
        if (
            self.user is not None
            and code
            and Client.objects.filter(code=code).exclude(pk__in=self.visible_clients().values("pk")).exists()
        ):
            raise ValidationError(
                _("Client code %(code)s belongs to a client outside your portfolio.") % {"code": code}
            )
        owner = (row.get("owner") or "").strip()
        if self.user is not None and owner and not self.allowed_owners().filter(username=owner).exists():
            raise ValidationError(
                {"owner": _("%(owner)s is not an active account manager you can assign clients to.") % {"owner": owner}}
            )

    def allowed_owners(self):
        """The same owners the client form offers."""
        return assignable_owners(self.user)

    def before_save_instance(self, instance, row, **kwargs) -> None:
        instance.card_updated_at = timezone.now()


class ContactResource(GatedResource):
    client = fields.Field(
        attribute="client", column_name="client_code", widget=widgets.ForeignKeyWidget(Client, field="code")
    )

    class Meta:
        model = Contact
        import_id_fields = ["client", "name"]
        fields = ["client", "name", "position", "phone", "email", "is_emergency"]
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True

    def get_queryset(self):
        return Contact.objects.filter(client__in=self.visible_clients()).select_related("client")

    def before_import_row(self, row, **kwargs) -> None:
        self.blank_empty_cells(row)
        code = (row.get("client_code") or "").strip().upper()
        row["client_code"] = code
        if self.user is not None and not self.visible_clients().filter(code=code).exists():
            raise ValidationError(_("No client with code %(code)s in your portfolio.") % {"code": code})
