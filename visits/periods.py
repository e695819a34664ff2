"""Target periods (MKT-2): a month ``2026-11``, a quarter ``2026-Q4`` or a year ``2026``, as
they appear in addresses, forms and import files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from visits.calendar import FIRST_YEAR, LAST_YEAR, month_end, month_start, next_month
from visits.models import PeriodKind

PATTERNS = (
    (PeriodKind.MONTH, re.compile(r"^(\d{4})-(\d{1,2})$")),
    (PeriodKind.QUARTER, re.compile(r"^(\d{4})-[Qq]([1-4])$")),
    (PeriodKind.YEAR, re.compile(r"^(\d{4})$")),
)
MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


@dataclass(frozen=True)
class Period:
    kind: str
    start: date

    @property
    def months(self) -> list[date]:
        """The first day of each month of the period."""
        days, day = [], self.start
        for _i in range(MONTHS[self.kind]):
            days.append(day)
            day = next_month(day)
        return days

    @property
    def end(self) -> date:
        return month_end(self.months[-1])

    @property
    def code(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    def __str__(self) -> str:
        return self.code

    def shift(self, steps: int) -> Period:
        """The period ``steps`` periods later (earlier when negative)."""
        index = self.start.year * 12 + self.start.month - 1 + steps * MONTHS[self.kind]
        return Period(self.kind, date(index // 12, index % 12 + 1, 1))

    def last(self, count: int) -> list[Period]:
        """This period and the ``count - 1`` before it, oldest first."""
        return [self.shift(-steps) for steps in range(count - 1, -1, -1)]


def period_containing(kind: str, day: date) -> Period:
    if kind == PeriodKind.YEAR:
        return Period(kind, date(day.year, 1, 1))
    if kind == PeriodKind.QUARTER:
        return Period(kind, date(day.year, (day.month - 1) // 3 * 3 + 1, 1))
    return Period(PeriodKind.MONTH, month_start(day))


def parse_period(value: str | None) -> Period | None:
    """A period from its code, or None when it is not one (or out of the calendar's years)."""
    text = (value or "").strip()
    for kind, pattern in PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            return None
        if kind == PeriodKind.MONTH:
            month = int(match.group(2))
            return Period(kind, date(year, month, 1)) if 1 <= month <= 12 else None
        if kind == PeriodKind.QUARTER:
            return Period(kind, date(year, (int(match.group(2)) - 1) * 3 + 1, 1))
        return Period(kind, date(year, 1, 1))
    return None
