"""How long a login lasts (OWASP ASVS L2, V3.3; issue 9).

A session ends ``CRM_SESSION_MAX_AGE`` after the log-in however busy it is, and after
``CRM_SESSION_IDLE_TIMEOUT`` without a request; the login page then says which. Deactivating a
user deletes their sessions, so they are out at once and stay out if reactivated.

This module is also the ``SESSION_ENGINE``: Django's database sessions, stored in
``crm.UserSession``, whose ``user`` column makes a user's sessions findable.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy, ngettext
from django_htmx.http import HttpResponseClientRedirect

from crm.models import User, UserSession

LOGIN_AT = "crm_login_at"  # when the user logged in, in seconds since the epoch
SEEN_AT = "crm_seen_at"  # their latest request, to the minute
# Writing the last-seen time on every request would write the session row on every request; to
# the minute is precise enough for a 30-minute limit.
SEEN_RESOLUTION = 60
ENDED = gettext_lazy("Your session has ended. Please log in again.")


class SessionStore(DatabaseSessionStore):
    """Django's database sessions, with the logged-in user's id in its own column."""

    @classmethod
    def get_model_class(cls) -> type[UserSession]:
        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> UserSession:
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        session.user_id = User._meta.pk.to_python(user_id) if user_id is not None else None
        return session


def session_start(sender: type, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """On log-in (``user_logged_in``): start both clocks."""
    now = int(time.time())
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now


def sessions_end_if_inactive(sender: type, instance: User, **kwargs: Any) -> None:
    """After a user is saved (``post_save``): an inactive user has no session anywhere.

    Django would already refuse an inactive user's session, but it would come back to life if
    the user were reactivated; deleting the rows ends it for good."""
    if not instance.is_active:
        UserSession.objects.filter(user=instance).delete()


def session_end_reason(session: Any, now: float) -> str | None:
    """Why a logged-in session has ended (the message for the login page), or None if it lives."""
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    if login_at is None or seen_at is None:
        # A session from before these limits existed: its age is unknown, so it ends.
        return str(ENDED)
    if now - login_at >= settings.CRM_SESSION_MAX_AGE.total_seconds():
        hours = int(settings.CRM_SESSION_MAX_AGE.total_seconds() // 3600)
        return ngettext(
            "For your security a session lasts at most %(hours)d hour. Please log in again.",
            "For your security a session lasts at most %(hours)d hours. Please log in again.",
            hours,
        ) % {"hours": hours}
    if now - seen_at >= settings.CRM_SESSION_IDLE_TIMEOUT.total_seconds():
        minutes = int(settings.CRM_SESSION_IDLE_TIMEOUT.total_seconds() // 60)
        return ngettext(
            "You were logged out after %(minutes)d minute without activity. Please log in again.",
            "You were logged out after %(minutes)d minutes without activity. Please log in again.",
            minutes,
        ) % {"minutes": minutes}
    return None


class SessionTimeoutMiddleware:
    """Ends sessions past their limits and says why, in the user's language, on the login page.

    Placed after the locale, message and htmx middleware. The request then goes on as an
    anonymous one, so a page that needs a login sends the browser to the login page as usual;
    an htmx request gets HX-Redirect instead, or the login page would be swapped into a panel.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        reason = self._ended(request)
        if reason is not None:
            if SESSION_KEY in request.session:
                logout(request)  # deletes the session row; the response deletes the cookie
            messages.warning(request, reason)
            if getattr(request, "htmx", False):
                return HttpResponseClientRedirect(resolve_url(settings.LOGIN_URL))
        return self.get_response(request)

    def _ended(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(settings.SESSION_COOKIE_NAME):
            return None  # no session, or its cookie was deleted (empty) by a logout
        session = request.session
        if SESSION_KEY not in session:
            # The browser sent a session the server does not have (any more): it expired, was
            # ended (deactivation, clearsessions), or is forged. A logout deletes the cookie,
            # so a visitor who logged out does not come here.
            return str(ENDED) if session.session_key is None else None
        now = time.time()
        reason = session_end_reason(session, now)
        if reason is None and now - session[SEEN_AT] >= SEEN_RESOLUTION:
            session[SEEN_AT] = int(now)
        return reason
