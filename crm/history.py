"""Audit rows for changes made by a conditional UPDATE (X-2).

Races are decided with ``Model.objects.filter(pk=…, status=old).update(…)``: the row count says
who won. That UPDATE bypasses ``save()`` and so django-simple-history; saving the fresh row
once more writes the history record, with who did it.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connection
from django.db.models import Model

M = TypeVar("M", bound=Model)


def record_update(record: M, by, fields: tuple[str, ...] = ("status",)) -> M:
    record.refresh_from_db()
    record._history_user = by
    record.save(update_fields=list(fields))
    return record


def history_copy_sql(model: type[Model], *, source: str) -> str:
    """SQL copying the rows of ``source`` (a table or CTE with the model's columns) into the
    model's simple-history table as changes: the audit rows of a set-based UPDATE, written in
    the same set-based way. Its parameters: history date, change reason, user id (or None)."""
    historical = model.history.model  # type: ignore[attr-defined]
    columns = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(historical._meta.db_table)
    return (
        f"INSERT INTO {table} ({names}, history_date, history_change_reason, history_type, history_user_id) "  # noqa: S608
        f"SELECT {names}, %s, %s, '~', %s FROM {source}"
    )
