"""Reads of the repairs app that more than one page or step uses."""

from __future__ import annotations

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from crm.models import User
from repairs.models import FeeItem, RepairOrder


def usual_lines(category: str) -> QuerySet[FeeItem]:
    """The fee items a quote of ``category`` starts with: the category's items with a usual
    quantity, in the schedule in force today."""
    return FeeItem.objects.in_effect().filter(category=category, usual_quantity__gt=0).order_by("kind", "code")


def technician_jobs(user: User) -> QuerySet[RepairOrder]:
    """A technician's open jobs: today's first, each group in the order of the (re)agreed time."""
    today = timezone.localdate()
    return (
        RepairOrder.objects.visible_to(user)
        .open()
        .exclude(status=RepairOrder.Status.NEW)
        .annotate(due=Coalesce("rescheduled_at", "appointment_at"))
        .annotate(not_today=Case(When(due__date=today, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("not_today", "due", "pk")
    )
