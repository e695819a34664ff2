"""Garbled input on repair pages gets a message, never a server error (issue 9, defect 8)."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse


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
