"""What /healthz reports: can we reach the database and the broker right now?"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.security import SecurityMiddleware
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


def check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"{type(exc).__name__}: {exc}"
    return None


def check_broker() -> str | None:
    from crm.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            # Declaring a channel proves the transport answers, not only that a socket opened.
            _ = conn.default_channel
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def health_report() -> dict[str, Any]:
    problems = {"database": check_database(), "broker": check_broker()}
    report: dict[str, Any] = {name: "ok" if error is None else "error" for name, error in problems.items()}
    failing = {name: error for name, error in problems.items() if error}
    report["status"] = "ok" if not failing else "error"
    for name, error in failing.items():
        logger.error("healthz: %s is down: %s", name, error)
    if failing:
        # Public endpoint: name the failing part and the error's kind, not hosts or paths.
        report["errors"] = {name: error.split(":", 1)[0] for name, error in failing.items()}
    return report


def health_response() -> JsonResponse:
    report = health_report()
    response = JsonResponse(report, status=200 if report["status"] == "ok" else 503)
    add_never_cache_headers(response)
    # It is data, never a page to frame or run anything in.
    response["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    response["X-Frame-Options"] = "DENY"
    return response


class HealthCheckMiddleware:
    """Answers /healthz before anything else runs: a load balancer probes over plain HTTP with
    its own Host header, which the SSL redirect (301) and ALLOWED_HOSTS (400) would otherwise
    answer whatever the app's state. It reveals only "ok" or the failing part's kind."""

    path = "/healthz"

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        # Its response-side headers (HSTS over HTTPS, nosniff, referrer policy) still apply:
        # only the request-side redirect is skipped.
        self.security = SecurityMiddleware(get_response)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == self.path and request.method in ("GET", "HEAD"):
            return self.security.process_response(request, health_response())
        return self.get_response(request)
