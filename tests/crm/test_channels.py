"""Notification channels (issue 14): WeCom app messages and group robots, SMS through a provider,
chosen per kind of notification, quiet hours, retries and idempotent sends. Every channel talks to
a local fake server (tests/fake_http.py) that records what it received."""

import uuid
from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from crm import services
from crm.channels import configured_channels
from crm.models import Channel, Notification, NotificationDelivery, NotificationPreference
from crm.tasks import notification_deliver_task, notification_deliveries_due
from tests.fake_http import fake_provider
from tests.worker import celery_conf

SEND = "/cgi-bin/message/send"
TOKEN = "/cgi-bin/gettoken"


@pytest.fixture
def provider(settings):
    """Every channel configured, pointing at the fake server (a corp id of the test's own, so no
    token cached by another test is reused)."""
    with fake_provider() as fake:
        settings.CRM_WECOM_API_URL = fake.url
        settings.CRM_WECOM_CORP_ID = f"corp-{uuid.uuid4().hex[:8]}"
        settings.CRM_WECOM_SECRET = "s3cret"
        settings.CRM_WECOM_AGENT_ID = "1000002"
        settings.CRM_WECOM_WEBHOOK_URL = f"{fake.url}/cgi-bin/webhook/send?key=ROBOT"
        settings.CRM_SMS_URL = f"{fake.url}/sms"
        settings.CRM_SMS_TOKEN = "sms-token"
        settings.CRM_SITE_URL = "https://crm.example.com"
        yield fake


@pytest.fixture
def receiver(alice):
    alice.wecom_id, alice.phone = "ZhangSan", "13800138000"
    alice.save()
    return alice


def choose(user, kind: str, *channels: str) -> None:
    for channel in channels:
        NotificationPreference.objects.create(user=user, kind=kind, channel=channel, enabled=True)


def notify(user, *, key: str = "k", level: str = Notification.Level.INFO, **kwargs) -> Notification:
    kwargs.setdefault("title", "Visit due")
    notification, _created = services.notification_create(recipient=user, key=key, level=level, **kwargs)
    return notification


def delivery(notification: Notification, channel: str) -> NotificationDelivery:
    return NotificationDelivery.objects.get(notification=notification, channel=channel)


def test_a_wecom_app_message_goes_to_the_users_wecom_account_with_a_fetched_token(provider, receiver, settings):
    choose(receiver, "general", Channel.WECOM)
    notification = notify(receiver, title="Visit due", body="Bring the contract", link="/clients/7/")
    assert services.notification_deliver(delivery_id=delivery(notification, Channel.WECOM).pk) is True
    [token] = provider.to(TOKEN)
    assert token.query == {"corpid": settings.CRM_WECOM_CORP_ID, "corpsecret": "s3cret"}
    [sent] = provider.to(SEND)
    assert sent.query["access_token"] == "TOKEN-1"
    assert sent.json["touser"] == "ZhangSan"
    assert sent.json["agentid"] == 1000002
    assert sent.json["msgtype"] == "text"
    assert sent.json["text"]["content"] == "Visit due\nBring the contract\nhttps://crm.example.com/clients/7/"
    assert delivery(notification, Channel.WECOM).status == NotificationDelivery.Status.SENT


def test_the_wecom_token_is_cached_and_fetched_again_when_wecom_says_it_expired(provider, receiver):
    choose(receiver, "general", Channel.WECOM)
    first, second = notify(receiver, key="a"), notify(receiver, key="b")
    services.notification_deliver(delivery_id=delivery(first, Channel.WECOM).pk)
    provider.script.append((200, {"errcode": 42001, "errmsg": "access_token expired"}))
    provider.token = "TOKEN-2"
    services.notification_deliver(delivery_id=delivery(second, Channel.WECOM).pk)
    assert [r.path for r in provider.received] == [TOKEN, SEND, SEND, TOKEN, SEND]
    assert provider.to(SEND)[-1].query["access_token"] == "TOKEN-2"
    assert delivery(second, Channel.WECOM).status == NotificationDelivery.Status.SENT


def test_the_group_robot_posts_to_its_webhook_naming_the_recipient_by_mobile(provider, receiver):
    choose(receiver, "general", Channel.WECOM_GROUP)
    notification = notify(receiver, title="Visit due", body="")
    services.notification_deliver(delivery_id=delivery(notification, Channel.WECOM_GROUP).pk)
    [hook] = provider.to("/cgi-bin/webhook/send")
    assert hook.query == {"key": "ROBOT"}
    assert hook.json == {
        "msgtype": "text",
        "text": {
            "content": "Visit due\nhttps://crm.example.com/notifications/",
            "mentioned_mobile_list": ["13800138000"],
        },
    }


def test_an_sms_is_posted_as_json_to_the_provider_with_its_token(provider, receiver):
    choose(receiver, "general", Channel.SMS)
    notification = notify(receiver, title="Visit due", body="")
    services.notification_deliver(delivery_id=delivery(notification, Channel.SMS).pk)
    [sms] = provider.to("/sms")
    assert sms.method == "POST"
    assert sms.json["phone"] == "13800138000"
    assert sms.json["text"].startswith("Visit due")
    assert sms.headers["Authorization"] == "Bearer sms-token"


