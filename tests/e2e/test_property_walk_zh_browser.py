"""The whole property walk in Simplified Chinese, on a 390x844 phone (the supervisor on a desk):
a tenant's complaint about a defect becomes a repair order (CLI-6 → REP-1), the engineering
supervisor assigns it, the technician does the job from the home page and both sign, the slip
shows the signatures, the currency and the completion time and its PDF is filed in the unit's
archive, and finance takes the finance copy and bills the order, then records it paid."""

import re

import pytest
from django.core.management import call_command

from archives.models import Document, Unit
from clients.models import Complaint
from repairs.models import RepairOrder

from .test_repairs_browser import sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Words of the English interface that a Chinese page must not show (Chinese characters count as
# word characters for \b, so the boundaries are Latin letters only).
ENGLISH = re.compile(
    r"(?<![A-Za-z])(Save|Submit|Status|Repairs|Repair orders?|Log the order|Assign|Complete|Completed|Finance|Billing|"
    r"Record|Print|Back|Total|Signatures?|Technician|Client|Home|Log out|Search|Cancel|done)(?![A-Za-z])"
)


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def chinese(browser, live_server, *, phone: bool = True):
    if phone:
        context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                      is_mobile=True, has_touch=True, locale="zh-CN")  # fmt: skip
    else:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    return context.new_page()


