"""Response headers every page gets: the Content-Security-Policy (with the admin's one exception)
and ``Cache-Control: no-store`` on whatever a logged-in user is shown (issue 9)."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


def csp_hash(source: str) -> str:
    """The CSP source expression that allows exactly this inline text."""
    return f"'sha256-{base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()}'"


# The admin's exception, under /admin/ only. Templates of admin add-ons we do not own carry a
# few fixed inline attributes; each is allowed by its exact hash ('unsafe-hashes' lets a hash
# match an event-handler or style attribute), never by 'unsafe-inline', so an injected script
# still cannot run. (django-celery-beat's inline script, whose text is translated, is moved to
# a static file instead: templates/admin/djcelery/.) tests/e2e/test_csp_browser.py opens these
# pages and fails on any violation, so an upgrade that changes them is noticed.
ADMIN_CSP_UPDATE: dict[str, list[str]] = {
    # django-import-export's export page: the "select all" fields checkbox.
    "script-src": ["'unsafe-hashes'", csp_hash("onSelectToggleChange(event)")],
    # The same page's two labels, and django-simple-history's paginator on history pages.
    "style-src": ["'unsafe-hashes'", *map(csp_hash, ["padding: 0;", "font-weight: bold;", "border-top: 0"])],
}


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with ``ADMIN_CSP_UPDATE`` added under the admin's URLs only."""

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and request.path.startswith(reverse("admin:index")):
            parts.update = {**ADMIN_CSP_UPDATE, **(parts.update or {})}
        return parts


class PrivateNoStoreMiddleware:
    """Pages, exports and downloads shown to a logged-in user hold client data: no browser,
    shared computer's cache or proxy may keep a copy (``no-store``, ``private``). A response
    that already says how it may be cached is left alone; static files are public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not response.has_header("Cache-Control")
            and not request.path.startswith(settings.STATIC_URL)
        ):
            patch_cache_control(response, no_store=True, private=True)
        return response


class RejectNulMiddleware:
    """PostgreSQL refuses a NUL character in text, so a ``%00`` that reaches a query (a search, a
    filter, an admin search, a form's lookup) is a server error there. No field of ours can hold
    one: answer 400 with a message before any view, form or filter sees it, on every page at once.
    (SQLite stores NUL, so tests on it would not notice the error this prevents.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "\x00" in request.path or _holds_nul(request.GET) or (request.method == "POST" and _holds_nul(request.POST)):
            message = _("The request holds a NUL character, which no field accepts. Remove it and try again.")
            return render(request, "crm/bad_request.html", {"message": message}, status=400)
        return self.get_response(request)


def _holds_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class UserLanguageMiddleware:
    """Pages in the language saved on the user's account, unless the browser chose one with the
    language switch (its cookie) for this session."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            and user.language
        ):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
