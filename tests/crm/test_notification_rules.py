"""The rules of crm/services.py spelled out value by value (issue 17): what a notification holds,
when its e-mail is queued, sent, retried or given up, and what the role groups grant."""

import logging
import smtplib
from datetime import UTC, datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import translation

from crm import roles, services
from crm.models import Notification, OutboxMessage
from crm.roles import Role, group_name
from tests.factories import NotificationFactory

FIXED = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_a_notification_without_body_or_link_has_empty_ones_and_is_emailed(alice):
    notification, created = services.notification_create(recipient=alice, key="k", title="Call Acme")
    notification.refresh_from_db()
    assert created is True
    assert (notification.title, notification.body, notification.link) == ("Call Acme", "", "")
    assert notification.level == Notification.Level.INFO
    assert notification.send_email is True
    message = OutboxMessage.objects.get()
    assert (message.task, message.args) == ("crm.tasks.notification_send_email_task", [notification.pk])


def test_every_given_field_is_stored(alice):
    notification, _ = services.notification_create(
        recipient=alice,
        key="visit:7",
        title="Visit due",
        body="Bring the contract",
        link="/clients/7/",
        level=Notification.Level.REMINDER,
        send_email=False,
    )
    notification.refresh_from_db()
    assert (notification.key, notification.body, notification.link, notification.level) == (
        "visit:7",
        "Bring the contract",
        "/clients/7/",
        "reminder",
    )


def test_a_long_title_is_cut_to_200_characters(alice):
    notification, _ = services.notification_create(recipient=alice, key="k", title="a" * 150 + " " + "b" * 100)
    notification.refresh_from_db()
    assert notification.title == "a" * 150 + " " + "b" * 49
    assert len(notification.title) == 200


def test_no_email_asked_means_none_queued_even_with_an_address(alice):
    notification, _ = services.notification_create(recipient=alice, key="k", title="t", send_email=False)
    notification.refresh_from_db()
    assert notification.send_email is False
    assert not OutboxMessage.objects.exists()


def test_a_repeated_key_queues_no_second_email(alice):
    services.notification_create(recipient=alice, key="k", title="t")
    services.notification_create(recipient=alice, key="k", title="t")
    assert OutboxMessage.objects.count() == 1


def test_single_line_joins_lines_with_one_space():
    assert services.single_line("Late\r\n\tpayment  due\n") == "Late payment due"
    assert services.single_line(42) == "42"


def test_mark_read_sets_the_time_on_this_notification_only(alice):
    notification = NotificationFactory(recipient=alice)
    other = NotificationFactory(recipient=alice)
    returned = services.notification_mark_read(notification=notification)
    assert returned is notification
    assert returned.read_at is not None
    notification.refresh_from_db()
    other.refresh_from_db()
    assert notification.read_at == returned.read_at
    assert other.read_at is None


def test_mark_read_keeps_the_time_it_was_first_read(alice):
    notification = NotificationFactory(recipient=alice, read_at=FIXED)
    services.notification_mark_read(notification=notification)
    assert notification.read_at == FIXED
    notification.refresh_from_db()
    assert notification.read_at == FIXED


def test_mark_read_from_a_stale_page_keeps_the_time_it_was_first_read(alice):
    notification = NotificationFactory(recipient=alice)
    Notification.objects.filter(pk=notification.pk).update(read_at=FIXED)  # read in another tab meanwhile
    services.notification_mark_read(notification=notification)
    notification.refresh_from_db()
    assert notification.read_at == FIXED


def test_mark_all_read_counts_and_marks_my_unread_ones(alice, bob):
    mine = NotificationFactory.create_batch(2, recipient=alice)
    NotificationFactory(recipient=alice, read_at=FIXED)
    theirs = NotificationFactory(recipient=bob)
    assert services.notifications_mark_all_read(user=alice) == 2
    for notification in mine:
        notification.refresh_from_db()
        assert notification.read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_a_sent_email_is_marked_with_its_time(alice):
    notification = NotificationFactory(recipient=alice, send_email=True)
    with mock.patch.object(services.timezone, "now", return_value=FIXED):
        assert services.notification_send_email(notification_id=notification.pk) is True
    notification.refresh_from_db()
    assert notification.emailed_at == FIXED
    assert len(mail.outbox) == 1


def test_sending_one_email_reads_the_row_and_its_recipient_in_one_query(alice, django_assert_num_queries):
    notification = NotificationFactory(recipient=alice, send_email=True)
    with django_assert_num_queries(2):  # the claim, then the row with its recipient
        services.notification_send_email(notification_id=notification.pk)
    assert len(mail.outbox) == 1


def test_without_a_language_of_their_own_the_email_is_in_the_site_language_with_the_link_to_the_list(alice, settings):
    alice.first_name, alice.last_name, alice.language = "Alice", "Archer", ""
    alice.save()
    notification = NotificationFactory(recipient=alice, send_email=True, title="Visit due", body="Bring the contract")
    settings.LANGUAGE_CODE = "zh-hans"
    settings.CRM_SITE_URL = "https://crm.example.com"
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    with translation.override("en"):  # the language of the page that caused it does not matter
        services.notification_send_email(notification_id=notification.pk)
    message = mail.outbox[0]
    assert message.subject.endswith("Visit due")
    assert message.from_email == "crm@example.com"
    assert message.to == [alice.email]
    assert message.body.startswith(
        "Alice Archer，您好：\n\nVisit due\n\nBring the contract\n\n在系统中查看： https://crm.example.com/notifications/\n"
    )
    assert "https://crm.example.com/accounts/notifications/" in message.body, "where to change what is sent"


