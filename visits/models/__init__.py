from visits.models.contacts import ContactSummary
from visits.models.feeds import CalendarFeed
from visits.models.market import MarketInfo, MarketReport
from visits.models.plans import MonthPlan, TeamMonth, Visit
from visits.models.policy import CalendarDay, VisitPolicy
from visits.models.targets import ActualFigure, Metric, MetricSet, PeriodKind, Target, TargetSettings

__all__ = [
    "ActualFigure",
    "CalendarDay",
    "CalendarFeed",
    "ContactSummary",
    "MarketInfo",
    "MarketReport",
    "Metric",
    "MetricSet",
    "MonthPlan",
    "PeriodKind",
    "Target",
    "TargetSettings",
    "TeamMonth",
    "Visit",
    "VisitPolicy",
]
