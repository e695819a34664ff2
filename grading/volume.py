"""Volume data for the grading benchmark: `seed_volume --sales-orders 2000000 --receivables 1000000`
spread over the clients of `--clients` and 24 months. PostgreSQL only: generated in the database
with generate_series (millions of rows in seconds)."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter

from django.db import connection


def add_arguments(parser) -> None:
    parser.add_argument("--sales-orders", type=int, default=0, help="orders over 24 months (PostgreSQL)")
    parser.add_argument("--receivables", type=int, default=0, help="invoices over 24 months (PostgreSQL)")


ORDERS = """
INSERT INTO grading_salesorder (client_id, ordered_on, amount, quantity, product, margin)
SELECT c.ids[1 + (g * 7919) %% array_length(c.ids, 1)],
       CURRENT_DATE - ((g * 31) %% 730)::int,
       round((50 + (g * 104729) %% 20000)::numeric, 2),
       1 + (g %% 40),
       (ARRAY['结算套餐', '冷链配送', 'Premium Tea', '办公用品'])[1 + g %% 4],
       ((g * 13) %% 40) / 100.0
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM clients_client) AS c
"""

RECEIVABLES = """
INSERT INTO grading_receivable (client_id, invoice, amount, due_on, paid_on, delay_reason)
SELECT c.ids[1 + (g * 6151) %% array_length(c.ids, 1)],
       'VOL-' || g,
       round((100 + (g * 7877) %% 50000)::numeric, 2),
       CURRENT_DATE - ((g * 17) %% 730)::int,
       CASE WHEN g %% 23 = 0 THEN NULL
            ELSE CURRENT_DATE - ((g * 17) %% 730)::int + (((g * 3) %% 9) * (g %% 3))::int END,
       CASE WHEN g %% 3 = 2 THEN '资金周转' ELSE '' END
FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g,
     (SELECT array_agg(id ORDER BY id) AS ids FROM clients_client) AS c
"""


def seed(options: dict, log: Callable[[str], None]) -> None:
    for table, wanted, sql in (
        ("grading_salesorder", options["sales_orders"], ORDERS),
        ("grading_receivable", options["receivables"], RECEIVABLES),
    ):
        if not wanted:
            continue
        if connection.vendor != "postgresql":
            log(f"{table}: volume data needs PostgreSQL (set DATABASE_URL)")
            continue
        started = perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - a fixed table name
            have = cursor.fetchone()[0]
            if have < wanted:
                cursor.execute(sql, {"start": have + 1, "stop": wanted})
                cursor.execute(f"ANALYZE {table}")
        log(f"{table}: {max(0, wanted - have)} rows in {perf_counter() - started:.0f} s")
