"""The race gate for complaints: each step requested by many people at once from the same page
is applied once, and a reassignment cannot silently replace another (CLI-6)."""

import pytest

from clients import complaints as workflow
from clients.models import Complaint
from crm.models import Notification
from crm.roles import Role
from tests.concurrency import RACERS, assert_one_winner, post_race

pytestmark = pytest.mark.django_db(transaction=True)

S = Complaint.Status


@pytest.fixture
def complaint(alice, alices_client):
    return workflow.complaint_file(
        client=alices_client, subject="Late delivery", description="Two days late", channel="phone", by=alice
    )


def test_concurrent_assignments_to_two_people_have_one_winner_and_one_notification(
    complaint, alice, bob, make_user, team
):
    carol = make_user(Role.ACCOUNT_MANAGER, username="carol", team=team)
    choices = [bob, carol] * (RACERS // 2)
    responses = post_race(
        [
            (alice, complaint.get_absolute_url(), {"action": "assigned", "assignee": person.pk, "version": 1})
            for person in choices
        ]
    )
    winner = assert_one_winner(responses, loser_text="Someone else changed this complaint first")
    complaint.refresh_from_db()
    assert complaint.assignee_id == int(winner.wsgi_request.POST["assignee"])
    assert complaint.events.filter(action="assigned").count() == 1
    notified = Notification.objects.filter(recipient__in=[bob, carol]).values_list("recipient", flat=True)
    assert list(notified) == [complaint.assignee_id], "only the person who holds it is told"


def test_the_loser_of_an_assignment_race_is_told_who_holds_it(complaint, alice, bob, manager):
    responses = post_race(
        [
            (alice, complaint.get_absolute_url(), {"action": "assigned", "assignee": bob.pk, "version": 1}),
            (manager, complaint.get_absolute_url(), {"action": "assigned", "assignee": alice.pk, "version": 1}),
        ]
    )
    holder = Complaint.objects.get(pk=complaint.pk).assignee
    loser = next(r for r in responses if r.status_code == 200)
    assert f"assigned to {holder}" in loser.content.decode()


@pytest.mark.parametrize(
    ("action", "status", "note"),
    [("resolved", S.ASSIGNED, "Apologised"), ("closed", S.RESOLVED, ""), ("reopened", S.CLOSED, "Late again")],
)
def test_every_step_requested_at_once_is_applied_once(action, status, note, complaint, alice, bob):
    complaint = workflow.complaint_assign(complaint=complaint, assignee=bob, by=alice)
    if status in (S.RESOLVED, S.CLOSED):
        complaint = workflow.complaint_resolve(complaint=complaint, resolution="Refunded", by=bob)
    if status == S.CLOSED:
        complaint = workflow.complaint_close(complaint=complaint, by=alice)
    before = complaint.events.filter(action=action).count()
    responses = post_race(
        [(alice, complaint.get_absolute_url(), {"action": action, "note": note, "version": complaint.version})] * RACERS
    )
    assert_one_winner(responses)
    assert complaint.events.filter(action=action).count() == before + 1
