"""Finance on a phone (390×844): the paid jobs to collect, the hand-over, a waiver refused without
its reason, and publishing the drafted fee schedule (issue 13, REP-5, REP-6)."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from repairs.models import FeeSchedule, RepairOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_finance_collects_waives_with_a_reason_and_publishes_the_schedule(phone, live_server, log_in, demo, screenshot):
    log_in(phone, "finance")
    panel = phone.get_by_test_id("collect-panel")
    assert panel.is_visible()
    screenshot(phone, "finance-home-phone")
    phone.click("[data-testid=collect-panel] a:has-text('See all')")
    phone.wait_for_selector("[data-testid=billing]")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling of the page"
    number = phone.locator("[data-testid=billing] tbody tr").first.locator("a.font-monospace").inner_text()
    order = RepairOrder.objects.get(number=number)
    phone.goto(f"{live_server.url}{order.get_absolute_url()}")
    form = phone.get_by_test_id("billing-form")
    form.locator("select[name=status]").select_option("waived")
    form.locator("button").click()
    phone.wait_for_selector("text=Say why the fees are waived.")
    phone.get_by_test_id("billing-form").locator("input[name=reason]").fill("保修期内免收")
    phone.get_by_test_id("billing-form").locator("button").click()
    phone.wait_for_selector("text=Billing of")
    order.refresh_from_db()
    assert (order.billing_status, order.billing_reason) == ("waived", "保修期内免收")

    draft = FeeSchedule.objects.get(state="draft")
    phone.goto(f"{live_server.url}{draft.get_absolute_url()}")
    screenshot(phone, "fee-schedule-draft-phone")
    tomorrow = timezone.localdate() + timezone.timedelta(days=1)
    phone.fill("input[name=effective_from]", tomorrow.isoformat())
    phone.click("button:has-text('Publish this schedule')")
    phone.wait_for_selector("text=Fee schedule published")
    draft.refresh_from_db()
    assert (draft.state, draft.effective_from) == ("published", tomorrow)
    phone.goto(f"{live_server.url}/repairs/fees/{draft.pk}/print/")
    assert "补办门禁卡" in phone.get_by_test_id("notice-items").inner_text()
