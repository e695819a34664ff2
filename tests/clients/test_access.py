"""The permission gate on every client view: owner, teammate, outsider, both managers, other roles."""

import pytest
from django.urls import reverse

from clients.models import Interaction
from tests.factories import InteractionFactory

CARD_VIEWS = [
    "clients:detail",
    "clients:edit",
    "clients:interaction_create",
    "clients:feedback_create",
    "clients:demand_create",
    "clients:complaint_create",
]


@pytest.mark.parametrize("name", CARD_VIEWS)
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("bob", 404),
        ("charlie", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("admin_user", 200),
        ("front_desk", 403),
    ],
)
def test_card_pages_follow_the_gate(client, request, alices_client, name, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=[alices_client.pk])).status_code == status


@pytest.mark.parametrize("who", ["bob", "charlie", "other_manager"])
def test_outsiders_cannot_write_through_any_form(client, request, alices_client, who):
    client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("clients:interaction_create", args=[alices_client.pk]),
        {"kind": "call", "occurred_at": "2026-11-01T10:00", "outcome": "sneaky"},
    )
    assert response.status_code == 404
    response = client.post(reverse("clients:edit", args=[alices_client.pk]), {"name": "Hijacked"})
    assert response.status_code == 404
    assert not Interaction.objects.filter(outcome="sneaky").exists()
    alices_client.refresh_from_db()
    assert alices_client.name == "华信科技"


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("alice", True),
        ("bob", False),
        ("charlie", False),
        ("manager", True),
        ("other_manager", False),
        ("admin_user", True),
    ],
)
def test_lists_and_exports_show_only_the_users_clients(client, request, alices_client, who, sees):
    type(alices_client).objects.filter(pk=alices_client.pk).update(is_key_account=True)
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("clients:list"),
        reverse("clients:key_accounts"),
        reverse("clients:export", args=["clients"]) + "?format=csv",
        reverse("clients:export", args=["contacts"]) + "?format=csv",
    ]:
        body = client.get(url).content.decode("utf-8-sig")
        assert ("华信科技" in body or "李明" in body) is sees, url


@pytest.mark.parametrize(
    "name",
    [
        "clients:list",
        # not "clients:complaints": the front desk handles tenants' complaints there (issue 13, CLI-6)
        "clients:promotions",
        "clients:import",
        "clients:key_accounts",
        "clients:create",
    ],
)
def test_roles_without_client_files_get_403(client, front_desk, name):
    client.force_login(front_desk)
    assert client.get(reverse(name)).status_code == 403


def test_manager_without_a_team_sees_no_clients(client, make_user, alices_client):
    from crm.roles import Role

    client.force_login(make_user(Role.MANAGER, username="lonely", team=None))
    assert client.get(reverse("clients:detail", args=[alices_client.pk])).status_code == 404


def test_timeline_entries_belong_to_the_client(client, alice, alices_client):
    InteractionFactory(client=alices_client, outcome="Talked about the new card")
    InteractionFactory(outcome="Someone else's visit")
    client.force_login(alice)
    body = client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    assert "Talked about the new card" in body
    assert "Someone else&#x27;s visit" not in body and "Someone else's visit" not in body
