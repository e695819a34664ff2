"""A tenant's complaint about a defect becomes a repair order with one button, prefilled, and the
two stay linked both ways (CLI-6 → REP-1)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import complaints as workflow
from clients.models import Complaint
from crm.roles import Role
from repairs.models import RepairOrder
from tests.factories import ContactFactory, TenancyFactory, UnitFactory


@pytest.fixture
def archivist(make_user):
    return make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="archivist")


@pytest.fixture
def defect(tenancy, desk):
    ContactFactory(client=tenancy.client, name="王律师", phone="010-6512 3456", is_emergency=True)
    return workflow.complaint_file(
        client=tenancy.client,
        subject="卫生间漏水",
        description="天花板滴水，已经两天。",
        channel="visit",
        by=desk,
        kind=Complaint.Kind.PROPERTY,
        category=Complaint.Category.REPAIR,
    )


def _post(client, url, unit, **extra):
    when = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "unit": unit.pk,
        "contact_name": "王律师",
        "contact_phone": "010-6512 3456",
        "channel": "walk_in",
        "category": "plumbing",
        "urgency": "urgent",
        "description": "卫生间漏水",
        "appointment_at": when,
        **extra,
    }
    return client.post(url, data)


def test_the_complaint_page_has_the_button_for_the_front_desk(client, desk, defect):
    client.force_login(desk)
    page = client.get(defect.get_absolute_url())
    link = f"{reverse('repairs:create')}?complaint={defect.pk}"
    assert link.encode() in page.content
    assert b'data-testid="complaint-repair-orders"' in page.content


def test_client_services_sees_the_panel_but_no_button_it_could_not_use(client, archivist, defect):
    client.force_login(archivist)
    page = client.get(defect.get_absolute_url())
    assert b'data-testid="complaint-repair-orders"' in page.content
    assert reverse("repairs:create").encode() not in page.content, "the button would lead to a 403"


def test_the_repair_form_starts_prefilled_from_the_complaint(client, desk, defect, tenancy):
    client.force_login(desk)
    page = client.get(reverse("repairs:create"), {"complaint": defect.pk})
    form = page.context["form"]
    assert form["unit"].value() == tenancy.unit.pk
    assert form["description"].value() == "卫生间漏水\n天花板滴水，已经两天。"
    assert (form["contact_name"].value(), form["contact_phone"].value()) == ("王律师", "010-6512 3456")
    assert form["channel"].value() == RepairOrder.Channel.WALK_IN
    assert page.context["unit"] == tenancy.unit
    assert "华泰律师事务所" in page.content.decode(), "the unit's tenant is shown"


def test_saving_links_the_order_to_the_complaint_both_ways(client, desk, defect, tenancy):
    client.force_login(desk)
    url = f"{reverse('repairs:create')}?complaint={defect.pk}"
    response = _post(client, url, tenancy.unit)
    order = RepairOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert (order.complaint, order.client, order.unit) == (defect, tenancy.client, tenancy.unit)
    order_page = client.get(order.get_absolute_url())
    assert defect.get_absolute_url().encode() in order_page.content, "the order links back to the complaint"
    complaint_page = client.get(defect.get_absolute_url())
    assert order.number.encode() in complaint_page.content
    assert order.get_absolute_url().encode() in complaint_page.content


def test_a_tenant_with_several_units_chooses_one(client, desk, defect, tenancy):
    second = TenancyFactory(unit=UnitFactory(number="1205"), client=tenancy.client, company_name="华泰二部")
    other = UnitFactory(number="0101")
    client.force_login(desk)
    url = f"{reverse('repairs:create')}?complaint={defect.pk}"
    page = client.get(url)
    assert page.context["choose_unit"] is True
    assert set(page.context["form"].fields["unit"].queryset) == {tenancy.unit, second.unit}
    assert page.context["form"]["unit"].value() is None
    refused = _post(client, url, other)
    assert "unit" in refused.context["form"].errors, "only the tenant's units"
    _post(client, url, second.unit)
    assert RepairOrder.objects.get().unit == second.unit


def test_an_order_page_does_not_link_a_complaint_its_reader_cannot_open(client, defect, tenancy, desk, make_user):
    from repairs.services import repair_order_create

    order = repair_order_create(
        unit=tenancy.unit,
        contact_name="王",
        contact_phone="010-1",
        channel="phone",
        category="plumbing",
        urgency="normal",
        description="x",
        appointment_at=timezone.now(),
        by=desk,
        complaint=defect,
    )
    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    page = client.get(order.get_absolute_url())
    assert "卫生间漏水" in page.content.decode()
    assert defect.get_absolute_url().encode() not in page.content


def test_a_sales_complaint_or_an_unseen_one_is_a_404(client, desk, tenancy, alice, make_user):
    sales = workflow.complaint_file(client=tenancy.client, subject="s", description="d", channel="phone", by=alice)
    client.force_login(desk)
    assert client.get(reverse("repairs:create"), {"complaint": sales.pk}).status_code == 404
    assert client.get(reverse("repairs:create"), {"complaint": "１２"}).status_code == 404
    assert client.get(reverse("repairs:create"), {"complaint": "999999"}).status_code == 404
