"""A campaign's measured effect (MKT-1), from the sales ledger.

Two windows, both on booked orders:

* attribution: an order placed from the day a targeted client was reached to ``attribution_days``
  after it counts for the campaign (the orders and revenue "from the campaign");
* comparison: the whole target group and the hold-out group over the same window, from the launch
  day to ``attribution_days`` after the campaign's end, whether or not the client was reached
  (intent to treat), so the lift between them is not flattered by who happened to answer.

Orders of the campaign's product when it pushes one (SalesOrder.product holds the catalogue
code), of any product otherwise. One grouped query per campaign: the members (through their gate,
so an account manager's evaluation is of their own clients) joined to their clients' orders since
launch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from clients.models import Campaign, CampaignContact, CampaignMember
from clients.models.campaigns import RESPONDED, Response
from clients.models.querysets import client_scope
from crm.models import Territory, User
from grading.models import SalesOrder

ZERO = Decimal("0")


def _ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


@dataclass
class Figures:
    """The counts of one group of members (a campaign, an account manager's share, a territory's)."""

    targeted: int = 0
    held_out: int = 0
    reached: int = 0
    responded: int = 0
    ordered: int = 0  # reached clients who ordered within their attribution window
    revenue: Decimal = ZERO  # those orders' amount
    target_buyers: int = 0  # target-group clients who ordered in the comparison window
    target_revenue: Decimal = ZERO
    holdout_buyers: int = 0
    holdout_revenue: Decimal = ZERO

    def add(self, other: Figures) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def response_rate(self) -> Decimal | None:
        return _ratio(self.responded, self.reached)

    @property
    def reach_rate(self) -> Decimal | None:
        return _ratio(self.reached, self.targeted)

    @property
    def target_conversion(self) -> Decimal | None:
        return _ratio(self.target_buyers, self.targeted)

    @property
    def holdout_conversion(self) -> Decimal | None:
        return _ratio(self.holdout_buyers, self.held_out)

    @property
    def lift(self) -> Decimal | None:
        """Conversion of the target group minus that of the hold-out (a share: 0.05 = 5 points)."""
        if self.target_conversion is None or self.holdout_conversion is None:
            return None
        return self.target_conversion - self.holdout_conversion

    @property
    def incremental_revenue(self) -> Decimal | None:
        """Revenue the target group made beyond what the hold-out's rate predicts for its size."""
        if not self.targeted or not self.held_out:
            return None
        return self.target_revenue - self.holdout_revenue / self.held_out * self.targeted


@dataclass
class Evaluation:
    campaign: Campaign
    comparison_start: date | None
    comparison_end: date | None
    total: Figures
    by_owner: list[tuple[User | None, Figures]] = field(default_factory=list)
    by_territory: list[tuple[Territory | None, Figures]] = field(default_factory=list)
    # (method, attempts, attempts that reached the client, attempts that got a response)
    by_method: list[tuple[str, int, int, int]] = field(default_factory=list)
    campaign_targeted: int | None = None  # the whole campaign's, when the viewer sees a part

    @property
    def cost(self) -> Decimal:
        """The campaign's cost, or the viewer's share of it by targeted clients when they see only
        part of the campaign (an account manager, a manager of one team)."""
        if self.campaign_targeted is None or self.campaign_targeted == self.total.targeted:
            return self.campaign.actual_cost
        if not self.campaign_targeted:
            return ZERO
        share = self.campaign.actual_cost * self.total.targeted / self.campaign_targeted
        return share.quantize(Decimal("0.01"))

    @property
    def cost_per_response(self) -> Decimal | None:
        return _ratio(self.cost, self.total.responded) if self.cost else None

    @property
    def cost_per_order(self) -> Decimal | None:
        return _ratio(self.cost, self.total.ordered) if self.cost else None

    @property
    def roi(self) -> Decimal | None:
        """(Attributed revenue − cost) ÷ cost."""
        return _ratio(self.total.revenue - self.cost, self.cost) if self.cost else None

    @property
    def incremental_roi(self) -> Decimal | None:
        """(Incremental revenue over the hold-out − cost) ÷ cost: the stricter return."""
        incremental = self.total.incremental_revenue
        return _ratio(incremental - self.cost, self.cost) if self.cost and incremental is not None else None


def comparison_window(campaign: Campaign) -> tuple[date, date] | None:
    if campaign.launched_at is None:
        return None
    start = timezone.localdate(campaign.launched_at)
    return start, max(campaign.ends_on, start) + timedelta(days=campaign.attribution_days)


def _plus_days(column: str) -> str:
    """SQL for ``column`` (a date) plus %s days, on the two databases the project runs on."""
    if connection.vendor == "postgresql":
        return f"({column} + %s)"
    return f"date({column}, '+' || %s || ' days')"


