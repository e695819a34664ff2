"""On a 390×844 phone, the front desk takes a tenant's complaint, turns it into a repair order with
one button, and each page links to the other (CLI-6 → REP-1); nothing overflows the screen."""

import pytest

from clients.models import Complaint
from crm.roles import Role
from repairs.models import RepairOrder
from tests.factories import ContactFactory, TenancyFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_front_desk_turns_a_complaint_into_a_repair_order_on_a_phone(phone, live_server, log_in, screenshot):
    UserFactory(username="frontdesk", role=Role.FRONT_DESK)
    owner = UserFactory(username="am-owner", role=Role.ACCOUNT_MANAGER)
    tenancy = TenancyFactory(unit=UnitFactory(number="1203"), client__owner=owner, client__name="华泰律师事务所")
    ContactFactory(client=tenancy.client, name="王律师", phone="010-6512 3456", is_emergency=True)

    log_in(phone, "frontdesk")
    phone.goto(f"{live_server.url}/clients/complaints/new/?client={tenancy.client_id}")
    phone.fill("#id_subject", "卫生间漏水")
    phone.select_option("#id_category", "repair")
    phone.fill("#id_description", "天花板滴水，已经两天。")
    assert _fits(phone)
    phone.click("button:has-text('Save')")
    phone.wait_for_selector("[data-testid=complaint-repair-orders]")
    complaint = Complaint.objects.get()
    assert complaint.kind == Complaint.Kind.PROPERTY
    screenshot(phone, "complaint-property-phone")
    assert _fits(phone)

    phone.click("[data-testid=complaint-to-repair]")
    phone.wait_for_selector("[data-testid=from-complaint]")
    assert "华泰律师事务所" in phone.get_by_test_id("unit-tenant").inner_text(), "the tenant's one unit is picked"
    assert phone.input_value("#id_contact_name") == "王律师"
    phone.select_option("#id_category", "plumbing")
    phone.click("button:has-text('Log the order')")
    phone.wait_for_selector("[data-testid=order-complaint]")
    order = RepairOrder.objects.get()
    assert order.complaint == complaint and order.unit == tenancy.unit

    phone.click("[data-testid=order-complaint] a")
    phone.wait_for_selector("[data-testid=complaint-repair-orders]")
    assert order.number in phone.get_by_test_id("complaint-repair-orders").inner_text()
