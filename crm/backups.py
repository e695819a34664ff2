"""Backups of the PostgreSQL database (pg_dump's custom format) and their restore (issue 9).

``make backup`` writes ``var/backups/<database>-<YYYYmmdd-HHMMSS>.dump``, readable by its owner
only (it holds client data), from ``DATABASE_OWNER_URL`` or else ``DATABASE_URL`` (the app role
may read every table too). ``make restore FILE=…`` loads one into the configured database, which
must be empty unless ``FORCE=1`` (then the dump's objects are dropped and created again). It runs
in one transaction: a failed restore leaves the database as it was.

Ownership and grants are not restored (``--no-owner --no-privileges``): restored objects belong
to the role that restores. Restore as the owner role into a database prepared by
``make db-roles`` and the app's rights follow from its default privileges; restore as anyone else
and run ``make db-roles`` afterwards, which hands everything to the owner.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg2
from django.utils import timezone
from psycopg2 import sql
from psycopg2.extensions import make_dsn

from crm.dbroles import RolesError, url_params


class BackupError(Exception):
    """A backup or restore that cannot be done as asked; the message says why."""


def params_of(url: str) -> dict[str, str]:
    try:
        return url_params(url)
    except RolesError as error:
        raise BackupError(str(error)) from None


def _run(command: list[str], params: dict[str, str]) -> None:
    """Run pg_dump or pg_restore on the database of ``params``; the password goes by environment."""
    password = params.get("password")
    dsn = make_dsn(**{key: value for key, value in params.items() if key != "password"})
    environment = os.environ | ({"PGPASSWORD": password} if password else {})
    try:
        subprocess.run([*command, "--no-password", f"--dbname={dsn}"], env=environment, check=True)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: apt-get install postgresql-client).") from None
    except subprocess.CalledProcessError as error:
        raise BackupError(f"{command[0]} failed with exit code {error.returncode}; see its message above.") from None


def backup_create(url: str, folder: Path) -> Path:
    """Dump the database of ``url`` into a new timestamped file in ``folder``; returns its path."""
    params = params_of(url)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    path = folder / f"{params.get('dbname', 'database')}-{stamp}.dump"
    partial = path.with_suffix(".partial")
    try:
        # Created here, mode 600 and never over an existing file; pg_dump writes into it.
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        _run(["pg_dump", "--format=custom", f"--file={partial}"], params)
        try:
            os.link(partial, path)  # never over an existing backup
        except FileExistsError:
            raise BackupError(f"{path} already exists: wait a second and try again.") from None
    finally:
        partial.unlink(missing_ok=True)  # a failed dump leaves no file that looks like a backup
    return path


def is_empty(params: dict[str, str]) -> bool:
    """Whether the database has no table, view or sequence in its public schema."""
    try:
        connection = psycopg2.connect(**params)
    except psycopg2.OperationalError as error:
        raise BackupError(f"Cannot connect to the database to restore into: {error}") from None
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
            )
            return cursor.fetchone()[0] == 0
    finally:
        connection.close()


def backup_restore(url: str, dump: Path, *, force: bool = False) -> None:
    """Restore ``dump`` into the database of ``url``; a non-empty one only with ``force``."""
    params = params_of(url)
    if not dump.is_file():
        raise BackupError(f"No backup file at {dump}.")
    empty = is_empty(params)
    if not empty and not force:
        raise BackupError(
            f"Database {params.get('dbname')} is not empty: restoring would overwrite it. "
            "Restore into an empty database, or force it (make restore FILE=… FORCE=1)."
        )
    command = ["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"]
    _run([*command, *([] if empty else ["--clean", "--if-exists"]), str(dump)], params)


def table_fingerprints(params: dict[str, str]) -> dict[str, tuple[int, str]]:
    """Each public table's row count and the MD5 of its rows in a fixed order: two databases with
    the same fingerprints hold the same data (what a restore is checked against)."""
    connection = psycopg2.connect(**params)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            tables = [name for (name,) in cursor.fetchall()]
            fingerprints = {}
            for table in tables:
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} AS t"
                    ).format(sql.Identifier(table))
                )
                fingerprints[table] = cursor.fetchone()
            return fingerprints
    finally:
        connection.close()