def _member_rows(campaign: Campaign, user: User) -> list[tuple]:
    window = comparison_window(campaign)
    if window is None:
        return []
    members = (
        CampaignMember.objects.visible_to(user)
        .filter(campaign=campaign)
        .annotate(reached_on=TruncDate("reached_at"))
        .values("id", "client_id", "group", "owner_id", "territory_id", "reached_on", "response")
        .order_by()
    )
    members_sql, members_params = members.query.sql_with_params()
    start, end = window
    responded = ", ".join(["%s"] * len(RESPONDED))
    # Capped at the comparison's end too: a contact logged after the campaign ended does not
    # stretch its orders past the window the groups are compared over.
    attributed = (
        f"so.ordered_on >= m.reached_on AND so.ordered_on <= {_plus_days('m.reached_on')} AND so.ordered_on <= %s"
    )
    orders = SalesOrder._meta.db_table
    # A campaign that pushes a product is measured by that product's orders (the ledger names it
    # by the catalogue's code); otherwise by every order.
    product_clause = "AND UPPER(TRIM(so.product)) = %s" if campaign.product_id else ""
    sql = f"""
        WITH m AS ({members_sql}),
        o AS (
            SELECT m.id AS member_id,
                   SUM(so.amount) FILTER (WHERE so.ordered_on <= %s) AS group_revenue,
                   COUNT(*) FILTER (WHERE so.ordered_on <= %s) AS group_orders,
                   COUNT(*) FILTER (WHERE {attributed}) AS attributed_orders,
                   SUM(so.amount) FILTER (WHERE {attributed}) AS attributed_revenue
            FROM m JOIN {orders} so ON so.client_id = m.client_id
            WHERE so.status = %s AND so.ordered_on >= %s {product_clause}
            GROUP BY m.id
        )
        SELECT m."group", m.owner_id, m.territory_id,
               COUNT(*),
               COUNT(m.reached_on),
               SUM(CASE WHEN m.response IN ({responded}) THEN 1 ELSE 0 END),
               SUM(CASE WHEN o.attributed_orders > 0 THEN 1 ELSE 0 END),
               SUM(o.attributed_revenue),
               SUM(CASE WHEN o.group_orders > 0 THEN 1 ELSE 0 END),
               SUM(o.group_revenue)
        FROM m LEFT JOIN o ON o.member_id = m.id
        GROUP BY m."group", m.owner_id, m.territory_id
    """  # noqa: S608
    days = campaign.attribution_days
    params = [
        *members_params,
        end,
        end,
        days,
        end,
        days,
        end,
        SalesOrder.Status.BOOKED,
        start,
        *([campaign.product.code] if campaign.product_id else []),
        *RESPONDED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _money(value) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def evaluate(campaign: Campaign, user: User) -> Evaluation:
    """The campaign's figures in ``user``'s scope, in total, by account manager and by territory."""
    total = Figures()
    owners: dict[int | None, Figures] = {}
    territories: dict[int | None, Figures] = {}
    for (
        group,
        owner_id,
        territory_id,
        count,
        reached,
        responded,
        ordered,
        revenue,
        buyers,
        group_revenue,
    ) in _member_rows(campaign, user):
        row = Figures()
        if group == CampaignMember.Group.TARGET:
            row.targeted, row.reached, row.responded = count, reached, responded or 0
            row.ordered, row.revenue = ordered or 0, _money(revenue)
            row.target_buyers, row.target_revenue = buyers or 0, _money(group_revenue)
        else:
            row.held_out, row.holdout_buyers, row.holdout_revenue = count, buyers or 0, _money(group_revenue)
        for bucket, key in ((owners, owner_id), (territories, territory_id)):
            bucket.setdefault(key, Figures()).add(row)
        total.add(row)
    users = User.objects.in_bulk([pk for pk in owners if pk])
    places = Territory.objects.in_bulk([pk for pk in territories if pk])
    by_owner = sorted(((users.get(pk), f) for pk, f in owners.items()), key=lambda pair: str(pair[0] or ""))
    by_territory = sorted(((places.get(pk), f) for pk, f in territories.items()), key=lambda pair: str(pair[0] or ""))
    window = comparison_window(campaign)
    whole = None
    if client_scope(user) is not None:
        whole = CampaignMember.objects.filter(campaign=campaign, group=CampaignMember.Group.TARGET).count()
    return Evaluation(
        campaign=campaign,
        comparison_start=window[0] if window else None,
        comparison_end=window[1] if window else None,
        total=total,
        by_owner=by_owner,
        by_territory=by_territory,
        by_method=_by_method(campaign, user),
        campaign_targeted=whole,
    )


def _by_method(campaign: Campaign, user: User) -> list[tuple[str, int, int, int]]:

    labels = dict(Campaign.Channel.choices)
    rows = (
        CampaignContact.objects.filter(member__in=CampaignMember.objects.visible_to(user).filter(campaign=campaign))
        .values("method")
        .annotate(
            attempts=Count("pk"),
            reached=Count("pk", filter=~Q(response=Response.NO_ANSWER)),
            responded=Count("pk", filter=Q(response__in=RESPONDED)),
        )
        .order_by("method")
    )
    return [
        (str(labels.get(row["method"], row["method"])), row["attempts"], row["reached"], row["responded"])
        for row in rows
    ]
