"""Working days: Monday–Friday, except the holidays and swapped working days (调休) of the
admin-edited calendar (``CalendarDay``). Used by plan generation and due dates."""

from __future__ import annotations

import calendar as _calendar
from datetime import date, timedelta

from visits.models import CalendarDay


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return day.replace(day=_calendar.monthrange(day.year, day.month)[1])


def next_month(day: date) -> date:
    return month_end(day) + timedelta(days=1)


def previous_month(day: date) -> date:
    return month_start(month_start(day) - timedelta(days=1))


def working_days(start: date, end: date) -> list[date]:
    """The working days from ``start`` to ``end`` inclusive, in order (one query)."""
    exceptions = dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_working"))
    days = []
    day = start
    while day <= end:
        if exceptions.get(day, day.weekday() < 5):
            days.append(day)
        day += timedelta(days=1)
    return days


def is_working_day(day: date) -> bool:
    return bool(working_days(day, day))


def next_working_day(day: date, *, horizon: int = 60) -> date:
    """``day`` itself when it is a working day, else the first one after it."""
    days = working_days(day, day + timedelta(days=horizon))
    return days[0] if days else day


def iso_week(day: date) -> tuple[int, int]:
    year, week, _weekday = day.isocalendar()
    return year, week


# Pages read dates from the address; outside these years a week's arithmetic overflows and no
# plan exists anyway, so such a date is treated as unreadable.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def parse_day(value: str | None) -> date | None:
    """A YYYY-MM-DD from a query string, or None when it is missing, impossible or out of range."""
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None
