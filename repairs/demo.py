"""Demo repairs for `manage.py seed_demo`: the fee schedule, two technicians and ~80 orders over
the last three months in every state, with the month-end statistics of the past months."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from archives.models import Building, Tenancy
from crm.models import User
from repairs import billing, fees, signoff, statistics, workflow
from repairs.models import Callback, Category, FeeItem, FeeSchedule, RepairOrder, Technician
from repairs.services import repair_order_create
from repairs.workflow import LineInput

# code, name, kind, category, unit, price, usual quantity (a quote of the category starts with it)
FEES = [
    ("call-out", "上门服务费", "labour", "", "次", 30, 0),
    ("tap-replace", "更换水龙头（人工）", "labour", "plumbing", "个", 50, 1),
    ("pipe-unblock", "疏通下水道", "labour", "plumbing", "次", 80, 0),
    ("socket-replace", "更换插座（人工）", "labour", "electrical", "个", 25, 1),
    ("lamp-replace", "更换灯具（人工）", "labour", "electrical", "个", 30, 0),
    ("lock-core", "更换锁芯（人工）", "labour", "locks", "个", 60, 1),
    ("ac-clean", "空调清洗", "labour", "hvac", "台", 120, 1),
    ("tap", "水龙头", "material", "plumbing", "个", 85, 1),
    ("socket", "五孔插座", "material", "electrical", "个", 18, 1),
    ("lock-cylinder", "锁芯", "material", "locks", "个", 95, 1),
]
NEW_PRICES = {"call-out": Decimal(35), "ac-clean": Decimal(150)}
PROBLEMS = {
    "plumbing": ["厨房水龙头漏水", "卫生间下水道堵塞", "马桶一直流水"],
    "electrical": ["会议室插座没电", "走廊灯不亮", "烧水壶一开就跳闸"],
    "locks": ["办公室门锁打不开", "钥匙断在锁里"],
    "hvac": ["空调不制冷", "空调噪音很大"],
    "carpentry": ["柜门合页松动"],
    "other": ["窗帘轨道脱落"],
}
SIGNATURE = "M 40 120 L 80 60 L 120 140 L 160 70 L 200 130 M 230 100 L 320 95"
TECH_SIGNATURE = "M 60 150 L 110 50 L 150 150 M 80 110 L 140 110 M 200 60 L 260 150 L 330 70"


def seed() -> int:
    linked = _orders_from_complaints()  # tenants' complaints about defects (CLI-6 → REP-1)
    if RepairOrder.objects.exclude(complaint__isnull=False).exists():
        return linked
    finance = User.objects.get(username="finance")
    with transaction.atomic():
        items = _first_schedule(finance)
        buildings = {b.code: b for b in Building.objects.all()}
        techs = [
            Technician.objects.get_or_create(
                user=User.objects.get(username="tech1"),
                defaults={"specialties": ["plumbing", "locks", "carpentry"], "base_building": buildings.get("A")},
            )[0],
            Technician.objects.get_or_create(
                user=User.objects.get(username="tech2"),
                defaults={"specialties": ["electrical", "hvac", "other"], "base_building": buildings.get("W")},
            )[0],
        ]
        created = _orders(random.Random(4), items, techs)
        _rework_one()
        _next_schedules(finance)
        _billing(finance)
    now = timezone.localdate()
    chief = User.objects.get(username="supervisor")
    for months_back in (2, 1):
        month = (now.replace(day=1) - timedelta(days=28 * months_back)).replace(day=1)
        statistics.monthly_report_generate(month=month)
        for n, callback in enumerate(Callback.objects.filter(month=month, result=Callback.Result.PENDING)[:4]):
            if months_back == 2 and n == 2:
                # The older month is signed off after two callbacks: the next two show as amendments.
                signoff.month_sign_off(month=month, by=chief)
            statistics.callback_record(
                callback=callback,
                result=random.Random(callback.pk).choice(
                    [Callback.Result.SATISFIED] * 3 + [Callback.Result.UNSATISFIED]
                ),
                note="电话回访",
                by=None,
            )
    return created


def _rework_one() -> None:
    """One reopened order repaired again: a rework in the month it was first completed (REP-7)."""
    order = RepairOrder.objects.filter(status=RepairOrder.Status.ASSIGNED, reopen_count__gt=0).first()
    if order is None:
        return
    tech = order.technician.user
    order = workflow.arrive(order=order, by=tech)
    order = workflow.quote(order=order, lines=[], by=tech)
    order = workflow.consent(order=order, by=tech)
    workflow.complete(
        order=order, by=tech, work_notes="返修：更换密封圈。", signature=SIGNATURE, signed_by=order.contact_name
    )


def _first_schedule(finance: User) -> dict[str, FeeItem]:
    """The schedule the demo's orders were quoted from, in force since a hundred days ago."""
    since = timezone.now() - timedelta(days=100)
    schedule = FeeSchedule.objects.create(
        state=FeeSchedule.State.PUBLISHED,
        effective_from=timezone.localdate(since),
        published_at=since,
        published_by=finance,
        created_by=finance,
        note="2026年有偿服务收费标准，经公司批准执行。",
    )
    return {
        code: FeeItem.objects.create(
            schedule=schedule,
            code=code,
            name=name,
            kind=kind,
            category=category,
            unit=unit,
            price=Decimal(price),
            usual_quantity=Decimal(usual),
        )
        for code, name, kind, category, unit, price, usual in FEES
    }


