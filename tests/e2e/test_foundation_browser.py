"""A manager logs in and switches to Chinese; a technician uses the app on a phone."""

import pytest

from crm.demo import seed_people
from crm.services import notification_create
from tests.services import require

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_people():
    return {user.username: user for user in seed_people()}


def test_manager_logs_in_sees_home_and_switches_to_chinese(desk, live_server, log_in, demo_people, screenshot):
    page = desk
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "login-desk-en")
    log_in(page, "manager")
    assert page.get_by_test_id("home-title").inner_text() == "Welcome, 王丽"
    assert page.get_by_test_id("role").inner_text().startswith("Manager")
    assert "张伟" in page.get_by_test_id("team-panel").inner_text(), "am1 is in the manager's team"
    screenshot(page, "home-manager-en")

    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state()
    assert page.get_by_test_id("home-title").inner_text() == "欢迎，王丽"
    assert page.get_by_test_id("role").inner_text().startswith("主任")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    nav = page.locator("#main-nav").inner_text()
    assert "首页" in nav
    # On a laptop the bell stands alone; its name is for screen readers and the tooltip.
    assert page.locator("#main-nav a[data-nav='notifications:list']").get_attribute("aria-label") == "通知"
    screenshot(page, "home-manager-zh")

    # The language sticks for the next page too.
    page.goto(f"{live_server.url}/notifications/")
    assert page.locator("h1").inner_text() == "通知"


def test_technician_uses_the_navigation_on_a_phone(phone, live_server, log_in, demo_people, screenshot):
    page = phone
    notification_create(
        recipient=demo_people["tech1"], key="test:job", title="New job: unit 1203 leaking tap", send_email=False
    )
    log_in(page, "tech1")
    screenshot(page, "home-technician-phone")
    menu = page.locator("#main-nav")
    assert not menu.is_visible(), "on a phone the menu is folded behind the toggler"
    page.click("button.navbar-toggler")
    page.wait_for_selector("#main-nav.show:not(.collapsing)")
    screenshot(page, "nav-open-technician-phone")
    page.click("#main-nav a[data-nav='notifications:list']")
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert "New job: unit 1203 leaking tap" in page.get_by_test_id("notification-list").inner_text()
    page.click("text=Mark as read")
    page.wait_for_selector("#unread-badge-phone.d-none", state="attached")
    assert page.get_by_test_id("notification-list").get_by_text("Read", exact=True).is_visible()
    screenshot(page, "notifications-technician-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    require(width <= 390, f"the page is {width}px wide on a 390px phone")
    assert width <= 390


def test_locked_out_user_sees_the_reason(desk, live_server, demo_people, screenshot, settings):
    page = desk
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "am1")
        page.fill("input[name=password]", "wrong-password")
        page.click("form button[type=submit]")
    assert "Too many failed log-in attempts" in page.get_by_test_id("lockout").inner_text()
    screenshot(page, "lockout-desk-en")
