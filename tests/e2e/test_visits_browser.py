"""An account manager works through today's plan on a phone in Chinese; a manager opens next
month, approves a plan and reads the coverage page (issue 10)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.models import User
from visits import services
from visits.calendar import month_start, next_month
from visits.models import MonthPlan, Visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def chinese(browser, live_server, **options):
    context = browser.new_context(locale="zh-CN", **options)
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    return context.new_page()


def test_account_manager_works_through_today_on_a_phone(browser, live_server, log_in, demo, screenshot):
    am1 = User.objects.get(username="am1")
    today = timezone.localdate()
    todays = Visit.objects.filter(owner=am1, planned_for=today, status=Visit.Status.PLANNED)
    if not todays.exists():  # the demo plans working days only: on a day off, add today's by hand
        plan = MonthPlan.objects.get(owner=am1, month=month_start(today))
        for client in am1.clients.filter(status="active")[:2]:
            Visit.objects.create(plan=plan, owner=am1, client=client, planned_for=today, source=Visit.Source.ADDED)
    phone = chinese(browser, live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    log_in(phone, "am1")
    phone.goto(f"{live_server.url}/visits/")
    main = phone.locator("main")
    assert "我的拜访计划" in main.inner_text() and "今天" in main.inner_text()
    screenshot(phone, "visits-today-phone-zh")
    first = phone.locator("[data-testid=today] [data-testid=visit-item]").first
    name = first.locator(".fw-semibold").inner_text().split(" ")[0]
    waiting = todays.count()

    # Tap 1: open the planned visit. The next visit is already booked at the cadence's date.
    first.get_by_test_id("log-visit").tap()
    phone.wait_for_selector("[data-testid=log-form]")
    assert phone.input_value("#id_next_contact_date") > today.isoformat()
    screenshot(phone, "visits-log-phone-zh")
    # Tap 2: the outcome field; typing; tap 3: save.
    phone.locator("#id_outcome").tap()
    phone.keyboard.type("查看陈列，老板订了五件新品")
    phone.get_by_test_id("save-visit").tap()
    phone.wait_for_url(f"{live_server.url}/visits/")
    assert "已记录" in phone.locator(".alert-success").inner_text()
    assert name in phone.get_by_test_id("done-today").inner_text()
    assert Visit.objects.filter(owner=am1, planned_for=today, status=Visit.Status.PLANNED).count() == waiting - 1
    done = Visit.objects.filter(owner=am1, done_on=today, interaction__outcome__startswith="查看陈列").get()
    assert done.client.next_contact_date > today

    # An overdue visit needs the reason it is late (unless one was recorded when it rolled over).
    Visit.objects.filter(owner=am1, status=Visit.Status.PLANNED, planned_for__lt=today).update(note="")
    phone.reload()
    overdue = phone.locator("[data-testid=overdue] [data-testid=log-visit]")
    assert overdue.count(), "the demo has overdue visits"
    overdue.first.tap()
    phone.locator("#id_outcome").fill("补访")
    if phone.locator("#id_next_contact_date").input_value() == "":
        phone.locator("#id_next_contact_date").fill((today + timedelta(days=20)).isoformat())
    phone.get_by_test_id("save-visit").tap()
    phone.wait_for_selector("#id_late_reason.is-invalid")  # the message sits next to the field
    assert "请说明原因" in phone.locator("main").inner_text()
    screenshot(phone, "visits-log-late-phone-zh")
    phone.locator("#id_late_reason").fill("客户上周出差")
    phone.get_by_test_id("save-visit").tap()
    phone.wait_for_url(f"{live_server.url}/visits/")
    assert "已记录" in phone.locator(".alert-success").inner_text()
    phone.goto(f"{live_server.url}/visits/?view=week")
    assert "本周" in phone.locator("main").inner_text()
    screenshot(phone, "visits-week-phone-zh")
    phone.context.close()


def test_manager_opens_next_month_approves_and_reads_coverage(browser, live_server, log_in, demo, screenshot):
    manager = User.objects.get(username="manager")
    am1 = User.objects.get(username="am1")
    month = next_month(timezone.localdate())
    desk = chinese(browser, live_server, viewport={"width": 1366, "height": 900})
    log_in(desk, "manager")
    desk.goto(f"{live_server.url}/visits/")
    desk.get_by_test_id("open-month").locator("summary").click()
    desk.fill("#id_month", f"{month:%Y-%m}")
    desk.fill("#id_min_coverage", "80")
    desk.click("[data-testid=open-month] button")
    desk.wait_for_load_state()
    assert "已生成" in desk.locator(".alert-success").inner_text()
    plan = MonthPlan.objects.get(owner=am1, month=month)
    assert plan.visits.exists() and plan.team_month.min_coverage == 80
    services.plan_submit(plan=plan, by=am1)

    desk.goto(f"{live_server.url}{plan.get_absolute_url()}")
    screenshot(desk, "visits-plan-zh")
    desk.click("[data-testid=decide-plan] button[value=approve]")
    desk.wait_for_load_state()
    assert "已批准" in desk.get_by_test_id("plan-status").inner_text()
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.APPROVED and plan.decided_by == manager

    desk.goto(f"{live_server.url}/visits/coverage/")
    text = desk.locator("main").inner_text()
    assert "覆盖" in text
    screenshot(desk, "visits-coverage-zh")
    desk.context.close()
    assert month_start(month) == month and month - timedelta(days=1) >= timezone.localdate()
