"""Under the Content-Security-Policy the pages that used to carry inline scripts still work, and
the browser reports no violation (issue 9: scripts and styles come from the app's files only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

import pytest
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule

from crm.demo import seed_people
from crm.models import User
from grading.services import grading_run
from repairs import statistics
from tests.factories import (
    BuildingFactory,
    ContactFactory,
    RepairOrderFactory,
    TechnicianFactory,
    TenancyFactory,
    UnitFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs before any page script (Playwright injects it over CDP, outside the page's policy): it
# records every violation event, including the ones the console might word differently, and
# stubs the print dialog, which would block a headless browser.
WATCH_SCRIPT = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${location.pathname}: ${event.effectiveDirective} blocked ${event.blockedURI}`);
});
window.print = () => { window.__printed = true; };
"""


@dataclass
class Watched:
    """A page whose policy violations, console errors and script errors are collected."""

    page: object
    base_url: str
    problems: list[str] = field(default_factory=list)

    def open(self, path: str) -> None:
        response = self.page.goto(f"{self.base_url}{path}")
        assert response.ok, f"{path}: {response.status}"
        policy = response.headers.get("content-security-policy", "")
        script_src = next((d for d in policy.split(";") if d.strip().startswith("script-src")), "")
        assert policy, f"{path} has no Content-Security-Policy header"
        assert "'unsafe-inline'" not in script_src, f"{path}: {policy}"

    def assert_clean(self) -> None:
        self.problems += self.page.evaluate("window.__violations || []")
        assert not self.problems, "\n".join(self.problems)


def _is_problem(message) -> bool:
    if message.location.get("url", "").endswith("/favicon.ico"):
        return False  # the admin's pages have no icon link, so the browser asks for one
    return message.type == "error" or "Content Security Policy" in message.text


@pytest.fixture
def demo(settings, tmp_path):
    """Just enough for each page (seed_demo would take most of a minute per test)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    people = {user.username: user for user in seed_people()}
    unit = UnitFactory(number="1001", floor__building=BuildingFactory(code="A", name="A座"))
    tenancy = TenancyFactory(unit=unit, client__owner=people["am1"], client__name="华泰律师事务所")
    ContactFactory(client=tenancy.client, name="王律师")
    technician = TechnicianFactory(user=people["tech1"])
    month = statistics.previous_month()  # what the statistics page opens on
    logged = timezone.make_aware(datetime.combine(month.replace(day=3), time(10)))
    order = RepairOrderFactory(
        unit=unit,
        client=tenancy.client,
        technician=technician,
        status="in_progress",
        created_at=logged,
        consented_at=logged,
    )
    RepairOrderFactory(unit=unit, client=tenancy.client, category="electrical", created_at=logged)
    statistics.monthly_report_generate(month=month)
    grading_run(as_of=timezone.localdate(), by=people["manager"])
    return order


@pytest.fixture
def watched(browser, live_server, log_in):
    contexts = []

    def open_as(username: str) -> Watched:
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US")
        context.add_init_script(WATCH_SCRIPT)
        contexts.append(context)
        page = context.new_page()
        watch = Watched(page, live_server.url)
        page.on("console", lambda m: _is_problem(m) and watch.problems.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda error: watch.problems.append(f"script error: {error}"))
        page.on("response", lambda r: r.status >= 400 and watch.problems.append(f"{r.status} {r.url}"))
        log_in(page, username)
        return watch

    yield open_as
    for context in contexts:
        context.close()


def test_client_form_toggles_the_key_account_fields_without_inline_script(watched, demo):
    watch = watched("am1")
    watch.open("/clients/new/")
    fields = watch.page.locator("#key-account-fields")
    assert "d-none" in fields.get_attribute("class")
    watch.page.check("#id_is_key_account")
    assert "d-none" not in fields.get_attribute("class")
    watch.assert_clean()


def test_repair_order_form_unit_search_fills_in_the_unit_and_contact(watched, demo):
    watch = watched("frontdesk")
    watch.open("/repairs/new/")
    watch.page.fill("#unit-search", "A-1001")
    watch.page.wait_for_selector("#unit-results [data-unit]")
    watch.page.click("#unit-results [data-unit]")
    assert watch.page.input_value("#id_unit")
    assert watch.page.input_value("#unit-search").startswith("A-1001")
    assert "Tenant" in watch.page.get_by_test_id("unit-tenant").inner_text()
    assert watch.page.input_value("#id_contact_name")
    assert watch.page.locator("#unit-results [data-unit]").count() == 0
    watch.assert_clean()


def test_repair_statistics_chart_renders(watched, demo):
    watch = watched("supervisor")
    watch.open("/repairs/stats/")
    watch.page.wait_for_function("Chart.getChart(document.getElementById('category-chart')) !== undefined")
    legend = watch.page.evaluate(
        "Chart.getChart(document.getElementById('category-chart')).data.datasets.map((d) => d.label)"
    )
    assert legend == ["Logged", "Done"]
    watch.assert_clean()


def test_grading_dashboard_chart_renders(watched, demo):
    watch = watched("manager")
    watch.open("/grading/")
    watch.page.wait_for_function("Chart.getChart(document.getElementById('level-chart')) !== undefined")
    watch.assert_clean()


def test_signature_canvas_records_the_signature_and_the_slip_prints(watched, demo):
    order = demo
    watch = watched("tech1")
    watch.open(order.get_absolute_url())
    pad = watch.page.get_by_test_id("signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert watch.page.evaluate("getComputedStyle(document.getElementById('signature-pad')).touchAction") == "none"
    watch.page.mouse.move(box["x"] + 20, box["y"] + 40)
    watch.page.mouse.down()
    for step in range(1, 8):
        watch.page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 40 + (step % 2) * 30)
    watch.page.mouse.up()
    assert watch.page.input_value("#id_signature").startswith("M ")
    watch.page.click("#signature-clear")
    assert watch.page.input_value("#id_signature") == ""
    watch.assert_clean()

    watch.open(f"/repairs/{order.pk}/slip/")
    assert watch.page.evaluate("getComputedStyle(document.body).fontSize") == "12px", "slip.css (9pt) applies"
    watch.page.click("[data-print]")
    assert watch.page.evaluate("window.__printed === true")
    watch.assert_clean()


def test_admin_pages_work_under_their_policy(watched, demo):
    crontab = CrontabSchedule.objects.create(minute="5", hour="23")
    user = User.objects.get(username="am1")
    watch = watched("admin")
    for path in ["/admin/", "/admin/crm/user/", f"/admin/crm/user/{user.pk}/history/"]:
        watch.open(path)
    # The user form's two-pane territory picker is built by the admin's own scripts.
    watch.open(f"/admin/crm/user/{user.pk}/change/")
    watch.page.wait_for_selector("#id_territories_from")
    # django-celery-beat's crontab in words, from our static copy of its inline script.
    watch.open("/admin/django_celery_beat/periodictask/add/")
    assert not watch.page.locator(".field-crontab_translation").is_visible()
    watch.page.select_option("#id_crontab", value=str(crontab.pk))
    assert "Translation: At 11:05 PM" in watch.page.locator(".field-crontab .help").inner_text()
    # django-import-export's "select all" checkbox, allowed by the hash of its handler.
    watch.open("/admin/clients/client/export/")
    watch.page.uncheck("input[name=select-all-toggle]")
    assert watch.page.locator(".selectable-field-export-row input[type=checkbox]:checked").count() == 0
    watch.assert_clean()
