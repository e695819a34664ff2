from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm.backups import BackupError, backup_restore
from crm.management.commands.db_backup import configured_url


class Command(BaseCommand):
    help = (
        "Restore a backup made by db_backup into the configured PostgreSQL database (DATABASE_OWNER_URL, "
        "else DATABASE_URL), in one transaction. Refuses a database that is not empty unless --force."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--url", default=configured_url(), help="default: DATABASE_OWNER_URL, else DATABASE_URL")
        parser.add_argument("--force", action="store_true", help="replace what the database holds")

    def handle(self, *args, file: Path, url: str | None, force: bool, **options) -> None:
        if not url:
            raise CommandError("Restores go into PostgreSQL: set DATABASE_OWNER_URL or DATABASE_URL.")
        try:
            backup_restore(url, file, force=force)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {file}. Run `make db-roles` if the roles need repair."))
