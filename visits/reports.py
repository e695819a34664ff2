"""The monthly territory market reports (市场分析报告, VIS-7): services and selectors.

On the 1st a draft per territory is assembled from last month's market information, coverage,
level movements, complaints and demand, with aggregate SQL grouped by territory (a handful of
queries whatever the number of clients). The responsible account manager writes the analysis
and submits it by the policy's due day; a manager reviews it or returns it. Every state change
is a conditional UPDATE on status and version: of two concurrent decisions exactly one wins."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, Complaint, DemandRecord, Interaction
from crm.history import record_update
from crm.models import Notification, Territory, User
from crm.roles import Role
from crm.services import notification_create
from grading.models import ClientScore, GradingRun
from visits.calendar import month_end, month_start, next_month, previous_month
from visits.models import MarketInfo, MarketReport, Visit, VisitPolicy

LATEST_ENTRIES = 20  # the market information texts a report quotes, newest first
LEVEL_RANK = {"A": 4, "B": 3, "C": 2, "D": 1}
EDITABLE = (MarketReport.Status.DRAFT, MarketReport.Status.RETURNED)
SECTIONS = ("summary", "competition", "demand", "actions")
CENT = Decimal("0.01")


# --- figures ----------------------------------------------------------------------------------


def _window(month: date) -> tuple[datetime, datetime]:
    """The month as aware datetimes [first day 00:00, next month's first day 00:00), local time."""
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(month, time.min), tz),
        timezone.make_aware(datetime.combine(next_month(month), time.min), tz),
    )


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP))


def _market(month: date) -> dict[int, dict[str, Any]]:
    start, end = _window(month)
    rows = MarketInfo.objects.filter(territory__isnull=False, recorded_at__gte=start, recorded_at__lt=end)
    figures: dict[int, dict[str, Any]] = defaultdict(lambda: {"count": 0, "products": [], "latest": []})
    for row in rows.values("territory_id").annotate(n=Count("pk")).order_by():
        figures[row["territory_id"]]["count"] = row["n"]
    products = (
        rows.values("territory_id", "product")
        .annotate(n=Count("pk"), priced=Count("price_seen"), avg=Avg("price_seen"), low=Min("price_seen"))
        .annotate(high=Max("price_seen"))
        .order_by("territory_id", "-n", "product")
    )
    for row in products:
        figures[row["territory_id"]]["products"].append(
            {
                "product": row["product"],
                "count": row["n"],
                "priced": row["priced"],
                "avg_price": _money(row["avg"]),
                "min_price": _money(row["low"]),
                "max_price": _money(row["high"]),
            }
        )
    # The newest entries of each territory: one query, ranked per territory by a window function.
    latest = (
        rows.annotate(
            rank=Window(
                RowNumber(), partition_by=[F("territory_id")], order_by=[F("recorded_at").desc(), F("pk").desc()]
            )
        )
        .filter(rank__lte=LATEST_ENTRIES)
        .values("territory_id", "recorded_at", "client__name", "product", "price_seen", *MarketInfo.TOPICS)
        .order_by("territory_id", "-recorded_at", "-pk")
    )
    for row in latest:
        figures[row["territory_id"]]["latest"].append(
            {
                "date": timezone.localdate(row["recorded_at"]).isoformat(),
                "client": row["client__name"],
                "product": row["product"],
                "price": _money(row["price_seen"]),
                **{topic: row[topic] for topic in MarketInfo.TOPICS},
            }
        )
    return figures


