"""Reads of grading: the managers' dashboard (GRD-7) and a client's explanation (GRD-5)."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DecimalField, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from clients.costs import costs_by_kind
from clients.models import Client, KeyAccountCost
from grading.models import (
    ClientScore,
    Delivery,
    GradingPolicy,
    GradingRun,
    LedgerCorrection,
    OrderComplaint,
    SalesOrder,
)

LEVELS = ["A", "B", "C", "D"]
MEASURE_LABELS = {"credit": _("Credit"), "volume": _("Volume"), "profit": _("Profit"), "potential": _("Potential")}
TOP = 10
# Scores run from 0 to 100 (grading.measures): one decimal tells clients apart without claiming
# a precision the measures do not have. Pages (floatformat:1) and exports show the same figure.
SCORE_DECIMALS = 1


def rounded(score: float | None) -> float | None:
    """A score as pages and exports show it: one decimal, half up (Python's round() is banker's)."""
    if score is None:
        return None
    return float(Decimal(str(score)).quantize(Decimal(1).scaleb(-SCORE_DECIMALS), rounding=ROUND_HALF_UP))


def latest_runs() -> tuple[GradingRun | None, GradingRun | None]:
    """The two newest standing runs (a superseded run of a day gives way to the day's newer one)."""
    runs = list(GradingRun.objects.current().select_related("policy")[:2])
    return (runs[0] if runs else None), (runs[1] if len(runs) > 1 else None)


def scores_for(user, run: GradingRun, *, team=None, territory=None) -> QuerySet[ClientScore]:
    return ClientScore.objects.visible_to(user).filter(run=run).filter(_score_filters(team=team, territory=territory))


def dashboard(user, *, team=None, territory=None) -> dict[str, Any]:
    """Everything on /grading/: a handful of aggregate queries whatever the number of clients."""
    current, previous = latest_runs()
    if current is None:
        return {"run": None}
    scores = scores_for(user, current, team=team, territory=territory)
    distribution = dict(scores.values_list("level").annotate(n=Count("pk")).order_by())
    base = scores.select_related("client", "client__owner")
    context = {
        "run": current,
        "previous": previous,
        "distribution": [(level, distribution.get(level, 0)) for level in LEVELS],
        "graded": sum(distribution.values()),
        "top_volume": list(base.filter(volume_rank__isnull=False).order_by("volume_rank", "client__name")[:TOP]),
        "top_profit": list(base.filter(profit_rank__isnull=False).order_by("profit_rank", "client__name")[:TOP]),
        "top_credit": list(base.filter(credit_score__isnull=False).order_by("-credit_score", "days_late_total")[:TOP]),
        "by_owner": _breakdown(scores, "owner__first_name", "owner__username"),
        "by_territory": _breakdown(scores, "territory__name"),
        "movers": movers(user, current, previous, team=team, territory=territory),
    }
    return context


def _breakdown(scores: QuerySet[ClientScore], *fields: str) -> list[dict[str, Any]]:
    counts = {level: Count("pk", filter=Q(level=level)) for level in LEVELS}
    return list(scores.values(*fields).annotate(total=Count("pk"), **counts).order_by(*fields))


def movers(user, current: GradingRun, previous: GradingRun | None, **filters) -> list[dict[str, Any]]:
    """Clients whose level changed since the previous run (GRD-6): one query."""
    if previous is None:
        return []
    rows = movers_between(user, previous, current).filter(_score_filters(**filters)).order_by("client__name")[:50]
    # "A" < "B": a smaller letter is a better level.
    return [
        {"client": row.client, "before": row.before, "after": row.level, "up": row.level < row.before} for row in rows
    ]


def _score_filters(*, team=None, territory=None) -> Q:
    condition = Q()
    if team:
        condition &= Q(owner__team=team)
    if territory:
        condition &= Q(territory=territory)
    return condition


def movers_between(user, earlier: GradingRun, later: GradingRun) -> QuerySet[ClientScore]:
    """The scores of ``later`` whose level differs from the client's level in ``earlier``, each
    annotated with ``before`` (the earlier level) and ``before_composite``: one query, a
    correlated subquery on the (client, run) index. Clients graded in only one of the runs did
    not move. ``later`` may be the older run: the user picks the two runs."""
    earlier_scores = ClientScore.objects.filter(run=earlier, client=OuterRef("client_id"))
    return (
        ClientScore.objects.visible_to(user)
        .filter(run=later)
        .annotate(
            before=Subquery(earlier_scores.values("level")[:1]),
            before_composite=Subquery(earlier_scores.values("composite")[:1]),
        )
        .filter(before__isnull=False)
        .exclude(before=F("level"))
        .select_related("client", "owner")
    )


def runs_list() -> QuerySet[GradingRun]:
    """The grading runs with what their list shows (who, policy, what replaced them): one query."""
    return GradingRun.objects.select_related("started_by", "policy", "superseded_by")


def level_history(client: Client) -> QuerySet[ClientScore]:
    """The client's level and scores in each standing run, newest first (a page of them is one
    query): a superseded run's grades were replaced the same day and are not the client's history."""
    return (
        ClientScore.objects.filter(client=client, run__in=GradingRun.objects.current())
        .select_related("run")
        .order_by("-run__as_of", "-run__started_at")
    )


def explanation(client: Client) -> dict[str, Any] | None:
    """Why the client has its level: each measure with its rank and weight, and the gap to the
    next level up and down (GRD-5)."""
    score = (
        ClientScore.objects.filter(client=client, run__in=GradingRun.objects.current())
        .select_related("run__policy")
        .order_by("-run__started_at")
        .first()
    )
    if score is None:
        return None
    policy: GradingPolicy = score.run.policy
    parts = [
        ("credit", score.credit_score, policy.weight_credit, None),
        ("volume", score.volume_score, policy.weight_volume, score.volume_rank),
        ("profit", score.profit_score, policy.weight_profit, score.profit_rank),
        ("potential", score.potential_score, policy.weight_potential, None),
    ]
    present = [(name, value, weight, rank) for name, value, weight, rank in parts if value is not None]
    total_weight = sum(weight for _n, _v, weight, _r in present) or 1
    thresholds = {"A": policy.threshold_a, "B": policy.threshold_b, "C": policy.threshold_c}
    order = ["D", "C", "B", "A"]
    level = score.level or "D"
    up = order[order.index(level) + 1] if level != "A" else None
    down_floor = thresholds.get(level)
    return {
        "score": score,
        "policy": policy,
        "parts": [
            {
                "name": n,
                "value": v,
                "weight": w,
                "share": round(100 * w / total_weight),
                "rank": r,
                "points": v * w / total_weight,
            }
            for n, v, w, r in present
        ],
        "up": up,
        "points_to_up": (thresholds[up] - score.composite) if up and score.composite is not None else None,
        "points_above_floor": (score.composite - down_floor) if down_floor is not None and score.composite else None,
        "weakest": MEASURE_LABELS[min(present, key=lambda part: part[1])[0]] if present else None,
    }


def corrections_for(user) -> QuerySet[LedgerCorrection]:
    """The ledger corrections ``user`` may see, with what the list shows: one query per page."""
    return LedgerCorrection.objects.visible_to(user).select_related(
        "client", "requested_by", "decided_by", "receivable", "sales_order"
    )


CENT = Decimal("0.01")


def key_account_economics(client: Client, year: int) -> dict[str, Any]:
    """A key account's costs of ``year`` by kind against its volume and profit in the ledger
    that year (MKT-3, GRD-2, GRD-4): two set-based queries, one per table. Cancelled and
    refunded lines were no sale: they count for neither.

    Worked example (checked by a test): orders of 10,000.00 at margin 0.20 and 5,000.00 at
    0.10 make a volume of 15,000.00 and a profit of 2,000.00 + 500.00 = 2,500.00; costs of
    600.00 (events) and 150.00 (travel) total 750.00, which is 5.0 % of the volume and 30.0 %
    of the profit, leaving 1,750.00 of profit after costs.
    """
    by_kind = costs_by_kind(client, year)
    booked = SalesOrder.objects.filter(client=client, ordered_on__year=year, status=SalesOrder.Status.BOOKED)
    ledger = booked.aggregate(
        volume=Sum("amount"),
        profit=Sum(F("amount") * F("margin"), output_field=DecimalField(max_digits=20, decimal_places=6)),
        orders=Count("pk"),
    )
    volume = _money(ledger["volume"])
    profit = _money(ledger["profit"])
    total = sum(by_kind.values(), Decimal("0.00"))
    return {
        "year": year,
        "by_kind": [(label, by_kind[kind]) for kind, label in KeyAccountCost.Kind.choices],
        "costs": total,
        "volume": volume,
        "profit": profit,
        "orders": ledger["orders"],
        "cost_share_of_volume": _percent(total, volume),
        "cost_share_of_profit": _percent(total, profit),
        "profit_after_costs": profit - total,
    }


def _money(value) -> Decimal:
    # SQLite hands back floats for decimal arithmetic: round to the cent the ledger keeps.
    return Decimal(str(value or 0)).quantize(CENT, rounding=ROUND_HALF_UP)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part`` as a percentage of ``whole`` to one decimal; None when ``whole`` is not positive."""
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


# --- a key account's orders on its service page (MKT-3) ---
SERVICE_MONTHS = 12
SERVICE_ORDERS = 50  # the panel's list; the ledger page has the rest


def service_window(today: date) -> tuple[date, date]:
    """The last 12 months: the current calendar month and the eleven before it, to ``today``."""
    return today.replace(day=1) - relativedelta(months=SERVICE_MONTHS - 1), today


def order_months(client: Client, today: date) -> list[dict[str, Any]]:
    """Each month of the window with its booked total and counts, oldest first; months without
    orders are there with zeros. One query (GROUP BY month); cancelled and refunded lines are
    counted apart and add nothing to the total.

    Worked example (today 2026-03-10): the window is 2025-04-01 … 2026-03-10. Orders of 400 on
    2026-01-31 and 250 on 2026-02-01 fall in January and February; a cancelled 900 in February
    leaves February at 250 (1 order, 1 void); an order of 2025-03-31 is outside the window."""
    start, end = service_window(today)
    booked = Q(status=SalesOrder.Status.BOOKED)
    rows = (
        SalesOrder.objects.filter(client=client, ordered_on__gte=start, ordered_on__lte=end)
        .annotate(month=TruncMonth("ordered_on"))
        .values("month")
        .annotate(
            total=Sum("amount", filter=booked), orders=Count("pk", filter=booked), void=Count("pk", filter=~booked)
        )
        .order_by("month")
    )
    found = {_month(row["month"]): row for row in rows}
    months = []
    for offset in range(SERVICE_MONTHS):
        month = start + relativedelta(months=offset)
        row = found.get(month, {})
        months.append(
            {
                "month": month,
                "total": row.get("total") or Decimal("0"),
                "orders": row.get("orders", 0),
                "void": row.get("void", 0),
            }
        )
    return months


def _month(value: date | Any) -> date:
    # TruncMonth of a DateField is a date; some backends hand back a datetime.
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def service_orders(client: Client, today: date) -> list[SalesOrder]:
    """The window's latest orders with their deliveries and linked complaints: three queries."""
    start, end = service_window(today)
    return list(
        SalesOrder.objects.filter(client=client, ordered_on__gte=start, ordered_on__lte=end)
        .prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.order_by("shipped_on", "pk")),
            Prefetch("complaint_links", queryset=OrderComplaint.objects.select_related("complaint")),
        )
        .order_by("-ordered_on", "-pk")[:SERVICE_ORDERS]
    )
