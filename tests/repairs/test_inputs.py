"""Garbled input on repair pages gets a message, never a server error (issue 9, defect 8)."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from repairs import workflow
from repairs.models import RepairOrder
from repairs.workflow import LineInput
from tests.factories import FeeItemFactory
from tests.repairs.test_views import post_step
from tests.repairs.test_workflow import to_status


def first_message(response) -> str:
    return str(next(iter(get_messages(response.wsgi_request))))


@pytest.mark.parametrize("unit", ["abc", "1.5", "²", "-1", "99999999999999999999999"])
def test_a_garbled_unit_is_a_form_error_not_a_server_error(client, desk, tenancy, unit):
    client.force_login(desk)
    response = client.post(reverse("repairs:create"), {"unit": unit, "description": "Leak"})
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]


def test_a_garbled_unit_in_the_query_string_is_ignored(client, desk):
    client.force_login(desk)
    assert client.get(reverse("repairs:create"), {"unit": "abc"}).status_code == 200


GARBLED_MONTHS = ["9999-12", "0001-01", "2026-13", "2026-00", "99999999999999999999-1", "abc", "2026-1-1", "-1"]


@pytest.mark.parametrize("month", GARBLED_MONTHS)
@pytest.mark.parametrize(
    ("name", "back_to"),
    [
        ("repairs:stats", "repairs:stats"),
        ("repairs:register", "repairs:register"),
        ("repairs:stats_export", "repairs:stats"),
    ],
)
def test_a_garbled_month_redirects_with_a_message(client, supervisor, name, back_to, month):
    client.force_login(supervisor)
    response = client.get(reverse(name), {"month": month})
    assert response.status_code == 302
    assert response["Location"] == reverse(back_to)
    assert "YYYY-MM" in first_message(response)


@pytest.mark.parametrize("month", GARBLED_MONTHS)
def test_generating_a_garbled_month_redirects_with_a_message(client, supervisor, month):
    client.force_login(supervisor)
    response = client.post(reverse("repairs:stats_generate"), {"month": month})
    assert response["Location"] == reverse("repairs:stats")
    assert "YYYY-MM" in first_message(response)


def test_a_page_without_a_month_shows_the_previous_one(client, supervisor):
    client.force_login(supervisor)
    assert client.get(reverse("repairs:register")).status_code == 200


def ninety_huge_lines(fee) -> dict:
    data = {"lines-TOTAL_FORMS": "90", "lines-INITIAL_FORMS": "0"}
    for i in range(90):
        data |= {f"lines-{i}-fee_item": fee.pk, f"lines-{i}-quantity": "999999.99"}
    return data


def test_a_quote_too_large_for_the_total_is_refused_with_a_message(client, new_order, supervisor, tech, fees):
    order = to_status(new_order, RepairOrder.Status.ARRIVED, supervisor, tech, fees)
    client.force_login(tech.user)
    response = post_step(client, order, "quote", ninety_huge_lines(fees["tap"]))
    assert response.status_code == 200
    assert "more than an order can hold" in " ".join(response.context["line_formset"].non_form_errors())
    order = RepairOrder.objects.get(pk=order.pk)
    assert (order.status, order.lines.count()) == (RepairOrder.Status.ARRIVED, 0)


def test_the_workflow_refuses_a_line_too_large_for_its_amount(new_order, supervisor, tech, fees):
    order = to_status(new_order, RepairOrder.Status.ARRIVED, supervisor, tech, fees)
    dear = FeeItemFactory(code="dear", price=Decimal("99999999.99"))
    with pytest.raises(ValidationError, match="more than an order can hold"):
        workflow.quote(order=order, lines=[LineInput(dear, Decimal("999999.99"))], by=tech.user)
    assert not order.lines.exists()
