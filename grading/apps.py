from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("Client grading")

    def ready(self) -> None:
        from clients import imports
        from crm.panels import client_panels, service_panels
        from grading.panels import EXPLANATION_PANEL, ORDERS_PANEL
        from grading.resources import DeliveryResource, ReceivableResource, SalesOrderResource

        imports.register("orders", SalesOrderResource, _("Sales orders"))
        imports.register("receivables", ReceivableResource, _("Receivables"))
        imports.register("deliveries", DeliveryResource, _("Deliveries of orders"))
        client_panels.register(EXPLANATION_PANEL)
        service_panels.register(ORDERS_PANEL)
