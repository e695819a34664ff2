"""Actual figures computed from the data that lives here, set-based (MKT-2).

One ``INSERT … SELECT … ON CONFLICT DO UPDATE`` per computed metric and month writes a row for
every account manager (zero when nothing happened), so a rerun gives the same rows: the nightly
task and the managers' button are idempotent. Both SQLite (≥ 3.24) and PostgreSQL run it.

Definitions (shown on the page too):

* Sales amount / quantity: Σ amount / Σ quantity of the ledger's order lines dated in the month
  (``grading.SalesOrder.ordered_on``), cancelled and refunded lines excluded.
* Collection rate (received ÷ due): of the invoices due in the month, the amount paid by the
  month's last day ÷ the amount due. ``value`` holds the received amount, ``base`` the amount
  due, so a quarter's rate is Σ received ÷ Σ due, not an average of monthly rates.
* New clients: clients whose FIRST booked order falls in the month (a client file created
  without an order is a prospect, not a new client; a client whose only order was cancelled or
  refunded is not new until it books one).

Figures go to the client's current account manager (``clients.Client.owner``): a reassigned
client takes its history with it, as the client's card does.

Worked example (tests/visits/test_attainment.py): in November 2026 alice's client X orders
1 000.00 (qty 2) on 30 Nov and 500.00 (qty 1) on 1 Dec; client Y orders 300.00 on 5 Nov,
cancelled, and Z 200.00 refunded. November: sales 1 000.00, quantity 2, new clients 1 (X; Y
and Z booked nothing). Invoices due in November: 800.00 paid 20 Nov, 200.00 paid 3 Dec → rate
800 ÷ 1 000 = 80 %.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction
from django.utils import timezone

from crm.models import User
from crm.roles import Role
from visits.calendar import month_end
from visits.models import ActualFigure, Metric

# owner_id → (value, base) per computed metric, for the orders / invoices / clients of a month.
SOURCES = {
    "sales_amount": """
        SELECT c.owner_id, SUM(o.amount) AS value, CAST(NULL AS NUMERIC) AS base
        FROM grading_salesorder o JOIN clients_client c ON c.id = o.client_id
        WHERE o.ordered_on >= %(start)s AND o.ordered_on <= %(end)s AND o.status = 'booked'
        GROUP BY c.owner_id""",
    "sales_quantity": """
        SELECT c.owner_id, SUM(o.quantity) AS value, CAST(NULL AS NUMERIC) AS base
        FROM grading_salesorder o JOIN clients_client c ON c.id = o.client_id
        WHERE o.ordered_on >= %(start)s AND o.ordered_on <= %(end)s AND o.status = 'booked'
        GROUP BY c.owner_id""",
    "collection_rate": """
        SELECT c.owner_id,
               SUM(CASE WHEN r.paid_on IS NOT NULL AND r.paid_on <= %(end)s THEN r.amount ELSE 0 END) AS value,
               SUM(r.amount) AS base
        FROM grading_receivable r JOIN clients_client c ON c.id = r.client_id
        WHERE r.due_on >= %(start)s AND r.due_on <= %(end)s
        GROUP BY c.owner_id""",
    "new_clients": """
        SELECT c.owner_id, COUNT(*) AS value, CAST(NULL AS NUMERIC) AS base
        FROM (SELECT DISTINCT client_id FROM grading_salesorder
              WHERE ordered_on >= %(start)s AND ordered_on <= %(end)s AND status = 'booked') m
        JOIN clients_client c ON c.id = m.client_id
        WHERE NOT EXISTS (SELECT 1 FROM grading_salesorder p
                          WHERE p.client_id = m.client_id AND p.status = 'booked' AND p.ordered_on < %(start)s)
        GROUP BY c.owner_id""",
}
SOURCES["bank_new_clients"] = SOURCES["new_clients"]  # the bank's set counts new clients the same way


def upsert_sql(source: str) -> str:
    """Every account manager's figure for one metric and month, from ``source``'s per-owner rows."""
    table = ActualFigure._meta.db_table
    users = User._meta.db_table
    # The WHERE is required: SQLite reads "ON CONFLICT" after a join's ON as ambiguous without it.
    return f"""
        INSERT INTO {table} (account_manager_id, metric_id, month, value, base, updated_at)
        SELECT u.id, %(metric)s, %(month)s, COALESCE(s.value, 0), s.base, %(now)s
        FROM {users} u LEFT JOIN ({source}) s ON s.owner_id = u.id
        WHERE u.role = %(role)s
        ON CONFLICT (account_manager_id, metric_id, month)
        DO UPDATE SET value = excluded.value, base = excluded.base, updated_at = excluded.updated_at"""  # noqa: S608


def actuals_compute(*, months: list[date], metrics: list[Metric] | None = None) -> int:
    """Compute the figures of ``months`` (first days) for the computed metrics; returns the
    number of statements run. Idempotent: the same ledger gives the same rows."""
    if metrics is None:
        metrics = list(Metric.objects.filter(source=Metric.Source.COMPUTED, code__in=SOURCES))
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    statements = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for month in months:
            for metric in metrics:
                if metric.code not in SOURCES:
                    continue
                params = {
                    "metric": metric.pk,
                    "month": ops.adapt_datefield_value(month),
                    "start": ops.adapt_datefield_value(month),
                    "end": ops.adapt_datefield_value(month_end(month)),
                    "now": now,
                    "role": Role.ACCOUNT_MANAGER.value,
                }
                cursor.execute(upsert_sql(SOURCES[metric.code]), params)
                statements += 1
    return statements
