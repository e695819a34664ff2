"""The repair orders panel on a complaint's page (CLI-6 → REP-1): what each reader sees, and when
the button to make an order shows."""

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import complaints as workflow
from clients.models import Complaint
from crm.roles import Role
from repairs.home import complaint_orders_context
from repairs.services import repair_order_create


@pytest.fixture
def archivist(make_user):
    return make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="archivist")


@pytest.fixture
def defect(tenancy, desk):
    return workflow.complaint_file(
        client=tenancy.client,
        subject="门锁坏了",
        description="大门门锁无法反锁。",
        channel="phone",
        by=desk,
        kind=Complaint.Kind.PROPERTY,
        category=Complaint.Category.REPAIR,
    )


def order_from(complaint, tenancy, desk):
    return repair_order_create(
        unit=tenancy.unit,
        contact_name="王",
        contact_phone="010-1",
        channel="phone",
        category="locks",
        urgency="normal",
        description="门锁",
        appointment_at=timezone.now(),
        by=desk,
        complaint=complaint,
    )


def test_client_services_sees_the_order_number_without_a_link_it_could_not_open(defect, tenancy, desk, archivist):
    order = order_from(defect, tenancy, desk)
    panel = complaint_orders_context(archivist, defect)
    assert [(o.number, o.visible) for o in panel["complaint_repair_orders"]] == [(order.number, False)]
    assert panel["can_create"] is False


def test_the_front_desk_opens_the_order_from_the_panel(client, defect, tenancy, desk):
    order = order_from(defect, tenancy, desk)
    panel = complaint_orders_context(desk, defect)
    assert [o.visible for o in panel["complaint_repair_orders"]] == [True] and panel["can_create"]
    client.force_login(desk)
    assert order.get_absolute_url().encode() in client.get(defect.get_absolute_url()).content


def test_a_closed_complaint_offers_no_new_order(defect, desk, archivist):
    defect = workflow.complaint_assign(complaint=defect, assignee=archivist, by=desk)
    defect = workflow.complaint_resolve(complaint=defect, resolution="换锁", by=archivist)
    defect = workflow.complaint_close(complaint=defect, by=desk)
    assert complaint_orders_context(desk, defect)["can_create"] is False


def test_a_sales_complaint_without_orders_has_no_panel(client, tenancy, alice):
    sales = workflow.complaint_file(client=tenancy.client, subject="s", description="d", channel="phone", by=alice)
    assert complaint_orders_context(alice, sales)["show"] is False
    client.force_login(alice)
    assert b'data-testid="complaint-repair-orders"' not in client.get(sales.get_absolute_url()).content


def test_the_tenants_account_manager_sees_the_order_of_its_client(defect, tenancy, desk, alice):
    order_from(defect, tenancy, desk)
    panel = complaint_orders_context(alice, defect)
    assert [o.visible for o in panel["complaint_repair_orders"]] == [True], "their client's order"
    assert panel["can_create"] is False


def test_the_complaint_page_query_count_stays_flat_with_orders(
    client, defect, tenancy, desk, django_assert_max_num_queries
):
    client.force_login(desk)
    order_from(defect, tenancy, desk)
    with django_assert_max_num_queries(40) as few:
        client.get(defect.get_absolute_url())
    for _ in range(10):
        order_from(defect, tenancy, desk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(defect.get_absolute_url())


def test_the_order_page_links_back_to_its_assigned_complaint(client, defect, tenancy, desk, archivist):
    order = order_from(defect, tenancy, desk)
    workflow.complaint_assign(complaint=defect, assignee=archivist, by=desk)
    client.force_login(desk)
    page = client.get(order.get_absolute_url())
    assert page.context["complaint_visible"] is True
    assert reverse("clients:complaint_detail", args=[defect.pk]).encode() in page.content
