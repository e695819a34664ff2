"""The app's PostgreSQL role reads and writes rows and nothing more (issue 9, ARC-7): it cannot
TRUNCATE, run DDL, or drop, disable or replace the triggers that keep originals append-only."""

import psycopg2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from archives import services
from archives.models import Document
from crm.dbroles import Role, RolesError, roles_apply
from crm.roles import Role as UserRole
from tests.archives.conftest import PDF
from tests.factories import TenancyFactory
from tests.services import require

OWNER, APP = "crm_owner", "crm_app"  # the names of README's example; tests share them with CI


def connect_as(user: str | None = None):
    """A new session on the test database, as the test's own (super)user or as ``user``."""
    params = connection.get_connection_params()
    if user:
        params |= {"user": user, "password": ""}
    return psycopg2.connect(**params)


@pytest.fixture
def roles(transactional_db):
    """Both roles set up in the test database, committed: the app's session is another session."""
    require(connection.vendor == "postgresql", "database roles exist on PostgreSQL only")
    admin = connect_as()
    try:
        yield roles_apply(admin, database=connection.settings_dict["NAME"], owner=Role(OWNER), app=Role(APP))
    finally:
        admin.close()


@pytest.fixture
def original(transactional_db, settings, tmp_path, make_user):
    settings.MEDIA_ROOT = tmp_path
    tenancy = TenancyFactory()
    return services.document_file(
        unit=tenancy.unit,
        upload=SimpleUploadedFile("lease.pdf", PDF),
        title="Lease",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=make_user(UserRole.FRONT_DESK),
    )


@pytest.fixture
def as_app(roles):
    session = connect_as(APP)
    yield session
    session.rollback()  # whatever the app role wrote is not kept
    session.close()


def test_the_app_role_reads_and_writes_rows(as_app, original):
    with as_app.cursor() as cursor:
        cursor.execute("SELECT title FROM archives_document WHERE id = %s", [original.pk])
        assert cursor.fetchone() == ("Lease",)
        cursor.execute("INSERT INTO crm_team (name) VALUES ('Night') RETURNING id")  # an identity sequence
        [team] = cursor.fetchone()
        cursor.execute("UPDATE crm_team SET name = 'Night shift' WHERE id = %s", [team])
        assert cursor.rowcount == 1
        cursor.execute("DELETE FROM crm_team WHERE id = %s", [team])
        assert cursor.rowcount == 1
        cursor.execute("SELECT setval(pg_get_serial_sequence('crm_team', 'id'), 1000)")


INSUFFICIENT_PRIVILEGE, TRIGGER_REFUSAL = "42501", "23000"
REFUSED = [
    ("TRUNCATE archives_document CASCADE", INSUFFICIENT_PRIVILEGE),
    ("TRUNCATE archives_documentversion", INSUFFICIENT_PRIVILEGE),
    ("TRUNCATE crm_team CASCADE", INSUFFICIENT_PRIVILEGE),
    ("ALTER TABLE archives_document DISABLE TRIGGER archives_document_append_only", INSUFFICIENT_PRIVILEGE),
    ("ALTER TABLE archives_documentversion DISABLE TRIGGER ALL", INSUFFICIENT_PRIVILEGE),
    ("DROP TRIGGER archives_document_append_only ON archives_document", INSUFFICIENT_PRIVILEGE),
    ("DROP TABLE archives_document CASCADE", INSUFFICIENT_PRIVILEGE),
    ("DROP FUNCTION archives_refuse_change() CASCADE", INSUFFICIENT_PRIVILEGE),
    (
        "CREATE OR REPLACE FUNCTION archives_refuse_change() RETURNS trigger LANGUAGE plpgsql "
        "AS 'BEGIN RETURN NEW; END'",
        INSUFFICIENT_PRIVILEGE,
    ),
    ("SET session_replication_role = replica", INSUFFICIENT_PRIVILEGE),  # would skip every trigger
    ("CREATE TABLE forged (id int)", INSUFFICIENT_PRIVILEGE),
    ("UPDATE archives_document SET title = 'Forged'", TRIGGER_REFUSAL),
    ("DELETE FROM archives_documentversion", TRIGGER_REFUSAL),
    ("DELETE FROM archives_document", TRIGGER_REFUSAL),
]


def test_the_app_role_cannot_get_past_the_append_only_rule(as_app, original):
    # One session, one savepoint per statement: a transactional test per statement costs a flush each.
    outcomes = {}
    with as_app.cursor() as cursor:
        for statement, _code in REFUSED:
            cursor.execute("SAVEPOINT attempt")
            try:
                cursor.execute(statement)
                outcomes[statement] = "ran"
            except psycopg2.Error as error:
                outcomes[statement] = error.pgcode
            cursor.execute("ROLLBACK TO SAVEPOINT attempt")
    assert outcomes == dict(REFUSED)
    as_app.rollback()
    assert Document.objects.get(pk=original.pk).title == "Lease" and original.versions.count() == 1


def test_tables_of_later_migrations_are_granted_to_the_app_role(roles, transactional_db):
    owner = connect_as(OWNER)
    try:
        with owner, owner.cursor() as cursor:  # what a later migration does, as the owner
            cursor.execute("CREATE TABLE crm_later (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY)")
        app = connect_as(APP)
        with app, app.cursor() as cursor:
            cursor.execute("INSERT INTO crm_later DEFAULT VALUES RETURNING id")
            cursor.execute("SELECT count(*) FROM crm_later")
            assert cursor.fetchone() == (1,)
        app.close()
    finally:
        with owner, owner.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS crm_later")
        owner.close()


def test_setting_up_the_roles_twice_changes_nothing_the_second_time(roles, transactional_db):
    admin = connect_as()
    try:
        again = roles_apply(admin, database=connection.settings_dict["NAME"], owner=Role(OWNER), app=Role(APP))
    finally:
        admin.close()
    assert again[:2] == [f"{OWNER}: exists", f"{APP}: exists"] and not any("now owns" in line for line in again)
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'")
        assert cursor.fetchall() == [(OWNER,)]


def test_a_superuser_is_refused_as_the_app_role(db):
    require(connection.vendor == "postgresql", "database roles exist on PostgreSQL only")
    admin = connect_as()
    try:
        with pytest.raises(RolesError, match="superuser"):
            roles_apply(admin, database=connection.settings_dict["NAME"], owner=Role(OWNER), app=Role(admin.info.user))
    finally:
        admin.close()


@pytest.mark.parametrize(
    ("owner_url", "app_url", "message"),
    [
        ("postgres://crm_owner@db/crm", "postgres://crm_app@db/other", "same database"),
        ("postgres://crm_owner@db/crm", "sqlite:///var/db.sqlite3", "PostgreSQL only"),
        ("postgres://db/crm", "postgres://crm_app@db/crm", "name their role"),
        (None, "postgres://crm_app@db/crm", "DATABASE_OWNER_URL"),
    ],
)
def test_the_roles_command_refuses_urls_it_cannot_use(owner_url, app_url, message):
    with pytest.raises(CommandError, match=message):
        call_command("db_roles", admin_url="postgres://postgres@db/crm", owner_url=owner_url, app_url=app_url)
