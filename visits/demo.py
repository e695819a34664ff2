"""Demo visit plans for `manage.py seed_demo`: the holiday calendar, last month's and this month's
approved plans of am1 and am2 with visits done on their day, done late, missed, overdue and
unplanned, market information, and last month's territory reports. Idempotent."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from clients.models import Client, Interaction
from crm.models import User
from visits import generation, reports, services
from visits.calendar import is_working_day, month_end, month_start, previous_month
from visits.contacts import contacts_refresh
from visits.models import CalendarDay, MarketInfo, MarketReport, MonthPlan, TeamMonth, Visit, VisitPolicy

# China's public holidays on weekdays and the weekend days worked instead (调休), 2026–2027.
HOLIDAYS = [
    ("2026-01-01", "元旦"), ("2026-01-02", "元旦"),
    ("2026-02-16", "春节"), ("2026-02-17", "春节"), ("2026-02-18", "春节"), ("2026-02-19", "春节"),
    ("2026-02-20", "春节"), ("2026-02-23", "春节"),
    ("2026-04-06", "清明节"),
    ("2026-05-01", "劳动节"), ("2026-05-04", "劳动节"), ("2026-05-05", "劳动节"),
    ("2026-06-19", "端午节"),
    ("2026-09-25", "中秋节"),
    ("2026-10-01", "国庆节"), ("2026-10-02", "国庆节"), ("2026-10-05", "国庆节"), ("2026-10-06", "国庆节"),
    ("2026-10-07", "国庆节"),
    ("2027-01-01", "元旦"),
]  # fmt: skip
SWAPPED = [
    ("2026-01-04", "元旦调休"), ("2026-02-14", "春节调休"), ("2026-02-28", "春节调休"), ("2026-05-09", "劳动节调休"),
    ("2026-09-20", "国庆节调休"), ("2026-10-10", "国庆节调休"),
]  # fmt: skip

OUTCOMES = {
    Visit.Kind.ONSITE: [
        "查看陈列，补货到位，老板对新品有兴趣",
        "谈下季度订货量，客户希望增加品种",
        "送去促销物料，讲解返利政策",
        "客户反映资金紧张，约定月底回款",
        "检查库存，提醒及时订货",
    ],
    Visit.Kind.PHONE: [
        "电话回访，订货正常",
        "电话确认到货情况，无异议",
        "提醒本周订货截止时间",
        "了解竞品促销情况",
    ],
}
PRODUCTS = [
    ("红塔山（经典）", "10.00"),
    ("玉溪（软）", "23.00"),
    ("黄鹤楼（硬金砂）", "19.00"),
    ("中华（硬）", "45.00"),
]
COMPETITION = ["对手推出买十送一活动", "隔壁店铺降价两元", "竞品新包装上架", ""]
SHELF = ["主陈列位，库存约 3 条", "陈列偏低，建议调整", "断货两天", "库存充足"]
CONDITION = ["生意稳定", "客流下降，老板考虑转型", "新开分店", "节前备货，销量上升"]
DEMAND = ["希望增加细支烟品种", "询问高端礼盒", "春节前需要加量", ""]


def seed() -> int:
    from visits import target_demo

    return _plans() + target_demo.seed()


def _plans() -> int:
    if MonthPlan.objects.exists():
        return 0
    rng = random.Random(10)
    today = timezone.localdate()
    created = _calendar()
    policy = VisitPolicy.current()
    manager = User.objects.get(username="manager")
    admin = User.objects.get(username="admin")
    people = [User.objects.get(username=name) for name in ("am1", "am2")]
    with transaction.atomic():
        for month in (previous_month(today), month_start(today)):
            for owner in people:
                decider = manager if owner.team_id == manager.team_id else admin
                plan = _plan(owner=owner, month=month, policy=policy, by=decider)
                created += 1 + _work_through(plan, rng=rng, today=today)
                if month == month_start(today):
                    created += _today(plan, today=today)
        for owner in people:  # two visits outside the plan, logged yesterday
            for client in Client.objects.filter(owner=owner, status="active").order_by("-code")[:2]:
                day = max(today - timedelta(days=1), month_start(today))
                if day < today and not Visit.objects.filter(client=client, done_on=day).exists():
                    services.visit_log(
                        client=client,
                        by=owner,
                        kind=Visit.Kind.PHONE,
                        outcome=rng.choice(OUTCOMES[Visit.Kind.PHONE]),
                        occurred_on=day,
                    )
                    created += 1
        created += _reports(today=today, manager=manager, admin=admin)
        contacts_refresh()  # the demo's own contacts were bulk-loaded by the clients' seed
    return created


SECTIONS = {
    "summary": "本月片区整体平稳，A 级客户拜访全部完成，新品黄鹤楼（硬金砂）铺货率提升。",
    "competition": "竞品在东城区推出买十送一，部分零售户价格下调约 2 元，需关注。",
    "demand": "节前备货需求上升，客户希望增加细支烟和高端礼盒的供应。",
    "actions": "下月重点拜访降级客户；配合促销活动做好陈列；跟进两起未结投诉。",
}


def _reports(*, today: date, manager: User, admin: User) -> int:
    """The territory reports of the last two months: the older ones reviewed except one never
    written (late); last month's one submitted, the others still drafts (late once due)."""
    older, last = previous_month(previous_month(today)), previous_month(today)
    created = reports.report_drafts_create(older) + reports.report_drafts_create(last)
    for report in MarketReport.objects.filter(month__in=[older, last]).select_related("responsible", "territory"):
        if report.responsible is None or report.territory.code == "xicheng":
            continue  # xicheng's account manager has not written them: late
        if report.month == last and report.territory.code != "dongcheng":
            continue
        submitted = reports.report_submit(report=report, by=report.responsible, sections=SECTIONS)
        if report.month == older:
            decider = manager if report.responsible.team_id == manager.team_id else admin
            reports.report_review(report=submitted, by=decider, note="分析到位，按措施执行")
        # Written on time: the day before it was due (the demo is loaded later than that).
        on_time = timezone.make_aware(datetime.combine(report.due_date - timedelta(days=1), time(17)))
        MarketReport.objects.filter(pk=report.pk).update(
            submitted_at=min(on_time, timezone.now()),
            reviewed_at=on_time + timedelta(hours=16) if report.month == older else None,
        )
    return created


