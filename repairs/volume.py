"""Volume data for the repair benchmarks: `seed_volume --repair-orders 1000000` spreads that many
orders over the last 24 months, on 4,000 units in 20 buildings, with 30 technicians."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone

from archives.models import Building, Floor, Unit
from crm.models import User
from crm.roles import Role
from repairs.models import Category, RepairOrder, Technician

BATCH = 5000


def add_arguments(parser) -> None:
    parser.add_argument("--repair-orders", type=int, default=0, help="how many repair orders over 24 months")


def seed(options: dict, log: Callable[[str], None]) -> None:
    wanted = options["repair_orders"]
    if not wanted:
        return
    existing = RepairOrder.objects.filter(number__startswith="V").count()
    if existing >= wanted:
        log(f"repairs: {existing} volume orders already there")
        return
    started = perf_counter()
    units = _units()
    technicians = _technicians()
    creator = User.objects.filter(role=Role.FRONT_DESK).first() or technicians[0].user
    rng = random.Random(existing)
    for start in range(existing, wanted, BATCH):
        with transaction.atomic():
            RepairOrder.objects.bulk_create(
                [_order(rng, n, units, technicians, creator) for n in range(start, min(start + BATCH, wanted))],
                batch_size=BATCH,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE repairs_repairorder")
    log(f"repairs: {wanted - existing} orders in {perf_counter() - started:.0f} s")


def _units() -> list[int]:
    if Unit.objects.filter(floor__building__code__startswith="vol").count() < 4000:
        for b in range(20):
            building, _ = Building.objects.get_or_create(
                code=f"vol{b:02d}", defaults={"name": f"Volume tower {b}", "zone": f"zone-{b % 4}"}
            )
            floors = [Floor.objects.get_or_create(building=building, number=f)[0] for f in range(1, 21)]
            Unit.objects.bulk_create(
                [Unit(floor=floor, number=f"{floor.number}{u:02d}") for floor in floors for u in range(1, 11)],
                ignore_conflicts=True,
            )
    return list(Unit.objects.filter(floor__building__code__startswith="vol").values_list("pk", flat=True))


def _technicians() -> list[Technician]:
    technicians = []
    for n in range(30):
        user, _ = User.objects.get_or_create(username=f"vol-tech-{n:02d}", defaults={"role": Role.TECHNICIAN})
        technician, _ = Technician.objects.get_or_create(
            user=user, defaults={"specialties": [Category.values[n % 6], Category.values[(n + 1) % 6]]}
        )
        technicians.append(technician)
    return technicians


def _order(rng: random.Random, n: int, units: list[int], technicians: list[Technician], creator: User) -> RepairOrder:
    now = timezone.now()
    logged = now - timedelta(minutes=rng.randint(0, 24 * 30 * 24 * 60))
    appointment = logged + timedelta(hours=rng.choice([2, 4, 24]))
    done = (now - logged).days > 2 and rng.random() < 0.93
    arrived = appointment + timedelta(minutes=rng.choice([-20, -5, 0, 5, 9, 12, 30]))
    paid = done and rng.random() < 0.55
    return RepairOrder(
        number=f"V{n:08d}",
        unit_id=rng.choice(units),
        contact_name="租户",
        contact_phone="010-6505 1234",
        channel=rng.choice(RepairOrder.Channel.values),
        category=rng.choice(Category.values),
        urgency=rng.choice(["normal", "normal", "normal", "urgent"]),
        description="报修",
        appointment_at=appointment,
        created_at=logged,
        created_by=creator,
        status=rng.choice(["completed", "closed", "closed"]) if done else rng.choice(["new", "cancelled"]),
        technician=rng.choice(technicians) if done else None,
        assigned_at=logged + timedelta(minutes=15) if done else None,
        arrived_at=arrived if done else None,
        on_time=(arrived <= appointment + timedelta(minutes=10)) if done else None,
        consented_at=arrived + timedelta(minutes=5) if done else None,
        completed_at=arrived + timedelta(minutes=rng.randint(30, 180)) if done else None,
        total=Decimal(rng.choice([50, 80, 135, 200, 320])) if paid else Decimal("0"),
        compensation=Decimal("100") if done and rng.random() < 0.01 else Decimal("0"),
        reopen_count=1 if done and rng.random() < 0.03 else 0,
        signature="M 1 1 L 2 2 L 3 3" if done else "",
    )
