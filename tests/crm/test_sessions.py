"""Sessions per OWASP ASVS L2 (issue 9): an absolute and an idle limit, said on the login page;
deactivating a user ends their sessions; the session is not written on every request."""

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from crm import sessions
from crm.demo import DEMO_PASSWORD
from crm.models import User, UserSession
from crm.tasks import sessions_clear_expired

HOME = reverse("home")
LOGIN = reverse("login")


def age_session(client, **seconds_ago: int) -> None:
    """Move the session's log-in and last-seen times into the past (the clock cannot be)."""
    session = client.session
    now = int(time.time())
    if "login" in seconds_ago:
        session[sessions.LOGIN_AT] = now - seconds_ago["login"]
    if "seen" in seconds_ago:
        session[sessions.SEEN_AT] = now - seconds_ago["seen"]
    session.save()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_session_idle_longer_than_the_limit_ends_on_the_login_page_saying_why(client, alice):
    client.force_login(alice)
    age_session(client, seen=31 * 60)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert shown_messages(response) == ["You were logged out after 30 minutes without activity. Please log in again."]
    assert client.get(HOME).status_code == 302, "the session is gone, not just this request"


def test_the_message_is_written_in_the_language_of_the_request(client, alice, monkeypatch):
    # The catalogues are translated later; what matters here is that the message is made while
    # the user's language (their language cookie) is active, not the site's default.
    monkeypatch.setattr(sessions, "ngettext", lambda singular, plural, n: f"[{get_language()}] {plural}")
    client.force_login(alice)
    age_session(client, seen=31 * 60)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(HOME, follow=True)
    assert shown_messages(response)[0].startswith("[zh-hans] You were logged out after 30 minutes")


def test_a_session_used_within_the_idle_limit_goes_on(client, alice):
    client.force_login(alice)
    age_session(client, seen=29 * 60)
    assert client.get(HOME).status_code == 200


def test_the_idle_limit_follows_the_setting(client, alice, settings):
    settings.CRM_SESSION_IDLE_TIMEOUT = settings.CRM_SESSION_IDLE_TIMEOUT / 3  # 10 minutes
    client.force_login(alice)
    age_session(client, seen=11 * 60)
    response = client.get(HOME, follow=True)
    assert "after 10 minutes without activity" in shown_messages(response)[0]


def test_a_busy_session_still_ends_twelve_hours_after_log_in(client, alice):
    client.force_login(alice)
    age_session(client, login=12 * 3600 + 60, seen=10)
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert shown_messages(response) == ["For your security a session lasts at most 12 hours. Please log in again."]


def test_htmx_requests_of_an_ended_session_send_the_whole_page_to_the_login(client, alice):
    client.force_login(alice)
    age_session(client, seen=31 * 60)
    response = client.get(reverse("notifications:list"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == LOGIN


def test_a_session_the_server_no_longer_has_says_it_has_ended(client, alice):
    client.force_login(alice)
    client.session.delete()  # e.g. expired and cleared, or ended by an administrator
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert shown_messages(response) == ["Your session has ended. Please log in again."]


def test_visitors_without_a_session_get_the_login_page_without_a_message(client, db):
    response = client.get(HOME, follow=True)
    assert shown_messages(response) == []


def test_logging_out_says_nothing_about_expiry(client, alice):
    client.force_login(alice)
    client.post(reverse("logout"))
    response = client.get(HOME, follow=True)
    assert shown_messages(response) == []


def test_deactivating_a_user_ends_their_sessions_at_once(client, alice, bob):
    client.force_login(alice)
    other_browser = client_class_for(client)
    other_browser.force_login(alice)
    bobs_browser = client_class_for(client)
    bobs_browser.force_login(bob)

    alice.is_active = False
    alice.save()

    assert not UserSession.objects.filter(user=alice).exists()
    assert client.get(HOME).status_code == 302
    assert other_browser.get(HOME).status_code == 302
    assert bobs_browser.get(HOME).status_code == 200, "other people's sessions go on"


def test_a_reactivated_user_must_log_in_again(client, alice):
    client.force_login(alice)
    alice.is_active = False
    alice.save()
    alice.is_active = True
    alice.save()
    response = client.get(HOME, follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN)
    assert shown_messages(response) == ["Your session has ended. Please log in again."]


def test_deactivating_in_the_admin_ends_the_session(client, admin_user, alice):
    alices_browser = client_class_for(client)
    alices_browser.force_login(alice)
    client.force_login(admin_user)
    data = {
        "username": alice.username,
        "first_name": alice.first_name,
        "last_name": alice.last_name,
        "email": alice.email,
        "phone": "",
        "role": alice.role,
        "team": alice.team_id,
    }  # is_active left out: the box is unticked
    response = client.post(reverse("admin:crm_user_change", args=[alice.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(pk=alice.pk).is_active is False
    assert alices_browser.get(HOME).status_code == 302


def test_the_session_is_written_at_most_once_a_minute(client, alice):
    client.force_login(alice)
    age_session(client, seen=20)
    with CaptureQueriesContext(connection) as queries:
        client.get(HOME)
    writes = [q["sql"] for q in queries if "usersession" in q["sql"].lower() and not q["sql"].startswith("SELECT")]
    assert writes == []

    age_session(client, seen=61)
    client.get(HOME)
    assert int(time.time()) - client.session[sessions.SEEN_AT] <= 1


def test_the_session_row_knows_its_user(client, alice):
    client.force_login(alice)
    assert UserSession.objects.get(session_key=client.session.session_key).user == alice


def test_cookie_flags_of_the_session(client, alice):
    response = client.post(LOGIN, {"username": "alice", "password": DEMO_PASSWORD})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["max-age"] == 12 * 3600


def test_a_bad_idle_setting_stops_the_process():
    from tests.crm.test_settings import run_django

    result = run_django("pass", CRM_SESSION_IDLE_MINUTES="half an hour")
    assert result.returncode != 0
    assert "CRM_SESSION_IDLE_MINUTES='half an hour' is not a whole number" in result.stderr


def test_the_idle_limit_is_read_from_the_environment():
    from tests.crm.test_settings import run_django

    result = run_django(
        "from django.conf import settings as s; print(s.CRM_SESSION_IDLE_TIMEOUT.total_seconds())",
        CRM_SESSION_IDLE_MINUTES="15",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "900.0"


def client_class_for(client):
    """A second browser: same client class, its own cookies."""
    return type(client)()


def test_expired_sessions_are_cleared_every_night(client, alice, bob):
    client.force_login(alice)
    old = client_class_for(client)
    old.force_login(bob)
    UserSession.objects.filter(user=bob).update(expire_date=timezone.now() - timedelta(minutes=1))
    sessions_clear_expired()
    assert list(UserSession.objects.values_list("user__username", flat=True)) == ["alice"]
    assert "crm.tasks.sessions_clear_expired" in {entry["task"] for entry in settings.CRM_BEAT_SCHEDULE.values()}
