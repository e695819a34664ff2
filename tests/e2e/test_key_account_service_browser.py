"""An account manager follows a demo key account's service (MKT-3) in the browser: from the card
to the service page (chart, deliveries, complaints about orders, cadence, plan), then a delivery
dated before its order is refused next to its date."""

from datetime import timedelta

import pytest
from django.core.management import call_command

from clients.demo import service_demo_accounts
from grading.models import Delivery

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_service_page_from_the_card_and_a_refused_delivery(desk, live_server, log_in, demo, screenshot):
    account = next(client for client in service_demo_accounts() if client.owner.username == "am1")
    log_in(desk, "am1")
    desk.goto(f"{live_server.url}{account.get_absolute_url()}")
    desk.get_by_test_id("service-link").click()
    desk.wait_for_function("document.querySelector('#orders-chart').getBoundingClientRect().height > 0")
    orders = desk.get_by_test_id("service-order-list").inner_text()
    for status in ("Delivered", "In transit", "Shipped", "Problem", "Cancelled", "Refunded"):
        assert status in orders
    assert "到货破损" in orders
    assert desk.get_by_test_id("service-plan").inner_text().count("每月上门拜访一次") == 1
    assert desk.get_by_test_id("service-cadence").is_visible()
    screenshot(desk, "key-account-service-en")

    order = Delivery.objects.filter(order__client=account).first().order
    desk.locator(f"tr[data-order='{order.pk}'] a[href$='/deliveries/new/']").click()
    desk.fill("input[name=carrier]", "顺丰速运")
    desk.fill("input[name=shipped_on]", (order.ordered_on - timedelta(days=1)).isoformat())
    desk.click("main form button[type=submit]")
    error = desk.locator("main .invalid-feedback").first.inner_text()
    assert order.ordered_on.isoformat() in error
    assert Delivery.objects.filter(order=order).count() == 1
