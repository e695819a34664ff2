"""The account manager's home page lists due follow-ups and complaints to handle."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from clients import complaints as workflow
from crm.roles import Role
from tests.factories import ClientFactory


def test_home_lists_my_due_followups_and_complaints(client, alice, bob, alices_client):
    today = timezone.localdate()
    ClientFactory(owner=alice, name="Overdue Co", next_contact_date=today - timedelta(days=1))
    ClientFactory(owner=alice, name="Next Month Co", next_contact_date=today + timedelta(days=30))
    ClientFactory(owner=bob, name="Bob Co", next_contact_date=today)
    complaint = workflow.complaint_file(
        client=alices_client, subject="Noisy", description="x", channel="phone", by=alice
    )
    workflow.complaint_assign(complaint=complaint, assignee=alice, by=alice)
    client.force_login(alice)
    response = client.get(reverse("home"))
    panel = response.context["panels"][0]
    assert [c.name for c in panel["due_clients"]] == ["Overdue Co"]
    assert panel["due_count"] == 1
    assert panel["my_complaints"] == [complaint]
    body = response.content.decode()
    assert 'data-testid="followups-panel"' in body
    assert "Overdue Co" in body and "Noisy" in body, "the panel renders its own rows"


def test_other_roles_do_not_get_the_panel(client, make_user):
    for role in (Role.TECHNICIAN, Role.ADMIN, Role.FINANCE):
        client.force_login(make_user(role))
        templates = [panel["template"] for panel in client.get(reverse("home")).context["panels"]]
        assert "clients/home_panel.html" not in templates
