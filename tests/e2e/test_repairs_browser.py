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
    # The quote starts from the plumbing's usual lines; the stepper adds a second tap, then takes it back.
    assert phone.input_value("select[name=lines-0-fee_item]") and phone.input_value("select[name=lines-1-fee_item]")
    phone.click("[data-step-quantity=id_lines-1-quantity][data-step='1']")
    assert phone.input_value("input[name=lines-1-quantity]") == "2"
    phone.click("[data-step-quantity=id_lines-1-quantity][data-step='-1']")
    phone.select_option("select[name=lines-0-fee_item]", label="更换水龙头（人工） (50.00/个)")
    phone.fill("input[name=lines-0-quantity]", "1")
    phone.select_option("select[name=lines-1-fee_item]", label="水龙头 (85.00/个)")
    phone.fill("input[name=lines-1-quantity]", "1")
    phone.click("button:has-text('Show the quote to the client')")
    phone.wait_for_selector("[data-testid=total]")
    assert phone.get_by_test_id("total").inner_text() == "¥135.00"
    phone.click("button:has-text('The client agrees')")
    phone.wait_for_selector("[data-testid=complete-form]")
    phone.fill("#id_work_notes", "Replaced the tap, tested for leaks, cleaned up.")
    # Completing without a signature is refused and keeps what was typed.
    phone.click("button:has-text('Complete: client accepts and signs')")
    phone.wait_for_selector("text=The client must sign on the screen.")
    assert phone.input_value("#id_work_notes") == "Replaced the tap, tested for leaks, cleaned up."
    sign(phone, "technician-signature-pad")
    sign(phone, "signature-pad")
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
    phone.emulate_media(media="print")
    assert not phone.get_by_test_id("slip-tools").is_visible(), "the Print button and back link never print"
    phone.context.close()


def sign(page, testid: str) -> None:
    """Draw a signature on a pad (one gesture)."""
    page.get_by_test_id(testid).scroll_into_view_if_needed()
    pad = page.get_by_test_id(testid).bounding_box()
    page.mouse.move(pad["x"] + 20, pad["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(pad["x"] + 20 + step * 25, pad["y"] + 40 + (step % 2) * 30)
    page.mouse.up()


def test_a_technicians_job_from_home_to_signed_completion_in_at_most_8_taps(
    browser, live_server, log_in, demo, screenshot
):
    """Handbook 3.5: a whole job on a 390x844 phone. Taps and clicks count, typing does not, a
    signature drawn counts as one."""
    from datetime import datetime, time

    from django.utils import timezone

    from archives.models import Document, Unit
    from crm.models import User
    from repairs import workflow
    from repairs.services import repair_order_create

    unit = Unit.objects.filter(tenancies__move_out__isnull=True).order_by("pk").first()
    first_thing = timezone.make_aware(datetime.combine(timezone.localdate(), time(0, 1)))
    desk = User.objects.get(username="frontdesk")
    order = repair_order_create(
        unit=unit, contact_name="王律师", contact_phone="010-6505 1234", channel="phone", category="plumbing",
        urgency="normal", description="厨房水龙头漏水", appointment_at=first_thing, by=desk,
    )  # fmt: skip
    tech1 = User.objects.get(username="tech1")
    workflow.assign(order=order, technician=tech1.technician, by=User.objects.get(username="supervisor"))

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                device_scale_factor=2, locale="en-US").new_page()  # fmt: skip
    log_in(phone, "tech1")  # lands on the home page
    taps = 0

    def tap(selector: str) -> None:
        nonlocal taps
        taps += 1
        phone.locator(selector).first.tap()

    def draw(testid: str) -> None:
        nonlocal taps
        taps += 1
        sign(phone, testid)

    panel = phone.get_by_test_id("repairs-panel")
    assert panel.locator("li a").first.get_attribute("href") == order.get_absolute_url(), "today's first job on top"
    tap(f"[data-testid=repairs-panel] a[href='{order.get_absolute_url()}']")
    tap("button:has-text('I have arrived')")
    phone.wait_for_selector("[data-testid=quote-form]")
    tap("button:has-text('Show the quote to the client')")  # the usual lines are already there
    phone.wait_for_selector("[data-testid=consent-form]")
    tap("button:has-text('The client agrees')")
    phone.wait_for_selector("[data-testid=complete-form]")
    tap("#id_work_notes")
    phone.keyboard.type("更换水龙头，测试无漏水，现场已清理。")
    draw("technician-signature-pad")
    draw("signature-pad")  # the client's name is already filled in from the order's contact
    tap("button:has-text('Complete: client accepts and signs')")
    phone.wait_for_selector("text=Complete and sign: done.")
    screenshot(phone, "repair-job-8-taps")
    assert taps <= 8, f"{taps} taps"
    order.refresh_from_db()
    assert order.status == "completed" and order.total == 135
    assert sorted(order.signatures.values_list("signer", flat=True)) == ["client", "technician"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    # The slip's PDF was filed in the unit's archive after the completion (an eager task in tests).
    assert Document.objects.filter(unit=unit, category="repairs", title__contains=order.number).exists()
    phone.context.close()
