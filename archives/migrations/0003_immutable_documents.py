"""Documents and their versions are append-only in the database itself (ARC-7).

On PostgreSQL a trigger refuses every UPDATE and DELETE of a row, whoever sends it (the ORM, the
admin, psql). TRUNCATE, which only a database owner can run and which tests use to reset, is a
separate statement and not affected; the app's own role may not run it (crm/dbroles.py). SQLite has
its triggers in migration 0006.
"""

from django.db import migrations

TABLES = ["archives_document", "archives_documentversion"]

FUNCTION = """
CREATE OR REPLACE FUNCTION archives_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'archived documents are never modified or deleted (ARC-7): % on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # the body has %-placeholders of its own
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION archives_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS archives_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("archives", "0002_documents_loans_notices")]

    operations = [migrations.RunPython(forwards, backwards)]
