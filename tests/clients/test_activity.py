"""Interactions, follow-up reminders, feedback and demand (CLI-5, 7, 10; VIS-4…6)."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from clients import services
from clients.models import Client, DemandRecord, Interaction, ProductFeedback
from clients.tasks import followup_reminders_send
from crm.models import Notification
from tests.factories import ClientFactory


def test_logging_an_interaction_books_the_next_contact(client, alice, alices_client):
    client.force_login(alice)
    next_week = timezone.localdate() + timedelta(days=7)
    response = client.post(
        reverse("clients:interaction_create", args=[alices_client.pk]),
        {
            "kind": "visit",
            "occurred_at": "2026-11-20T10:00",
            "outcome": "Presented the card",
            "next_step": "Send the quote",
            "next_contact_date": next_week.isoformat(),
        },
    )
    assert response.status_code == 302
    interaction = Interaction.objects.get()
    assert (interaction.recorded_by, interaction.kind, interaction.next_step) == (alice, "visit", "Send the quote")
    alices_client.refresh_from_db()
    assert alices_client.next_contact_date == next_week
    body = client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    assert "Presented the card" in body and "Send the quote" in body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("next_contact_date", "2020-01-01", "cannot be in the past"),
        ("outcome", "", "This field is required."),
        ("occurred_at", "2099-01-01T10:00", "cannot be in the future"),
    ],
)
def test_interaction_input_errors_are_shown_next_to_the_field(client, alice, alices_client, field, value, message):
    client.force_login(alice)
    data = {"kind": "call", "occurred_at": "2026-11-20T10:00", "outcome": "Called", field: value}
    response = client.post(reverse("clients:interaction_create", args=[alices_client.pk]), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert not Interaction.objects.exists()


def test_reminders_one_per_client_and_date_and_one_digest_per_manager(alice, bob, django_capture_on_commit_callbacks):
    today = date(2026, 11, 28)
    ClientFactory(owner=alice, name="Overdue", next_contact_date=today - timedelta(days=3), next_step="Call back")
    ClientFactory(owner=alice, name="Due", next_contact_date=today)
    ClientFactory(owner=alice, name="Later", next_contact_date=today + timedelta(days=1))
    ClientFactory(owner=bob, name="Bob's", next_contact_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.followup_reminders_send(today=today) == 3
    alice_titles = set(Notification.objects.filter(recipient=alice).values_list("title", flat=True))
    assert "Follow up with Overdue (due 2026-11-25)" in alice_titles
    assert "Follow up with Due (due 2026-11-28)" in alice_titles
    assert "2 client follow-ups are due" in alice_titles
    assert not any("Later" in title for title in alice_titles)
    assert sorted(message.to[0] for message in mail.outbox) == ["alice@example.com", "bob@example.com"]
    assert "Call back" in next(m.body for m in mail.outbox if m.to == ["alice@example.com"])


def test_running_the_reminders_again_creates_nothing(alice, django_capture_on_commit_callbacks):
    today = date(2026, 11, 28)
    ClientFactory(owner=alice, next_contact_date=today)
    with django_capture_on_commit_callbacks(execute=True):
        services.followup_reminders_send(today=today)
        count = Notification.objects.count()
        assert services.followup_reminders_send(today=today) == 0
    assert Notification.objects.count() == count
    assert len(mail.outbox) == 1


def test_an_overdue_follow_up_is_reminded_once_and_listed_in_each_days_digest(
    alice, django_capture_on_commit_callbacks
):
    first_day = date(2026, 11, 26)
    overdue = ClientFactory(owner=alice, name="Overdue", next_contact_date=first_day)
    created, digests = [], []
    for day in range(3):
        today = first_day + timedelta(days=day)
        with django_capture_on_commit_callbacks(execute=True):
            created.append(services.followup_reminders_send(today=today))
        digests.append(Notification.objects.get(recipient=alice, key=f"followup-digest:{today.isoformat()}"))
    assert created == [1, 0, 0], "one reminder for the due date, not one per morning it stays overdue"
    reminders = Notification.objects.filter(recipient=alice, key__startswith="followup:client:")
    assert list(reminders.values_list("key", flat=True)) == [services.followup_key(overdue.pk, first_day)]
    assert all("Overdue" in digest.body for digest in digests), "each morning's digest lists it"
    assert len(mail.outbox) == 3
    # A new date is a new follow-up: reminded once when it falls due.
    Client.objects.filter(pk=overdue.pk).update(next_contact_date=first_day + timedelta(days=5))
    assert services.followup_reminders_send(today=first_day + timedelta(days=4)) == 0
    assert services.followup_reminders_send(today=first_day + timedelta(days=5)) == 1


def test_logging_the_follow_up_clears_the_reminder(alice, alices_client):
    today = timezone.localdate()
    Client.objects.filter(pk=alices_client.pk).update(next_contact_date=today)
    services.followup_reminders_send(today=today)
    alices_client.refresh_from_db()
    services.interaction_log(client=alices_client, kind="call", outcome="Done", by=alice)
    alices_client.refresh_from_db()
    assert alices_client.next_contact_date is None
    assert not Client.objects.followup_due(today).exists()
    reminder = Notification.objects.get(key=services.followup_key(alices_client.pk, today))
    assert reminder.read_at is not None
    assert services.followup_reminders_send(today=today) == 0


def booked(client, due, step="Visit with the new catalogue"):
    Client.objects.filter(pk=client.pk).update(next_contact_date=due, next_step=step)
    client.refresh_from_db()
    services.followup_reminders_send(today=due)  # the reminder of the booking, unread
    return Notification.objects.get(key=services.followup_key(client.pk, due))


def test_a_contact_before_the_booked_day_without_a_date_keeps_the_booking(alice, alices_client):
    due = timezone.localdate() + timedelta(days=10)
    reminder = booked(alices_client, due)
    services.interaction_log(client=alices_client, kind="call", outcome="They called about an invoice", by=alice)
    alices_client.refresh_from_db()
    assert (alices_client.next_contact_date, alices_client.next_step) == (due, "Visit with the new catalogue")
    reminder.refresh_from_db()
    assert reminder.read_at is None, "the booking's reminder still stands"


def test_a_call_from_before_the_booked_day_logged_late_keeps_the_booking(alice, alices_client):
    due = timezone.localdate() - timedelta(days=3)  # overdue now
    booked(alices_client, due)
    earlier = timezone.now() - timedelta(days=5)  # the call happened before the booked day
    services.interaction_log(client=alices_client, kind="call", outcome="Price question", by=alice, occurred_at=earlier)
    alices_client.refresh_from_db()
    assert alices_client.next_contact_date == due, "the day of the contact counts, not the day it was typed in"


def test_a_contact_that_books_another_date_moves_the_booking(alice, alices_client):
    due = timezone.localdate() + timedelta(days=10)
    reminder = booked(alices_client, due)
    later = due + timedelta(days=7)
    services.interaction_log(
        client=alices_client, kind="call", outcome="Asked to come later", by=alice, next_contact_date=later
    )
    alices_client.refresh_from_db()
    assert alices_client.next_contact_date == later
    reminder.refresh_from_db()
    assert reminder.read_at is not None, "the old date's reminder is done with"


def test_the_contact_on_the_booked_day_is_the_follow_up_and_ends_the_booking(alice, alices_client):
    due = timezone.localdate() - timedelta(days=1)  # overdue by a day, done today
    reminder = booked(alices_client, due)
    services.interaction_log(client=alices_client, kind="visit", outcome="Presented the catalogue", by=alice)
    alices_client.refresh_from_db()
    assert (alices_client.next_contact_date, alices_client.next_step) == (None, "")
    reminder.refresh_from_db()
    assert reminder.read_at is not None


def test_the_interaction_form_without_a_date_keeps_the_booking(client, alice, alices_client):
    due = timezone.localdate() + timedelta(days=10)
    booked(alices_client, due)
    client.force_login(alice)
    response = client.post(
        reverse("clients:interaction_create", args=[alices_client.pk]),
        {"kind": "call", "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "outcome": "Quick call"},
    )
    assert response.status_code == 302
    alices_client.refresh_from_db()
    assert alices_client.next_contact_date == due


def test_the_beat_task_runs_the_service(alice):
    ClientFactory(owner=alice, next_contact_date=timezone.localdate())
    assert followup_reminders_send() == 1


def test_feedback_and_demand_are_recorded_on_the_timeline(client, alice, alices_client):
    client.force_login(alice)
    client.post(
        reverse("clients:feedback_create", args=[alices_client.pk]),
        {"product": "冷链配送", "informed_on": "2026-11-01", "feedback": "Good", "rating": "4"},
    )
    client.post(
        reverse("clients:demand_create", args=[alices_client.pk]),
        {"product": "Tea", "quantity": "120", "unit": "box", "period_start": "2026-12-01", "period_end": "2026-12-31"},
    )
    assert ProductFeedback.objects.get().recorded_by == alice
    assert DemandRecord.objects.get().quantity == 120
    kinds = [entry.kind for entry in client.get(reverse("clients:detail", args=[alices_client.pk])).context["timeline"]]
    assert "feedback" in kinds and "demand" in kinds


def test_demand_period_must_be_ordered(client, alice, alices_client):
    client.force_login(alice)
    response = client.post(
        reverse("clients:demand_create", args=[alices_client.pk]),
        {"product": "Tea", "quantity": "0", "period_start": "2026-12-31", "period_end": "2026-12-01"},
    )
    errors = response.context["form"].errors
    assert "period_end" in errors and "quantity" in errors
