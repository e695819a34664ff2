from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self) -> None:
        from crm.panels import home_panels, unit_panels
        from repairs import messages
        from repairs.home import JOBS_PANEL, UNIT_ORDERS_PANEL

        home_panels.register(JOBS_PANEL)
        messages.register()
        unit_panels.register(UNIT_ORDERS_PANEL)
