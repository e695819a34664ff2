"""Reads of visit plans: my day, my week, a plan's summary (constant number of queries)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from crm.models import User
from crm.roles import Role
from visits.calendar import month_end, month_start, working_days
from visits.models import MonthPlan, Visit

OVERDUE_LIMIT = 20  # the oldest; the plan page lists them all
TODAY_PAGE_SIZE = 25  # as every list: ?per_page= shows 50 or 100


def account_managers_for(user: User) -> QuerySet[User]:
    """The account managers whose plans and figures ``user`` may look at, departed ones too:
    an account manager themself; a manager the team's; an administrator all."""
    people = User.objects.filter(role=Role.ACCOUNT_MANAGER)
    if user.role == Role.ADMIN:
        return people
    if user.role == Role.MANAGER:
        return people.filter(team_id=user.team_id) if user.team_id else people.none()
    if user.role == Role.ACCOUNT_MANAGER:
        return people.filter(pk=user.pk)
    return people.none()


def _items(user: User) -> QuerySet[Visit]:
    return (
        Visit.objects.visible_to(user)
        .filter(owner=user)
        .select_related("client", "territory", "plan")
        .only(
            "pk",
            "kind",
            "source",
            "status",
            "planned_for",
            "done_on",
            "note",
            "version",
            "client_id",
            "client__name",
            "client__code",
            "client__level",
            "client__address",
            "client__phone",
            "territory__name",
            "plan__status",
            "plan_id",
            "owner_id",
        )
    )


def with_log_urls(visits: list[Visit]) -> None:
    """Each visit's "log" address, reversed once for the page rather than once per visit."""
    pattern = reverse("visits:log", args=[0]).replace("/0/", "/{}/")
    for visit in visits:
        visit.log_url = pattern.format(visit.pk)


@dataclass
class Day:
    day: date
    working: bool
    items: list[Visit]


def my_today(user: User, today: date | None = None) -> dict[str, Any]:
    """The account manager's day: overdue items first (the oldest 20, and how many), then today's
    still to do (a queryset, for the page to show a page at a time) and those done today."""
    today = today or timezone.localdate()
    overdue = _items(user).overdue(today).order_by("planned_for", "pk")
    overdue_list = list(overdue[:OVERDUE_LIMIT])
    with_log_urls(overdue_list)
    return {
        "today": today,
        "overdue": overdue_list,
        "overdue_count": len(overdue_list) if len(overdue_list) < OVERDUE_LIMIT else overdue.count(),
        # Still to do today, by territory and client: the page shows it a page at a time.
        "todays": _items(user)
        .filter(planned_for=today, status=Visit.Status.PLANNED)
        .order_by("territory__name", "client__name", "pk"),
        "done_today": list(_items(user).filter(done_on=today).order_by("territory__name", "client__name", "pk")),
        "plan": MonthPlan.objects.filter(owner=user, month=month_start(today)).first(),
    }


def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def my_week(user: User, day: date) -> list[Day]:
    """The seven days of the ISO week of ``day`` with their planned and done items."""
    start, end = week_of(day)
    visits = (
        _items(user)
        .filter(Q(status=Visit.Status.PLANNED, planned_for__range=(start, end)) | Q(done_on__range=(start, end)))
        .order_by("territory__name", "client__name")
    )
    by_day: dict[date, list[Visit]] = defaultdict(list)
    visits = list(visits)
    with_log_urls(visits)
    for visit in visits:
        by_day[visit.done_on or visit.planned_for].append(visit)
    working = set(working_days(start, end))
    return [
        Day(start + timedelta(days=i), start + timedelta(days=i) in working, by_day[start + timedelta(days=i)])
        for i in range(7)
    ]


def plan_counts(plans: list[MonthPlan] | QuerySet[MonthPlan], today: date | None = None) -> dict[int, dict[str, int]]:
    """Per plan: items planned, done, overdue, removed, on-site, phone, clients (one query)."""
    today = today or timezone.localdate()
    rows = (
        Visit.objects.filter(plan__in=plans)
        .values("plan_id")
        .annotate(
            total=Count("pk", filter=~Q(status=Visit.Status.CANCELLED)),
            done=Count("pk", filter=Q(status=Visit.Status.DONE)),
            overdue=Count("pk", filter=Q(status=Visit.Status.PLANNED, planned_for__lt=today)),
            removed=Count("pk", filter=Q(status=Visit.Status.CANCELLED)),
            onsite=Count("pk", filter=Q(kind=Visit.Kind.ONSITE) & ~Q(status=Visit.Status.CANCELLED)),
            phone=Count("pk", filter=Q(kind=Visit.Kind.PHONE) & ~Q(status=Visit.Status.CANCELLED)),
            unplanned=Count("pk", filter=Q(source=Visit.Source.UNPLANNED)),
            clients=Count("client_id", filter=~Q(status=Visit.Status.CANCELLED), distinct=True),
        )
    )
    empty = dict.fromkeys(("total", "done", "overdue", "removed", "onsite", "phone", "unplanned", "clients"), 0)
    counts = {plan.pk: dict(empty) for plan in plans}
    for row in rows:
        counts[row.pop("plan_id")] = row
    return counts


def planned_coverage(plan: MonthPlan) -> tuple[int, int]:
    """(clients in the plan, active clients of the account manager): the plan's coverage."""
    portfolio = Client.objects.filter(owner_id=plan.owner_id, status=Client.Status.ACTIVE).count()
    return plan.visits.exclude(status=Visit.Status.CANCELLED).values("client_id").distinct().count(), portfolio


def plan_weeks(plan: MonthPlan) -> list[tuple[date, date]]:
    """The ISO weeks (周计划) of the plan's month, as (Monday, Sunday), clipped to the month."""
    weeks = []
    day = plan.month
    while day <= month_end(plan.month):
        start, end = week_of(day)
        weeks.append((max(start, plan.month), min(end, month_end(plan.month))))
        day = end + timedelta(days=1)
    return weeks
