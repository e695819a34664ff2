"""The sales ledger from the ERP (orders and receivables), CSV or Excel, through the clients
import page: preview, row errors, all rows or none; rows only for clients in the user's scope."""

from __future__ import annotations

from copy import deepcopy

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, widgets

from clients.models import Client
from clients.resources import GatedResource
from grading import services
from grading.models import Delivery, Receivable, SalesOrder


class LedgerResource(GatedResource):
    client = fields.Field(
        attribute="client", column_name="client_code", widget=widgets.ForeignKeyWidget(Client, "code")
    )

    def before_import_row(self, row, **kwargs) -> None:
        self.blank_empty_cells(row)
        code = str(row.get("client_code") or "").strip().upper()
        row["client_code"] = code
        if self.user is not None and not self.visible_clients().filter(code=code).exists():
            raise ValidationError(_("No client with code %(code)s in your portfolio.") % {"code": code})

    def import_instance(self, instance, row, **kwargs) -> None:
        # A row already in the ledger is history: its client's account manager corrects it by
        # request, not by importing a new value over it (issue 9).
        stored = deepcopy(instance) if instance.pk else None
        super().import_instance(instance, row, **kwargs)
        if stored is not None:
            changes = {name: getattr(instance, name) for name in self._meta.fields}
            services.ledger_change_check(record=stored, changes=changes, by=self.user)

    def get_queryset(self):
        return self._meta.model.objects.filter(client__in=self.visible_clients()).select_related("client")


class SalesOrderResource(LedgerResource):
    class Meta:
        model = SalesOrder
        # No order number in the ERP export: the same client, day, product and amount is the same
        # line, so importing a ledger twice does not count its orders twice.
        import_id_fields = ["client", "ordered_on", "product", "amount"]
        fields = ["client", "ordered_on", "amount", "quantity", "product", "margin", "status"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True

    def before_import_row(self, row, **kwargs) -> None:
        super().before_import_row(row, **kwargs)
        # The ERP leaves the status blank on an ordinary order: a blank cell is a booked order,
        # as a missing column is, not a row error refusing the whole file.
        if "status" in row:
            row["status"] = str(row.get("status") or "").strip() or SalesOrder.Status.BOOKED


class ReceivableResource(LedgerResource):
    class Meta:
        model = Receivable
        import_id_fields = ["invoice"]
        fields = ["invoice", "client", "amount", "due_on", "paid_on", "delay_reason"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True


class DeliveryResource(GatedResource):
    """Deliveries of key accounts' orders (MKT-3), from the carrier's list or an export edited by
    hand. A row names its order by the ledger number the service page shows (``order_id``) and is
    found again by that order and its waybill number, so importing the next day's list moves the
    same deliveries on (shipped → in transit → delivered). Every row is checked like the form:
    a delivery before its order is a row error, and the file is saved whole or not at all."""

    order = fields.Field(attribute="order", column_name="order_id", widget=widgets.ForeignKeyWidget(SalesOrder, "pk"))

    class Meta:
        model = Delivery
        import_id_fields = ["order", "tracking_number"]
        fields = ["order", "tracking_number", "carrier", "status", "shipped_on", "delivered_on", "problem"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        use_bulk = False

    def visible_orders(self):
        orders = SalesOrder.objects.all()
        return orders if self.user is None else orders.visible_to(self.user)

    def get_queryset(self):
        return Delivery.objects.filter(order__in=self.visible_orders()).select_related("order")

    def before_import_row(self, row, **kwargs) -> None:
        self.blank_empty_cells(row)
        number = str(row.get("order_id") or "").strip().lstrip("#")
        row["order_id"] = number
        if not (number.isascii() and number.isdigit()) or not self.visible_orders().filter(pk=int(number)).exists():
            raise ValidationError(_("No order %(number)s among your clients' orders.") % {"number": number or "—"})
        if not str(row.get("tracking_number") or "").strip():
            raise ValidationError(_("Give the waybill number: the import finds a delivery by its order and waybill."))
        row["status"] = str(row.get("status") or Delivery.Status.SHIPPED).strip()

    def before_save_instance(self, instance, row, **kwargs) -> None:
        if instance.pk is None:
            instance.recorded_by = self.user
        instance._history_user = self.user
