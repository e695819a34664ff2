"""Coverage and rotation (VIS-3): who was contacted in a period, how the plans were kept, who is
past the rotation limit, per account manager, and the clients behind each figure.

Definitions (``Scope`` holds the period [start, end] and the filters):

* a *contact* is a done visit (``done_on`` in the period) or any interaction of the client
  (``occurred_at`` on a day of the period); on site: a done on-site visit, or an interaction of
  kind visit or meeting;
* contacted shares, never contacted and past rotation count *active* clients; never contacted:
  no contact up to the period's end; past rotation: no contact from ``end - rotation_days`` to
  ``end`` (the last one is older, or there is none);
* plan compliance counts the planned items (every source but "unplanned") whose day in the
  approved plan (``original_date``, else ``planned_for``) lies in the period: done on their day
  (``done_on`` on or before it), done late, missed (still planned, or removed, and the day is
  past); items still ahead are neither;
* unplanned share: done visits of source "unplanned" among the visits done in the period.

Figures follow the client's current account manager and territory (the portfolio), so a
figure and its drill-down list always agree.

Cost: two aggregate statements whatever the number of clients (``CONTACTS_SQL``, and the plan
items grouped by account manager). For a period that has not ended the contact figures are
column comparisons on each client's contact summary (``ContactSummary``, kept by
``visits.contacts``); for a past period, one index probe of the interactions per client whose
latest contact came after it, and visit probes only where the interactions do not settle it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import IsNull
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Interaction
from crm.models import Team, Territory, User
from visits.models import Visit

ONSITE_KINDS = (Interaction.Kind.VISIT, Interaction.Kind.MEETING)
NOT_GRADED = "none"

# Every figure of the page that drills down to a list of clients, in the page's order.
FIGURES: dict[str, Any] = {
    "active": _("Active clients"),
    "contacted": _("Contacted (any contact)"),
    "contacted_onsite": _("Contacted on site"),
    "not_contacted": _("Not contacted"),
    "on_day": _("Planned items done on their day"),
    "late": _("Planned items done late"),
    "missed": _("Planned items missed"),
    "unplanned": _("Unplanned visits"),
    "never": _("Never contacted"),
    "past_rotation": _("Past the rotation limit"),
}


@dataclass(frozen=True)
class Scope:
    """The period and the slice of the portfolio a coverage page looks at."""

    start: date
    end: date
    rotation_days: int
    today: date = field(default_factory=timezone.localdate)
    team: Team | None = None
    owner: User | None = None
    territory: Territory | None = None
    level: str = ""  # "A"…"D", NOT_GRADED, or "" for every level

    @property
    def rotation_start(self) -> date:
        """The first day of the rotation window that ends with the period."""
        return self.end - timedelta(days=self.rotation_days)


def _at(day: date) -> datetime:
    """The first instant of a local day (interactions are timestamps, periods are days)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _client_filters(scope: Scope, prefix: str = "") -> Q:
    q = Q()
    if scope.team is not None:
        q &= Q(**{f"{prefix}owner__team": scope.team})
    if scope.owner is not None:
        q &= Q(**{f"{prefix}owner": scope.owner})
    if scope.territory is not None:
        q &= Q(**{f"{prefix}territory": scope.territory})
    if scope.level:
        q &= Q(**{f"{prefix}level": "" if scope.level == NOT_GRADED else scope.level})
    return q


def scoped_clients(user: User, scope: Scope) -> QuerySet[Client]:
    """The clients of the scope that ``user`` may see (any status)."""
    return Client.objects.visible_to(user).filter(_client_filters(scope))


def scoped_visits(user: User, scope: Scope) -> QuerySet[Visit]:
    return Visit.objects.visible_to(user).filter(_client_filters(scope, "client__"))


# Per-client conditions, correlated on the client (OuterRef("pk")).


def _interactions(first: date | None, last: date, *, onsite: bool = False) -> QuerySet[Interaction]:
    found = Interaction.objects.filter(client=OuterRef("pk"), occurred_at__lt=_at(last + timedelta(days=1)))
    if first is not None:
        found = found.filter(occurred_at__gte=_at(first))
    return found.filter(kind__in=ONSITE_KINDS) if onsite else found


