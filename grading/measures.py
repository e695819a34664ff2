"""The grading formulas (GRD-1…5), in one place, computed by one set-based SQL statement.

For a run "as of" day D with policy P (windows end on D, inclusive):

* Credit (GRD-1), over invoices due in the 12 months before D: an invoice is late when it was
  paid after its due date, or is still unpaid after it (a payment after D counts as unpaid on
  D); its days late are (paid date, or D) minus due date. on_time_share = on-time invoices / invoices;
  credit_score = max(0, 100 × on_time_share − min(30, max days late ÷ 3)).
* Volume (GRD-2): the sum of order amounts (or quantities, P.volume_basis) over P.window_months;
  booked lines only (a cancelled or refunded line was no sale, for profit neither);
  ranked 1 = largest; volume_score = 100 × (N − rank) ÷ (N − 1) among the N clients with orders
  (100 when N = 1). Ties share a rank.
* Profit (GRD-4): Σ amount × margin over the 12 months; ranked and scored like volume, among
  the clients that bought in those 12 months (others have no profit score).
* Potential (GRD-3): only for clients with no orders in the window: the latest assessment
  (1–5) × 20.
* Composite (GRD-5): the weighted mean of the scores the client has —
  (wc·credit + wv·volume + wp·profit + wpot·potential) ÷ (sum of the weights of those present).
* Level: A from P.threshold_a, B from P.threshold_b, C from P.threshold_c, otherwise D;
  clients with no invoice, order or assessment get no level.

Worked example (default policy: weights 30/35/35, A ≥ 75, B ≥ 55, C ≥ 35): a client with 10
invoices, 2 of them late by at most 15 days, has credit 100 × 0.8 − 5 = 75; ranked 2nd of 5 by
volume → 75 and 4th of 5 by profit → 25; composite (30·75 + 35·75 + 35·25) ÷ 100 = 57.5 → B.
"""

from __future__ import annotations

from datetime import datetime, time

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from grading.models import GradingPolicy, GradingRun

CREDIT_MONTHS = 12
PROFIT_MONTHS = 12


def _days(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"({later} - {earlier})"
    return f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)"


def _rank_score(rank: str, n: str) -> str:
    return f"CASE WHEN {n} = 1 THEN 100.0 ELSE 100.0 * ({n} - {rank}) / ({n} - 1) END"


def score_sql(policy: GradingPolicy) -> str:
    # The "no mutate" pragmas of the next lines: SQL names are case-insensitive, and the mutants
    # that survive there only change letters' case ("quantity" → "QUANTITY"), which cannot matter.
    basis = "quantity" if policy.volume_basis == GradingPolicy.Basis.QUANTITY else "amount"  # pragma: no mutate
    # A payment after the run's day did not exist yet on that day: the invoice was unpaid then.
    paid_by_then = "COALESCE(CASE WHEN paid_on <= %(as_of)s THEN paid_on END, %(as_of)s)"  # pragma: no mutate
    late_days = _days(paid_by_then, "due_on")  # pragma: no mutate
    volume_score = _rank_score("r.volume_rank", "r.n")  # pragma: no mutate
    profit_score = _rank_score("r.profit_rank", "r.n_profit")  # pragma: no mutate
    # Only the column name chosen above and fixed SQL snippets are interpolated; values are parameters.
    return f"""
    WITH credit AS (
        SELECT client_id, COUNT(*) AS invoices,
               SUM(CASE WHEN late_days > 0 THEN 1 ELSE 0 END) AS late_payments,
               SUM(CASE WHEN late_days > 0 THEN late_days ELSE 0 END) AS days_late_total,
               MAX(CASE WHEN late_days > 0 THEN late_days ELSE 0 END) AS days_late_max
        FROM (SELECT client_id, {late_days} AS late_days FROM grading_receivable
              WHERE due_on > %(credit_start)s AND due_on <= %(as_of)s) invoices
        GROUP BY client_id
    ), sales AS (
        SELECT client_id, SUM({basis}) AS volume,
               SUM(CASE WHEN ordered_on > %(profit_start)s THEN amount * margin ELSE 0 END) AS profit,
               SUM(CASE WHEN ordered_on > %(profit_start)s THEN 1 ELSE 0 END) AS profit_orders
        FROM grading_salesorder WHERE ordered_on > %(volume_start)s AND ordered_on <= %(as_of)s
          AND status = 'booked'
        GROUP BY client_id
    ), ranked AS (
        SELECT client_id, volume, profit, profit_orders, COUNT(*) OVER () AS n,
               RANK() OVER (ORDER BY volume DESC) AS volume_rank,
               -- Profit is ranked among the clients that bought in its own 12 months only.
               COUNT(*) OVER (PARTITION BY profit_orders > 0) AS n_profit,
               RANK() OVER (PARTITION BY profit_orders > 0 ORDER BY profit DESC) AS profit_rank
        FROM sales
    ), potential AS (
        SELECT client_id, score FROM (
            SELECT client_id, score,
                   ROW_NUMBER() OVER (PARTITION BY client_id ORDER BY assessed_at DESC, id DESC) AS position
            FROM grading_potentialassessment WHERE assessed_at < %(day_after)s) latest
        WHERE position = 1
    ), measured AS (
        SELECT c.id AS client_id, c.owner_id, c.territory_id,
               COALESCE(cr.invoices, 0) AS invoices, COALESCE(cr.late_payments, 0) AS late_payments,
               COALESCE(cr.days_late_total, 0) AS days_late_total, COALESCE(cr.days_late_max, 0) AS days_late_max,
               CASE WHEN cr.invoices > 0 THEN 1.0 * (cr.invoices - cr.late_payments) / cr.invoices END AS on_time_share,
               COALESCE(r.volume, 0) AS volume, r.volume_rank,
               CASE WHEN r.client_id IS NOT NULL THEN {volume_score} END AS volume_score,
               COALESCE(r.profit, 0) AS profit, CASE WHEN r.profit_orders > 0 THEN r.profit_rank END AS profit_rank,
               CASE WHEN r.profit_orders > 0 THEN {profit_score} END AS profit_score,
               CASE WHEN r.client_id IS NULL AND p.score IS NOT NULL THEN p.score * 20.0 END AS potential_score
        FROM clients_client c
        LEFT JOIN credit cr ON cr.client_id = c.id
        LEFT JOIN ranked r ON r.client_id = c.id
        LEFT JOIN potential p ON p.client_id = c.id
        WHERE cr.client_id IS NOT NULL OR r.client_id IS NOT NULL OR p.client_id IS NOT NULL
    ), credited AS (
        SELECT m.*, CASE WHEN on_time_share IS NULL THEN NULL
                         WHEN 100.0 * on_time_share - (CASE WHEN days_late_max / 3.0 > 30 THEN 30
                              ELSE days_late_max / 3.0 END) < 0 THEN 0.0
                         ELSE 100.0 * on_time_share - (CASE WHEN days_late_max / 3.0 > 30 THEN 30
                              ELSE days_late_max / 3.0 END) END AS credit_score
        FROM measured m
    ), composed AS (
        SELECT c.*,
               (COALESCE(%(wc)s * credit_score, 0) + COALESCE(%(wv)s * volume_score, 0)
                + COALESCE(%(wp)s * profit_score, 0) + COALESCE(%(wpot)s * potential_score, 0))
               / NULLIF((CASE WHEN credit_score IS NULL THEN 0 ELSE %(wc)s END)
                        + (CASE WHEN volume_score IS NULL THEN 0 ELSE %(wv)s END)
                        + (CASE WHEN profit_score IS NULL THEN 0 ELSE %(wp)s END)
                        + (CASE WHEN potential_score IS NULL THEN 0 ELSE %(wpot)s END), 0) AS composite
        FROM credited c
    )
    SELECT %(run)s AS run_id, client_id, owner_id, territory_id, invoices, late_payments, days_late_total,
           days_late_max, on_time_share,
           credit_score, volume, volume_rank, volume_score, profit, profit_rank, profit_score, potential_score,
           composite,
           CASE WHEN composite IS NULL THEN '' WHEN composite >= %(ta)s THEN 'A'
                WHEN composite >= %(tb)s THEN 'B' WHEN composite >= %(tc)s THEN 'C' ELSE 'D' END AS level
    FROM composed
    """  # noqa: S608


