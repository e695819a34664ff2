# ruff: noqa: S608  (the SQL is built from constant table names and placeholders; every value is a parameter)
"""Volume data for the visit benchmarks, made with the volume clients (`seed_volume --clients N`).

For every account manager of every team: last month's approved plan, with visits done on their
day, done late (with the reason), missed, removed, and unplanned visits; this month's approved
plan, done in part up to yesterday; market information from some of the on-site visits; and
China's 2026 public holidays with their swapped working days (调休), written before the plans so
generation respects them.

The plans come from the real generation (``visits.services.month_open``, set-based, one call per
team and month); their outcomes are then written by a few UPDATE and INSERT … SELECT statements
over the plans just made. Generation keeps every plan that exists, so a second run makes no plan
and therefore writes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone

from crm.models import Team, User
from crm.roles import Role
from visits import services
from visits.calendar import month_end, month_start, previous_month, working_days
from visits.contacts import contacts_refresh
from visits.models import CalendarDay, MonthPlan, Visit

# The State Council's 2026 arrangement: (first day, last day, name) of each holiday, and the
# weekend days worked instead (调休).
HOLIDAYS_2026 = [
    (date(2026, 1, 1), date(2026, 1, 3), "元旦"),
    (date(2026, 2, 15), date(2026, 2, 23), "春节"),
    (date(2026, 4, 4), date(2026, 4, 6), "清明节"),
    (date(2026, 5, 1), date(2026, 5, 5), "劳动节"),
    (date(2026, 6, 19), date(2026, 6, 21), "端午节"),
    (date(2026, 9, 25), date(2026, 9, 27), "中秋节"),
    (date(2026, 10, 1), date(2026, 10, 7), "国庆节"),
]
SWAPPED_2026 = [
    (date(2026, 1, 4), "元旦调休"),
    (date(2026, 2, 14), "春节调休"),
    (date(2026, 2, 28), "春节调休"),
    (date(2026, 5, 9), "劳动节调休"),
    (date(2026, 9, 20), "国庆节调休"),
    (date(2026, 10, 10), "国庆节调休"),
]

# What happens to a planned visit of the past, by its id modulo 20: a deterministic spread.
DONE_LATE = (12, 13, 14, 15)  # 20 %: done 1–3 days after its day, with the reason
MISSED = (16, 17)  # 10 %: still planned, overdue
REMOVED = (18,)  # 5 %: taken out of the plan, with the reason
# the other 65 % are done on their day
UNPLANNED_EVERY = 40  # one active or prospect client in 40 gets an unplanned visit each month
MARKET_EVERY = 5  # one done on-site visit in 5 brings market information


def add_arguments(parser) -> None:
    parser.add_argument("--no-visits", action="store_true", help="skip the visit plans (made with --clients otherwise)")


@dataclass
class Seeded:
    """What one run wrote, per table."""

    holidays: int = 0
    plans: int = 0
    visits: int = 0
    unplanned: int = 0
    market: int = 0
    plan_ids: dict[date, list[int]] = field(default_factory=dict)


def seed(options: dict, log: Callable[[str], None]) -> None:
    if options.get("clients"):
        from visits import target_volume

        target_volume.seed(log)
    if not options.get("clients") or options.get("no_visits"):
        return
    started = perf_counter()
    if connection.vendor == "postgresql":
        # Generation plans its joins from the statistics: right after the bulk inserts of the
        # clients there are none, and PostgreSQL then takes 25,000 clients for one and repeats
        # the interaction aggregate for each of them (minutes instead of seconds).
        with connection.cursor() as cursor:
            for table in ("clients_client", "clients_interaction", "clients_keyaccountprofile"):
                cursor.execute(f"ANALYZE {table}")
    done = populate(today=timezone.localdate())
    contacts_refresh()  # the interactions and visits were bulk-inserted: no signal kept the summary
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (
                "visits_monthplan",
                "visits_visit",
                "visits_marketinfo",
                "visits_calendarday",
                "visits_contactsummary",
            ):
                cursor.execute(f"ANALYZE {table}")
    if not done.plans:
        log("visits: every account manager already has last month's and this month's plan")
        return
    log(
        f"visits: {done.plans} plans with {done.visits} planned and {done.unplanned} unplanned visits, "
        f"{done.market} market information rows, {done.holidays} calendar days in {perf_counter() - started:.0f} s"
    )


def populate(*, today: date) -> Seeded:
    """Holidays, then last month's and this month's plans of every account manager who has none,
    with their outcomes as of ``today``."""
    done = Seeded(holidays=_holidays())
    this = month_start(today)
    for month in (previous_month(this), this):
        with transaction.atomic():
            plan_ids = []
            for team in Team.objects.filter(members__role=Role.ACCOUNT_MANAGER, members__is_active=True).distinct():
                plan_ids += _plans(team, month)
            done.plan_ids[month] = plan_ids
            if not plan_ids:
                continue
            done.plans += len(plan_ids)
            done.visits += Visit.objects.filter(plan_id__in=plan_ids).count()
            _outcomes(plan_ids, today)
            done.unplanned += _unplanned(plan_ids, month, today)
            _contacts(plan_ids)
            done.market += _market(plan_ids)
    return done


def _holidays() -> int:
    days = [
        CalendarDay(date=first + timedelta(days=n), is_working=False, name=name)
        for first, last, name in HOLIDAYS_2026
        for n in range((last - first).days + 1)
    ]
    days += [CalendarDay(date=day, is_working=True, name=name) for day, name in SWAPPED_2026]
    before = CalendarDay.objects.count()
    # An entry an administrator already made for the day is kept.
    CalendarDay.objects.bulk_create(days, ignore_conflicts=True)
    return CalendarDay.objects.count() - before


def _decider(team: Team) -> User | None:
    """The team's manager; the volume teams get one (their plans need a manager to approve them)."""
    manager = User.objects.filter(team=team, role=Role.MANAGER, is_active=True).order_by("pk").first()
    if manager is None and team.name.startswith("Volume team"):
        manager, created = User.objects.get_or_create(
            username=f"vol-mgr-{team.name.removeprefix('Volume team').strip()}",
            defaults={"role": Role.MANAGER, "team": team},
        )
        if created:
            manager.set_unusable_password()
            manager.save(update_fields=["password"])
    return manager or User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()


