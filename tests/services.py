"""Skip-or-fail for tests that need a service this machine may not have.

On a laptop a missing PostgreSQL, Redis or Chromium skips the test with the reason; under
CRM_REQUIRE_SERVICES=1 (set by .ci/run) the same condition fails it, so CI exercises everything.
"""

from __future__ import annotations

import os
import shutil
import socket

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if settings.CRM_REQUIRE_SERVICES:
        pytest.fail(f"CRM_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def chromium_path() -> str:
    require(bool(shutil.which(CHROMIUM)), f"Chromium is not installed at {CHROMIUM}")
    return CHROMIUM


def weasyprint_ready() -> None:
    """WeasyPrint imports only where its native libraries (Pango) are installed."""
    try:
        import weasyprint  # noqa: F401
    except OSError as error:
        require(False, f"WeasyPrint's native libraries are missing (apt-get install libpango-1.0-0): {error}")
