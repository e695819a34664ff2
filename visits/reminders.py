"""Reminders of the visit plan (VIS-6): planned visits and phone follow-ups due today or overdue,
and key accounts whose on-site cadence is missed; the account manager's part of the 07:30 digest
and the managers' Monday digest of their team.

"Without duplicates" (the same rule as the client follow-ups of ``clients.services``):

* a planned item gets ONE in-app notification, keyed ``visit:<id>:<planned day>``, on the first
  run on or after its day; while it stays overdue the next mornings add none, moving it to another
  day makes a new one. A visit booked at the last visit (VIS-4) is also the client's next contact
  date, which the follow-up reminder already covers: such a visit is left out here;
* a key account past its cadence gets one, keyed ``cadence:client:<id>:<day it fell due>``
  (``never`` when it has had no on-site contact at all); the next on-site contact moves the day;
* the 07:30 digest (one per account manager and day, ``clients.digest``) lists every item due or
  overdue each morning; the Monday digest is one per manager and ISO week.

All keys are unique per recipient, so a rerun the same day creates nothing. Every kind of
reminder is read in one query for all account managers, never one per client.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.models import Client, Interaction
from crm.models import Notification, User
from crm.roles import Role
from crm.services import notification_create
from visits.calendar import month_start, next_month
from visits.models import MonthPlan, Visit

ONSITE_CONTACTS = (Interaction.Kind.VISIT, Interaction.Kind.MEETING)
CADENCE_STATUSES = (Client.Status.PROSPECT, Client.Status.ACTIVE)  # as plan generation


# --- reads ------------------------------------------------------------------------------------


def due_visits(today: date) -> QuerySet[Visit]:
    """Planned visits and phone follow-ups due ``today`` or overdue, of every account manager."""
    return Visit.objects.filter(status=Visit.Status.PLANNED, planned_for__lte=today)


def without_booked_followups(visits: QuerySet[Visit]) -> QuerySet[Visit]:
    """Leave out the visits that are also their client's next contact date: the follow-up
    reminder already tells about them (one reminder per booking, not two)."""
    return visits.exclude(client__next_contact_date=F("planned_for"))


@dataclass(frozen=True)
class MissedCadence:
    client: Client
    cadence: int
    last_contact: date | None  # the last on-site contact; None: never

    @property
    def due(self) -> date | None:
        return None if self.last_contact is None else self.last_contact + timedelta(days=self.cadence)

    def days_since(self, today: date) -> int | None:
        return None if self.last_contact is None else (today - self.last_contact).days


def missed_cadences(today: date, clients: QuerySet[Client]) -> list[MissedCadence]:
    """The key accounts among ``clients`` whose last on-site contact (a logged visit or meeting,
    or a done on-site visit of the plan) is older than their cadence, or who never had one.
    One query, whatever the number of clients."""
    return [entry for entry in cadences(clients) if entry.due is None or entry.due < today]


def cadences(clients: QuerySet[Client]) -> list[MissedCadence]:
    """Every key account among ``clients`` (of a status that is visited) with its cadence and last
    on-site contact, late or not. One query."""
    last_talk = (
        Interaction.objects.filter(client=OuterRef("pk"), kind__in=ONSITE_CONTACTS)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    last_visit = (
        Visit.objects.filter(client=OuterRef("pk"), status=Visit.Status.DONE, kind=Visit.Kind.ONSITE)
        .order_by("-done_on")
        .values("done_on")[:1]
    )
    rows = (
        clients.filter(is_key_account=True, key_account__isnull=False, status__in=CADENCE_STATUSES)
        .annotate(
            cadence=F("key_account__visit_cadence_days"),
            last_talk=Subquery(last_talk),
            last_visit=Subquery(last_visit),
        )
        .select_related("owner")
        .order_by("owner_id", "name", "pk")
    )
    entries = []
    for client in rows:
        days = [d for d in (client.last_visit, client.last_talk and timezone.localdate(client.last_talk)) if d]
        entries.append(MissedCadence(client=client, cadence=client.cadence, last_contact=max(days) if days else None))
    return entries


def visit_key(visit: Visit) -> str:
    return f"visit:{visit.pk}:{visit.planned_for.isoformat()}"


def cadence_key(entry: MissedCadence) -> str:
    return f"cadence:client:{entry.client.pk}:{entry.due.isoformat() if entry.due else 'never'}"


def _visit_line(visit: Visit, today: date) -> str:
    late = _(", overdue") if visit.planned_for < today else ""
    return f"- {visit.client.name} ({visit.client.code}), {visit.planned_for}: {visit.get_kind_display()}{late}"


def _cadence_line(entry: MissedCadence, today: date) -> str:
    client = entry.client
    if entry.last_contact is None:
        said = _("never visited on site, every %(cadence)d days") % {"cadence": entry.cadence}
    else:
        said = _("last on-site contact %(day)s (%(days)d days ago), every %(cadence)d days") % {
            "day": entry.last_contact,
            "days": entry.days_since(today),
            "cadence": entry.cadence,
        }
    return f"- {client.name} ({client.code}): {said}"


def _reminded_visits(today: date) -> QuerySet[Visit]:
    return (
        without_booked_followups(due_visits(today))
        .filter(owner__is_active=True)
        .select_related("client")
        .order_by("owner_id", "planned_for", "client__name", "pk")
    )


# --- the account manager's sections of the 07:30 digest (registered in visits.registrations) ---


def digest_visit_lines(today: date) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = defaultdict(list)
    for visit in _reminded_visits(today):
        lines[visit.owner_id].append(_visit_line(visit, today))
    return lines


def digest_visit_heading(count: int) -> str:
    return ngettext("%(count)d planned visit or call is due", "%(count)d planned visits or calls are due", count) % {
        "count": count
    }


def digest_cadence_lines(today: date) -> dict[int, list[str]]:
    lines: dict[int, list[str]] = defaultdict(list)
    for entry in missed_cadences(today, Client.objects.filter(owner__is_active=True)):
        lines[entry.client.owner_id].append(_cadence_line(entry, today))
    return lines


def digest_cadence_heading(count: int) -> str:
    return ngettext(
        "%(count)d key account is past its visit cadence", "%(count)d key accounts are past their visit cadence", count
    ) % {"count": count}


def plan_link() -> str:
    return reverse("visits:home")


def key_accounts_link() -> str:
    return reverse("clients:key_accounts")


# --- writes -----------------------------------------------------------------------------------


def visit_reminders_send(*, today: date | None = None) -> int:
    """One in-app notification per due item (see the module's rule); the e-mail is the digest.
    Returns the number of new notifications."""
    today = today or timezone.localdate()
    rows = [
        Notification(
            recipient_id=visit.owner_id,
            key=visit_key(visit),
            level=Notification.Level.REMINDER,
            title=(
                _("%(kind)s: %(client)s (due %(date)s)")
                % {"kind": visit.get_kind_display(), "client": visit.client.name, "date": visit.planned_for}
            )[:200],
            body=visit.note,
            link=reverse("clients:detail", args=[visit.client_id]),
            send_email=False,
        )
        for visit in _reminded_visits(today)
    ]
    for entry in missed_cadences(today, Client.objects.filter(owner__is_active=True)):
        rows.append(
            Notification(
                recipient_id=entry.client.owner_id,
                key=cadence_key(entry),
                level=Notification.Level.REMINDER,
                title=(_("Key account %(client)s is due for an on-site visit") % {"client": entry.client.name})[:200],
                body=_cadence_line(entry, today)[2:],
                link=reverse("clients:detail", args=[entry.client.pk]),
                send_email=False,
            )
        )
    with transaction.atomic():
        known = set(Notification.objects.filter(key__in=[row.key for row in rows]).values_list("recipient_id", "key"))
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return sum((row.recipient_id, row.key) not in known for row in rows)


def team_digest_key(today: date) -> str:
    year, week, _day = today.isocalendar()
    return f"visits-team-digest:{year}-W{week:02d}"


def team_digest_send(*, today: date | None = None) -> int:
    """The managers' Monday digest: per account manager of the team, the overdue visits,
    follow-ups and missed key-account cadences, and the plans of this month (and next month once
    opened) not approved yet. One per manager and ISO week, only when there is something to say.
    Returns the number of digests created."""
    today = today or timezone.localdate()
    managers = list(User.objects.filter(role=Role.MANAGER, is_active=True, team__isnull=False).order_by("pk"))
    teams = {manager.team_id for manager in managers}
    ams = User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True, team_id__in=teams).order_by("username")
    members: dict[int, list[User]] = defaultdict(list)
    for am in ams:
        members[am.team_id].append(am)
    team_owners = Q(owner__team_id__in=teams, owner__is_active=True)
    late_visits = dict(
        Visit.objects.filter(team_owners, status=Visit.Status.PLANNED, planned_for__lt=today)
        .values_list("owner_id")
        .annotate(n=Count("pk"))
    )
    late_followups = dict(
        Client.objects.filter(team_owners, next_contact_date__lt=today).values_list("owner_id").annotate(n=Count("pk"))
    )
    late_cadences: dict[int, int] = defaultdict(int)
    for entry in missed_cadences(today, Client.objects.filter(team_owners)):
        late_cadences[entry.client.owner_id] += 1
    plans: dict[int, list[MonthPlan]] = defaultdict(list)
    for plan in (
        MonthPlan.objects.filter(team_owners, month__in=[month_start(today), next_month(today)])
        .exclude(status=MonthPlan.Status.APPROVED)
        .select_related("owner")
        .order_by("month", "owner__username")
    ):
        plans[plan.owner.team_id].append(plan)
    created = 0
    for manager in managers:
        overdue = [
            {
                "am": am.get_full_name() or am.username,
                "visits": late_visits.get(am.pk, 0),
                "followups": late_followups.get(am.pk, 0),
                "cadences": late_cadences.get(am.pk, 0),
            }
            for am in members[manager.team_id]
            if late_visits.get(am.pk) or late_followups.get(am.pk) or late_cadences.get(am.pk)
        ]
        plan_rows = [
            {
                "owner": plan.owner.get_full_name() or plan.owner.username,
                "month": f"{plan.month:%Y-%m}",
                "status": plan.status,
            }
            for plan in plans[manager.team_id]
        ]
        if not overdue and not plan_rows:
            continue
        # Figures only: the lines are written in the manager's language when read (visits.messages).
        _notification, new = notification_create(
            recipient=manager,
            key=team_digest_key(today),
            level=Notification.Level.REMINDER,
            message="visits.team_digest",
            params={"overdue": overdue, "plans": plan_rows},
            link=reverse("home"),
        )
        created += new
    return created
