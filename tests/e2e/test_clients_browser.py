"""An account manager creates a client, logs an interaction and files a complaint — in English
and in Chinese, on a desk screen and on a phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.models import Client, Complaint, Interaction
from crm.demo import seed_people

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def people():
    return {user.username: user for user in seed_people()}


def test_account_manager_creates_a_client_logs_a_visit_and_files_a_complaint(
    desk, live_server, log_in, people, screenshot
):
    page = desk
    log_in(page, "am1")
    page.click("#main-nav a[data-nav='clients:list']")
    page.wait_for_url(f"{live_server.url}/clients/")
    screenshot(page, "clients-empty-en")
    page.click("text=New client")

    # A mistake first: a malformed phone is explained next to the field, and nothing typed is lost.
    page.fill("#id_code", "hx100")
    page.fill("#id_name", "华信科技有限公司")
    page.fill("#id_employer", "华信科技")
    page.fill("#id_phone", "call me")
    page.fill("#id_contacts-0-name", "李明")
    page.fill("#id_contacts-0-phone", "+86 138 0013 8000")
    page.check("#id_contacts-0-is_emergency")
    page.click("button:has-text('Save')")
    assert "Enter a phone number" in page.locator("#id_phone + .invalid-feedback, .invalid-feedback").first.inner_text()
    assert page.input_value("#id_name") == "华信科技有限公司"
    screenshot(page, "client-form-error-en")
    page.fill("#id_phone", "010-6512 3456")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[data-testid=client-name]")
    assert page.get_by_test_id("client-name").inner_text().startswith("华信科技有限公司")
    assert "Emergency contact" in page.get_by_test_id("contacts").inner_text()

    page.click("text=Log interaction")
    page.select_option("#id_kind", "visit")
    page.fill("#id_outcome", "Presented the new settlement package; client interested.")
    page.fill("#id_next_step", "Send the quote")
    page.fill("#id_next_contact_date", (timezone.localdate() + timedelta(days=7)).isoformat())
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Interaction logged.")
    assert "Presented the new settlement package" in page.get_by_test_id("timeline").inner_text()

    page.click("text=File complaint")
    page.fill("#id_subject", "Card delivered late")
    page.fill("#id_description", "The client waited two weeks for the card.")
    page.select_option("#id_assignee", label=str(people["am1"]))
    page.click("button:has-text('Save')")
    page.wait_for_selector("[data-testid=complaint-status]")
    assert page.get_by_test_id("complaint-status").inner_text() == "Assigned"
    page.fill("#id_note", "Card re-sent by courier.")
    page.click("button[value=resolved]")
    page.wait_for_selector("text=Complaint updated.")
    screenshot(page, "complaint-resolved-en")

    client = Client.objects.get(code="HX100")
    assert client.owner == people["am1"]
    assert Interaction.objects.filter(client=client).count() == 1
    assert Complaint.objects.get(client=client).status == "resolved"

    # The same card in Chinese.
    page.goto(f"{live_server.url}{client.get_absolute_url()}")
    page.click("button[name=language][value=zh-hans]")
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "客户关系卡片" in body and "紧急事故联络人" in body and "上门拜访" in body
    screenshot(page, "client-card-zh")
    page.goto(f"{live_server.url}/clients/")
    assert "新建客户" in page.locator("main").inner_text()
    screenshot(page, "client-list-zh")


def test_account_manager_reads_a_card_on_a_phone(phone, live_server, log_in, people, screenshot):
    from tests.factories import ClientFactory, ContactFactory, InteractionFactory

    client = ClientFactory(owner=people["am2"], name="Golden Harbor Trading Co.", code="GH001")
    ContactFactory(client=client, name="Linda Zhao", is_emergency=True)
    InteractionFactory(client=client, outcome="Phone follow-up on the overdue invoice.")
    page = phone
    log_in(page, "am2")
    page.goto(f"{live_server.url}/clients/")
    screenshot(page, "client-list-phone")
    page.click("text=Golden Harbor Trading Co.")
    page.wait_for_selector("[data-testid=timeline]")
    screenshot(page, "client-card-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_new_client_is_saved_with_three_contacts_added_on_the_form(phone, live_server, log_in, people):
    page = phone
    log_in(page, "am1")
    page.goto(f"{live_server.url}/clients/new/")
    page.fill("#id_code", "hx300")
    page.fill("#id_name", "华信科技有限公司")
    # The row of an empty new form is invalid only if filled: a mistake in the second row first.
    page.fill("#id_contacts-0-name", "李明")
    page.fill("#id_contacts-0-phone", "+86 138 0013 8000")
    page.click("#contact-add")
    page.fill("#id_contacts-1-name", "王芳")
    page.fill("#id_contacts-1-phone", "call me")
    page.click("#contact-add")
    page.fill("#id_contacts-2-name", "赵磊")
    page.check("#id_contacts-2-is_emergency")
    page.click("button:has-text('Save')")
    # Refused next to the field; the three rows and what was typed in them are still there.
    assert page.locator("#id_contacts-1-phone.is-invalid").count() == 1
    assert page.input_value("#id_contacts-2-name") == "赵磊"
    assert not Client.objects.filter(code="HX300").exists()
    page.fill("#id_contacts-1-phone", "+86 139 0000 1111")
    page.click("button:has-text('Save')")
    page.wait_for_selector("[data-testid=client-name]")
    saved = Client.objects.get(code="HX300")
    assert sorted(saved.contacts.values_list("name", flat=True)) == ["李明", "王芳", "赵磊"]
    assert saved.contacts.get(is_emergency=True).name == "赵磊"