def params(run: GradingRun) -> dict:
    policy, as_of = run.policy, run.as_of
    return {
        "run": run.pk,
        "as_of": as_of,
        # The end of the run's day in local time: assessments made later do not count. Adapted as
        # the ORM does (on SQLite: naive UTC text, as the column holds it; compared as text there).
        "day_after": connection.ops.adapt_datetimefield_value(
            datetime.combine(as_of + relativedelta(days=1), time.min, tzinfo=timezone.get_current_timezone())
        ),
        "credit_start": as_of - relativedelta(months=CREDIT_MONTHS),
        "profit_start": as_of - relativedelta(months=PROFIT_MONTHS),
        "volume_start": as_of - relativedelta(months=policy.window_months),
        "wc": policy.weight_credit,
        "wv": policy.weight_volume,
        "wp": policy.weight_profit,
        "wpot": policy.weight_potential,
        "ta": policy.threshold_a,
        "tb": policy.threshold_b,
        "tc": policy.threshold_c,
    }


COLUMNS = (
    "run_id, client_id, owner_id, territory_id, invoices, late_payments, days_late_total, days_late_max, "
    "on_time_share, credit_score, "
    "volume, volume_rank, volume_score, profit, profit_rank, profit_score, potential_score, composite, level"
)


def compute_scores(run: GradingRun) -> int:
    """Write every client's scores for ``run`` set-based; returns the rows written.

    On PostgreSQL the measures go through a temporary table first: CREATE TABLE AS may use
    parallel workers, an INSERT … SELECT may not, and the measures are the expensive part.
    """
    from grading.models import ClientScore

    select = score_sql(run.policy)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The "no mutate" pragmas: the PostgreSQL-only branch, which the SQLite tests cannot reach.
            create = f"CREATE TEMPORARY TABLE grading_scores_now ON COMMIT DROP AS {select}"  # pragma: no mutate
            cursor.execute(create, params(run))  # pragma: no mutate
            insert = f"INSERT INTO grading_clientscore ({COLUMNS}) SELECT {COLUMNS} FROM grading_scores_now"  # noqa: S608  # pragma: no mutate
            cursor.execute(insert)  # pragma: no mutate
            cursor.execute("DROP TABLE grading_scores_now")  # pragma: no mutate
        else:
            cursor.execute(f"INSERT INTO grading_clientscore ({COLUMNS}) {select}", params(run))
    # SQLite reports no row count for INSERT … SELECT with a WITH clause: count what was written.
    return ClientScore.objects.filter(run=run).count()
