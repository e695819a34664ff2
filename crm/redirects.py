"""Where a ``next`` parameter may send the browser: back to this site only."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def on_site(request: HttpRequest, target: str) -> str | None:
    """``target`` when it is a URL of this site (path or same host, never another scheme or a
    protocol-relative ``//host``), else None. A URL, never a URL name."""
    if not target:
        return None
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else None
