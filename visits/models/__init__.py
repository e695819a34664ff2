from visits.models.feeds import CalendarFeed
from visits.models.market import MarketInfo, MarketReport
from visits.models.plans import MonthPlan, TeamMonth, Visit
from visits.models.policy import CalendarDay, VisitPolicy

__all__ = [
    "CalendarDay",
    "CalendarFeed",
    "MarketInfo",
    "MarketReport",
    "MonthPlan",
    "TeamMonth",
    "Visit",
    "VisitPolicy",
]