def _done_visits(first: date | None, last: date, *, onsite: bool = False) -> QuerySet[Visit]:
    found = Visit.objects.filter(client=OuterRef("pk"), status=Visit.Status.DONE, done_on__lte=last)
    if first is not None:
        found = found.filter(done_on__gte=first)
    return found.filter(kind=Visit.Kind.ONSITE) if onsite else found


def _found(rows: QuerySet) -> IsNull:
    """``rows`` is not empty, as a correlated LIMIT 1 probe of an index: PostgreSQL may answer an
    EXISTS by hashing every row of the table, a million interactions, which costs more."""
    return IsNull(Subquery(rows.order_by().values("client_id")[:1]), False)  # in the index: no heap read


def contacted(first: date | None, last: date, *, onsite: bool = False) -> Q:
    """The client had a contact (on site) from ``first`` (None: ever) to ``last``."""
    return Q(_found(_interactions(first, last, onsite=onsite))) | Q(_found(_done_visits(first, last, onsite=onsite)))


def _planned_items(scope: Scope) -> QuerySet[Visit]:
    """The planned items whose day in the plan lies in the period, with that ``day``."""
    return (
        Visit.objects.exclude(source=Visit.Source.UNPLANNED)
        .alias(day=Coalesce("original_date", "planned_for"))
        .filter(day__range=(scope.start, scope.end))
    )


ON_DAY = Q(status=Visit.Status.DONE, done_on__lte=F("day"))
LATE = Q(status=Visit.Status.DONE, done_on__gt=F("day"))


def _missed(scope: Scope) -> Q:
    return Q(status__in=[Visit.Status.PLANNED, Visit.Status.CANCELLED], day__lt=scope.today)


def _figure_condition(figure: str, scope: Scope) -> Q:
    """Which clients a figure counts (``FIGURES``)."""
    active = Q(status=Client.Status.ACTIVE)
    if figure == "active":
        return active
    if figure == "contacted":
        return active & contacted(scope.start, scope.end)
    if figure == "contacted_onsite":
        return active & contacted(scope.start, scope.end, onsite=True)
    if figure == "not_contacted":
        return active & ~contacted(scope.start, scope.end)
    if figure == "never":
        return active & ~contacted(None, scope.end)
    if figure == "past_rotation":
        return active & ~contacted(scope.rotation_start, scope.end)
    items = _planned_items(scope).filter(client=OuterRef("pk"))
    if figure == "on_day":
        return Q(Exists(items.filter(ON_DAY)))
    if figure == "late":
        return Q(Exists(items.filter(LATE)))
    if figure == "missed":
        return Q(Exists(items.filter(_missed(scope))))
    if figure == "unplanned":
        unplanned = Visit.objects.filter(
            client=OuterRef("pk"),
            source=Visit.Source.UNPLANNED,
            status=Visit.Status.DONE,
            done_on__range=(scope.start, scope.end),
        )
        return Q(Exists(unplanned))
    raise KeyError(figure)


def figure_clients(user: User, scope: Scope, figure: str, search: str = "") -> QuerySet[Client]:
    """The clients behind one figure, by name, with their last contact up to the period's end
    (``last_interaction`` and ``last_visit``; ``with_last_contact`` merges them)."""
    clients = scoped_clients(user, scope).filter(_figure_condition(figure, scope))
    if search:
        clients = clients.filter(Q(name__icontains=search) | Q(code__icontains=search.strip().upper()))
    return clients.select_related("owner", "territory").order_by("name", "pk")


@contextmanager
def without_jit() -> Iterator[None]:
    """Reads of the drill-down lists without PostgreSQL's JIT: their per-client probes are
    estimated dear enough to be compiled, which takes longer than running them."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # until this transaction ends
        yield


def with_last_contact(clients: QuerySet[Client], scope: Scope) -> QuerySet[Client]:
    return clients.annotate(
        last_interaction=Subquery(_interactions(None, scope.end).order_by("-occurred_at").values("occurred_at")[:1]),
        last_visit=Subquery(_done_visits(None, scope.end).order_by("-done_on").values("done_on")[:1]),
    )


def last_contact(client: Client) -> date | None:
    """The later of an annotated client's last interaction (as a local day) and last done visit."""
    days = [timezone.localdate(client.last_interaction) if client.last_interaction else None, client.last_visit]
    return max((day for day in days if day is not None), default=None)


