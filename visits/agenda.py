"""Reads of the calendar page: one's plan by month or ISO week, days marked working or not by the
holiday calendar (调休 included). A fixed number of queries whatever the period holds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q, QuerySet

from crm.models import User
from crm.roles import Role
from visits.calendar import FIRST_YEAR, LAST_YEAR, month_end, month_start, next_month, previous_month, working_days
from visits.models import CalendarDay, Visit
from visits.selectors import account_managers_for

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


@dataclass(frozen=True)
class Period:
    kind: str  # "month" or "week"
    first: date  # the first day of the month or the Monday of the week
    last: date

    @property
    def grid_start(self) -> date:
        return self.first - timedelta(days=self.first.weekday())

    @property
    def grid_end(self) -> date:
        return self.last + timedelta(days=6 - self.last.weekday())

    @property
    def value(self) -> str:
        """As written in the query string: ``2030-W02`` or ``2030-01``."""
        if self.kind == "week":
            year, week, _day = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first:%Y-%m}"

    @property
    def param(self) -> str:
        return f"{self.kind}={self.value}"

    @property
    def previous(self) -> Period:
        if self.kind == "week":
            return week_period(self.first - timedelta(days=7))
        return month_period(previous_month(self.first))

    @property
    def next(self) -> Period:
        if self.kind == "week":
            return week_period(self.first + timedelta(days=7))
        return month_period(next_month(self.first))


def month_period(day: date) -> Period:
    return Period("month", month_start(day), month_end(day))


def week_period(day: date) -> Period:
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def period_from(*, month: str | None, week: str | None, today: date) -> Period:
    """``?week=YYYY-Www`` or ``?month=YYYY-MM``; anything unreadable is this month."""
    if week and (match := WEEK.match(week)) and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        try:
            return week_period(date.fromisocalendar(int(match[1]), int(match[2]), 1))
        except ValueError:
            pass
    if month and (match := MONTH.match(month)) and FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        try:
            return month_period(date(int(match[1]), int(match[2]), 1))
        except ValueError:
            pass
    return month_period(today)


def calendar_owners(user: User) -> QuerySet[User]:
    """Whose plan ``user`` may look at: an account manager their own; a manager the team's
    account managers; an administrator every account manager."""
    people = account_managers_for(user)
    return people if user.role == Role.ACCOUNT_MANAGER else people.filter(is_active=True).order_by("username")


@dataclass
class Day:
    day: date
    in_period: bool
    working: bool
    name: str  # the holiday or swapped working day's name
    is_today: bool
    items: list[Visit] = field(default_factory=list)


def calendar_days(*, user: User, owner: User | None, period: Period, today: date) -> list[Day]:
    """The days of the period's grid (whole weeks), with the owner's planned and done items."""
    start, end = period.grid_start, period.grid_end
    working = set(working_days(start, end))
    names = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "name"))
    days = {}
    day = start
    while day <= end:
        days[day] = Day(day, period.first <= day <= period.last, day in working, names.get(day, ""), day == today)
        day += timedelta(days=1)
    if owner is not None:
        visits = (
            Visit.objects.visible_to(user)
            .filter(owner=owner)
            .filter(
                Q(status=Visit.Status.PLANNED, planned_for__range=(start, end))
                | Q(status=Visit.Status.DONE, done_on__range=(start, end))
            )
            .select_related("client")
            .order_by("client__name", "pk")
        )
        for visit in visits:
            days[visit.done_on if visit.status == Visit.Status.DONE else visit.planned_for].items.append(visit)
    return list(days.values())


def weeks(days: list[Day]) -> list[list[Day]]:
    return [days[i : i + 7] for i in range(0, len(days), 7)]
