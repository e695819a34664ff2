"""Notifications and e-mails are written in the recipient's language, whoever caused them
(issue 14, X-1): what happened is stored (a message key and its values) and rendered when read or
sent, in the language saved on the recipient's account."""

from datetime import date, time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from crm import services
from crm.messages import Message, message_render, messages
from crm.models import Notification
from crm.roles import Role
from repairs import workflow
from tests.factories import NotificationFactory, RepairOrderFactory, TechnicianFactory


@pytest.fixture
def job(make_user):
    """A repair order assigned by a Chinese-speaking supervisor (their page in Chinese)."""
    order = RepairOrderFactory(number="R-0042", category="plumbing")
    technician = TechnicianFactory(user=make_user(Role.TECHNICIAN, username="tech", email="tech@example.com"))
    supervisor = make_user(Role.ENGINEERING_SUPERVISOR, language="zh-hans")
    return order, technician, supervisor


def assign(order, technician, supervisor, *, page_language: str) -> Notification:
    with translation.override(page_language):
        workflow.assign(order=order, technician=technician, by=supervisor)
    return Notification.objects.get(recipient=technician.user)


def test_a_notification_caused_by_a_chinese_speaker_reads_in_english_for_an_english_reader(job, client):
    order, technician, supervisor = job
    technician.user.language = "en"
    technician.user.save()
    notification = assign(order, technician, supervisor, page_language="zh-hans")
    assert notification.message == "repairs.assigned"
    assert notification.params["number"] == "R-0042"
    client.force_login(technician.user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f"New job R-0042: {order.unit}, Plumbing" in page
    assert "新维修任务" not in page


def test_a_notification_caused_by_an_english_speaker_reads_in_chinese_for_a_chinese_reader(job, client):
    order, technician, supervisor = job
    technician.user.language = "zh-hans"
    technician.user.save()
    assign(order, technician, supervisor, page_language="en")
    client.force_login(technician.user)
    page = client.get(reverse("notifications:list")).content.decode()
    assert f"新维修任务 R-0042：{order.unit}，" in page
    assert "New job" not in page
    home = client.get(reverse("home")).content.decode()
    assert "New job R-0042" not in home


def test_the_email_subject_and_body_are_in_the_recipients_language(job, django_capture_on_commit_callbacks):
    order, technician, supervisor = job
    technician.user.language = "zh-hans"
    technician.user.first_name, technician.user.last_name = "Wei", "Chen"
    technician.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assign(order, technician, supervisor, page_language="en")
    [message] = mail.outbox
    assert message.subject.endswith(f"新维修任务 R-0042：{order.unit}，给排水")
    assert message.body.startswith("Wei Chen，您好：")
    assert "在系统中查看：" in message.body
    assert f"/repairs/{order.pk}/" in message.body
    assert "Hello" not in message.body and "New job" not in message.body


def test_an_english_reader_gets_an_english_email_from_a_chinese_page(job, django_capture_on_commit_callbacks):
    order, technician, supervisor = job
    technician.user.language = "en"
    technician.user.first_name, technician.user.last_name = "Wei", "Chen"
    technician.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        assign(order, technician, supervisor, page_language="zh-hans")
    [message] = mail.outbox
    assert message.subject == f"[CRM] New job R-0042: {order.unit}, Plumbing"
    assert message.body.startswith("Hello Wei Chen,")
    assert "Open it in the CRM:" in message.body
    assert "您好" not in message.body


def test_the_stored_title_is_the_site_languages_for_search_and_the_admin(job):
    order, technician, supervisor = job
    notification = assign(order, technician, supervisor, page_language="zh-hans")
    assert notification.title == f"New job R-0042: {order.unit}, Plumbing"


def test_a_digest_is_written_in_its_readers_language(alice):
    from clients.services import followup_reminders_send
    from tests.factories import ClientFactory

    ClientFactory(owner=alice, name="华信科技", next_contact_date=date(2026, 11, 20), next_step="回访")
    with translation.override("zh-hans"):
        followup_reminders_send(today=date(2026, 11, 29))
    digest = Notification.objects.get(recipient=alice, message="clients.digest")
    with translation.override("en"):
        assert digest.display_title == "1 client follow-up is due"
        assert "华信科技" in digest.display_body
    with translation.override("zh-hans"):
        assert "client follow-up" not in digest.display_title


def test_literal_title_and_body_still_work_as_a_text_message(alice):
    notification, created = services.notification_create(recipient=alice, key="k", title="直接写的标题", body="正文")
    assert created and notification.message == "text"
    with translation.override("en"):
        assert notification.render() == ("直接写的标题", "正文")


def test_a_message_that_no_longer_fits_shows_the_stored_text():
    messages.register(Message("tests.example", "Order %(number)s"))
    assert message_render("tests.example", {"number": "7"}) == ("Order 7", "")
    assert message_render("tests.example", {}, title="stored", body="b") == ("stored", "b")
    assert message_render("tests.gone", {"number": "7"}, title="stored") == ("stored", "")


def test_a_plural_message_agrees_with_its_count_in_each_language():
    for count, english in ((1, "1 of your clients was sent “春季”"), (3, "3 of your clients were sent “春季”")):
        with translation.override("en"):
            assert message_render("clients.campaign_sent", {"count": count, "campaign": "春季"})[0] == english


def test_the_team_digest_is_figures_rendered_in_the_managers_language():
    params = {
        "overdue": [{"am": "张伟", "visits": 2, "followups": 1, "cadences": 0}],
        "plans": [{"owner": "李娜", "month": "2026-12", "status": "submitted"}],
    }
    with translation.override("en"):
        title, body = message_render("visits.team_digest", params)
    assert title == "Your team this week: 1 with overdue items, 1 plans not approved"
    assert "张伟: visits or calls 2, follow-ups 1, key accounts 0" in body
    assert "李娜 2026-12: waiting for your decision" in body
    with translation.override("zh-hans"):
        title, body = message_render("visits.team_digest", params)
    assert title.startswith("本周团队")
    assert body.startswith("各客户经理的逾期事项：")


# --- the account's language ---------------------------------------------------------------------


def test_a_user_sets_their_language_and_quiet_hours_on_their_profile(alice, client):
    client.force_login(alice)
    assert client.get(reverse("profile")).status_code == 200
    response = client.post(
        reverse("profile"),
        {
            "first_name": "Alice",
            "last_name": "Archer",
            "email": "alice@example.com",
            "language": "zh-hans",
            "quiet_start": "22:00",
            "quiet_end": "07:30",
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "zh-hans"
    assert (alice.quiet_start, alice.quiet_end) == (time(22, 0), time(7, 30))
    page = client.get(reverse("notifications:list"))
    assert page["Content-Language"] == "zh-hans", "the pages follow the account's language"


def test_quiet_hours_need_both_ends(alice, client):
    client.force_login(alice)
    response = client.post(reverse("profile"), {"email": "a@example.com", "quiet_start": "22:00"})
    assert response.status_code == 200
    assert "Give both ends of the quiet hours, or neither." in response.content.decode()
    alice.refresh_from_db()
    assert alice.quiet_start is None


def test_the_language_switch_still_wins_over_the_account(alice, client, settings):
    alice.language = "zh-hans"
    alice.save()
    client.force_login(alice)
    assert client.get(reverse("home"))["Content-Language"] == "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_without_an_account_language_the_browser_decides(alice, client):
    client.force_login(alice)
    assert client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-hans")["Content-Language"] == "zh-hans"


def test_an_admin_sets_a_users_language(admin_client, alice):
    page = admin_client.get(reverse("admin:crm_user_change", args=[alice.pk])).content.decode()
    assert 'name="language"' in page and 'name="quiet_start"' in page


def test_a_factory_notification_renders_its_literal_text(alice):
    notification = NotificationFactory(recipient=alice, title="Hello", body="there")
    assert (notification.display_title, notification.display_body) == ("Hello", "there")
    assert str(notification) == "Hello"


def test_an_unregistered_message_key_is_refused(alice):
    with pytest.raises(ValueError, match=r"repairs\.asigned"):
        services.notification_create(recipient=alice, key="k", message="repairs.asigned", params={})
    assert not Notification.objects.exists()