# The report: two aggregate statements.

# {clients}: the active clients of the scope contacted after the period's end (none while it
# lasts), with their last interaction up to the end (one index probe each). The visit probes run
# only for the clients the interactions do not settle: the last done visit when the last
# interaction is older than the period's or the rotation window's start, an on-site interaction
# when there was a contact in the period, an on-site visit when there was a contact and no on-site
# interaction. MATERIALIZED keeps each probe to one run per client (inlined, every mention of a
# column would run its subquery again); "(SELECT 1 … LIMIT 1) = 1" rather than EXISTS keeps
# PostgreSQL from hashing all the interactions of the period instead of probing the index.
# {settled}: the other active clients' figures from their summary (``_settled_counts``).
CONTACTS_SQL = """
WITH c AS MATERIALIZED ({clients}),
d AS MATERIALIZED (
  SELECT c.owner_id, c.id, c.last_interaction,
         CASE WHEN c.last_interaction >= %(settled_at)s THEN NULL
              ELSE (SELECT MAX(v.done_on) FROM {visits} v
                     WHERE v.client_id = c.id AND v.status = %(done)s AND v.done_on <= %(end)s) END AS last_visit,
         CASE WHEN c.last_interaction >= %(start_at)s
              THEN CASE WHEN (SELECT 1 FROM {interactions} i
                                WHERE i.client_id = c.id AND i.kind IN (%(visit)s, %(meeting)s)
                                  AND i.occurred_at >= %(start_at)s AND i.occurred_at < %(after_at)s LIMIT 1) = 1
                        THEN 1 ELSE 0 END
              ELSE 0 END AS onsite_interaction
    FROM c
)
SELECT d.owner_id,
       COUNT(*),
       COUNT(CASE WHEN d.last_interaction >= %(start_at)s OR d.last_visit >= %(start)s THEN 1 END),
       COUNT(CASE WHEN d.onsite_interaction = 1 THEN 1
                  WHEN d.last_interaction >= %(start_at)s OR d.last_visit >= %(start)s
                  THEN CASE WHEN (SELECT 1 FROM {visits} v
                                   WHERE v.client_id = d.id AND v.status = %(done)s AND v.kind = %(onsite)s
                                     AND v.done_on >= %(start)s AND v.done_on <= %(end)s LIMIT 1) = 1 THEN 1 END
             END),
       COUNT(CASE WHEN d.last_interaction IS NULL AND d.last_visit IS NULL THEN 1 END),
       COUNT(CASE WHEN d.last_interaction >= %(rotation_at)s OR d.last_visit >= %(rotation)s THEN NULL ELSE 1 END)
  FROM d
 GROUP BY d.owner_id
"""
CONTACT_COLUMNS = ("active", "contacted", "contacted_onsite", "never", "past_rotation")
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(clients|settled)\}")


def _positional(template: str, named: dict[str, Any], inner: dict[str, tuple[str, tuple]]) -> tuple[str, list]:
    """The statement with the inner queries in place and every parameter as a positional %s, in order."""
    params: list = []

    def substitute(match: re.Match) -> str:
        if match.group(1) is None:
            sql, inner_params = inner[match.group(2)]
            params.extend(inner_params)
            return sql
        params.append(named[match.group(1)])
        return "%s"

    return PLACEHOLDER.sub(substitute, template), params


# Each client's latest contacts (ContactSummary, kept by visits.contacts), through the reverse
# one-to-one: a LEFT JOIN, so a client never contacted reads NULL in every column.
SUMMARY = "contact_summary__"


def _after(scope: Scope) -> Q:
    """The client's latest contact came after the period's end: the summary cannot say what it
    was as of the end (a past period), and ``CONTACTS_SQL`` probes the index for it."""
    return Q(**{f"{SUMMARY}last_interaction_at__gte": _at(scope.end + timedelta(days=1))}) | Q(
        **{f"{SUMMARY}last_visit_on__gt": scope.end}
    )