def test_a_transient_failure_releases_only_this_claim(alice):
    sent = NotificationFactory(recipient=alice, send_email=True)
    failing = NotificationFactory(recipient=alice, send_email=True)
    with mock.patch.object(services.timezone, "now", return_value=FIXED):
        services.notification_send_email(notification_id=sent.pk)
        with mock.patch("crm.services.send_mail", side_effect=ConnectionRefusedError()), pytest.raises(OSError):
            services.notification_send_email(notification_id=failing.pk)
    sent.refresh_from_db()
    assert sent.emailed_at == FIXED, "the e-mail sent at the same instant is not sent again"
    assert list(Notification.objects.email_pending()) == [failing]


def test_a_permanent_failure_marks_only_this_row(alice):
    sent = NotificationFactory(recipient=alice, send_email=True)
    failing = NotificationFactory(recipient=alice, send_email=True)
    refused = smtplib.SMTPRecipientsRefused({"alice@example.com": (550, b"no such user")})
    with mock.patch.object(services.timezone, "now", return_value=FIXED):
        services.notification_send_email(notification_id=sent.pk)
        with mock.patch("crm.services.send_mail", side_effect=refused):
            assert services.notification_send_email(notification_id=failing.pk) is False
    sent.refresh_from_db()
    failing.refresh_from_db()
    assert (sent.emailed_at, sent.email_failed_at, sent.email_error) == (FIXED, None, "")
    assert (failing.emailed_at, failing.email_failed_at) == (None, FIXED)
    assert failing.email_error == "SMTPRecipientsRefused: {'alice@example.com': (550, b'no such user')}"


def _claimed_elsewhere(notification_id):
    """While the mail server hangs, the row is claimed again (as after a stale claim is reset)."""

    def side_effect(**kwargs):
        Notification.objects.filter(pk=notification_id).update(emailed_at=FIXED)
        raise ConnectionRefusedError()

    return side_effect


def test_a_transient_failure_does_not_release_a_claim_taken_since(alice):
    notification = NotificationFactory(recipient=alice, send_email=True)
    with mock.patch("crm.services.send_mail", side_effect=_claimed_elsewhere(notification.pk)), pytest.raises(OSError):
        services.notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at == FIXED


def test_a_permanent_failure_does_not_overwrite_a_claim_taken_since(alice):
    notification = NotificationFactory(recipient=alice, send_email=True)

    def side_effect(**kwargs):
        Notification.objects.filter(pk=notification.pk).update(emailed_at=FIXED)
        raise ValueError("bad header")

    with mock.patch("crm.services.send_mail", side_effect=side_effect):
        assert services.notification_send_email(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert (notification.emailed_at, notification.email_failed_at, notification.email_error) == (FIXED, None, "")


def test_a_long_mail_error_is_cut_to_500_characters_and_logged(alice, caplog):
    notification = NotificationFactory(recipient=alice, send_email=True)
    with (
        mock.patch("crm.services.send_mail", side_effect=ValueError("x" * 600)),
        caplog.at_level(logging.ERROR, logger="crm.services"),
    ):
        services.notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.email_error == "ValueError: " + "x" * 488
    assert caplog.messages == [f"notification {notification.pk}: e-mail failed permanently: " + "x" * 600]


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (smtplib.SMTPDataError(499, b"try later"), True),
        (smtplib.SMTPDataError(500, b"syntax error"), False),
        (smtplib.SMTPRecipientsRefused({"a": (499, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a": (500, b"syntax error")}), False),
        (smtplib.SMTPRecipientsRefused({"a": (450, b"busy"), "b": (550, b"unknown")}), False),
    ],
)
def test_a_5xx_code_is_permanent_from_500_on(error, transient):
    assert services.is_transient_mail_error(error) is transient


# Written out here, not read from crm.roles.
MANAGER_PERMISSIONS = {"crm.view_user", "crm.view_team", "crm.view_territory"}


def _granted(role):
    group = Group.objects.get(name=f"role:{role}")
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_sync_mends_groups_changed_or_deleted_by_hand(db):
    Group.objects.get(name="role:manager").permissions.clear()
    Group.objects.get(name="role:account_manager").permissions.add(Permission.objects.get(codename="change_user"))
    Group.objects.filter(name="role:front_desk").delete()
    services.role_groups_sync()
    assert _granted(Role.MANAGER) == MANAGER_PERMISSIONS
    assert _granted(Role.ACCOUNT_MANAGER) == {"crm.view_territory"}
    assert _granted(Role.FRONT_DESK) == set()
    assert Group.objects.filter(name__startswith="role:").count() == len(Role.values)


def test_a_role_missing_from_the_table_gets_an_empty_group(db, monkeypatch):
    Group.objects.get(name="role:finance").permissions.add(Permission.objects.get(codename="view_user"))
    table = {role: perms for role, perms in roles.ROLE_PERMISSIONS.items() if role != Role.FINANCE}
    monkeypatch.setattr(services, "ROLE_PERMISSIONS", table)
    services.role_groups_sync()
    assert _granted(Role.FINANCE) == set()
    assert _granted(Role.MANAGER) == MANAGER_PERMISSIONS


def test_a_permission_that_does_not_exist_is_skipped(db, monkeypatch):
    table = {**roles.ROLE_PERMISSIONS, Role.FINANCE: {"crm.view_user", "crm.no_such_permission"}}
    monkeypatch.setattr(services, "ROLE_PERMISSIONS", table)
    services.role_groups_sync()
    assert _granted(Role.FINANCE) == {"crm.view_user"}
    assert group_name(Role.FINANCE) == "role:finance"
