"""Campaign contacts as tasks of the account manager's day (MKT-1): the clients of running phone
and on-site campaigns that the offer has not reached yet."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from clients.models import Campaign, CampaignMember
from crm.models import User

TASK_LIMIT = 10


def campaign_tasks(user: User, today: date) -> QuerySet[CampaignMember]:
    """The user's clients still to contact for campaigns running today, the soonest ending first."""
    return (
        CampaignMember.objects.filter(
            client__owner=user,
            group=CampaignMember.Group.TARGET,
            reached_at__isnull=True,
            campaign__launched_at__isnull=False,
            campaign__starts_on__lte=today,
            campaign__ends_on__gte=today,
            campaign__channel__in=Campaign.PERSONAL,
        )
        .select_related("campaign", "client")
        .order_by("campaign__ends_on", "campaign_id", "client__name", "pk")
    )


def today_tasks(user: User, today: date) -> dict[str, object]:
    """The first tasks and how many there are (one query when they fit, two when cut)."""
    tasks = campaign_tasks(user, today)
    shown = list(tasks[:TASK_LIMIT])
    return {"campaign_tasks": shown, "campaign_task_count": len(shown) if len(shown) < TASK_LIMIT else tasks.count()}