def _next_schedules(finance: User) -> None:
    """Today's schedule (two prices up: the demo's orders keep their quoted prices) and a draft."""
    draft = fees.fee_schedule_draft(by=finance)
    for item in draft.items.filter(code__in=NEW_PRICES):
        fees.fee_item_save(schedule=draft, item=item, by=finance, price=NEW_PRICES[item.code])
    fees.fee_schedule_publish(
        schedule=draft, effective_from=timezone.localdate(), by=finance, note="上门服务费、空调清洗费调整。"
    )
    draft = fees.fee_schedule_draft(by=finance)
    fees.fee_item_save(
        schedule=draft, by=finance, code="access-card", name="补办门禁卡", kind="material", unit="张", price=Decimal(20)
    )


def _billing(finance: User) -> None:
    """Finance's side of the paid jobs: most copies received, some billed, paid or waived."""
    orders = RepairOrder.objects.filter(billing.billable()).order_by("first_completed_at")
    outcomes = ["paid", "paid", "billed", "paid", "waived", "to_bill"]
    for n, order in enumerate(orders):
        if n % 5 == 4:
            continue  # the finance copy is still at the front desk
        order = billing.finance_copy_receive(order=order, by=finance)
        outcome = outcomes[n % len(outcomes)]
        if outcome != "to_bill":
            reason = "维修质量问题，经工程部同意免收" if outcome == "waived" else ""
            billing.billing_status_set(order=order, status=outcome, reason=reason, by=finance)


def _orders(rng: random.Random, fees: dict, techs: list[Technician]) -> int:
    desk = User.objects.get(username="frontdesk")
    chief = User.objects.get(username="supervisor")
    tenancies = list(Tenancy.objects.current().select_related("unit", "client"))
    now = timezone.now()
    for n in range(80):
        tenancy = tenancies[n % len(tenancies)]
        category = rng.choice(Category.values)
        # The last dozen are from the last two days and still moving, one in each open state.
        recent = n >= 68
        logged = now - timedelta(days=rng.randint(0, 1) if recent else rng.randint(3, 88), hours=rng.randint(0, 8))
        appointment = logged + timedelta(hours=rng.choice([2, 4, 24]))
        order = repair_order_create(
            unit=tenancy.unit,
            contact_name=tenancy.client.name[:20],
            contact_phone="010-6505 1234",
            channel=rng.choice(RepairOrder.Channel.values),
            category=category,
            urgency=rng.choice(["normal"] * 4 + ["urgent", "emergency"]),
            description=rng.choice(PROBLEMS[category]),
            appointment_at=appointment,
            by=desk,
        )
        # Recent orders are still moving; older ones are mostly done (some cancelled or reopened).
        open_stages = ["new", "assigned", "arrived", "quoted", "in_progress"]
        done_stages = ["completed"] * 3 + ["closed"] * 5 + ["cancelled", "reopened"]
        stage = open_stages[n % 5] if recent else rng.choice(done_stages)
        _advance(order, stage, rng, fees, techs, chief, desk)
        _backdate(order, logged, appointment, rng)
    return 80