def test_the_message_is_in_the_recipients_language_not_the_senders(provider, receiver):
    receiver.language = "zh-hans"
    receiver.save()
    choose(receiver, "repairs", Channel.SMS)
    with override("en"):
        notification = notify(
            receiver, message="repairs.assigned", params={"number": "R-1", "unit": "A-101", "category": "plumbing"}
        )
        services.notification_deliver(delivery_id=delivery(notification, Channel.SMS).pk)
    text = provider.to("/sms")[0].json["text"]
    assert text.startswith("新维修任务 R-1：A-101")
    assert "New job" not in text


def test_a_500_is_retried_by_the_task_until_it_is_sent(provider, receiver):
    choose(receiver, "general", Channel.SMS)
    provider.script.extend([(500, {}), (503, {})])
    pk = delivery(notify(receiver), Channel.SMS).pk
    with celery_conf(task_eager_propagates=False):  # an eager run retries at once
        notification_deliver_task.apply(args=[pk])
    assert len(provider.to("/sms")) == 3
    sent = NotificationDelivery.objects.get(pk=pk)
    assert sent.status == NotificationDelivery.Status.SENT
    assert sent.attempts == 3
    assert sent.error == ""


def test_the_delivery_is_published_after_the_commit(provider, receiver, django_capture_on_commit_callbacks):
    choose(receiver, "general", Channel.SMS)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(receiver)
    assert provider.to("/sms") == [], "nothing is sent before the transaction commits"
    for callback in callbacks:
        callback()
    assert len(provider.to("/sms")) == 1
    assert delivery(notification, Channel.SMS).status == NotificationDelivery.Status.SENT


def test_running_the_task_twice_sends_once(provider, receiver):
    choose(receiver, "general", Channel.SMS)
    pk = delivery(notify(receiver), Channel.SMS).pk
    assert notification_deliver_task.apply(args=[pk]).get() is True
    assert notification_deliver_task.apply(args=[pk]).get() is False
    assert notification_deliveries_due() == 0
    assert len(provider.to("/sms")) == 1


def test_a_refusal_is_recorded_on_the_delivery_for_the_admins_and_not_retried(provider, receiver, admin_client):
    choose(receiver, "general", Channel.SMS)
    provider.script.append((400, {"error": "bad number"}))
    pk = delivery(notify(receiver), Channel.SMS).pk
    assert notification_deliver_task.apply(args=[pk]).get() is False
    failed = NotificationDelivery.objects.get(pk=pk)
    assert failed.status == NotificationDelivery.Status.FAILED
    assert failed.error.startswith("HTTP 400")
    assert len(provider.to("/sms")) == 1
    page = admin_client.get(reverse("admin:crm_notificationdelivery_changelist") + "?status=failed")
    assert "HTTP 400" in page.content.decode()


def test_a_wecom_error_code_is_a_failure_too(provider, receiver):
    choose(receiver, "general", Channel.WECOM)
    provider.script.extend([(200, {"errcode": 0, "access_token": "T", "expires_in": 7200})])
    provider.script.append((200, {"errcode": 81013, "errmsg": "user not found"}))
    pk = delivery(notify(receiver), Channel.WECOM).pk
    assert services.notification_deliver(delivery_id=pk) is False
    assert NotificationDelivery.objects.get(pk=pk).error == "WeCom error 81013: user not found"


def test_an_unreachable_provider_leaves_the_delivery_waiting_for_the_sweep(settings, receiver):
    settings.CRM_SMS_URL = "http://127.0.0.1:9/sms"  # the discard port: nothing listens
    choose(receiver, "general", Channel.SMS)
    pk = delivery(notify(receiver), Channel.SMS).pk
    with pytest.raises(services.ChannelError):
        services.notification_deliver(delivery_id=pk)
    waiting = NotificationDelivery.objects.get(pk=pk)
    assert waiting.status == NotificationDelivery.Status.PENDING
    assert waiting.error
    assert NotificationDelivery.objects.due().filter(pk=pk).exists()


def test_a_channel_down_for_too_long_is_given_up(provider, receiver):
    choose(receiver, "general", Channel.SMS)
    pk = delivery(notify(receiver), Channel.SMS).pk
    NotificationDelivery.objects.filter(pk=pk).update(attempts=services.MAX_DELIVERY_ATTEMPTS - 1)
    provider.script.append((502, {}))
    assert services.notification_deliver(delivery_id=pk) is False
    assert NotificationDelivery.objects.get(pk=pk).status == NotificationDelivery.Status.FAILED


# --- choosing channels ------------------------------------------------------------------------


def test_without_a_choice_only_email_is_on(provider, receiver):
    notification = notify(receiver)
    assert notification.send_email is True
    assert not NotificationDelivery.objects.exists()


