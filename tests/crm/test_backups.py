"""make backup / make restore: a backup restored into a fresh database holds every row (issue 9)."""

import stat

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg2 import sql

from crm.backups import BackupError, backup_create, backup_restore, table_fingerprints, url_params
from tests.factories import TenancyFactory
from tests.services import require


def url_of(database: str) -> str:
    settings = connection.settings_dict
    return f"postgres://{settings['USER']}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{database}"


@pytest.fixture
def fresh_database(transactional_db):
    """An empty database beside the test database, dropped afterwards."""
    require(connection.vendor == "postgresql", "backups are made of PostgreSQL")
    name = f"{connection.settings_dict['NAME']}_restored"
    admin = psycopg2.connect(**url_params(url_of("postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield url_of(name)
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    admin.close()


@pytest.fixture
def records(committed_original, make_user):
    """Rows in many tables: users, teams, clients, buildings to units, tenancies, documents."""
    TenancyFactory.create_batch(3)
    make_user(username="extra")
    return committed_original


def test_a_backup_restored_into_a_fresh_database_has_every_row(records, fresh_database, tmp_path):
    source = url_of(connection.settings_dict["NAME"])
    dump = backup_create(source, tmp_path / "backups")
    assert dump.parent == tmp_path / "backups" and dump.name.startswith(connection.settings_dict["NAME"] + "-")
    assert stat.S_IMODE(dump.stat().st_mode) == 0o600, "a backup holds client data: its owner reads it alone"

    backup_restore(fresh_database, dump)

    before, after = table_fingerprints(url_params(source)), table_fingerprints(url_params(fresh_database))
    assert after == before
    assert before["archives_document"][0] == 1 and before["archives_unit"][0] == 4 and before["crm_user"][0] > 1
    with psycopg2.connect(**url_params(fresh_database)) as restored, restored.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'archives_document_append_only'")
        assert cursor.fetchone() == (1,), "the restored originals are append-only too"


def test_a_restore_refuses_a_database_that_is_not_empty_unless_forced(records, fresh_database, tmp_path):
    source = url_of(connection.settings_dict["NAME"])
    dump = backup_create(source, tmp_path)
    backup_restore(fresh_database, dump)
    with pytest.raises(BackupError, match="is not empty"):
        backup_restore(fresh_database, dump)
    with pytest.raises(CommandError, match="is not empty"):
        call_command("db_restore", str(dump), url=fresh_database)
    call_command("db_restore", str(dump), url=fresh_database, force=True)
    assert table_fingerprints(url_params(fresh_database)) == table_fingerprints(url_params(source))


def test_a_backup_is_never_written_over_another(records, tmp_path):
    require(connection.vendor == "postgresql", "backups are made of PostgreSQL")
    source = url_of(connection.settings_dict["NAME"])
    first = backup_create(source, tmp_path)
    try:
        second = backup_create(source, tmp_path)
    except BackupError as error:  # within the same second: refused, and the first one kept
        assert "already exists" in str(error)
    else:
        assert second != first
    assert first.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))


def test_backups_are_refused_for_sqlite():
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("db_backup", url="sqlite:///var/db.sqlite3")