def _advance(order, stage, rng, fees, techs, chief, desk) -> None:
    if stage == "new":
        return
    if stage == "cancelled":
        workflow.cancel(order=order, by=desk, note="租户已自行处理")
        return
    tech = next((t for t in techs if order.category in t.specialties), techs[0])
    order = workflow.assign(order=order, technician=tech, by=chief)
    if stage == "assigned":
        return
    order = workflow.arrive(
        order=order, by=tech.user, at=order.appointment_at + timedelta(minutes=rng.choice([-20, -5, 0, 5, 8, 15, 40]))
    )
    if stage == "arrived":
        return
    items = [fee for fee in fees.values() if fee.category in (order.category, "")][:3]
    lines = [LineInput(item, Decimal(rng.choice([1, 1, 2]))) for item in rng.sample(items, k=min(2, len(items)))]
    if rng.random() < 0.25:
        lines = []  # free repairs exist too (not in the paid-service register)
    order = workflow.quote(order=order, lines=lines, by=tech.user)
    if stage == "quoted":
        return
    # Some jobs need the tenant's furniture moved (a cabinet, a desk): agreed before the work.
    moved = order.category in ("hvac", "carpentry") and rng.random() < 0.5
    order = workflow.consent(
        order=order, by=tech.user, furniture_moved=moved, furniture_consent_by=order.contact_name if moved else ""
    )
    if stage == "in_progress":
        return
    damage = "划伤墙面" if rng.random() < 0.08 else ""
    order = workflow.complete(
        order=order,
        by=tech.user,
        work_notes="已维修并测试，现场已清理。",
        signature=SIGNATURE,
        signed_by=order.contact_name,
        damage=damage,
        compensation=Decimal("100") if damage else Decimal("0"),
        technician_signature=TECH_SIGNATURE,
    )
    if stage in ("closed", "reopened"):
        order = workflow.close(order=order, by=chief)
    if stage == "reopened":
        workflow.reopen(order=order, by=desk, note="客户反映问题复发")


def _backdate(order, logged, appointment, rng) -> None:
    """Put the order's timestamps where they would have been (the workflow stamped them "now")."""
    order.refresh_from_db()
    changes = {"created_at": logged}
    if order.assigned_at:
        changes["assigned_at"] = logged + timedelta(minutes=20)
    base = order.arrived_at or appointment
    for field, after in (
        ("consented_at", 10),
        ("furniture_consent_at", 10),
        ("completed_at", 70),
        ("first_completed_at", 70),
        ("closed_at", 60 * 24),
    ):
        if getattr(order, field) is not None:
            changes[field] = base + timedelta(minutes=after)
    RepairOrder.objects.filter(pk=order.pk).update(**changes)
    order.events.update(at=logged)


def _orders_from_complaints() -> int:
    """A repair order for each tenant's complaint about a defect (archives' demo files them)."""
    from clients.models import Complaint

    if RepairOrder.objects.filter(complaint__isnull=False).exists():
        return 0
    desk = User.objects.filter(username="frontdesk").first()
    complaints = Complaint.objects.filter(
        kind=Complaint.Kind.PROPERTY, category=Complaint.Category.REPAIR, repair_orders__isnull=True
    ).select_related("client")
    created = 0
    for complaint in complaints:
        tenancy = Tenancy.objects.current().filter(client=complaint.client).select_related("unit").first()
        if desk is None or tenancy is None:
            continue
        repair_order_create(
            unit=tenancy.unit,
            contact_name=complaint.client.name[:20],
            contact_phone="010-6505 1234",
            channel=RepairOrder.Channel.PHONE,
            category=Category.PLUMBING if "漏水" in complaint.subject else Category.HVAC,
            urgency="urgent",
            description=f"{complaint.subject}\n{complaint.description}",
            appointment_at=complaint.received_at + timedelta(hours=3),
            by=desk,
            complaint=complaint,
        )
        created += 1
    return created
