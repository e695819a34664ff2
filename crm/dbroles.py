"""Two PostgreSQL roles for the application's database: the owner and the app (issue 9, ARC-7).

- **owner** (``DATABASE_OWNER_URL``, e.g. ``crm_owner``) owns the tables, sequences and functions
  of the ``public`` schema and runs the migrations. Nothing else connects as it.
- **app** (``DATABASE_URL``, e.g. ``crm_app``) is what web, worker and beat connect as: SELECT,
  INSERT, UPDATE and DELETE on tables; USAGE, SELECT and UPDATE on sequences. It owns nothing, so
  it can run no DDL and no TRUNCATE: it cannot drop, disable or replace the triggers that keep
  archived documents append-only, nor empty a table past them.

``ALTER DEFAULT PRIVILEGES FOR ROLE owner`` gives the app the same rights on every table and
sequence that later migrations create. ``roles_apply`` is idempotent (deploys and CI run it every
time) and also repairs a database migrated by someone else: whatever in ``public`` is not owned by
the owner is handed to it, and the app's rights are granted on what exists. It must run as a
superuser (``DATABASE_ADMIN_URL``), connected to the application's database.
"""

from __future__ import annotations

from dataclasses import dataclass

import dj_database_url
from psycopg2 import errors, sql
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor
from psycopg2.extensions import encrypt_password

SCHEMA = "public"
TABLE_RIGHTS = sql.SQL("SELECT, INSERT, UPDATE, DELETE")
SEQUENCE_RIGHTS = sql.SQL("USAGE, SELECT, UPDATE")
# What an ordinary login role may not be; the owner does not need more either.
ROLE_ATTRIBUTES = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"

# Relations of the schema not owned by the owner, without the sequences that belong to a column
# (identity or serial, deptype 'i'/'a': they follow their table) and without extensions' objects.
STRAY_RELATIONS = """
SELECT c.relkind, c.oid::regclass::text FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = %(schema)s AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  AND c.relowner <> %(owner)s::regrole
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
      AND d.deptype IN ('a', 'i', 'e')
  )
"""
STRAY_ROUTINES = """
SELECT p.oid::regprocedure::text FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = %(schema)s AND p.proowner <> %(owner)s::regrole
  AND NOT EXISTS (
    SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
  )
"""
ALTER_OWNER = {"r": "TABLE", "p": "TABLE", "f": "FOREIGN TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW", "S": "SEQUENCE"}


class RolesError(Exception):
    """The roles cannot be set up as asked (a superuser named as the app, one role for both…)."""


@dataclass(frozen=True)
class Role:
    name: str
    password: str | None = None  # set when given; left alone otherwise


def url_params(url: str) -> dict[str, str]:
    """libpq keywords (dbname, user, password, host, port, sslmode…) of a postgres:// URL."""
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:
        raise RolesError(f"Malformed database URL: {exc}") from None
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise RolesError("This works on PostgreSQL only: use postgres:// URLs.")
    params = {key: config[name] for key, name in (("dbname", "NAME"), ("user", "USER"), ("password", "PASSWORD"))}
    params |= {"host": config["HOST"], "port": config["PORT"], **config.get("OPTIONS", {})}
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def roles_apply(conn: Connection, *, database: str, owner: Role, app: Role) -> list[str]:
    """Create or repair both roles and their rights in ``database`` (the one ``conn`` is connected
    to, as a superuser), in one transaction. Returns what it did, one line per step."""
    if owner.name == app.name:
        raise RolesError("The owner and the app must be two different roles.")
    with conn, conn.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        if cursor.fetchone()[0] != database:
            raise RolesError(f"Connected to the wrong database: expected {database}.")
        done = [role_ensure(cursor, owner), role_ensure(cursor, app)]
        done.append(membership_remove(cursor, member=app.name, group=owner.name))
        done.append(objects_adopt(cursor, owner=owner.name))
        rights_grant(cursor, database=database, owner=owner.name, app=app.name)
        done.append(f"{app.name}: rows only (no DDL, no TRUNCATE) in {database}, on tables to come too")
    return [line for line in done if line]


