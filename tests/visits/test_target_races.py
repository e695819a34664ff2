"""The race gate for targets (MKT-2): one team's new split saved by many people at once is
saved once, without an IntegrityError (the team row is locked: a new target has no row to lock)."""

from decimal import Decimal

import pytest
from django.db import connection

from tests.concurrency import RACERS, race
from tests.services import require
from visits import target_services
from visits.models import Metric, Target
from visits.periods import parse_period

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_saves_of_one_new_team_split_at_once_save_it_once(manager, alice, bob, team):
    require(connection.vendor == "postgresql", "row locks exist on PostgreSQL only (SQLite serialises writes)")
    metric, period = Metric.objects.get(code="sales_amount"), parse_period("2026-12")

    def save():
        return target_services.target_split_set(
            team=team,
            period=period,
            metric=metric,
            team_value="1000",
            shares={alice.pk: "600", bob.pk: "400"},
            by=manager,
        )

    results = race([save] * RACERS)
    assert [error for error in results if isinstance(error, Exception)] == []
    assert Target.objects.get(team=team).value == Decimal("1000")
    assert Target.objects.filter(account_manager__in=[alice, bob]).count() == 2
