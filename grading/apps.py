from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("Client grading")

    def ready(self) -> None:
        from clients import imports
        from crm.panels import client_panels, client_timeline_sources, complaint_panels, service_panels
        from grading import messages
        from grading.panels import (
            COMPLAINT_ORDER_PANEL,
            EXPLANATION_PANEL,
            KEY_ACCOUNT_COSTS_PANEL,
            ORDERS_PANEL,
            potential_timeline,
        )
        from grading.resources import DeliveryResource, ReceivableResource, SalesOrderResource

        imports.register("orders", SalesOrderResource, _("Sales orders"))
        imports.register("receivables", ReceivableResource, _("Receivables"))
        imports.register(
            "deliveries",
            DeliveryResource,
            _("Deliveries of orders"),
            _(
                "Columns as in the export of a key account's deliveries (its service page): order_id is the "
                "order's number there (#123), tracking_number the waybill. A row with an order and waybill "
                "already recorded updates that delivery; the others are added. Statuses: shipped, in_transit, "
                "delivered, problem. Nothing is saved until you confirm the preview, and a file with one bad "
                "row saves nothing."
            ),
        )
        messages.register()
        client_panels.register(EXPLANATION_PANEL)
        client_panels.register(KEY_ACCOUNT_COSTS_PANEL)
        service_panels.register(ORDERS_PANEL)
        complaint_panels.register(COMPLAINT_ORDER_PANEL)
        client_timeline_sources.register(potential_timeline)
