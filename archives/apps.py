from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "archives"
    verbose_name = _("Unit archives")

    def ready(self) -> None:
        from archives import messages
        from archives.home import APPROVALS_PANEL, LETTERS_PANEL
        from crm.panels import home_panels

        home_panels.register(LETTERS_PANEL)  # letters waiting for the user's answer (ARC-8)
        home_panels.register(APPROVALS_PANEL)
        messages.register()
