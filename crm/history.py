"""Audit rows for changes made by a conditional UPDATE (X-2).

Races are decided with ``Model.objects.filter(pk=…, status=old).update(…)``: the row count says
who won. That UPDATE bypasses ``save()`` and so django-simple-history; saving the fresh row
once more writes the history record, with who did it.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model

M = TypeVar("M", bound=Model)


def record_update(record: M, by, fields: tuple[str, ...] = ("status",)) -> M:
    record.refresh_from_db()
    record._history_user = by
    record.save(update_fields=list(fields))
    return record
