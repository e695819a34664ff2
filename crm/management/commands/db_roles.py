import os

import psycopg2
from django.core.management.base import BaseCommand, CommandError

from crm.dbroles import Role, RolesError, roles_apply, url_params


class Command(BaseCommand):
    help = (
        "Create or repair the PostgreSQL owner role (DATABASE_OWNER_URL: runs migrations) and app role "
        "(DATABASE_URL: rows only, no DDL, no TRUNCATE), connected as a superuser (DATABASE_ADMIN_URL). "
        "Idempotent: run it on every deploy."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--admin-url", default=os.environ.get("DATABASE_ADMIN_URL"))
        parser.add_argument("--owner-url", default=os.environ.get("DATABASE_OWNER_URL"))
        parser.add_argument("--app-url", default=os.environ.get("DATABASE_URL"))

    def handle(self, *args, admin_url: str, owner_url: str, app_url: str, **options) -> None:
        missing = [
            name
            for name, url in (
                ("DATABASE_ADMIN_URL", admin_url),
                ("DATABASE_OWNER_URL", owner_url),
                ("DATABASE_URL", app_url),
            )
            if not url
        ]
        if missing:
            raise CommandError(f"Set {', '.join(missing)} (postgres:// URLs; see README, Database roles).")
        try:
            owner, app, admin = url_params(owner_url), url_params(app_url), url_params(admin_url)
        except RolesError as error:
            raise CommandError(str(error)) from None
        if "user" not in owner or "user" not in app:
            raise CommandError("DATABASE_OWNER_URL and DATABASE_URL must each name their role (postgres://ROLE@…).")
        where = ("host", "port", "dbname")
        if [owner.get(key) for key in where] != [app.get(key) for key in where]:
            raise CommandError("DATABASE_OWNER_URL and DATABASE_URL must name the same database on the same server.")
        if admin.get("user") in (owner.get("user"), app.get("user")):
            raise CommandError("DATABASE_ADMIN_URL must be a superuser other than the owner and the app role.")
        admin["dbname"] = app["dbname"]  # the admin connects to the application's database
        connection = psycopg2.connect(**admin)
        try:
            done = roles_apply(
                connection,
                database=app["dbname"],
                owner=Role(owner["user"], owner.get("password")),
                app=Role(app["user"], app.get("password")),
            )
        except RolesError as error:
            raise CommandError(str(error)) from None
        finally:
            connection.close()
        for line in done:
            self.stdout.write(line)
