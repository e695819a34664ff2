"""Input no page can use gets a 400 with a message, never a server error (issue 9, defect 8)."""

import pytest
from django.urls import reverse

from crm.roles import Role


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.FRONT_DESK, "archives:index"),
        (Role.FRONT_DESK, "repairs:unit_search"),
        (Role.ACCOUNT_MANAGER, "notifications:list"),
        (Role.ADMIN, "admin:clients_client_changelist"),
    ],
)
def test_a_nul_byte_in_a_search_is_a_400_with_a_message(client, make_user, role, url):
    client.force_login(make_user(role, is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN))
    response = client.get(reverse(url), {"q": "12\x0003"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_byte_in_a_posted_field_is_a_400(client, alice):
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_all_read"), {"note\x00": "x"})
    assert response.status_code == 400


def test_a_nul_byte_in_the_login_form_is_a_400(client):
    response = client.post(reverse("login"), {"username": "a\x00", "password": "x"})
    assert response.status_code == 400


def test_ordinary_searches_still_work(client, make_user):
    client.force_login(make_user(Role.FRONT_DESK))
    assert client.get(reverse("archives:index"), {"q": "1203"}).status_code == 200
