"""Reads of client files: the card, its timeline, the key-account list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext as _

from clients.models import CampaignContact, Client, ClientFilePolicy, Complaint, Contact, Interaction, Lead
from clients.services import grading_run_number
from crm.models import User
from crm.panels import client_timeline_sources
from crm.roles import Role

TIMELINE_PER_SOURCE = 40
TIMELINE_LENGTH = 60


def client_list(user: User) -> QuerySet[Client]:
    """The rows of the client list: one query whatever the page size."""
    return Client.objects.visible_to(user).select_related("owner", "territory").order_by("name", "pk")


def client_card(user: User, pk: int) -> Client:
    from crm.permissions import get_visible_or_404

    # The review period comes with the row (CLI-4): the card's flag costs no query of its own.
    period = ClientFilePolicy.objects.filter(pk=1).values("review_after_days")[:1]
    return get_visible_or_404(
        Client.objects.select_related("owner", "territory", "key_account")
        .prefetch_related("contacts")
        .annotate(review_after_days=Subquery(period)),
        user,
        pk=pk,
    )


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # interaction, complaint, feedback, demand, campaign, change; potential (from grading)
    icon: str
    title: str
    body: str = ""
    actor: Any = None
    link: str = ""
    extra: str = ""


def client_timeline(client: Client) -> list[TimelineEntry]:
    """Everything that happened with the client, newest first: one query per source."""
    entries: list[TimelineEntry] = []
    for i in client.interactions.select_related("recorded_by")[:TIMELINE_PER_SOURCE]:
        extra = ""
        if i.next_contact_date:
            extra = _("Next contact %(date)s: %(step)s") % {"date": i.next_contact_date, "step": i.next_step or "—"}
        entries.append(
            TimelineEntry(
                i.occurred_at, "interaction", _icon(i.kind), i.get_kind_display(), i.outcome, i.recorded_by, extra=extra
            )
        )
    for c in client.complaints.select_related("filed_by")[:TIMELINE_PER_SOURCE]:
        entries.append(
            TimelineEntry(
                c.received_at,
                "complaint",
                "exclamation-octagon",
                _("Complaint: %(subject)s") % {"subject": c.subject},
                c.description,
                c.filed_by,
                c.get_absolute_url(),
                c.get_status_display(),
            )
        )
    for f in client.feedback.select_related("recorded_by")[:TIMELINE_PER_SOURCE]:
        rating = _("rating %(n)s/5") % {"n": f.rating} if f.rating else ""
        entries.append(
            TimelineEntry(
                f.recorded_at,
                "feedback",
                "chat-square-quote",
                _("Product feedback: %(product)s") % {"product": f.product},
                f.feedback,
                f.recorded_by,
                extra=rating,
            )
        )
    for d in client.demands.select_related("recorded_by")[:TIMELINE_PER_SOURCE]:
        entries.append(
            TimelineEntry(
                d.recorded_at,
                "demand",
                "cart",
                _("Demand: %(product)s × %(qty)s %(unit)s")
                % {"product": d.product, "qty": d.quantity.normalize(), "unit": d.unit},
                d.notes,
                d.recorded_by,
                extra=f"{d.period_start} – {d.period_end}",
            )
        )
    # Campaign contacts, each attempt with its response; the client's place in a campaign's
    # target (or hold-out) is on the campaign page.
    contacts = (
        CampaignContact.objects.filter(member__client=client)
        .select_related("member__campaign", "by")
        .order_by("-at", "-pk")[:TIMELINE_PER_SOURCE]
    )
    for c in contacts:
        campaign = c.member.campaign
        entries.append(
            TimelineEntry(
                c.at,
                "campaign",
                "megaphone",
                _("Campaign %(name)s: %(response)s") % {"name": campaign.name, "response": c.get_response_display()},
                c.note,
                c.by,
                campaign.get_absolute_url(),
                extra=c.get_method_display(),
            )
        )
    members = client.campaign_memberships.filter(group="target", attempts=0, reached_at__isnull=False)
    for m in members.select_related("campaign", "added_by")[:TIMELINE_PER_SOURCE]:
        entries.append(
            TimelineEntry(
                m.reached_at,
                "campaign",
                "megaphone",
                _("Reached by campaign: %(name)s") % {"name": m.campaign.name},
                m.campaign.offer,
                m.added_by,
                m.campaign.get_absolute_url(),
                extra=m.campaign.get_channel_display(),
            )
        )
    entries.extend(_card_changes(client))
    for source in client_timeline_sources:  # entries of the apps above (a potential assessed…)
        entries.extend(source(client))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:TIMELINE_LENGTH]


def _icon(kind: str) -> str:
    return {"visit": "geo-alt", "call": "telephone", "message": "chat-dots", "meeting": "people"}.get(kind, "dot")


def _grade_change(newer, older, run_number: str) -> TimelineEntry:
    """A level written by a grading run (GRD-6): from what to what, by which run (no person)."""
    levels = {
        "old": older.level or _("not graded"),
        "new": newer.level or _("not graded"),
        "run": run_number,
    }
    title = (
        _("Level set by grading run #%(run)s: %(old)s → %(new)s")
        if run_number
        else _("Level set by grading: %(old)s → %(new)s")
    )
    detail = _("Discount tier: %(tier)s") % {"tier": newer.discount_tier} if newer.discount_tier else ""
    return TimelineEntry(newer.history_date, "change", "bar-chart", title % levels, detail)


def _card_changes(client: Client) -> list[TimelineEntry]:
    """The card's change history (CLI-4, X-2): who changed which fields, when."""
    records = list(client.history.select_related("history_user")[: TIMELINE_PER_SOURCE + 1])
    entries = []
    # Rows bulk-inserted by imports or seed_volume have no history: the list may be empty.
    for newer, older in zip(records, [*records[1:], None], strict=False):
        if older is None:
            if len(records) <= TIMELINE_PER_SOURCE:
                entries.append(
                    TimelineEntry(
                        newer.history_date,
                        "change",
                        "file-earmark-plus",
                        _("Client file created"),
                        actor=newer.history_user,
                    )
                )
            continue
        delta = newer.diff_against(older)
        if not delta.changes:
            continue
        run_number = grading_run_number(newer.history_change_reason)
        if run_number is not None:
            entries.append(_grade_change(newer, older, run_number))
            continue
        labels = [str(Client._meta.get_field(change.field).verbose_name) for change in delta.changes]
        entries.append(
            TimelineEntry(
                newer.history_date, "change", "pencil-square", _("Card updated"), ", ".join(labels), newer.history_user
            )
        )
    contact_changes = Contact.history.filter(client_id=client.pk).select_related("history_user")[:TIMELINE_PER_SOURCE]
    verbs = {
        "+": _("Contact added: %(name)s"),
        "~": _("Contact changed: %(name)s"),
        "-": _("Contact removed: %(name)s"),
    }
    for record in contact_changes:
        entries.append(
            TimelineEntry(
                record.history_date,
                "change",
                "person-lines-fill",
                verbs[record.history_type] % {"name": record.name},
                actor=record.history_user,
            )
        )
    return entries


