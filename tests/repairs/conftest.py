from datetime import timedelta

import pytest
from django.utils import timezone

from crm.roles import Role
from tests.factories import FeeItemFactory, TechnicianFactory, TenancyFactory, UnitFactory


@pytest.fixture
def desk(make_user):
    return make_user(Role.FRONT_DESK, username="desk")


@pytest.fixture
def supervisor(make_user):
    return make_user(Role.ENGINEERING_SUPERVISOR, username="chief")


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="money")


@pytest.fixture
def tech(db):
    return TechnicianFactory(user__username="tech-a", specialties=["plumbing"])


@pytest.fixture
def other_tech(db):
    return TechnicianFactory(user__username="tech-b", specialties=["electrical"])


@pytest.fixture
def tenancy(alice):
    unit = UnitFactory(number="1203")
    return TenancyFactory(unit=unit, client__owner=alice, client__name="华泰律师事务所")


@pytest.fixture
def fees(db):
    return {
        "labour": FeeItemFactory(code="tap-labour", name="Replace tap (labour)", kind="labour", price=80),
        "tap": FeeItemFactory(code="tap", name="Tap", kind="material", price=120, unit="个"),
    }


@pytest.fixture
def new_order(tenancy, desk):
    from repairs.services import repair_order_create

    return repair_order_create(
        unit=tenancy.unit,
        contact_name="王律师",
        contact_phone="010-6512 3456",
        channel="phone",
        category="plumbing",
        urgency="normal",
        description="Kitchen tap leaking",
        appointment_at=timezone.now() + timedelta(hours=2),
        by=desk,
    )
