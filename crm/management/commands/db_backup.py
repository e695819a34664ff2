import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from crm.backups import BackupError, backup_create


def configured_url() -> str | None:
    """The owner's URL when there is one (it sees everything it owns), else the app's."""
    return os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL")


class Command(BaseCommand):
    help = "Back up the PostgreSQL database (pg_dump custom format) into var/backups/<database>-<timestamp>.dump."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default=configured_url(), help="default: DATABASE_OWNER_URL, else DATABASE_URL")
        parser.add_argument("--folder", type=Path, default=settings.VAR_DIR / "backups")

    def handle(self, *args, url: str | None, folder: Path, **options) -> None:
        if not url:
            raise CommandError(
                "Backups are made of PostgreSQL (set DATABASE_URL). The SQLite file is copied with "
                '`sqlite3 var/db.sqlite3 ".backup var/backups/db.sqlite3"`.'
            )
        try:
            path = backup_create(url, folder)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({path.stat().st_size} bytes)"))
