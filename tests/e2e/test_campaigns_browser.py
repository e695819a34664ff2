"""A manager plans an SMS campaign in Chinese, previews its segment, launches it and reads its
evaluation (MKT-1); the figures on the page are those of the frozen list."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients.models import Campaign, Client
from crm.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def chinese(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    return context.new_page()


def test_a_manager_launches_a_campaign_and_reads_its_evaluation_in_chinese(
    browser, live_server, log_in, demo, screenshot
):
    manager = User.objects.get(username="manager")
    segment = Client.objects.visible_to(manager).filter(status="active", contact_opt_out_at__isnull=True)
    expected = segment.count()
    assert expected > 1, "the demo gives the manager's team active clients"
    today = timezone.localdate()

    page = chinese(browser, live_server)
    log_in(page, "manager")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert {"name": "django_language", "value": "zh-hans"}.items() <= next(
        c for c in page.context.cookies() if c["name"] == "django_language"
    ).items()

    page.goto(f"{live_server.url}/campaigns/")
    page.wait_for_selector("main h1")
    page.click("a[href='/campaigns/new/']")
    page.wait_for_selector("[data-testid=campaign-form]")
    page.fill("#id_name", "双十一短信 <b>促销</b>")
    page.select_option("#id_channel", "sms")
    page.fill("#id_offer", "满一千减一百")
    page.fill("#id_starts_on", today.isoformat())
    page.fill("#id_ends_on", (today + timedelta(days=14)).isoformat())
    page.fill("#id_budget", "2000")
    page.fill("#id_actual_cost", "800")
    page.fill("#id_attribution_days", "30")
    page.fill("#id_holdout_percent", "0")
    assert "保存" in page.locator("[data-testid=campaign-form] button[type=submit]").inner_text()
    page.click("[data-testid=campaign-form] button[type=submit]")

    panel = page.get_by_test_id("launch-panel")
    panel.wait_for()
    campaign = Campaign.objects.get(name="双十一短信 <b>促销</b>")  # the demo has campaigns of its own
    assert page.url == f"{live_server.url}/campaigns/{campaign.pk}/"
    assert page.locator("main h1").inner_text().startswith("双十一短信 <b>促销</b>")  # shown as typed, not as markup
    assert page.locator("main h1 b").count() == 0
    assert "状态" in panel.inner_text()  # the client filters' labels, in Chinese
    page.select_option("[data-testid=launch-panel] select[name=status]", "active")
    assert page.get_by_test_id("preview-button").inner_text().strip() == "预览"
    page.get_by_test_id("preview-button").click()
    count = page.get_by_test_id("preview-count")
    count.wait_for()
    assert str(expected) in count.inner_text()
    screenshot(page, "campaign-preview-zh")
    page.get_by_test_id("launch-button").click()

    page.get_by_test_id("evaluation-link").wait_for()
    campaign.refresh_from_db()
    assert campaign.launched_by == manager and campaign.segment["status"] == "active"
    assert page.get_by_test_id("segment").inner_text().count(":") == 1  # described: the status only
    assert campaign.members.count() == expected
    assert campaign.members.filter(reached_at__isnull=False).count() == expected  # SMS: sent at launch
    assert page.get_by_test_id("launch-panel").count() == 0  # the list is frozen
    assert page.get_by_test_id("member-table").locator("tbody tr").count() == min(expected, 25)

    page.get_by_test_id("evaluation-link").click()
    page.get_by_test_id("kpis").wait_for()
    assert page.url == f"{live_server.url}/campaigns/{campaign.pk}/evaluation/"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("main h1").inner_text().startswith("效果评估")  # "Evaluation"
    assert "反馈率" in page.get_by_test_id("kpis").inner_text()  # "Response rate"
    kpi = page.locator("[data-kpi=reached]").inner_text()
    assert " ".join(kpi.split()) == f"{expected} / {expected}"
    assert page.locator("[data-kpi=responded]").inner_text() == "0"
    assert page.locator("[data-kpi=response-rate]").inner_text() == "0.0%"
    assert "按片区" in page.locator("main").inner_text()  # "By territory"
    assert page.get_by_test_id("by-owner").locator("tbody tr").count() >= 1
    assert page.get_by_test_id("export-link").get_attribute("href") == (f"/campaigns/{campaign.pk}/evaluation/export/")
    screenshot(page, "campaign-evaluation-zh")
    page.context.close()
