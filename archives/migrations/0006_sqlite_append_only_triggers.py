"""Documents and their versions are append-only on SQLite too (ARC-7).

Migration 0003 puts the rule into PostgreSQL. On SQLite, the zero-setup default, only the ORM
guarded it, and the ORM has ways around its own guard: ``bulk_create(update_conflicts=True)`` (an
upsert), ``QuerySet._raw_delete`` and the base ``QuerySet.update``. These triggers refuse every
UPDATE and DELETE of a row, whatever sends it. (SQLite has no roles: whoever can write the file can
drop them. They stop code, not an operator.)

Django's SQLite schema editor rebuilds a table for most field changes (new table, copy, drop,
rename), and the old table's triggers are dropped with it. A later migration that rebuilds one of
these tables must create the triggers again: ``TRIGGERS`` is here for that, and
tests/archives/test_immutability.py checks that the triggers exist after every migration.
"""

from django.db import migrations

TABLES = ["archives_document", "archives_documentversion"]

# (name, statement): one BEFORE UPDATE and one BEFORE DELETE trigger per table.
TRIGGERS = [
    (
        f"{table}_append_only_{operation.lower()}",
        f"CREATE TRIGGER IF NOT EXISTS {table}_append_only_{operation.lower()} BEFORE {operation} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'archived documents are never modified or deleted (ARC-7): "
        f"{operation} on {table}'); END",
    )
    for table in TABLES
    for operation in ("UPDATE", "DELETE")
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for _name, statement in TRIGGERS:
        schema_editor.execute(statement, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, _statement in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)


class Migration(migrations.Migration):
    dependencies = [("archives", "0005_loan_returned_to")]

    operations = [migrations.RunPython(forwards, backwards)]
