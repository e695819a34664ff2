"""Start a real Celery worker process against the test database and the configured broker.

Used by every test that must prove a task runs *through a worker* (not eagerly): the worker
gets its own queue name, so parallel test processes and a running `make run` never take each
other's messages.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The URL of the database the tests run on (the test database, not the configured one)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "localhost"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@contextlib.contextmanager
def celery_worker(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run a worker on a fresh queue; yields the queue name to send tasks to."""
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "crm.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            # Whatever the worker queues itself (e.g. e-mails) stays on this test's queue.
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            **(extra_env or {}),
        }
    )
    log = open(ROOT / "var" / f"{queue}.log", "w+")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "crm",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        output = log.read()
        log.close()
        os.unlink(log.name)
        if process.returncode not in (0, -15, 1):
            print(output)


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@contextlib.contextmanager
def celery_conf(**overrides: object) -> Iterator[None]:
    """Change Celery settings for a block (monkeypatch cannot undo Celery's lazy settings)."""
    from crm.celery import app

    old = {name: app.conf.get(name) for name in overrides}
    app.conf.update(overrides)
    try:
        yield
    finally:
        app.conf.update(old)
