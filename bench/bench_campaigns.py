"""Campaigns (MKT-1): evaluating a campaign that reached 20,000 clients against the ledger.

Run `manage.py seed_volume --clients 100000 --sales-orders 2000000` first (PostgreSQL). The bench
keeps one campaign, "Bench: 20,000 clients" (20,000 targeted and reached over its month, 2,000 held
out), built once with set-based SQL, and times its evaluation beside the bare SQL floor."""

from __future__ import annotations

import statistics as stats
import time
from datetime import timedelta

from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from bench.timing import time_page
from clients.models import Campaign, Client
from crm.models import User
from crm.roles import Role
from grading.campaign_evaluation import evaluate

NAME = "Bench: 20,000 clients"
TARGETED, HELD_OUT = 20_000, 2_000
REPEAT = 15

# The same figures for everyone, written by hand for this one campaign: its members joined to
# their booked orders since launch, grouped as the evaluation groups them.
FLOOR_SQL = """
WITH o AS (
    SELECT m.id,
           SUM(so.amount) FILTER (WHERE so.ordered_on <= %(end)s) AS group_revenue,
           COUNT(*) FILTER (WHERE so.ordered_on <= %(end)s) AS group_orders,
           COUNT(*) FILTER (WHERE so.ordered_on BETWEEN m.reached_at::date AND m.reached_at::date + %(days)s) AS a_orders,
           SUM(so.amount) FILTER (WHERE so.ordered_on BETWEEN m.reached_at::date AND m.reached_at::date + %(days)s) AS a_rev
    FROM clients_campaignmember m JOIN grading_salesorder so ON so.client_id = m.client_id
    WHERE m.campaign_id = %(campaign)s AND so.status = 'booked' AND so.ordered_on >= %(start)s
    GROUP BY m.id
)
SELECT m."group", m.owner_id, m.territory_id, COUNT(*), COUNT(m.reached_at),
       SUM(CASE WHEN m.response IN ('interested', 'ordered') THEN 1 ELSE 0 END),
       SUM(CASE WHEN o.a_orders > 0 THEN 1 ELSE 0 END), SUM(o.a_rev),
       SUM(CASE WHEN o.group_orders > 0 THEN 1 ELSE 0 END), SUM(o.group_revenue)
FROM clients_campaignmember m LEFT JOIN o ON o.id = m.id
WHERE m.campaign_id = %(campaign)s
GROUP BY m."group", m.owner_id, m.territory_id
"""  # noqa: E501


def _campaign(admin: User) -> Campaign:
    """The bench campaign, built once: launched 60 days ago for a month, 30-day window."""
    campaign = Campaign.objects.filter(name=NAME).first()
    if campaign is not None:
        return campaign
    today = timezone.localdate()
    launched = timezone.now() - timedelta(days=60)
    with transaction.atomic():
        campaign = Campaign.objects.create(
            name=NAME, channel=Campaign.Channel.PHONE, offer="Bench", starts_on=today - timedelta(days=60),
            ends_on=today - timedelta(days=30), actual_cost=50_000, holdout_percent=10, launched_at=launched,
            launched_by=admin, created_by=admin,
        )  # fmt: skip
        with connection.cursor() as cursor:
            # Every fourth client: 22,000 spread over every owner and territory; the first 20,000 are
            # targeted, reached over the campaign's month, a third of them responding.
            cursor.execute(
                """
                INSERT INTO clients_campaignmember
                    (campaign_id, client_id, "group", owner_id, territory_id, added_at, added_by_id,
                     reached_at, response, responded_at, attempts)
                SELECT %(campaign)s, c.id, CASE WHEN n <= %(targeted)s THEN 'target' ELSE 'holdout' END,
                       c.owner_id, c.territory_id, %(launched)s, %(admin)s,
                       CASE WHEN n <= %(targeted)s THEN %(launched)s + (n %% 30) * interval '1 day' END,
                       CASE WHEN n <= %(targeted)s AND n %% 3 = 0 THEN 'interested' ELSE '' END,
                       CASE WHEN n <= %(targeted)s AND n %% 3 = 0 THEN %(launched)s + (n %% 30) * interval '1 day' END,
                       CASE WHEN n <= %(targeted)s THEN 1 ELSE 0 END
                FROM (SELECT id, owner_id, territory_id, row_number() OVER (ORDER BY id) AS n
                      FROM clients_client WHERE id %% 4 = 0) c
                WHERE n <= %(total)s
                """,
                {"campaign": campaign.pk, "targeted": TARGETED, "total": TARGETED + HELD_OUT, "launched": launched,
                 "admin": admin.pk},
            )  # fmt: skip
    return campaign


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _floor(campaign: Campaign, start, end) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            FLOOR_SQL, {"campaign": campaign.pk, "start": start, "end": end, "days": campaign.attribution_days}
        )
        cursor.fetchall()


def run() -> list[str]:
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    if connection.vendor != "postgresql" or admin is None:
        return ["needs PostgreSQL, an administrator and `seed_volume` with clients and sales orders"]

    if Client.objects.count() < 4 * (TARGETED + HELD_OUT):
        return ["needs `seed_volume --clients 100000` (at least 88,000 clients)"]
    campaign = _campaign(admin)
    members = campaign.members.count()
    ev = evaluate(campaign, admin)
    start, end = ev.comparison_start, ev.comparison_end
    ours = [_timed(lambda: evaluate(campaign, admin)) for _ in range(REPEAT)]
    floor = [_timed(lambda: _floor(campaign, start, end)) for _ in range(REPEAT)]
    ours_ms, floor_ms = stats.median(ours), stats.median(floor)
    lines = [
        f"campaign of {members:,} clients ({ev.total.targeted:,} targeted, {ev.total.held_out:,} held out), "
        f"{ev.total.ordered:,} ordered within the window, revenue {ev.total.revenue:,.0f}",
        f"evaluate() median of {REPEAT}: {ours_ms:7.1f} ms   (target ≤ 300 ms)",
        f"floor: the hand-written SQL:     {floor_ms:7.1f} ms   ratio {ours_ms / floor_ms:.2f}",
    ]
    http = HttpClient()
    http.force_login(admin)
    url = reverse("campaign_evaluation:evaluation", args=[campaign.pk])
    page = time_page(http, url, label="/campaigns/<id>/evaluation/ (admin)", repeat=REPEAT)
    lines.append(f"{page.line()}   (target median ≤ 300 ms)")
    manager = User.objects.filter(role=Role.MANAGER, is_active=True, team__isnull=False).first()
    if manager is not None:
        http.force_login(manager)
        lines.append(time_page(http, url, label="/campaigns/<id>/evaluation/ (manager)", repeat=REPEAT).line())
    return lines
