import importlib

import pytest
from django.db import connection
from pytest_django.plugin import blocking_manager_key

from crm.roles import Role
from tests.factories import TeamFactory, UserFactory

# Archived documents are append-only on SQLite through triggers (archives migration 0006).
APPEND_ONLY = importlib.import_module("archives.migrations.0006_sqlite_append_only_triggers")
FLUSHED_AFTER = {"transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def flushed_after(item: pytest.Item) -> bool:
    """Whether pytest-django empties the tables after this test (instead of rolling it back)."""
    marker = item.get_closest_marker("django_db")
    by_marker = marker is not None and any(
        marker.kwargs.get(name) for name in ("transaction", "reset_sequences", "serialized_rollback")
    )
    return by_marker or bool(FLUSHED_AFTER & set(getattr(item, "fixturenames", ())))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A database kept with --reuse-db (as `make mutate` does) may have lost the triggers: a run
    stopped by -x after a transactional test ends with them dropped (the teardown below creates
    them again only before a next test). Create any missing ones before the first test."""
    if connection.vendor == "sqlite":
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            for _name, statement in APPEND_ONLY.TRIGGERS:  # CREATE TRIGGER IF NOT EXISTS
                cursor.execute(statement)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test Django flushes every table, with DELETE on SQLite (TRUNCATE on
    PostgreSQL), and the append-only triggers refuse to delete documents: they are dropped for the
    flush and created again after it. Only the test harness does this; the application cannot."""
    flushes = connection.vendor == "sqlite" and flushed_after(item)
    blocker = item.config.stash[blocking_manager_key]
    if flushes:
        with blocker.unblock(), connection.cursor() as cursor:
            for name, _statement in APPEND_ONLY.TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield  # fixtures are torn down here: pytest-django's flush (and after the last test, the database)
    if flushes and nextitem is not None:
        with blocker.unblock(), connection.cursor() as cursor:
            for _name, statement in APPEND_ONLY.TRIGGERS:
                cursor.execute(statement)


@pytest.fixture
def team(db):
    return TeamFactory(name="East")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="West")


@pytest.fixture
def make_user(db):
    def make(role: str = Role.ACCOUNT_MANAGER, **kwargs):
        return UserFactory(role=role, **kwargs)

    return make


# The permission triad of STYLE.md: an owner, a teammate and an outsider.
@pytest.fixture
def alice(make_user, team):
    return make_user(username="alice", team=team)


@pytest.fixture
def bob(make_user, team):
    return make_user(username="bob", team=team)


@pytest.fixture
def charlie(make_user, other_team):
    return make_user(username="charlie", team=other_team)


@pytest.fixture
def manager(make_user, team):
    return make_user(Role.MANAGER, username="boss", team=team)


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN, username="root")
