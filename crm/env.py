"""Typed readers for settings that come from the environment.

Every reader fails loudly (ImproperlyConfigured) on a value it cannot understand, so a typo in
production stops the process at start instead of silently falling back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off"}

# The development key: usable only with DEBUG on (settings refuses it otherwise).
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production-0123456789"  # noqa: S105


def env_bool(name: str, default: bool, environ: Mapping[str, str] = os.environ) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")


def env_int(name: str, default: int, environ: Mapping[str, str] = os.environ, *, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] = os.environ) -> list[str]:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_time_zone(name: str, default: str, environ: Mapping[str, str] = os.environ) -> str:
    value = environ.get(name) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name}={value!r} is not a known time zone (e.g. Asia/Shanghai).") from None
    return value


def secret_key(environ: Mapping[str, str], *, debug: bool) -> str:
    """The secret key; production refuses a missing, short or development key."""
    key = environ.get("DJANGO_SECRET_KEY", "")
    if debug:
        return key or DEVELOPMENT_SECRET_KEY
    if not key or key == DEVELOPMENT_SECRET_KEY or key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set to a private random value when DJANGO_DEBUG=0 "
            "(the development key is refused)."
        )
    if len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 varied characters long.")
    return key


def database(url: str, *, base_dir: Path) -> dict[str, Any]:
    """A Django DATABASES entry from a URL; SQLite gets WAL and IMMEDIATE transactions."""
    scheme = url.split(":", 1)[0]
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(f"DATABASE_URL scheme {scheme!r} is not supported: use postgres:// or sqlite://.")
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is malformed: {exc}") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        name = str(config["NAME"] or "")
        if name and name != ":memory:" and not Path(name).is_absolute():
            name = str(base_dir / name)
        config["NAME"] = name
        # WAL lets web, worker and beat read while one of them writes; IMMEDIATE takes the
        # write lock at BEGIN so two writers queue (busy timeout) instead of failing mid-way.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config["CONN_MAX_AGE"] = 60
        config["CONN_HEALTH_CHECKS"] = True
    return config


def email(url: str | None, *, debug: bool) -> dict[str, Any]:
    """Django e-mail settings from EMAIL_URL (smtp://, smtp+tls://, smtp+ssl://, console://,
    file:///path, locmem://, dummy://). Without a URL: the console in debug, SMTP on localhost
    otherwise (Django's own defaults, overridable with Django's EMAIL_* names)."""
    if not url:
        backend = "console" if debug else "smtp"
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{backend}.EmailBackend"}
    parts = urlsplit(url)
    scheme = parts.scheme
    simple = {"console": "console", "locmem": "locmem", "dummy": "dummy"}
    if scheme in simple:
        return {"EMAIL_BACKEND": f"django.core.mail.backends.{simple[scheme]}.EmailBackend"}
    if scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured("EMAIL_URL file:// needs a folder, e.g. file:///var/mail.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parts.path),
        }
    if scheme not in {"smtp", "smtp+tls", "smtp+ssl"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {scheme!r} is not supported.")
    try:
        port = parts.port or (465 if scheme == "smtp+ssl" else 587 if scheme == "smtp+tls" else 25)
    except ValueError:
        raise ImproperlyConfigured("EMAIL_URL has an invalid port.") from None
    if not parts.hostname:
        raise ImproperlyConfigured("EMAIL_URL needs a host, e.g. smtp+tls://user:pass@mail.example.com:587.")
    query = parse_qs(parts.query)
    config: dict[str, Any] = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": scheme == "smtp+tls",
        "EMAIL_USE_SSL": scheme == "smtp+ssl",
    }
    if "from" in query:
        config["DEFAULT_FROM_EMAIL"] = query["from"][0]
    return config


def broker(url: str | None, *, base_dir: Path, visibility_timeout: int = 3600) -> tuple[str, dict[str, Any]]:
    """Celery broker URL and transport options; the filesystem transport by default.

    On Redis, a message taken by a worker that died is handed out again after
    ``visibility_timeout`` seconds, so it must exceed the longest task's time limit. Short
    socket timeouts make a publish fail fast when Redis is down (the outbox retries later)."""
    if not url or url.startswith("filesystem"):
        root = base_dir / "var" / "celery"
        queue, processed, control = root / "queue", root / "processed", root / "control"
        for folder in (queue, processed, control):
            folder.mkdir(parents=True, exist_ok=True)
        # Producers and consumers share one folder; control must be set or kombu writes a
        # control/ folder wherever the process was started.
        return "filesystem://", {
            "data_folder_in": str(queue),
            "data_folder_out": str(queue),
            "processed_folder": str(processed),
            "store_processed": False,
            "control_folder": str(control),
        }
    scheme = url.split(":", 1)[0]
    if scheme not in {"redis", "rediss", "amqp", "memory"}:
        raise ImproperlyConfigured(f"CELERY_BROKER_URL scheme {scheme!r} is not supported: use redis:// .")
    if not scheme.startswith("redis"):
        return url, {}
    # kombu 5.7 looks for such messages only every interval x throttle seconds (100 by default);
    # a sweep is one small ZRANGE, so every few seconds, and never slower than the timeout.
    return url, {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": max(1, min(10, visibility_timeout // 3)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }


def client_address(proxy_count: int) -> dict[str, Any]:
    """django-axes settings that find the client's address through django-ipware.

    ``proxy_count`` is the number of trusted proxies in front of Django (the README's TLS proxy
    is one). Each appends the address it received the request from to X-Forwarded-For, so the
    client's is the ``proxy_count``-th entry from the right; anything further left is what the
    client claimed and is ignored. ipware counts the proxies *listed* in the header, one fewer.
    Without a proxy, REMOTE_ADDR is the client and the header is never read.
    """
    if proxy_count == 0:
        return {"AXES_IPWARE_META_PRECEDENCE_ORDER": ("REMOTE_ADDR",), "AXES_IPWARE_PROXY_COUNT": None}
    return {
        "AXES_IPWARE_META_PRECEDENCE_ORDER": ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"),
        "AXES_IPWARE_PROXY_COUNT": proxy_count - 1,
        "AXES_IPWARE_PROXY_ORDER": "left-most",
    }
