"""Request counting for pages that need no log-in (django-axes guards only the log-in form).

A fixed window per key in Django's cache: the first request of a window creates the counter
with the window as its lifetime, each request adds one, and past ``limit`` the caller refuses.
``cache.add`` and ``cache.incr`` are atomic in Redis and in the local-memory cache, so two
requests at once are both counted. The keys are hashed: a token never lands in the cache as is.
"""

from __future__ import annotations

import hashlib
import logging

from axes.helpers import get_client_ip_address
from django.core.cache import cache
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def allow(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request of ``key`` in ``scope``; False once more than ``limit`` came in the
    ``window`` (seconds) that started with the first of them."""
    name = f"ratelimit:{scope}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        cache.add(name, 0, timeout=window)
        try:
            count = cache.incr(name)
        except ValueError:  # the window ended between add and incr: this request starts the next one
            cache.add(name, 1, timeout=window)
            count = 1
    except Exception:
        # The shared cache (Redis) is down: the page still answers, uncounted, rather than fail
        # for every client; the token and the one-answer rule still guard it.
        logger.warning("rate limit not counted: the cache is unreachable", exc_info=True)
        return True
    return count <= limit


def client_address(request: HttpRequest) -> str:
    """The visitor's address as django-axes reads it, so a proxy in front counts the same way."""
    return get_client_ip_address(request) or "unknown"