def _coverage(month: date) -> dict[int, dict[str, Any]]:
    start, end = _window(month)
    contacted = Exists(
        Interaction.objects.filter(client=OuterRef("pk"), occurred_at__gte=start, occurred_at__lt=end)
    ) | Exists(
        Visit.objects.filter(
            client=OuterRef("pk"), status=Visit.Status.DONE, done_on__gte=month, done_on__lte=month_end(month)
        )
    )
    figures: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"active_clients": 0, "contacted": 0, "contacted_share": None, "onsite_visits": 0}
    )
    clients = (
        Client.objects.filter(status=Client.Status.ACTIVE, territory__isnull=False)
        .values("territory_id")
        .annotate(active=Count("pk"), reached=Count("pk", filter=Q(contacted)))
        .order_by()
    )
    for row in clients:
        share = (Decimal(100 * row["reached"]) / row["active"]).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        figures[row["territory_id"]].update(
            active_clients=row["active"], contacted=row["reached"], contacted_share=str(share)
        )
    visits = (
        Visit.objects.filter(
            territory__isnull=False,
            kind=Visit.Kind.ONSITE,
            status=Visit.Status.DONE,
            done_on__gte=month,
            done_on__lte=month_end(month),
        )
        .values("territory_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in visits:
        figures[row["territory_id"]]["onsite_visits"] = row["n"]
    return figures


def _last_run(month: date) -> GradingRun | None:
    return (
        GradingRun.objects.filter(status=GradingRun.Status.DONE, as_of__gte=month, as_of__lte=month_end(month))
        .order_by("-as_of", "-started_at", "-pk")
        .first()
    )


def _levels(month: date) -> dict[int, dict[str, Any]]:
    """Clients whose level changed between the last grading run of the previous month and the
    last of this month, grouped by the territory they had when graded this month."""
    current, before = _last_run(month), _last_run(previous_month(month))

    def empty() -> dict[str, Any]:
        return {
            "run": current.as_of.isoformat() if current else None,
            "previous_run": before.as_of.isoformat() if before else None,
            "up": 0,
            "down": 0,
            "by_level": [{"level": level, "up": 0, "down": 0} for level in LEVEL_RANK],
            "moves": [],
        }

    figures: dict[int, dict[str, Any]] = defaultdict(empty)
    if current is None or before is None:
        return figures
    previous_level = ClientScore.objects.filter(run=before, client=OuterRef("client")).values("level")[:1]
    moves = (
        ClientScore.objects.filter(run=current, territory__isnull=False)
        .annotate(was=Subquery(previous_level))
        .filter(was__isnull=False)
        .exclude(was=F("level"))
        .values("territory_id", "was", "level")
        .annotate(n=Count("pk"))
        .order_by("territory_id", "was", "level")
    )
    for row in moves:
        entry = figures[row["territory_id"]]
        old, new = LEVEL_RANK.get(row["was"]), LEVEL_RANK.get(row["level"])
        entry["moves"].append({"from": row["was"], "to": row["level"], "count": row["n"]})
        if old is None or new is None:  # graded for the first time, or no longer graded
            continue
        direction = "up" if new > old else "down"
        entry[direction] += row["n"]
        next(item for item in entry["by_level"] if item["level"] == row["level"])[direction] += row["n"]
    return figures


def _complaints(month: date) -> dict[int, dict[str, Any]]:
    start, end = _window(month)
    done = (Complaint.Status.RESOLVED, Complaint.Status.CLOSED)
    rows = (
        Complaint.objects.filter(client__territory__isnull=False, received_at__gte=start, received_at__lt=end)
        .values("client__territory_id")
        .annotate(n=Count("pk"), open=Count("pk", filter=~Q(status__in=done)))
        .order_by()
    )
    figures: dict[int, dict[str, Any]] = defaultdict(lambda: {"count": 0, "open": 0})
    for row in rows:
        figures[row["client__territory_id"]] = {"count": row["n"], "open": row["open"]}
    return figures


def _demand(month: date) -> dict[int, list[dict[str, Any]]]:
    start, end = _window(month)
    rows = (
        DemandRecord.objects.filter(client__territory__isnull=False, recorded_at__gte=start, recorded_at__lt=end)
        .values("client__territory_id", "product", "unit")
        .annotate(quantity=Sum("quantity"), n=Count("pk"))
        .order_by("client__territory_id", "-quantity", "product", "unit")
    )
    figures: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        figures[row["client__territory_id"]].append(
            {"product": row["product"], "unit": row["unit"], "quantity": _money(row["quantity"]), "records": row["n"]}
        )
    return figures


def report_figures(month: date) -> dict[int, dict[str, Any]]:
    """Every territory's figures for ``month``, keyed by territory id (JSON-serialisable)."""
    month = month_start(month)
    market, coverage, levels = _market(month), _coverage(month), _levels(month)
    complaints, demand = _complaints(month), _demand(month)
    return {
        pk: {
            "month": f"{month:%Y-%m}",
            "market": market[pk],
            "coverage": coverage[pk],
            "levels": levels[pk],
            "complaints": complaints[pk],
            "demand": demand[pk],
        }
        for pk in Territory.objects.values_list("pk", flat=True)
    }


def responsible_by_territory() -> dict[int, int]:
    """The account manager who owns most active clients of each territory (ties: the lower id),
    from one GROUP BY query."""
    rows = (
        Client.objects.filter(
            status=Client.Status.ACTIVE,
            territory__isnull=False,
            owner__role=Role.ACCOUNT_MANAGER,
            owner__is_active=True,
        )
        .values("territory_id", "owner_id")
        .annotate(n=Count("pk"))
        .order_by("territory_id", "-n", "owner_id")
    )
    chosen: dict[int, int] = {}
    for row in rows:
        chosen.setdefault(row["territory_id"], row["owner_id"])
    return chosen


def due_date_for(month: date, policy: VisitPolicy | None = None) -> date:
    """The policy's due day of the month after the report's month."""
    policy = policy or VisitPolicy.current()
    return next_month(month_start(month)).replace(day=policy.report_due_day)


def report_drafts_create(month: date | None = None) -> int:
    """One draft report per territory for ``month`` (default: the previous month); returns how
    many were created. Reruns and concurrent runs add nothing: the report is unique per territory
    and month and one that exists is never touched (its author may be writing already)."""
    month = month_start(month) if month else previous_month(timezone.localdate())
    existing = set(MarketReport.objects.filter(month=month).values_list("territory_id", flat=True))
    territories = list(Territory.objects.exclude(pk__in=existing).order_by("pk"))
    if not territories:
        return 0
    figures, responsible = report_figures(month), responsible_by_territory()
    due = due_date_for(month)
    created = 0
    for territory in territories:  # one row per territory (tens), each saved with its history
        _report, made = MarketReport.objects.get_or_create(
            territory=territory,
            month=month,
            defaults={
                "responsible_id": responsible.get(territory.pk),
                "due_date": due,
                "figures": figures[territory.pk],
            },
        )
        created += made
    return created


# --- writes of the responsible and the manager ---------------------------------------------------


def decider_refusal(report: MarketReport, user: User) -> str | None:
    """Why ``user`` may not review or return the report, or None: a manager of the territory's
    team or of the responsible's team, or an administrator."""
    if user.role == Role.ADMIN:
        return None
    teams = {report.territory.team_id, report.responsible.team_id if report.responsible else None} - {None}
    if user.role != Role.MANAGER or user.team_id is None or user.team_id not in teams:
        return _("Only a manager of the territory's team reviews its report.")
    return None


def can_decide(report: MarketReport, user: User) -> bool:
    return report.status == MarketReport.Status.SUBMITTED and decider_refusal(report, user) is None


def can_write(report: MarketReport, user: User) -> bool:
    return report.status in EDITABLE and report.responsible_id is not None and report.responsible_id == user.pk


def _author_check(report: MarketReport, by: User) -> None:
    if report.responsible_id is None or report.responsible_id != by.pk:
        raise ValidationError(_("Only the responsible account manager writes this report."))


def _change(
    report: MarketReport, *, by: User, expect: tuple[str, ...], seen_version: int, message: str, **changes: Any
) -> MarketReport:
    updated = MarketReport.objects.filter(pk=report.pk, status__in=expect, version=seen_version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise ValidationError(message)
    # The UPDATE bypasses simple-history: saving the fresh row writes the audit record, with who.
    return record_update(report, by, fields=("status", *changes))


CHANGED = _("The report changed meanwhile (saved, submitted or decided by someone else); reload the page.")


def report_save(*, report: MarketReport, by: User, sections: dict[str, str], seen_version: int) -> MarketReport:
    """The responsible account manager writes the analysis sections (while draft or returned)."""
    _author_check(report, by)
    changes = {name: str(sections.get(name, "")).strip() for name in SECTIONS}
    with transaction.atomic():
        return _change(report, by=by, expect=EDITABLE, seen_version=seen_version, message=str(CHANGED), **changes)


def report_submit(
    *, report: MarketReport, by: User, seen_version: int | None = None, sections: dict[str, str] | None = None
) -> MarketReport:
    """Hand the written report to the manager (saving ``sections`` first, when given, in the same
    transaction); the summary must be written."""
    _author_check(report, by)
    seen = report.version if seen_version is None else seen_version
    summary = sections.get("summary", "") if sections is not None else report.summary
    if not str(summary).strip():
        raise ValidationError({"summary": _("Write the summary before submitting the report.")})
    with transaction.atomic():
        if sections is not None:
            report = report_save(report=report, by=by, sections=sections, seen_version=seen)
            seen = report.version
        return _change(
            report,
            by=by,
            expect=EDITABLE,
            seen_version=seen,
            message=_("The report is no longer a draft (submitted already?); reload the page."),
            status=MarketReport.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )


def _decide(report: MarketReport, by: User, note: str, status: str, seen_version: int | None) -> MarketReport:
    refusal = decider_refusal(report, by)
    if refusal:
        raise ValidationError(refusal)
    with transaction.atomic():
        return _change(
            report,
            by=by,
            expect=(MarketReport.Status.SUBMITTED,),
            seen_version=report.version if seen_version is None else seen_version,
            message=_("The report is no longer waiting for review (decided by someone else?); reload the page."),
            status=status,
            reviewed_by=by,
            reviewed_at=timezone.now(),
            review_note=note.strip()[:500],
        )


def report_review(*, report: MarketReport, by: User, note: str = "", seen_version: int | None = None) -> MarketReport:
    """The manager has read the submitted report (it is kept as it is)."""
    return _decide(report, by, note, MarketReport.Status.REVIEWED, seen_version)


def report_return(*, report: MarketReport, by: User, note: str, seen_version: int | None = None) -> MarketReport:
    """Send the report back with what to change; the account manager rewrites and resubmits."""
    if not note.strip():
        raise ValidationError({"note": _("Say what to change when returning a report.")})
    return _decide(report, by, note, MarketReport.Status.RETURNED, seen_version)


# --- late reports -----------------------------------------------------------------------------------


def report_late_remind(today: date | None = None) -> int:
    """Remind the responsible and the team's managers of each report past its due day and not
    submitted; once per report, recipient and day, whatever the reruns. Returns how many
    notifications were created."""
    today = today or timezone.localdate()
    late = list(
        MarketReport.objects.filter(status__in=EDITABLE, due_date__lt=today).select_related("territory", "responsible")
    )
    if not late:
        return 0
    teams = {r.territory.team_id for r in late} | {r.responsible.team_id for r in late if r.responsible}
    managers: dict[int, list[User]] = defaultdict(list)
    for user in User.objects.filter(role=Role.MANAGER, is_active=True, team_id__in=teams - {None}):
        managers[user.team_id].append(user)
    created = 0
    for report in late:
        recipients = {m.pk: m for m in managers[report.territory.team_id]}
        if report.responsible:
            recipients.update({m.pk: m for m in managers[report.responsible.team_id]})
            if report.responsible.is_active:
                recipients[report.responsible.pk] = report.responsible
        params = {
            "territory": report.territory.name,
            "month": f"{report.month:%Y-%m}",
            "due": report.due_date.isoformat(),
        }
        for recipient in recipients.values():
            _n, made = notification_create(
                recipient=recipient,
                key=f"visits:report-late:{report.pk}:{today.isoformat()}",
                message="visits.report_late",
                params=params,
                link=reverse("visits:report", args=[report.pk]),
                level=Notification.Level.REMINDER,
            )
            created += made
    return created


# --- selectors ----------------------------------------------------------------------------------------


def reports_for(user: User) -> QuerySet[MarketReport]:
    """The reports ``user`` may open, with what the list shows (constant queries)."""
    return MarketReport.objects.visible_to(user).select_related("territory", "responsible", "reviewed_by")


def late_q(today: date | None = None) -> Q:
    """The database twin of ``MarketReport.is_late``."""
    today = today or timezone.localdate()
    return Q(submitted_at__isnull=True, due_date__lt=today) | Q(
        submitted_at__isnull=False, submitted_at__date__gt=F("due_date")
    )
