from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients import messages
        from clients.home import FOLLOWUPS_PANEL, PROPERTY_COMPLAINTS_PANEL, UNIT_COMPLAINTS_PANEL
        from clients.panels import SURVEYS_PANEL
        from clients.signals import client_reassigned
        from crm.panels import client_panels, home_panels, unit_panels

        messages.register()
        home_panels.register(FOLLOWUPS_PANEL)
        home_panels.register(PROPERTY_COMPLAINTS_PANEL)  # tenants' complaints to handle (CLI-6)
        unit_panels.register(UNIT_COMPLAINTS_PANEL)
        client_panels.register(SURVEYS_PANEL)  # the surveys a client was sent (MKT-4)
        # The open pipeline cards of a client follow it to its new account manager.
        client_reassigned.connect(_move_open_cards, dispatch_uid="clients-pipeline-client-reassigned")


def _move_open_cards(sender, client, previous_owner_id, **kwargs) -> None:
    from clients.pipeline import client_reassigned

    client_reassigned(client=client, previous_owner_id=previous_owner_id)
