"""System checks of the deployment (`manage.py check --deploy --database default`)."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import connections


def database_role(
    app_configs: Any = None, databases: list[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """The app must not connect as a role that owns the tables or is a superuser: such a role can
    TRUNCATE them and drop or disable the triggers that keep archived documents append-only."""
    if not databases or "default" not in databases or connections["default"].vendor != "postgresql":
        return []
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, (SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
            "AND tableowner = current_user) FROM pg_roles WHERE rolname = current_user"
        )
        superuser, owned = cursor.fetchone()
    if not superuser and not owned:
        return []
    what = "a superuser" if superuser else f"the owner of {owned} tables"
    return [
        checks.Warning(
            f"DATABASE_URL connects as {what}: the app could TRUNCATE tables and drop the triggers "
            "that keep archived documents append-only.",
            hint="Run the app as the app role and migrate as the owner role (make db-roles; README, Database roles).",
            id="crm.W001",
        )
    ]
