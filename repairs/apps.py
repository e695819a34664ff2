from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RepairsConfig(AppConfig):
    name = "repairs"
    verbose_name = _("Repairs")

    def ready(self) -> None:
        from crm.panels import complaint_panels, home_panels, unit_panels
        from repairs import messages
        from repairs.home import COMPLAINT_ORDERS_PANEL, JOBS_PANEL, TO_COLLECT_PANEL, UNIT_ORDERS_PANEL

        home_panels.register(JOBS_PANEL)
        home_panels.register(TO_COLLECT_PANEL)
        messages.register()
        unit_panels.register(UNIT_ORDERS_PANEL)
        complaint_panels.register(COMPLAINT_ORDERS_PANEL)  # a complaint's repair orders (CLI-6)
