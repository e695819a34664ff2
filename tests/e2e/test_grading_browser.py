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
