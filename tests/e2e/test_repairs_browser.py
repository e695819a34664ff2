"""One repair order from the front desk (desk screen) to the technician (phone) and the signed slip."""

import pytest
from django.core.management import call_command

from repairs.models import RepairOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_front_desk_to_signed_slip(browser, live_server, log_in, demo, screenshot):
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    log_in(desk, "frontdesk")
    desk.goto(f"{live_server.url}/repairs/new/")
    desk.fill("#unit-search", "A-1001")
    desk.wait_for_selector("#unit-results [data-unit]")
    screenshot(desk, "repair-new-unit-search")
    desk.click("#unit-results [data-unit]")
    assert "Tenant" in desk.get_by_test_id("unit-tenant").inner_text()
    desk.fill("#id_contact_phone", "010-6505 1234")
    desk.select_option("#id_category", "plumbing")
    desk.fill("#id_description", "Kitchen tap leaking under the sink")
    desk.click("button:has-text('Log the order')")
    desk.wait_for_selector("[data-testid=order-status]")
    order = RepairOrder.objects.order_by("-pk").first()
    assert order.unit.number == "1001" and order.client is not None and order.status == "new"
    desk.context.close()

    chief = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    log_in(chief, "supervisor")
    chief.goto(f"{live_server.url}{order.get_absolute_url()}")
    suggestions = chief.get_by_test_id("suggestions").inner_text()
    assert suggestions.index("陈师傅") < suggestions.index("赵师傅"), "the plumber comes first (REP-3)"
    screenshot(chief, "repair-assign-suggestions")
    chief.click("button:has-text('Assign')")
    chief.wait_for_selector("text=Assign: done.")
    chief.context.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                device_scale_factor=2, locale="en-US").new_page()  # fmt: skip
    log_in(phone, "tech1")
    phone.goto(f"{live_server.url}/repairs/")
    screenshot(phone, "repair-my-jobs-phone")
    phone.click(f"text={order.number}")
    phone.click("button:has-text('I have arrived')")
    phone.wait_for_selector("[data-testid=quote-form]")
    phone.select_option("select[name=lines-0-fee_item]", label="更换水龙头（人工） (50.00/个)")
    phone.fill("input[name=lines-0-quantity]", "1")
    phone.select_option("select[name=lines-1-fee_item]", label="水龙头 (85.00/个)")
    phone.fill("input[name=lines-1-quantity]", "1")
    phone.click("button:has-text('Show the quote to the client')")
    phone.wait_for_selector("[data-testid=total]")
    assert phone.get_by_test_id("total").inner_text() == "135.00"
    phone.click("button:has-text('The client agrees')")
    phone.wait_for_selector("[data-testid=complete-form]")
    phone.fill("#id_work_notes", "Replaced the tap, tested for leaks, cleaned up.")
    # Completing without a signature is refused and keeps what was typed.
    phone.click("button:has-text('Complete: client accepts and signs')")
    phone.wait_for_selector("text=The client must sign on the screen.")
    assert phone.input_value("#id_work_notes") == "Replaced the tap, tested for leaks, cleaned up."
    phone.get_by_test_id("signature-pad").scroll_into_view_if_needed()
    pad = phone.get_by_test_id("signature-pad").bounding_box()
    phone.mouse.move(pad["x"] + 20, pad["y"] + 40)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(pad["x"] + 20 + step * 25, pad["y"] + 40 + (step % 2) * 30)
    phone.mouse.up()
    screenshot(phone, "repair-sign-phone")
    phone.click("button:has-text('Complete: client accepts and signs')")
    phone.wait_for_selector("text=Complete and sign: done.")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    order.refresh_from_db()
    assert order.status == "completed" and order.signature.startswith("M ")

    phone.click("button[name=language][value=zh-hans]")
    phone.wait_for_load_state()
    phone.goto(f"{live_server.url}/repairs/{order.pk}/slip/")
    copies = phone.get_by_test_id("slip-copy")
    assert copies.count() == 3
    text = copies.nth(2).inner_text()
    assert "财务" in text and "135.00" in text and "水龙头" in text
    screenshot(phone, "repair-slip-zh")
    phone.context.close()