def role_ensure(cursor: Cursor, role: Role) -> str:
    """Create the login role, or bring an existing one back to an ordinary login role."""
    name = sql.Identifier(role.name)
    cursor.execute(
        "SELECT rolsuper, rolcreatedb OR rolcreaterole OR rolreplication OR rolbypassrls OR NOT rolcanlogin "
        "FROM pg_roles WHERE rolname = %s",
        [role.name],
    )
    found = cursor.fetchone()
    if found and found[0]:
        raise RolesError(f"Role {role.name} is a superuser: the owner and the app must be ordinary roles.")
    outcome = f"{role.name}: exists"
    if found is None:
        cursor.execute("SAVEPOINT role_create")
        try:
            cursor.execute(sql.SQL("CREATE ROLE {} " + ROLE_ATTRIBUTES).format(name))
            outcome = f"{role.name}: created"
        except (errors.DuplicateObject, errors.UniqueViolation):
            # Another session created it at the same moment (parallel test workers): fine.
            cursor.execute("ROLLBACK TO SAVEPOINT role_create")
        cursor.execute("RELEASE SAVEPOINT role_create")
    elif found[1]:
        cursor.execute(sql.SQL("ALTER ROLE {} " + ROLE_ATTRIBUTES).format(name))
        outcome = f"{role.name}: attributes reset to {ROLE_ATTRIBUTES}"
    if role.password:
        # Hashed here (SCRAM, as the server is set to): the password never reaches the server's logs.
        hashed = encrypt_password(role.password, role.name, cursor.connection)
        cursor.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(name), [hashed])
        outcome += ", password set"
    return outcome


def membership_remove(cursor: Cursor, *, member: str, group: str) -> str:
    """A member of the owner role would have the owner's rights: the app must not be one."""
    cursor.execute("SELECT pg_has_role(%s, %s, 'MEMBER')", [member, group])
    if not cursor.fetchone()[0]:
        return ""
    cursor.execute(sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(group), sql.Identifier(member)))
    return f"{member}: removed from role {group}"


def objects_adopt(cursor: Cursor, *, owner: str) -> str:
    """Hand every table, view, sequence and function of the schema to the owner."""
    parameters = {"schema": SCHEMA, "owner": owner}
    cursor.execute(STRAY_RELATIONS, parameters)
    relations = cursor.fetchall()
    for kind, name in relations:
        statement = sql.SQL("ALTER {} {} OWNER TO {}")  # the regclass text is quoted where needed
        cursor.execute(statement.format(sql.SQL(ALTER_OWNER[kind]), sql.SQL(name), sql.Identifier(owner)))
    cursor.execute(STRAY_ROUTINES, parameters)
    routines = cursor.fetchall()
    for (signature,) in routines:
        cursor.execute(sql.SQL("ALTER ROUTINE {} OWNER TO {}").format(sql.SQL(signature), sql.Identifier(owner)))
    if not relations and not routines:
        return ""
    return f"{owner}: now owns {len(relations)} relations and {len(routines)} functions it did not own"


def rights_grant(cursor: Cursor, *, database: str, owner: str, app: str) -> None:
    names = {
        "database": sql.Identifier(database),
        "schema": sql.Identifier(SCHEMA),
        "owner": sql.Identifier(owner),
        "app": sql.Identifier(app),
        "table_rights": TABLE_RIGHTS,
        "sequence_rights": SEQUENCE_RIGHTS,
    }
    for statement in (
        "GRANT CONNECT ON DATABASE {database} TO {app}",
        # CREATE on the database: migrations add trusted extensions (pg_trgm) and could add schemas.
        "GRANT CONNECT, CREATE ON DATABASE {database} TO {owner}",
        "GRANT USAGE, CREATE ON SCHEMA {schema} TO {owner}",
        # Only the owner creates objects (PostgreSQL 15 already denies PUBLIC; older clusters did not).
        "REVOKE CREATE ON SCHEMA {schema} FROM PUBLIC, {app}",
        "GRANT USAGE ON SCHEMA {schema} TO {app}",
        "GRANT {table_rights} ON ALL TABLES IN SCHEMA {schema} TO {app}",
        "REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {schema} FROM {app}",
        "GRANT {sequence_rights} ON ALL SEQUENCES IN SCHEMA {schema} TO {app}",
        # What the owner creates later (every migration) is granted the same way.
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT {table_rights} ON TABLES TO {app}",
        "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA {schema} GRANT {sequence_rights} ON SEQUENCES TO {app}",
    ):
        cursor.execute(sql.SQL(statement).format(**names))
