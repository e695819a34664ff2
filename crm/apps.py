from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM core")

    def ready(self) -> None:
        # Later apps' permissions exist only after their migrations: re-apply the role table.
        post_migrate.connect(_sync_role_groups, dispatch_uid="crm_sync_role_groups")


def _sync_role_groups(sender, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    # Run once, after the last app's permissions were created (post_migrate fires per app).
    if sender is not list(global_apps.get_app_configs())[-1]:
        return
    from crm.services import role_groups_sync

    role_groups_sync()
