"""A manager sets next month's sales target of the team in Chinese and splits it among the
account managers; a split that does not add up is refused next to the field first (MKT-2)."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.models import User
from crm.roles import Role
from visits.calendar import month_start, next_month
from visits.models import Metric, Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def chinese(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    return context.new_page()


def test_manager_sets_and_splits_a_months_targets_in_chinese(browser, live_server, log_in, demo, screenshot):
    manager = User.objects.get(username="manager")
    members = list(User.objects.filter(role=Role.ACCOUNT_MANAGER, team=manager.team, is_active=True))
    month = next_month(month_start(timezone.localdate()))
    period = f"{month:%Y-%m}"
    sales = Metric.objects.get(code="sales_amount")
    page = chinese(browser, live_server)
    log_in(page, "manager")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.locator("nav a[href='/targets/']").first.click()
    page.wait_for_selector("[data-testid=targets-table]")
    page.get_by_test_id("set-targets").click()
    page.wait_for_selector("[data-testid=split-form]")

    page.fill("#id_period", period)
    page.select_option("#id_metric", str(sales.pk))
    page.fill("#id_team_value", "100000")
    shares = page.locator("[data-testid=shares] input")
    assert shares.count() == len(members)
    for index in range(len(members)):
        shares.nth(index).fill("10000")  # adds up to less than the team's 100 000
    page.get_by_test_id("save").click()
    page.wait_for_selector("#id_team_value.is-invalid")  # the message sits next to the field
    assert not Target.objects.filter(period_start=month).exists()
    screenshot(page, "targets-split-refused-zh")

    each = Decimal(100000) / len(members)
    for index in range(len(members)):
        shares.nth(index).fill(
            f"{each:.2f}"
            if index < len(members) - 1
            else f"{100000 - each.quantize(Decimal('0.01')) * (len(members) - 1):.2f}"
        )
    page.get_by_test_id("save").click()
    page.wait_for_url(f"{live_server.url}/targets/?period={period}")
    assert page.locator(".alert-success").count() == 1
    assert page.get_by_test_id("period").inner_text() == period
    rows = page.locator(f"[data-testid=target-row][data-metric={sales.code}] [data-testid=target]")
    assert rows.count() == len(members)
    screenshot(page, "targets-split-zh")
    saved = Target.objects.filter(period_start=month, metric=sales)
    assert saved.get(team=manager.team).value == 100000
    assert sum(t.value for t in saved.filter(account_manager__isnull=False)) == 100000