def key_account_list(user: User) -> QuerySet[Client]:
    """Key accounts with their profile and last on-site visit (to flag missed cadence, VIS-2)."""
    return (
        Client.objects.visible_to(user)
        .key_accounts()
        .select_related("owner", "territory", "key_account")
        .annotate(last_visit=Max("interactions__occurred_at", filter=Q(interactions__kind=Interaction.Kind.VISIT)))
        .order_by("name", "pk")  # Meta.ordering does not apply to aggregated queries
    )


def complaint_list(user: User) -> QuerySet[Complaint]:
    return Complaint.objects.visible_to(user).select_related("client", "client__owner", "assignee")


def assignable_owners(user: User, *, active_only: bool = True) -> QuerySet[User]:
    """The account managers ``user`` may give a client to (or filter by): their team's for a
    manager, themselves for an account manager, all for an administrator."""
    owners = User.objects.filter(role=Role.ACCOUNT_MANAGER).order_by("first_name", "username")
    if active_only:
        owners = owners.filter(is_active=True)
    if user.role == Role.MANAGER:
        return owners.filter(team_id=user.team_id)
    if user.role == Role.ACCOUNT_MANAGER:
        return owners.filter(pk=user.pk)
    return owners


# --- the key-account pipeline (MKT-3) ---

BOARD_COLUMN_CARDS = 30


def lead_list(user: User) -> QuerySet[Lead]:
    """The rows of the pipeline list and board: one query whatever the page size."""
    return Lead.objects.visible_to(user).select_related("owner", "client").order_by("-stage_changed_at", "-pk")


@dataclass(frozen=True)
class BoardColumn:
    stage: str
    label: str
    cards: list[Lead]
    count: int
    volume: Decimal

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


def pipeline_board(leads: QuerySet[Lead], *, per_column: int | None = None) -> list[BoardColumn]:
    """The board: one column per stage, its latest cards (a window per stage, one query) and its
    count and expected volume (one GROUP BY query). Two queries, however many cards."""
    ranked = leads.annotate(
        rank=Window(RowNumber(), partition_by=[F("stage")], order_by=[F("stage_changed_at").desc(), F("pk").desc()])
    ).filter(rank__lte=per_column or BOARD_COLUMN_CARDS)
    cards: dict[str, list[Lead]] = {stage: [] for stage in Lead.Stage.values}
    for lead in ranked.order_by("stage", "rank"):
        cards[lead.stage].append(lead)
    totals = {
        row["stage"]: row
        for row in leads.order_by().values("stage").annotate(n=Count("pk"), volume=Sum("expected_volume"))
    }
    return [
        BoardColumn(
            stage=stage,
            label=label,
            cards=cards[stage],
            count=totals.get(stage, {}).get("n", 0),
            volume=totals.get(stage, {}).get("volume") or Decimal("0"),
        )
        for stage, label in Lead.Stage.choices
    ]
