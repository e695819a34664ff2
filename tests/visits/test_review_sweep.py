"""Odd query strings on every visits page answer a page (or a clear refusal), never a 500."""

import pytest
from django.utils import timezone

from visits.calendar import month_start
from visits.models import MonthPlan

pytestmark = pytest.mark.django_db

ODD = [
    "/visits/?view=week&day=garbage",
    "/visits/?view=week&day=9999-12-31",
    "/visits/?view=week&day=2026-02-30",
    "/visits/?month=2026-02-30",
    "/visits/plans/?month=2026-13",
    "/visits/plans/?month=garbage&page=x&per_page=-1",
    "/visits/plans/?owner=x&status=zz",
    "/visits/plans/?month=2026-02-30",
    "/visits/plans/{plan}/?week=999&page=abc&status=x",
    "/visits/plans/{plan}/?week=-1",
    "/visits/coverage/?start=2026-02-30",
    "/visits/coverage/?start=garbage&end=x&level=zz&territory=abc&owner=abc",
    "/visits/reports/?month=2026-02-30&page=abc",
    "/visits/calendar/?month=2026-13",
    "/visits/calendar/?month=9999-12",
    "/visits/calendar/?week=2026-W99",
    "/visits/calendar/?day=2026-02-30",
]


@pytest.mark.parametrize("url", ODD)
def test_odd_query_strings_get_a_page(client, alice, manager, url):
    plan = MonthPlan.objects.create(owner=alice, month=month_start(timezone.localdate()))
    for user in (alice, manager):
        client.force_login(user)
        assert client.get(url.format(plan=plan.pk)).status_code == 200, (user.username, url)