def _settled(scope: Scope) -> Q:
    """The complement of ``_after``, NULL-safe: every latest contact is on or before the end."""
    interaction, visit = f"{SUMMARY}last_interaction_at", f"{SUMMARY}last_visit_on"
    return (Q(**{f"{interaction}__isnull": True}) | Q(**{f"{interaction}__lt": _at(scope.end + timedelta(days=1))})) & (
        Q(**{f"{visit}__isnull": True}) | Q(**{f"{visit}__lte": scope.end})
    )


def _contact_since(day: date, *, onsite: bool = False) -> Q:
    interaction, visit = (
        ("last_onsite_interaction_at", "last_onsite_visit_on")
        if onsite
        else (
            "last_interaction_at",
            "last_visit_on",
        )
    )
    return Q(**{f"{SUMMARY}{interaction}__gte": _at(day)}) | Q(**{f"{SUMMARY}{visit}__gte": day})


def _settled_counts(user: User, scope: Scope) -> QuerySet[Client]:
    """The contact figures of the clients whose latest contacts lie within the period or before
    it (every client, for a period that has not ended): column comparisons, in CONTACT_COLUMNS'
    order after the owner."""
    never = Q(**{f"{SUMMARY}last_interaction_at__isnull": True, f"{SUMMARY}last_visit_on__isnull": True})
    return (
        scoped_clients(user, scope)
        .filter(_settled(scope), status=Client.Status.ACTIVE)
        .values("owner_id")
        .annotate(
            active=Count("pk"),
            contacted=Count("pk", filter=_contact_since(scope.start)),
            contacted_onsite=Count("pk", filter=_contact_since(scope.start, onsite=True)),
            never=Count("pk", filter=never),
            past_rotation=Count("pk") - Count("pk", filter=_contact_since(scope.rotation_start)),
        )
        .order_by()
    )


