"""Start a real Celery worker process against the test database and the configured broker.

Used by every test that must prove a task runs *through a worker* (not eagerly): the worker
gets its own queue name, so parallel test processes and a running `make run` never take each
other's messages.
"""

from __future__ import annotations

import contextlib
import os
import socket
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
    with worker_process(queue, extra_env):
        yield queue


@contextlib.contextmanager
def worker_process(queue: str, extra_env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """A worker process consuming ``queue``; yields the process (a test may kill it)."""
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
    log = open(ROOT / "var" / f"{queue}-{uuid.uuid4().hex[:6]}.log", "w+")  # noqa: SIM115 - closed below
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
        yield process
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
        if process.returncode not in (0, -15, 1, -9):
            print(output)


def wait_for(condition: Callable[[], bool], *, timeout: float = 60, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Publish to ``url`` for a block, not eagerly: the web process's view of a broker that is
    down (nothing listens there) or of another server. Celery reads the environment variable
    before its setting, and keeps a pool of connections: both are switched and reset."""
    from crm.celery import app

    old_env = os.environ.get("CELERY_BROKER_URL")
    old_pools = app._pool, app.amqp._producer_pool
    os.environ["CELERY_BROKER_URL"] = url
    app._pool = app.amqp._producer_pool = None
    try:
        with celery_conf(broker_url=url, task_always_eager=False):
            yield
    finally:
        # Not closed: kombu keeps the producer pool per broker URL, for the next block to reuse.
        app._pool, app.amqp._producer_pool = old_pools
        if old_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = old_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A Redis server of the test's own, to stop and start without disturbing anyone else."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        from tests.services import port_open

        wait_for(lambda: port_open("127.0.0.1", self.port), timeout=20, message="redis-server to listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


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