def _calendar() -> int:
    rows = [CalendarDay(date=date.fromisoformat(d), name=n) for d, n in HOLIDAYS]
    rows += [CalendarDay(date=date.fromisoformat(d), name=n, is_working=True) for d, n in SWAPPED]
    return len(CalendarDay.objects.bulk_create(rows, ignore_conflicts=True))


def _plan(*, owner: User, month: date, policy: VisitPolicy, by: User) -> MonthPlan:
    """An approved plan, generated as the manager's button does (also for last month, which the
    button refuses: the demo starts with history)."""
    team_month, _created = TeamMonth.objects.get_or_create(
        team=owner.team,
        month=month,
        defaults={"created_by": by, "policy": policy, "focus_product": "黄鹤楼（硬金砂）", "min_coverage": 80},
    )
    plan = MonthPlan.objects.create(owner=owner, month=month, team_month=team_month)
    generation.insert_due_items(policy=policy, month=month, plans={owner.pk: plan.pk}, focus_territory_ids=[])
    submitted = timezone.make_aware(datetime.combine(month - timedelta(days=3), time(17)))
    MonthPlan.objects.filter(pk=plan.pk).update(
        status=MonthPlan.Status.APPROVED,
        submitted_at=submitted,
        decided_by=by,
        decided_at=submitted + timedelta(hours=16),
        decision_note="同意，注意 A 级客户的上门频次",
        version=2,
    )
    plan.visits.update(original_date=F("planned_for"))
    return plan


def _work_through(plan: MonthPlan, *, rng: random.Random, today: date) -> int:
    """Most past visits done on their day, some a day or two late, a few missed (still open,
    so overdue); one moved with its reason. Done visits leave their interaction, and about a
    third of the on-site ones market information."""
    done = 0
    last = min(month_end(plan.month), today - timedelta(days=1))
    for visit in plan.visits.filter(planned_for__lte=last).select_related("client").order_by("planned_for", "pk"):
        roll = rng.random()
        if roll < 0.08:
            continue  # missed: stays planned, overdue
        day = visit.planned_for
        if roll < 0.18:
            day = min(day + timedelta(days=rng.choice([1, 2])), last)
        at = timezone.make_aware(datetime.combine(day, time(rng.randint(9, 16), rng.choice([0, 15, 30, 45]))))
        interaction = Interaction.objects.create(
            client=visit.client,
            kind=Interaction.Kind.VISIT if visit.kind == Visit.Kind.ONSITE else Interaction.Kind.CALL,
            occurred_at=at,
            outcome=rng.choice(OUTCOMES[visit.kind]),
            recorded_by=plan.owner,
        )
        note = "客户临时有事，改到次日" if day > visit.planned_for else ""
        Visit.objects.filter(pk=visit.pk).update(
            status=Visit.Status.DONE, done_on=day, interaction=interaction, note=note
        )
        if visit.kind == Visit.Kind.ONSITE and rng.random() < 0.6:
            product, price = rng.choice(PRODUCTS)
            MarketInfo.objects.create(
                visit=visit,
                client=visit.client,
                territory_id=visit.territory_id,
                product=product,
                price_seen=Decimal(price) + rng.choice([Decimal(0), Decimal("0.5"), Decimal(-1)]),
                competitor_activity=rng.choice(COMPETITION),
                stock_and_shelf=rng.choice(SHELF),
                business_condition=rng.choice(CONDITION),
                demand_signals=rng.choice(DEMAND),
                recorded_by=plan.owner,
                recorded_at=at,
            )
        done += 1
    overdue = plan.visits.filter(status=Visit.Status.PLANNED, planned_for__lt=today).first()
    if overdue is not None:
        Visit.objects.filter(pk=overdue.pk).update(note="客户外出，待重新预约")
    return done


def _today(plan: MonthPlan, *, today: date, wanted: int = 4) -> int:
    """Whatever the day the demo is loaded on, "today" has visits to do: those generated for
    today, else a few added by hand (when today is a working day)."""
    if not is_working_day(today):
        return 0
    have = plan.visits.filter(planned_for=today, status=Visit.Status.PLANNED).count()
    busy = plan.visits.filter(planned_for__gte=today).values("client_id")
    clients = (
        Client.objects.filter(owner=plan.owner, status="active").exclude(pk__in=busy).order_by("territory_id", "code")
    )
    rows = [
        Visit(
            plan=plan,
            owner=plan.owner,
            client=client,
            territory_id=client.territory_id,
            kind=Visit.Kind.ONSITE if index < 2 else Visit.Kind.PHONE,
            source=Visit.Source.ADDED,
            planned_for=today,
            original_date=today,
        )
        for index, client in enumerate(clients[: max(0, wanted - have)])
    ]
    return len(Visit.objects.bulk_create(rows))
