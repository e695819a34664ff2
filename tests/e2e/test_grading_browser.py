"""A manager reads the grading dashboard and an account manager sees why a client is a B."""

import pytest
from django.core.management import call_command

from clients.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_dashboard_and_the_explanation_in_both_languages(browser, live_server, log_in, demo, screenshot):
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    log_in(page, "manager")
    page.goto(f"{live_server.url}/grading/")
    assert "Level distribution" in page.locator("main").inner_text()
    page.wait_for_function("document.querySelector('#level-chart').getBoundingClientRect().height > 0")
    screenshot(page, "grading-dashboard-en")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state()
    assert "级别分布" in page.locator("main").inner_text()
    screenshot(page, "grading-dashboard-zh")
    page.context.close()

    b_client = Client.objects.filter(owner__username="am1", level="B").first()
    am = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    log_in(am, "am1")
    am.goto(f"{live_server.url}{b_client.get_absolute_url()}")
    text = am.get_by_test_id("grade-explanation").inner_text()
    assert "Level B" in text and "Volume" in text and "reach level A" in text
    screenshot(am, "client-card-grade-en")
    am.context.close()


def test_level_history_chart_runs_list_and_movers_on_a_phone(browser, live_server, log_in, demo, screenshot):
    """The demo's late order superseded the morning's run: the runs list marks it, the movers page
    compares the last two standing runs, and a client's level history draws its chart."""
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                device_scale_factor=2, locale="en-US").new_page()  # fmt: skip
    log_in(phone, "manager")
    phone.goto(f"{live_server.url}/grading/runs/")
    assert phone.get_by_test_id("superseded").count() >= 1
    screenshot(phone, "grading-runs-phone")
    phone.goto(f"{live_server.url}/grading/movers/")
    assert phone.get_by_test_id("mover-table").count() + phone.get_by_test_id("empty").count() == 1
    screenshot(phone, "grading-movers-phone")
    graded = Client.objects.filter(owner__username="am1").exclude(level="").first()
    phone.goto(f"{live_server.url}{graded.get_absolute_url()}")
    phone.get_by_test_id("level-history-link").click()
    phone.wait_for_function("document.querySelector('#level-history-chart').getBoundingClientRect().height > 0")
    assert phone.get_by_test_id("level-history").locator("tbody tr").count() >= 2
    screenshot(phone, "client-level-history-phone")
    phone.context.close()
