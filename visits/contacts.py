"""Keeping ``ContactSummary`` in step: each client's latest interaction and done visit.

Every write that can change a client's latest contact refreshes that client's row in the same
transaction (the receivers below for saves and deletions through the ORM; the visit services for
their conditional UPDATEs); bulk loads refresh every row at the end, and a nightly task does the
same as a safety net for writes made outside the application (a database console). The refresh
is set-based: one DELETE and one INSERT … SELECT (a UNION ALL grouped by client, which SQLite
before 3.39 can run too: it has no FULL JOIN), for one client or for all.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from clients.models import Interaction
from visits.models import ContactSummary, Visit

ONSITE_KINDS = (Interaction.Kind.VISIT, Interaction.Kind.MEETING)

REFRESH_SQL = """
INSERT INTO {summary} (client_id, last_interaction_at, last_onsite_interaction_at, last_visit_on, last_onsite_visit_on)
SELECT client_id, MAX(last_at), MAX(last_onsite_at), MAX(last_on), MAX(last_onsite_on)
  FROM (SELECT client_id, occurred_at AS last_at, CASE WHEN kind IN (%s, %s) THEN occurred_at END AS last_onsite_at,
               CAST(NULL AS date) AS last_on, CAST(NULL AS date) AS last_onsite_on
          FROM {interactions} {where}
        UNION ALL
        SELECT client_id, NULL, NULL, done_on, CASE WHEN kind = %s THEN done_on END
          FROM {visits} WHERE status = %s {and_where}) contacts
 GROUP BY client_id
"""


def contacts_refresh(*, client_ids: Iterable[int] | None = None) -> int:
    """Recompute the summary of ``client_ids`` (None: every client); the rows written."""
    ids = None if client_ids is None else sorted(set(client_ids))
    if ids == []:
        return 0
    where = and_where = ""
    id_params: list[int] = []
    if ids is not None:
        marks = ", ".join(["%s"] * len(ids))
        where, and_where, id_params = f"WHERE client_id IN ({marks})", f"AND client_id IN ({marks})", ids
    sql = REFRESH_SQL.format(
        summary=ContactSummary._meta.db_table,
        interactions=Interaction._meta.db_table,
        visits=Visit._meta.db_table,
        where=where,
        and_where=and_where,
    )
    params = [*ONSITE_KINDS, *id_params, Visit.Kind.ONSITE.value, Visit.Status.DONE.value, *id_params]
    with transaction.atomic():
        stale = ContactSummary.objects.all()
        if ids is not None:
            stale = stale.filter(client_id__in=ids)
        stale._raw_delete(stale.db)  # no cascades or signals to run: one DELETE
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount


def _refresh_one(client_id: int) -> None:
    contacts_refresh(client_ids=[client_id])


def _on_interaction(sender: type, instance: Interaction, **kwargs: object) -> None:
    _refresh_one(instance.client_id)


def _on_visit(sender: type, instance: Visit, **kwargs: object) -> None:
    # A planned visit changes nobody's latest contact; a done one, or one deleted, may.
    if instance.status == Visit.Status.DONE or kwargs.get("signal") is post_delete:
        _refresh_one(instance.client_id)


def connect() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete)):
        signal.connect(_on_interaction, sender=Interaction, dispatch_uid=f"visits-contacts-interaction-{name}")
        signal.connect(_on_visit, sender=Visit, dispatch_uid=f"visits-contacts-visit-{name}")
