"""Garbled input on repair pages gets a message, never a server error (issue 9, defect 8)."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("unit", ["abc", "1.5", "²", "-1", "99999999999999999999999"])
def test_a_garbled_unit_is_a_form_error_not_a_server_error(client, desk, tenancy, unit):
    client.force_login(desk)
    response = client.post(reverse("repairs:create"), {"unit": unit, "description": "Leak"})
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]


def test_a_garbled_unit_in_the_query_string_is_ignored(client, desk):
    client.force_login(desk)
    assert client.get(reverse("repairs:create"), {"unit": "abc"}).status_code == 200
