"""Trigram indexes for the client search (name, code, phone, contact name and phone) on PostgreSQL.

Django's icontains becomes ``UPPER(col::text) LIKE UPPER('%q%')`` there; a GIN trigram index on
the same expression turns the 100,000-client search from a sequential scan into index lookups.
SQLite (the zero-setup default) has no such index type, so this migration does nothing there.
"""

from django.db import migrations

INDEXES = [
    ("clients_client_name_trgm", "clients_client", "name"),
    ("clients_client_code_trgm", "clients_client", "code"),
    ("clients_client_phone_trgm", "clients_client", "phone"),
    ("clients_contact_name_trgm", "clients_contact", "name"),
    ("clients_contact_phone_trgm", "clients_contact", "phone"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin (UPPER("{column}"::text) gin_trgm_ops)'
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("clients", "0001_client_files")]

    operations = [migrations.RunPython(forwards, backwards)]