def _plans(team: Team, month: date) -> list[int]:
    """Generate the team's month (only for account managers without a plan) and approve it."""
    by = _decider(team)
    if by is None:
        return []
    generated = services.month_open(team=team, month=month, by=by, today=month)
    if not generated.plan_ids:
        return []
    opened = timezone.make_aware(datetime.combine(month - timedelta(days=3), time(10)))
    MonthPlan.objects.filter(pk__in=generated.plan_ids).update(
        status=MonthPlan.Status.APPROVED,
        version=2,
        submitted_at=opened,
        decided_by=by,
        decided_at=opened + timedelta(days=1),
    )
    return generated.plan_ids


def _sql() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "late": "LEAST(v.planned_for + CAST(1 + v.id %% 3 AS integer), %s)",
            "at_ten": "(v.done_on + TIME '02:00')",  # 10:00 in Shanghai, stored in UTC
            "at_three": "(v.done_on + TIME '07:00')",
        }
    return {
        "late": "MIN(date(v.planned_for, '+' || (1 + v.id %% 3) || ' days'), %s)",
        "at_ten": "(v.done_on || ' 02:00:00')",
        "at_three": "(v.done_on || ' 07:00:00')",
    }


def _day(value: date) -> date | str:
    """A date parameter: SQLite stores dates as ISO text."""
    return value if connection.vendor == "postgresql" else value.isoformat()


def _in(ids: list[int]) -> str:
    return ", ".join(["%s"] * len(ids))


def _outcomes(plan_ids: list[int], today: date) -> None:
    """Approve every item (its day becomes the one compliance is measured against, as
    plan_approve does) and play out the ones planned before ``today``: done on their day, done
    late, missed or removed. One UPDATE, so each new row is rewritten once (a second pass over
    150,000 fresh rows costs as much as generating them)."""
    late = _sql()["late"]
    past = "v.planned_for < %s"
    bucket = "v.id %% 20"
    late_in, removed_in, missed_in = (
        f"{bucket} IN ({_in(DONE_LATE)})",
        f"{bucket} IN ({_in(REMOVED)})",
        f"{bucket} IN ({_in(MISSED)})",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE visits_visit AS v
                SET original_date = v.planned_for,
                    status = CASE WHEN NOT ({past}) OR {missed_in} THEN 'planned'
                                  WHEN {removed_in} THEN 'cancelled' ELSE 'done' END,
                    done_on = CASE WHEN NOT ({past}) OR {missed_in} OR {removed_in} THEN NULL
                                   WHEN {late_in} THEN {late} ELSE v.planned_for END,
                    note = CASE WHEN NOT ({past}) THEN v.note
                                WHEN {late_in} THEN '客户临时不在，改日补访'
                                WHEN {removed_in} THEN '客户停业装修，本月不拜访' ELSE v.note END,
                    version = CASE WHEN NOT ({past}) OR {missed_in} THEN 0 ELSE 1 END
                WHERE v.plan_id IN ({_in(plan_ids)}) AND v.status = 'planned'""",
            [
                *(_day(today), *MISSED),
                *REMOVED,
                *(_day(today), *MISSED, *REMOVED),
                *DONE_LATE,
                _day(today),
                *(_day(today), *DONE_LATE, *REMOVED),
                *(_day(today), *MISSED),
                *plan_ids,
            ],
        )


def _contacts(plan_ids: list[int]) -> None:
    """Each done visit's contact in the client's history, as logging it writes one (on-site at
    10:00, calls at 15:00): coverage reads contacts from the interactions first. The visits are
    not linked back to them (a bulk match by client and time could pair two visits of one day)."""
    sql = _sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO clients_interaction
                    (client_id, kind, occurred_at, outcome, next_step, next_contact_date, recorded_by_id)
                SELECT v.client_id, CASE WHEN v.kind = 'onsite' THEN 'visit' ELSE 'call' END,
                       CASE WHEN v.kind = 'onsite' THEN {sql["at_ten"]} ELSE {sql["at_three"]} END,
                       CASE WHEN v.kind = 'onsite' THEN '上门拜访，查看陈列' ELSE '电话回访，订货正常' END,
                       '', NULL, v.owner_id
                FROM visits_visit v
                WHERE v.plan_id IN ({_in(plan_ids)}) AND v.status = 'done' AND v.interaction_id IS NULL""",
            plan_ids,
        )


