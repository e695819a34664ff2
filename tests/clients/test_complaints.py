"""The complaint workflow (CLI-6): every allowed and refused step, races, notifications."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from clients import complaints as workflow
from clients.models import Complaint
from crm.models import Notification

S = Complaint.Status


@pytest.fixture
def complaint(alice, alices_client):
    return workflow.complaint_file(
        client=alices_client, subject="Late delivery", description="Two days late", channel="phone", by=alice
    )


def test_filing_records_the_first_event(complaint, alice):
    assert complaint.status == S.RECEIVED
    assert [(e.action, e.actor) for e in complaint.events.all()] == [("filed", alice)]


def test_assign_resolve_close_with_who_and_when(complaint, alice, bob):
    complaint = workflow.complaint_assign(complaint=complaint, assignee=bob, by=alice)
    assert (complaint.status, complaint.assignee, complaint.assigned_at is not None) == (S.ASSIGNED, bob, True)
    complaint = workflow.complaint_resolve(complaint=complaint, resolution="Redelivered", by=bob)
    assert complaint.status == S.RESOLVED and complaint.resolution == "Redelivered"
    complaint = workflow.complaint_close(complaint=complaint, by=alice)
    assert complaint.status == S.CLOSED and complaint.closed_at is not None
    assert [e.action for e in complaint.events.all()] == ["filed", "assigned", "resolved", "closed"]
    assert complaint.history.count() >= 4, "each step is in the audit history"


def test_reopen_from_resolved_or_closed(complaint, alice):
    workflow.complaint_assign(complaint=complaint, assignee=alice, by=alice)
    workflow.complaint_resolve(complaint=complaint, resolution="Done", by=alice)
    complaint = workflow.complaint_reopen(complaint=complaint, by=alice, note="Still late")
    assert complaint.status == S.ASSIGNED and complaint.reopen_count == 1 and complaint.resolved_at is None
    workflow.complaint_resolve(complaint=complaint, resolution="Done again", by=alice)
    workflow.complaint_close(complaint=complaint, by=alice)
    complaint = workflow.complaint_reopen(complaint=complaint, by=alice, note="Again")
    assert complaint.reopen_count == 2


@pytest.mark.parametrize(
    ("status", "step"),
    [
        (S.RECEIVED, lambda c, u: workflow.complaint_resolve(complaint=c, resolution="x", by=u)),
        (S.RECEIVED, lambda c, u: workflow.complaint_close(complaint=c, by=u)),
        (S.RECEIVED, lambda c, u: workflow.complaint_reopen(complaint=c, by=u, note="x")),
        (S.ASSIGNED, lambda c, u: workflow.complaint_close(complaint=c, by=u)),
        (S.ASSIGNED, lambda c, u: workflow.complaint_reopen(complaint=c, by=u, note="x")),
        (S.CLOSED, lambda c, u: workflow.complaint_assign(complaint=c, assignee=u, by=u)),
        (S.CLOSED, lambda c, u: workflow.complaint_resolve(complaint=c, resolution="x", by=u)),
    ],
)
def test_refused_steps_change_nothing(complaint, alice, status, step):
    Complaint.objects.filter(pk=complaint.pk).update(status=status, assignee=alice)
    complaint.refresh_from_db()
    with pytest.raises(ValidationError):
        step(complaint, alice)
    complaint.refresh_from_db()
    assert complaint.status == status


def test_two_people_acting_at_once_one_wins(complaint, alice, manager):
    stale_copy = Complaint.objects.get(pk=complaint.pk)
    workflow.complaint_assign(complaint=complaint, assignee=alice, by=alice)
    workflow.complaint_resolve(complaint=complaint, resolution="fixed", by=alice)
    with pytest.raises(ValidationError, match="now “Resolved”"):
        workflow.complaint_resolve(complaint=stale_copy, resolution="also fixed", by=manager)
    assert Complaint.objects.get(pk=complaint.pk).resolution == "fixed"


def test_resolution_and_reopen_reason_are_required(complaint, alice):
    workflow.complaint_assign(complaint=complaint, assignee=alice, by=alice)
    with pytest.raises(ValidationError):
        workflow.complaint_resolve(complaint=complaint, resolution="  ", by=alice)
    workflow.complaint_resolve(complaint=complaint, resolution="ok", by=alice)
    with pytest.raises(ValidationError):
        workflow.complaint_reopen(complaint=complaint, by=alice, note="")


def test_the_assignee_is_notified(complaint, alice, bob):
    workflow.complaint_assign(complaint=complaint, assignee=bob, by=alice)
    notification = Notification.objects.get(recipient=bob)
    assert notification.title == "Complaint assigned to you: Late delivery"
    assert notification.link == complaint.get_absolute_url()


def test_assignee_must_be_in_the_owners_team(complaint, alice, charlie):
    with pytest.raises(ValidationError):
        workflow.complaint_assign(complaint=complaint, assignee=charlie, by=alice)


def test_assignee_may_resolve_but_not_close(complaint, alice, bob):
    workflow.complaint_assign(complaint=complaint, assignee=bob, by=alice)
    assert workflow.allowed_actions(complaint, bob) == ["resolved"]
    workflow.complaint_resolve(complaint=complaint, resolution="done", by=bob)
    with pytest.raises(PermissionDenied):
        workflow.complaint_close(complaint=complaint, by=bob)


def test_the_assignee_sees_the_complaint_but_not_the_client_card(client, complaint, alice, bob):
    workflow.complaint_assign(complaint=complaint, assignee=bob, by=alice)
    client.force_login(bob)
    response = client.get(complaint.get_absolute_url())
    assert response.status_code == 200 and response.context["client_visible"] is False
    assert client.get(reverse("clients:detail", args=[complaint.client_id])).status_code == 404


def test_outsiders_get_404_on_the_complaint(client, complaint, charlie):
    client.force_login(charlie)
    assert client.get(complaint.get_absolute_url()).status_code == 404
    assert client.post(complaint.get_absolute_url(), {"action": "closed"}).status_code == 404
    kept = Complaint.objects.get(pk=complaint.pk)
    assert (kept.status, kept.version, kept.events.count()) == (complaint.status, complaint.version, 1)


def test_filing_and_stepping_through_the_pages(client, alice, bob, alices_client):
    client.force_login(alice)
    response = client.post(
        reverse("clients:complaint_create", args=[alices_client.pk]),
        {"subject": "Rude driver", "channel": "phone", "description": "Complained by phone", "assignee": bob.pk},
    )
    complaint = Complaint.objects.get(subject="Rude driver")
    assert response["Location"] == complaint.get_absolute_url()
    assert complaint.status == S.ASSIGNED
    response = client.post(complaint.get_absolute_url(), {"action": "resolved", "note": "", "version": 2})
    assert "Describe how the complaint was resolved." in response.content.decode()
    client.post(complaint.get_absolute_url(), {"action": "resolved", "note": "Apologised", "version": 2})
    client.post(complaint.get_absolute_url(), {"action": "closed", "note": "", "version": 3})
    complaint.refresh_from_db()
    assert complaint.status == S.CLOSED


def test_open_complaints_list_per_owner(client, manager, alice, complaint):
    client.force_login(manager)
    response = client.get(reverse("clients:complaints"), {"owner": alice.pk})
    assert list(response.context["page_obj"].object_list) == [complaint]
    workflow.complaint_assign(complaint=complaint, assignee=alice, by=alice)
    workflow.complaint_resolve(complaint=complaint, resolution="ok", by=alice)
    workflow.complaint_close(complaint=complaint, by=alice)
    assert list(client.get(reverse("clients:complaints")).context["page_obj"].object_list) == []
    assert len(client.get(reverse("clients:complaints"), {"status": "closed"}).context["page_obj"].object_list) == 1


@pytest.mark.parametrize("rows", [1, 50])
def test_complaint_list_query_count_is_constant(client, alice, alices_client, rows, django_assert_max_num_queries):
    for n in range(rows):
        workflow.complaint_file(client=alices_client, subject=f"c{n}", description="d", channel="phone", by=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("clients:complaints"), {"per_page": 50})
    assert len(response.context["page_obj"].object_list) == rows
