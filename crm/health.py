"""What /healthz reports: can we reach the database and the broker right now?"""

from __future__ import annotations

import logging
from typing import Any

from django.db import connection

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