def in_chinese(page, *expected: str) -> None:
    """The page is in Chinese: its language, the expected Chinese text, no English UI word."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    text = page.locator("body").inner_text()
    for word in expected:
        assert word in text, f"{word!r} not on {page.url}"
    english = ENGLISH.findall(text)
    assert not english, f"English on {page.url}: {english}"


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_the_property_walk_in_chinese_from_complaint_to_billing(browser, live_server, log_in, demo, screenshot):
    unit = Unit.objects.filter(tenancies__move_out__isnull=True).order_by("pk").first()
    tenant = unit.tenancies.filter(move_out__isnull=True).get().client

    # 1. The front desk files the tenant's complaint about a defect and makes a repair order of it.
    desk = chinese(browser, live_server)
    log_in(desk, "frontdesk")
    in_chinese(desk)
    desk.goto(f"{live_server.url}/clients/complaints/new/?client={tenant.pk}")
    in_chinese(desk, "保存")
    desk.fill("#id_subject", "走廊吊顶开裂渗水")
    desk.select_option("#id_category", "repair")
    assert desk.locator("#id_category option:checked").inner_text() == "维修 / 缺陷"
    desk.fill("#id_description", "天花板滴水，已经两天。")
    assert fits(desk)
    screenshot(desk, "walk-zh-1-complaint-form")
    desk.click("button:has-text('保存')")
    desk.wait_for_selector("[data-testid=complaint-repair-orders]")
    complaint = Complaint.objects.get(subject="走廊吊顶开裂渗水")
    assert complaint.kind == Complaint.Kind.PROPERTY and complaint.category == "repair"
    in_chinese(desk, "走廊吊顶开裂渗水", "生成维修单")
    screenshot(desk, "walk-zh-1-complaint")

    desk.click("[data-testid=complaint-to-repair]:has-text('生成维修单')")
    desk.wait_for_selector("[data-testid=from-complaint]")
    in_chinese(desk, "登记维修单")
    assert tenant.name in desk.get_by_test_id("unit-tenant").inner_text(), "the tenant's unit is picked"
    assert desk.input_value("#id_description"), "the complaint fills the order in"
    desk.select_option("#id_category", "plumbing")
    screenshot(desk, "walk-zh-1-order-form")
    desk.click("button:has-text('登记维修单')")
    desk.wait_for_selector("[data-testid=order-complaint]")
    order = RepairOrder.objects.get(complaint=complaint)
    assert order.unit == unit and order.status == "new"
    in_chinese(desk, order.number, "来自投诉", "走廊吊顶开裂渗水")
    assert fits(desk)
    screenshot(desk, "walk-zh-1-order")
    desk.click("[data-testid=order-complaint] a")
    desk.wait_for_selector("[data-testid=complaint-repair-orders]")
    assert order.number in desk.get_by_test_id("complaint-repair-orders").inner_text()
    in_chinese(desk, "维修单")
    desk.context.close()

    # 2. The engineering supervisor assigns it to a technician (on a desk).
    chief = chinese(browser, live_server, phone=False)
    log_in(chief, "supervisor")
    chief.goto(f"{live_server.url}{order.get_absolute_url()}")
    in_chinese(chief, order.number, "分派")
    assert "陈师傅" in chief.get_by_test_id("suggestions").inner_text()
    screenshot(chief, "walk-zh-2-assign")
    chief.click("button:has-text('分派')")
    chief.wait_for_selector("text=已完成")
    order.refresh_from_db()
    assert order.technician.user.username == "tech1"
    in_chinese(chief, "已完成")
    chief.context.close()

    # 3. The technician does the job from the home page.
    tech = chinese(browser, live_server)
    log_in(tech, "tech1")
    in_chinese(tech)
    screenshot(tech, "walk-zh-3-home")
    tech.click(f"[data-testid=repairs-panel] a[href='{order.get_absolute_url()}']")
    tech.wait_for_selector("button:has-text('我已到场')")
    in_chinese(tech, order.number, "我已到场")
    tech.click("button:has-text('我已到场')")
    tech.wait_for_selector("[data-testid=quote-form]")
    in_chinese(tech, "向客户出示报价")
    assert tech.input_value("select[name=lines-0-fee_item]") and tech.input_value("select[name=lines-1-fee_item]")
    tech.click("[data-step-quantity=id_lines-1-quantity][data-step='1']")
    assert tech.input_value("input[name=lines-1-quantity]") == "2"
    tech.click("[data-step-quantity=id_lines-1-quantity][data-step='-1']")
    assert tech.input_value("input[name=lines-1-quantity]") == "1"
    screenshot(tech, "walk-zh-3-quote")
    tech.click("button:has-text('向客户出示报价')")
    tech.wait_for_selector("[data-testid=consent-form]")
    in_chinese(tech, "客户同意")
    screenshot(tech, "walk-zh-3-consent")
    tech.click("button:has-text('客户同意')")
    tech.wait_for_selector("[data-testid=complete-form]")
    in_chinese(tech, "完工：客户验收并签字", "维修人签名")
    tech.fill("#id_work_notes", "检修天花板上方水管接头，已更换，测试无漏水。")
    sign(tech, "technician-signature-pad")
    sign(tech, "signature-pad")
    screenshot(tech, "walk-zh-3-sign")
    tech.click("button:has-text('完工：客户验收并签字')")
    tech.wait_for_selector("text=已完成")
    in_chinese(tech, "已完成")
    assert fits(tech)
    order.refresh_from_db()
    assert order.status == "completed" and order.total > 0
    assert sorted(order.signatures.values_list("signer", flat=True)) == ["client", "technician"]

    # 4. The slip: both signatures, the amounts in 元, the completion time; its PDF in the unit's archive.
    tech.goto(f"{live_server.url}/repairs/{order.pk}/slip/")
    copies = tech.get_by_test_id("slip-copy")
    assert copies.count() == 3
    in_chinese(tech, "维修人签名", "客户签字", "完成时间", "元")
    assert tech.get_by_test_id("slip-total").first.inner_text().endswith("元")
    completed = tech.get_by_test_id("slip-completed").first.inner_text().strip()
    assert completed not in ("", "—")
    for testid in ("slip-technician-signature", "slip-client-signature"):
        assert tech.get_by_test_id(testid).first.locator("svg path").count() >= 1, testid
    screenshot(tech, "walk-zh-4-slip")
    tech.context.close()
    # Filed after the completion committed (an eager task in tests).
    assert Document.objects.filter(unit=unit, category="repairs", title__contains=order.number).exists()

    # 5. Finance: the home panel, the billing list, the finance copy, billed, then paid.
    money = chinese(browser, live_server)
    log_in(money, "finance")
    panel = money.get_by_test_id("collect-panel")
    assert order.number in panel.inner_text()
    in_chinese(money, "待收款的有偿维修", "查看全部")
    screenshot(money, "walk-zh-5-home")
    money.click("[data-testid=collect-panel] a:has-text('查看全部')")
    money.wait_for_selector("[data-testid=billing]")
    assert order.number in money.get_by_test_id("billing").inner_text()
    in_chinese(money, "有偿维修收费")
    screenshot(money, "walk-zh-5-billing")
    money.click(f"[data-testid=billing] a:has-text('{order.number}')")
    money.wait_for_selector("[data-testid=finance]")
    in_chinese(money, "已收财务联")
    money.click("[data-testid=finance] button:has-text('已收财务联')")
    money.wait_for_selector(f"text=已收到 {order.number} 的财务联。")
    for status, label in (("billed", "已开账单"), ("paid", "已付款")):
        form = money.get_by_test_id("billing-form")
        form.locator("select[name=status]").select_option(status)
        form.locator("button:has-text('登记')").click()
        money.wait_for_selector(f"text={order.number} 的收费情况已记录。")
        order.refresh_from_db()
        assert order.billing_status == status
        in_chinese(money, label)
        assert label in money.get_by_test_id("billing-status").inner_text()
        screenshot(money, f"walk-zh-5-{status}")
    assert order.finance_copy_received_by.username == "finance"
    assert fits(money)
    money.context.close()