def test_channels_are_chosen_per_kind_of_notification(provider, receiver):
    choose(receiver, "repairs", Channel.SMS)
    NotificationPreference.objects.create(user=receiver, kind="repairs", channel=Channel.EMAIL, enabled=False)
    job = notify(receiver, key="job", message="repairs.assigned", params={"number": "R-1", "unit": "A", "category": ""})
    other = notify(receiver, key="other")
    assert [d.channel for d in job.deliveries.all()] == [Channel.SMS]
    assert job.send_email is False
    assert not other.deliveries.exists()
    assert other.send_email is True


def test_a_channel_without_the_users_address_is_skipped(provider, alice):
    choose(alice, "general", Channel.SMS, Channel.WECOM)  # alice has no phone and no WeCom id
    assert not notify(alice).deliveries.exists()


def test_an_unconfigured_channel_is_hidden_and_skipped(settings, receiver, client):
    settings.CRM_WECOM_CORP_ID = settings.CRM_WECOM_WEBHOOK_URL = settings.CRM_SMS_URL = ""
    assert configured_channels() == [Channel.EMAIL]
    choose(receiver, "general", Channel.SMS, Channel.WECOM)
    notification = notify(receiver)
    assert not notification.deliveries.exists()
    client.force_login(receiver)
    page = client.get(reverse("notification_preferences")).content.decode()
    assert 'data-channel="email"' in page
    assert 'data-channel="sms"' not in page and 'data-channel="wecom"' not in page


def test_the_preferences_page_shows_configured_channels_and_saves_choices(provider, receiver, client):
    client.force_login(receiver)
    page = client.get(reverse("notification_preferences")).content.decode()
    for code in ("email", "wecom", "wecom_group", "sms"):
        assert f'data-channel="{code}"' in page
    assert 'name="general:email" id="id_general:email" aria-label="General: E-mail" checked' in page
    response = client.post(reverse("notification_preferences"), {"repairs:sms": "on", "repairs:email": "on"})
    assert response.status_code == 302
    choices = set(NotificationPreference.objects.filter(user=receiver, enabled=True).values_list("kind", "channel"))
    assert ("repairs", "sms") in choices and ("repairs", "email") in choices
    assert not NotificationPreference.objects.get(user=receiver, kind="general", channel="email").enabled
    assert notify(receiver).send_email is False, "e-mail switched off for general notifications"


# --- quiet hours --------------------------------------------------------------------------------


def local(hour: int, minute: int = 0, day: int = 29) -> datetime:
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (local(23, 0), local(7, 30, day=30)),  # evening: the next morning
        (local(6, 0), local(7, 30)),  # early morning: the same morning
        (local(7, 30), local(7, 30)),  # the end itself is outside
        (local(12, 0), local(12, 0)),  # daytime: now
        (local(22, 0), local(7, 30, day=30)),
    ],
)
def test_quiet_hours_over_midnight(alice, moment, expected):
    alice.quiet_start, alice.quiet_end = time(22, 0), time(7, 30)
    assert services.quiet_hours_end(alice, moment) == expected


def test_quiet_hours_within_a_day_and_none(alice):
    alice.quiet_start, alice.quiet_end = time(12, 0), time(14, 0)
    assert services.quiet_hours_end(alice, local(13, 0)) == local(14, 0)
    assert services.quiet_hours_end(alice, local(15, 0)) == local(15, 0)
    alice.quiet_start = alice.quiet_end = None
    assert services.quiet_hours_end(alice, local(3, 0)) == local(3, 0)


def test_a_message_in_quiet_hours_waits_for_their_end_and_the_sweep_sends_it(provider, receiver, monkeypatch):
    receiver.quiet_start, receiver.quiet_end = time(22, 0), time(7, 30)
    receiver.save()
    choose(receiver, "general", Channel.SMS)
    monkeypatch.setattr(timezone, "now", lambda: local(23, 15))
    notification = notify(receiver, title="Visit due")
    waiting = delivery(notification, Channel.SMS)
    assert waiting.due_at == local(7, 30, day=30)
    assert notification_deliveries_due() == 0
    assert services.notification_deliver(delivery_id=waiting.pk) is False, "not before the end of quiet hours"
    assert provider.to("/sms") == []
    monkeypatch.setattr(timezone, "now", lambda: local(7, 31, day=30))
    assert notification_deliveries_due() == 1
    assert len(provider.to("/sms")) == 1
    assert delivery(notification, Channel.SMS).status == NotificationDelivery.Status.SENT


def test_an_urgent_warning_is_sent_in_quiet_hours(provider, receiver, monkeypatch):
    receiver.quiet_start, receiver.quiet_end = time(22, 0), time(7, 30)
    receiver.save()
    choose(receiver, "general", Channel.SMS)
    monkeypatch.setattr(timezone, "now", lambda: local(23, 15))
    notification = notify(receiver, level=Notification.Level.WARNING)
    assert delivery(notification, Channel.SMS).due_at == local(23, 15)
    assert notification_deliveries_due() == 1
    assert len(provider.to("/sms")) == 1
