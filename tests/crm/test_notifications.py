"""Notifications: one per key, e-mailed by a task, visible to their recipient only."""

import pytest
from django.core import mail
from django.urls import reverse

from crm import services
from crm.models import Notification
from crm.tasks import notification_send_email_task, notifications_email_pending
from tests.factories import NotificationFactory


def test_creating_the_same_key_twice_gives_one_row(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, created_first = services.notification_create(recipient=alice, key="followup:1:2026-11-28", title="Call")
        second, created_second = services.notification_create(
            recipient=alice, key="followup:1:2026-11-28", title="Call again"
        )
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=alice).count() == 1
    assert len(mail.outbox) == 1, "the e-mail goes out once"


def test_the_same_key_for_two_people_gives_two_rows(alice, bob):
    services.notification_create(recipient=alice, key="k", title="t", send_email=False)
    services.notification_create(recipient=bob, key="k", title="t", send_email=False)
    assert Notification.objects.count() == 2


def test_the_database_refuses_a_duplicate_key(alice):
    from django.db import IntegrityError, transaction

    NotificationFactory(recipient=alice, key="dup")
    with pytest.raises(IntegrityError), transaction.atomic():
        Notification.objects.create(recipient=alice, key="dup", title="x")


def test_email_is_queued_after_commit_and_sent_by_the_task(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification, _ = services.notification_create(recipient=alice, key="k", title="Visit due", body="Client A")
    assert len(mail.outbox) == 0, "nothing is sent before the transaction commits"
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "[CRM] Visit due"
    assert message.to == ["alice@example.com"]
    assert "Client A" in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_email_task_never_sends_twice(alice):
    notification = NotificationFactory(recipient=alice, send_email=True)
    assert notification_send_email_task(notification.pk) is True
    assert notification_send_email_task(notification.pk) is False
    assert len(mail.outbox) == 1


def test_a_failed_send_releases_the_claim_for_a_retry(alice, monkeypatch):
    notification = NotificationFactory(recipient=alice, send_email=True)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", broken)
    with pytest.raises(ConnectionRefusedError):
        services.notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None
    assert list(Notification.objects.email_pending()) == [notification]


def test_pending_emails_are_swept_by_the_periodic_task(alice):
    NotificationFactory.create_batch(3, recipient=alice, send_email=True)
    NotificationFactory(recipient=alice, send_email=False)
    assert notifications_email_pending() == 3
    assert len(mail.outbox) == 3
    assert notifications_email_pending() == 0


def test_users_without_email_get_in_app_notifications_only(make_user):
    user = make_user(email="")
    notification, _ = services.notification_create(recipient=user, key="k", title="t")
    assert notification.send_email is False


def test_list_shows_only_my_notifications(client, alice, bob):
    mine = NotificationFactory(recipient=alice, title="For Alice")
    NotificationFactory(recipient=bob, title="For Bob")
    client.force_login(alice)
    response = client.get(reverse("notifications:list"))
    assert list(response.context["page_obj"].object_list) == [mine]
    assert "For Bob" not in response.content.decode()


def test_unread_count_is_in_the_navbar(client, alice):
    NotificationFactory.create_batch(3, recipient=alice)
    client.force_login(alice)
    body = client.get(reverse("home")).content.decode()
    assert 'id="unread-badge" class="badge rounded-pill text-bg-danger" data-unread="3">3<' in body


def test_filter_by_status_and_search(client, alice):
    read = NotificationFactory(recipient=alice, title="Loan overdue")
    services.notification_mark_read(notification=read)
    unread = NotificationFactory(recipient=alice, title="Visit due")
    client.force_login(alice)
    assert list(client.get(reverse("notifications:list"), {"status": "unread"}).context["page_obj"]) == [unread]
    assert list(client.get(reverse("notifications:list"), {"status": "read"}).context["page_obj"]) == [read]
    assert list(client.get(reverse("notifications:list"), {"q": "loan"}).context["page_obj"]) == [read]


def test_empty_list_says_so(client, alice):
    client.force_login(alice)
    response = client.get(reverse("notifications:list"))
    assert 'data-testid="empty"' in response.content.decode()


@pytest.mark.parametrize("name", ["notifications:open", "notifications:mark_read"])
def test_another_users_notification_is_a_404(client, alice, bob, name):
    theirs = NotificationFactory(recipient=bob)
    client.force_login(alice)
    assert client.post(reverse(name, args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_marks_read_and_follows_the_link(client, alice):
    notification = NotificationFactory(recipient=alice, link="/notifications/?status=read")
    client.force_login(alice)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == "/notifications/?status=read"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_never_redirects_off_site(client, alice):
    notification = NotificationFactory(recipient=alice, link="https://evil.example.com/")
    client.force_login(alice)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_mark_read_with_htmx_returns_the_row(client, alice):
    notification = NotificationFactory(recipient=alice)
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="notification-{notification.pk}"' in body
    assert 'data-unread="0" hx-swap-oob="true"' in body, "the navbar badges are updated too"
    notification.refresh_from_db()
    assert notification.is_read


def test_mark_all_read_touches_only_mine(client, alice, bob):
    NotificationFactory.create_batch(2, recipient=alice)
    theirs = NotificationFactory(recipient=bob)
    client.force_login(alice)
    client.post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.visible_to(alice).unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_state_changes_need_post(client, alice):
    notification = NotificationFactory(recipient=alice)
    client.force_login(alice)
    assert client.get(reverse("notifications:mark_read", args=[notification.pk])).status_code == 405


@pytest.mark.parametrize("rows", [1, 50])
def test_list_runs_a_constant_number_of_queries(client, alice, rows, django_assert_max_num_queries):
    NotificationFactory.create_batch(rows, recipient=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page_obj"].object_list) == min(rows, 25)


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example.com/", "//evil.com", "https:evil", "http:\\\\evil.com", "/\\evil.com"]
)
def test_mark_read_never_redirects_off_site(client, alice, unsafe):
    notification = NotificationFactory(recipient=alice)
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), {"next": unsafe})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:list")


def test_mark_read_follows_a_safe_relative_next(client, alice):
    notification = NotificationFactory(recipient=alice)
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), {"next": "/clients/?page=2"})
    assert response["Location"] == "/clients/?page=2"


def test_mark_read_with_a_next_that_is_no_url_name_is_not_a_server_error(client, alice):
    notification = NotificationFactory(recipient=alice)
    client.force_login(alice)
    response = client.post(reverse("notifications:mark_read", args=[notification.pk]), {"next": "abc"})
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.is_read
