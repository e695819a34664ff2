from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients.home import FOLLOWUPS_PANEL, UNIT_COMPLAINTS_PANEL
        from crm.panels import home_panels, unit_panels

        home_panels.register(FOLLOWUPS_PANEL)
        unit_panels.register(UNIT_COMPLAINTS_PANEL)
