from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GradingConfig(AppConfig):
    name = "grading"
    verbose_name = _("Client grading")

    def ready(self) -> None:
        from clients import imports
        from crm.panels import client_panels
        from grading.panels import EXPLANATION_PANEL, KEY_ACCOUNT_COSTS_PANEL
        from grading.resources import ReceivableResource, SalesOrderResource

        imports.register("orders", SalesOrderResource, _("Sales orders"))
        imports.register("receivables", ReceivableResource, _("Receivables"))
        client_panels.register(EXPLANATION_PANEL)
        client_panels.register(KEY_ACCOUNT_COSTS_PANEL)
