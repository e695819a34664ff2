"""The archivist files a document in a unit's file and a file is borrowed — in both languages."""

from pathlib import Path

import pytest
from django.core.management import call_command

from archives.models import Document, Loan, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_archivist_uploads_and_a_file_is_borrowed(browser, live_server, log_in, demo, screenshot, tmp_path):
    unit = Unit.objects.filter(tenancies__move_out__isnull=True, tenancies__client__owner__username="am1").first()
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    log_in(page, "archivist")
    page.goto(f"{live_server.url}/archives/")
    screenshot(page, "archives-grid-en")
    page.goto(f"{live_server.url}/archives/units/{unit.pk}/")
    pdf = Path(tmp_path / "deposit.pdf")
    pdf.write_bytes(b"%PDF-1.4\n% deposit receipt\n%%EOF\n")
    form = page.get_by_test_id("upload-form")
    form.locator("#id_title").fill("Deposit receipt 2026")
    form.locator("#id_category").select_option("payments")
    form.locator("#id_upload").set_input_files(str(pdf))
    form.locator("button").click()
    page.wait_for_selector("text=Document filed.")
    assert "Deposit receipt 2026" in page.get_by_test_id("documents").inner_text()
    screenshot(page, "unit-file-en")
    assert Document.objects.filter(unit=unit, title="Deposit receipt 2026").exists()
    page.context.close()

    am = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-US").new_page()
    log_in(am, "am1")
    am.goto(f"{live_server.url}/archives/units/{unit.pk}/")
    am.fill("input[name=purpose]", "Check the deposit before renewal")
    am.click("button:has-text('Ask to borrow')")
    am.wait_for_selector("text=Borrowing request sent to the client-services manager for approval.")
    am.context.close()

    manager = browser.new_context(viewport={"width": 1366, "height": 900}, locale="en-US").new_page()
    log_in(manager, "propmanager")  # the client-services manager decides on loans (ARC-6)
    manager.click("button[name=language][value=zh-hans]")
    manager.wait_for_load_state()
    manager.goto(f"{live_server.url}/archives/approvals/")
    requests = manager.get_by_test_id("loan-requests")
    assert "借阅申请" in requests.inner_text()
    row = requests.locator("li", has_text="Check the deposit before renewal")
    row.locator("button:has-text('批准')").click()
    manager.wait_for_selector("text=审批已记录。")
    screenshot(manager, "approvals-zh")
    loan = Loan.objects.get(purpose="Check the deposit before renewal")
    assert loan.status == "out" and loan.decided_by.username == "propmanager"
    manager.goto(f"{live_server.url}/archives/units/{unit.pk}/")
    assert "借出中" in manager.get_by_test_id("loans").inner_text()
    screenshot(manager, "unit-file-zh")
    manager.context.close()
