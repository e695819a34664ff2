from visits.models.contacts import ContactSummary
from visits.models.feeds import CalendarFeed
from visits.models.market import MarketInfo, MarketReport
from visits.models.plans import MonthPlan, TeamMonth, Visit
from visits.models.policy import CalendarDay, VisitPolicy

__all__ = [
    "CalendarDay",
    "CalendarFeed",
    "ContactSummary",
    "MarketInfo",
    "MarketReport",
    "MonthPlan",
    "TeamMonth",
    "Visit",
    "VisitPolicy",
]
