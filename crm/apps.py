from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.core.checks import Tags, register
from django.db.models.signals import post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM core")

    def ready(self) -> None:
        # Later apps' permissions exist only after their migrations: re-apply the role table.
        post_migrate.connect(_sync_role_groups, dispatch_uid="crm_sync_role_groups")
        from crm import sessions
        from crm.checks import database_role
        from crm.models import User

        # Session lifetime (crm.sessions): the clocks start at log-in; deactivation ends them.
        user_logged_in.connect(sessions.session_start, dispatch_uid="crm_session_start")
        post_save.connect(sessions.sessions_end_if_inactive, sender=User, dispatch_uid="crm_sessions_end_if_inactive")
        # The app's database role (check --deploy --database default): rows only, no DDL (crm.W001).
        register(database_role, Tags.database, deploy=True)


def _sync_role_groups(sender, apps=None, **kwargs) -> None:
    from django.apps import apps as global_apps

    # Run once, after the last app's permissions were created (post_migrate fires per app).
    if sender is not list(global_apps.get_app_configs())[-1]:
        return
    from crm.schedule import beat_schedule_install
    from crm.services import role_groups_sync

    role_groups_sync()
    beat_schedule_install()