def _contact_counts(user: User, scope: Scope) -> dict[int, dict[str, int]]:
    """Per account manager: active clients, contacted (any, on site), never, past rotation. One
    statement: the settled clients' figures from their summary, UNION ALL the others' by probes."""
    last_interaction = _interactions(None, scope.end).order_by("-occurred_at").values("occurred_at")[:1]
    probed = (
        scoped_clients(user, scope)
        .filter(_after(scope), status=Client.Status.ACTIVE)
        .annotate(last_interaction=Subquery(last_interaction))
        .order_by()
        .values("id", "owner_id", "last_interaction")
    )
    try:
        inner = {
            "clients": probed.query.sql_with_params(),
            "settled": _settled_counts(user, scope).query.sql_with_params(),
        }
    except EmptyResultSet:  # the gate lets nothing through (e.g. a manager without a team)
        return {}
    ops = connection.ops
    named = {
        "start_at": ops.adapt_datetimefield_value(_at(scope.start)),
        "after_at": ops.adapt_datetimefield_value(_at(scope.end + timedelta(days=1))),
        "rotation_at": ops.adapt_datetimefield_value(_at(scope.rotation_start)),
        "settled_at": ops.adapt_datetimefield_value(_at(max(scope.start, scope.rotation_start))),
        "start": ops.adapt_datefield_value(scope.start),
        "end": ops.adapt_datefield_value(scope.end),
        "rotation": ops.adapt_datefield_value(scope.rotation_start),
        "done": Visit.Status.DONE.value,
        "onsite": Visit.Kind.ONSITE.value,
        "visit": Interaction.Kind.VISIT.value,
        "meeting": Interaction.Kind.MEETING.value,
    }
    template = (CONTACTS_SQL + "UNION ALL\n{settled}").replace("{visits}", Visit._meta.db_table)
    sql, params = _positional(template.replace("{interactions}", Interaction._meta.db_table), named, inner)
    if connection.vendor == "postgresql":
        # Tens of thousands of cheap index probes are estimated dear enough to be JIT-compiled,
        # which costs a second and saves nothing. SET LOCAL in the same query string: it holds
        # for this statement's (implicit) transaction only, and costs no extra round trip.
        sql = "SET LOCAL jit = off; " + sql
    counts: dict[int, dict[str, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for owner_id, *figures in cursor.fetchall():
            mine = counts.setdefault(owner_id, dict.fromkeys(CONTACT_COLUMNS, 0))
            for name, value in zip(CONTACT_COLUMNS, figures, strict=True):
                mine[name] += value or 0
    return counts


def _plan_counts(user: User, scope: Scope) -> dict[int, dict[str, int]]:
    """Per account manager: planned items of the period and how they went; visits done, unplanned."""
    in_plan = ~Q(source=Visit.Source.UNPLANNED) & Q(day__range=(scope.start, scope.end))
    done = Q(status=Visit.Status.DONE, done_on__range=(scope.start, scope.end))
    rows = (
        scoped_visits(user, scope)
        .alias(day=Coalesce("original_date", "planned_for"))
        .filter(in_plan | done)
        .values("client__owner_id")
        .annotate(
            planned=Count("pk", filter=in_plan),
            on_day=Count("pk", filter=in_plan & ON_DAY),
            late=Count("pk", filter=in_plan & LATE),
            missed=Count("pk", filter=in_plan & _missed(scope)),
            done=Count("pk", filter=done),
            unplanned=Count("pk", filter=done & Q(source=Visit.Source.UNPLANNED)),
        )
        .order_by()
    )
    return {row.pop("client__owner_id"): row for row in rows}


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Row:
    """One account manager's figures (or the total of the scope: ``owner`` None)."""

    owner: User | None
    active: int = 0
    contacted: int = 0
    contacted_onsite: int = 0
    never: int = 0
    past_rotation: int = 0
    planned: int = 0
    on_day: int = 0
    late: int = 0
    missed: int = 0
    done: int = 0
    unplanned: int = 0

    COUNTS = (
        "active",
        "contacted",
        "contacted_onsite",
        "never",
        "past_rotation",
        "planned",
        "on_day",
        "late",
        "missed",
        "done",
        "unplanned",
    )

    @property
    def not_contacted(self) -> int:
        return self.active - self.contacted

    @property
    def due(self) -> int:
        """Planned items whose day has come: the base of compliance (later ones may still be done)."""
        return self.on_day + self.late + self.missed

    @property
    def upcoming(self) -> int:
        return self.planned - self.due

    @property
    def contacted_share(self) -> float | None:
        return _share(self.contacted, self.active)

    @property
    def onsite_share(self) -> float | None:
        return _share(self.contacted_onsite, self.active)

    @property
    def compliance(self) -> float | None:
        return _share(self.on_day, self.due)

    @property
    def late_share(self) -> float | None:
        return _share(self.late, self.due)

    @property
    def missed_share(self) -> float | None:
        return _share(self.missed, self.due)

    @property
    def unplanned_share(self) -> float | None:
        return _share(self.unplanned, self.done)

    def add(self, other: Row) -> None:
        for name in self.COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Report:
    scope: Scope
    total: Row
    rows: list[Row]

    def chart(self) -> dict[str, list]:
        """The per-account-manager bars: contacted share and plan compliance (%)."""
        return {
            "labels": [str(row.owner) for row in self.rows],
            "contacted": [row.contacted_share for row in self.rows],
            "compliance": [row.compliance for row in self.rows],
        }


def coverage_report(user: User, scope: Scope) -> Report:
    """The page's figures per account manager and in total: three queries whatever the number of
    clients (contacts, plans, the account managers' names)."""
    contacts = _contact_counts(user, scope)
    plans = _plan_counts(user, scope)
    owners = User.objects.in_bulk(contacts.keys() | plans.keys())
    rows = [
        Row(owner=owner, **contacts.get(pk, {}), **plans.get(pk, {}))
        for pk, owner in sorted(owners.items(), key=lambda item: (str(item[1]).lower(), item[0]))
    ]
    total = Row(owner=None)
    for row in rows:
        total.add(row)
    return Report(scope=scope, total=total, rows=rows)
