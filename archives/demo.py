"""Demo property for `manage.py seed_demo`: three buildings, their floors and units, and the
tenancies of the demo tenant clients (one of them moved out). Idempotent."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from archives.models import Building, Floor, Tenancy, Unit
from clients.models import Client

BUILDINGS = [("A", "国贸大厦 A 座", "east"), ("B", "国贸大厦 B 座", "east"), ("W", "望京 SOHO", "north")]
FLOORS = range(10, 16)
UNITS_PER_FLOOR = 4


@transaction.atomic
def seed() -> int:
    created = 0
    for code, name, zone in BUILDINGS:
        defaults = {"name": name, "zone": zone, "address": "北京市朝阳区建国门外大街1号"}
        building, _ = Building.objects.get_or_create(code=code, defaults=defaults)
        for number in FLOORS:
            floor, _ = Floor.objects.get_or_create(building=building, number=number)
            for index in range(1, UNITS_PER_FLOOR + 1):
                _unit, made = Unit.objects.get_or_create(
                    floor=floor, number=f"{number}{index:02d}", defaults={"area": 80 + index * 35, "usage": "办公"}
                )
                created += made
    if not Tenancy.objects.exists():
        created += _tenancies()
    return created


def _tenancies() -> int:
    units = list(Unit.objects.select_related("floor__building").order_by("floor__building__code", "number"))
    tenants = list(Client.objects.filter(kind__in=[Client.Kind.TENANT, Client.Kind.CORPORATE]).order_by("code"))
    rows = []
    for index, client in enumerate(tenants):
        unit = units[index * 2]
        label = client.name if index != 3 else "旧公司名称有限公司"  # one file label out of date (ARC-4)
        Unit.objects.filter(pk=unit.pk).update(file_label=label)
        rows.append(Tenancy(unit=unit, client=client, company_name=client.name, move_in=date(2024, 3 + index % 9, 1)))
    # A moved-out tenant on the first unit: its file is kept apart from the current one (ARC-5).
    if tenants:
        rows.append(
            Tenancy(
                unit=units[0],
                client=tenants[-1],
                company_name=f"{tenants[-1].name}（已退租）",
                move_in=date(2021, 5, 1),
                move_out=date(2023, 12, 31),
            )
        )
    Tenancy.objects.bulk_create(rows)
    return len(rows)