def _unplanned(plan_ids: list[int], month: date, today: date) -> int:
    """Unplanned visits (logged without a plan item) on the month's working days before today."""
    days = [d for d in working_days(month, month_end(month)) if d < today]
    if not days:
        return 0
    values = ", ".join(["(%s, %s)"] * len(days))
    before = Visit.objects.filter(plan_id__in=plan_ids, source=Visit.Source.UNPLANNED).count()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH w(pos, day) AS (VALUES {values})
                INSERT INTO visits_visit
                    (plan_id, owner_id, client_id, territory_id, kind, source, status, planned_for,
                     original_date, done_on, interaction_id, note, version, created_at)
                SELECT p.id, c.owner_id, c.id, c.territory_id,
                       CASE WHEN c.id %% 2 = 0 THEN 'onsite' ELSE 'phone' END, 'unplanned', 'done', NULL,
                       NULL, w.day, NULL, '', 0, %s
                FROM clients_client c
                JOIN visits_monthplan p ON p.owner_id = c.owner_id
                JOIN w ON w.pos = (c.id / %s) %% %s
                WHERE p.id IN ({_in(plan_ids)}) AND c.status IN ('active', 'prospect') AND c.id %% %s = 7""",
            [
                *(v for pos, day in enumerate(days) for v in (pos, _day(day))),
                timezone.now(),
                UNPLANNED_EVERY,
                len(days),
                *plan_ids,
                UNPLANNED_EVERY,
            ],
        )
    # (SQLite gives no row count for an INSERT that starts with WITH.)
    return Visit.objects.filter(plan_id__in=plan_ids, source=Visit.Source.UNPLANNED).count() - before


def _market(plan_ids: list[int]) -> int:
    """Market information from one done on-site visit in ``MARKET_EVERY``, recorded that day."""
    sql = _sql()
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO visits_marketinfo
                    (visit_id, client_id, territory_id, product, competitor_activity, price_seen,
                     stock_and_shelf, business_condition, demand_signals, notes, recorded_by_id, recorded_at)
                SELECT v.id, v.client_id, v.territory_id,
                       CASE v.id %% 4 WHEN 0 THEN '结算套餐' WHEN 1 THEN '冷链配送'
                                      WHEN 2 THEN 'Premium Tea' ELSE '办公用品' END,
                       CASE WHEN v.id %% 3 = 0 THEN '竞品买一送一促销' ELSE '' END,
                       CASE WHEN v.id %% 2 = 0 THEN 20 + v.id %% 80 END,
                       CASE WHEN v.id %% 3 = 1 THEN '货架位置靠后，库存两周' ELSE '' END,
                       CASE WHEN v.id %% 7 = 0 THEN '客流下降，资金偏紧' ELSE '经营正常' END,
                       CASE WHEN v.id %% 5 = 0 THEN '下月有批量采购意向' ELSE '' END,
                       '', v.owner_id, {sql["at_ten"]}
                FROM visits_visit v
                WHERE v.plan_id IN ({_in(plan_ids)}) AND v.status = 'done' AND v.kind = 'onsite'
                  AND v.id %% %s = 0""",
            [*plan_ids, MARKET_EVERY],
        )
        return cursor.rowcount
