"""A manager reads the coverage page on a phone: figures, the chart, a drill-down list."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from crm.demo import DEMO_PASSWORD
from crm.roles import Role
from tests.factories import ClientFactory, InteractionFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def team_portfolio(team):
    manager = UserFactory(username="boss", role=Role.MANAGER, team=team)
    manager.set_password(DEMO_PASSWORD)
    manager.save()
    for name in ("amy", "ben"):
        owner = UserFactory(username=name, first_name=name.title(), last_name="", team=team)
        for n in range(3):
            client = ClientFactory(code=f"{name}{n}".upper(), name=f"{name.title()} client {n}", owner=owner)
            if n:  # two of three contacted in October
                moment = timezone.make_aware(datetime.combine(date(2026, 10, 5 + n), time(10)))
                InteractionFactory(client=client, kind="visit", occurred_at=moment)
    return manager


def test_the_manager_reads_coverage_on_a_phone(phone, live_server, log_in, team_portfolio, screenshot):
    log_in(phone, "boss")
    phone.goto(f"{live_server.url}/visits/coverage/?month=2026-10")
    summary = phone.get_by_test_id("summary").inner_text()
    assert "66.7\xa0%" in summary and "4 / 6 active" in summary  # 4 of 6 active clients contacted
    phone.wait_for_function("document.querySelector('#coverage-chart').getBoundingClientRect().height > 0")
    # Nothing wider than the phone but the table, which scrolls in its own box.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "visits-coverage-phone")
    phone.get_by_test_id("summary").locator("a[data-figure=not_contacted]").click()
    phone.wait_for_url("**/visits/coverage/clients/**")
    rows = phone.get_by_test_id("client-table").locator("tbody tr")
    assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.code)")) == ["AMY0", "BEN0"]
    screenshot(phone, "visits-coverage-drilldown-phone")
