"""The data migration of issue 13: completed orders get their first completion and rework count
from their events (a reopened order recompleted twice: first completion kept, two reworks)."""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from repairs.models import FeeSchedule, RepairEvent, RepairOrder
from tests.factories import RepairOrderFactory, TechnicianFactory, UserFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("repairs.migrations.0007_first_fee_schedule")


def test_orders_completed_before_get_their_first_completion_and_reworks():
    actor = UserFactory()
    first = timezone.now() - timedelta(days=40)
    order = RepairOrderFactory(
        technician=TechnicianFactory(),
        status="completed",
        consented_at=first,
        completed_at=first + timedelta(days=9),
        signature="M 1 1 L 2 2",
    )
    for days in (0, 4, 9):  # completed, reopened, completed again, reopened, completed again
        RepairEvent.objects.create(
            order=order, action="complete", to_status="completed", actor=actor, at=first + timedelta(days=days)
        )
    never = RepairOrderFactory()
    RepairOrder.objects.update(first_completed_at=None, rework_count=0)
    migration.forwards(apps, None)
    order.refresh_from_db()
    assert (order.first_completed_at, order.rework_count) == (first, 2)
    assert RepairOrder.objects.get(pk=never.pk).first_completed_at is None
    assert not FeeSchedule.objects.exists(), "no fee items, no schedule to make"
