from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "clients"
    verbose_name = _("Clients")

    def ready(self) -> None:
        from clients.home import FOLLOWUPS_PANEL, UNIT_COMPLAINTS_PANEL
        from clients.signals import client_reassigned
        from crm.panels import home_panels, unit_panels

        home_panels.register(FOLLOWUPS_PANEL)
        unit_panels.register(UNIT_COMPLAINTS_PANEL)
        # The open pipeline cards of a client follow it to its new account manager.
        client_reassigned.connect(_move_open_cards, dispatch_uid="clients-pipeline-client-reassigned")


def _move_open_cards(sender, client, previous_owner_id, **kwargs) -> None:
    from clients.pipeline import client_reassigned

    client_reassigned(client=client, previous_owner_id=previous_owner_id)
