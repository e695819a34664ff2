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
from repairs import statistics, workflow
from repairs.models import Callback, Category, FeeItem, RepairOrder, Technician
from repairs.services import repair_order_create
from repairs.workflow import LineInput

FEES = [
    ("call-out", "上门服务费", "labour", "", "次", 30),
    ("tap-replace", "更换水龙头（人工）", "labour", "plumbing", "个", 50),
    ("pipe-unblock", "疏通下水道", "labour", "plumbing", "次", 80),
    ("socket-replace", "更换插座（人工）", "labour", "electrical", "个", 25),
    ("lamp-replace", "更换灯具（人工）", "labour", "electrical", "个", 30),
    ("lock-core", "更换锁芯（人工）", "labour", "locks", "个", 60),
    ("ac-clean", "空调清洗", "labour", "hvac", "台", 120),
    ("tap", "水龙头", "material", "plumbing", "个", 85),
    ("socket", "五孔插座", "material", "electrical", "个", 18),
    ("lock-cylinder", "锁芯", "material", "locks", "个", 95),
]
PROBLEMS = {
    "plumbing": ["厨房水龙头漏水", "卫生间下水道堵塞", "马桶一直流水"],
    "electrical": ["会议室插座没电", "走廊灯不亮", "烧水壶一开就跳闸"],
    "locks": ["办公室门锁打不开", "钥匙断在锁里"],
    "hvac": ["空调不制冷", "空调噪音很大"],
    "carpentry": ["柜门合页松动"],
    "other": ["窗帘轨道脱落"],
}
SIGNATURE = "M 40 120 L 80 60 L 120 140 L 160 70 L 200 130 M 230 100 L 320 95"


def seed() -> int:
    linked = _orders_from_complaints()  # tenants' complaints about defects (CLI-6 → REP-1)
    if RepairOrder.objects.exclude(complaint__isnull=False).exists():
        return linked
    with transaction.atomic():
        fees = {
            code: FeeItem.objects.get_or_create(
                code=code,
                defaults={"name": name, "kind": kind, "category": category, "unit": unit, "price": Decimal(price)},
            )[0]
            for code, name, kind, category, unit, price in FEES
        }
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
        created = _orders(random.Random(4), fees, techs)
    now = timezone.localdate()
    for months_back in (2, 1):
        month = (now.replace(day=1) - timedelta(days=28 * months_back)).replace(day=1)
        statistics.monthly_report_generate(month=month)
        for callback in Callback.objects.filter(month=month, result=Callback.Result.PENDING)[:4]:
            statistics.callback_record(
                callback=callback,
                result=random.Random(callback.pk).choice(
                    [Callback.Result.SATISFIED] * 3 + [Callback.Result.UNSATISFIED]
                ),
                note="电话回访",
                by=None,
            )
    return created


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
    order = workflow.consent(order=order, by=tech.user)
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
    for field, after in (("consented_at", 10), ("completed_at", 70), ("closed_at", 60 * 24)):
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
