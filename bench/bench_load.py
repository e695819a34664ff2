"""Load: concurrent users of mixed roles against gunicorn for a fixed time (issue 9).

Needs PostgreSQL (DATABASE_URL) with `seed_demo` and the volume data
(`seed_volume --clients 100000 ...`). Each simulated user logs in through the login form as a
demo user of one role, then opens that role's pages one after another with no pause, over
fresh connections (gunicorn's sync workers close each one). Reports requests per second,
p50/p95/p99 and errors. Settings: BENCH_LOAD_USERS (50), BENCH_LOAD_SECONDS (60),
BENCH_LOAD_WORKERS (gunicorn workers, 2 × cores + 1).
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import requests
from django.db import connection

from crm.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))


def role_pages() -> dict[str, list[str]]:
    """The pages each demo user opens in turn: lists, searches, filters and a detail of each app."""
    from archives.models import Unit
    from clients.models import Client
    from crm.models import User

    am1 = User.objects.get(username="am1")
    own = Client.objects.filter(owner=am1).order_by("pk").values_list("pk", flat=True)[:5]
    team = Client.objects.visible_to(User.objects.get(username="manager")).order_by("-pk").values_list("pk", flat=True)
    unit = Unit.objects.order_by("pk").values_list("pk", flat=True).first()
    return {
        "manager": [
            "/",
            "/clients/",
            "/clients/?q=华信",
            "/grading/",
            "/clients/key-accounts/",
            *(f"/clients/{pk}/" for pk in team[:3]),
        ],
        "am1": [
            "/",
            "/clients/",
            "/clients/?status=active&sort=-name",
            "/notifications/",
            *(f"/clients/{pk}/" for pk in own),
        ],
        "am2": ["/", "/clients/", "/clients/?q=0013", "/clients/complaints/"],
        "frontdesk": ["/", "/repairs/", "/repairs/new/", "/archives/", "/repairs/units/search/?q=1001"],
        "supervisor": ["/", "/repairs/", "/repairs/?status=new", "/repairs/stats/"],
        "tech1": ["/", "/repairs/"],
        "finance": ["/", "/repairs/register/", "/repairs/?status=completed"],
        "archivist": ["/", "/archives/", f"/archives/units/{unit}/", "/archives/approvals/"],
    }


def login(base: str, username: str) -> str:
    """Log in through the form, as a browser does; returns the Cookie header."""
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/accounts/login/",
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not log in: HTTP {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


async def fetch(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\nAccept-Language: zh-hans\r\n"
        "Connection: close\r\n\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # headers and body, until gunicorn closes the connection
    writer.close()
    status = int(status_line.split()[1]) if status_line else 0
    return status, (time.perf_counter() - started) * 1000


async def simulate(port: int, users: list[tuple[str, str, list[str]]], seconds: float) -> list[tuple[int, float, str]]:
    results: list[tuple[int, float, str]] = []
    deadline = time.perf_counter() + seconds

    async def user(cookie: str, pages: list[str], offset: int) -> None:
        n = offset
        while time.perf_counter() < deadline:
            path = pages[n % len(pages)]
            try:
                status, ms = await fetch(port, path, cookie)
            except OSError:
                status, ms = 0, 0.0
            results.append((status, ms, path))
            n += 1

    await asyncio.gather(*(user(cookie, pages, i) for i, (_name, cookie, pages) in enumerate(users)))
    return results


def percentile(sorted_ms: list[float], share: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, int(share * len(sorted_ms)))]


def run() -> Iterator[str]:
    if connection.vendor != "postgresql":
        yield "skipped: needs PostgreSQL with the volume data (DATABASE_URL)"
        return
    from crm.models import User

    if not User.objects.filter(username="am1").exists():
        yield "skipped: run `manage.py seed_demo` and `seed_volume` first"
        return
    pages = role_pages()
    port = 18000 + os.getpid() % 1000
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "crm.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(WORKERS),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        names = list(pages)
        users = []
        for i in range(USERS):
            name = names[i % len(names)]
            users.append((name, login(base, name), pages[name]))
        connection.close()  # the benchmark's own connection sits idle during the run
        started = time.perf_counter()
        results = asyncio.run(simulate(port, users, SECONDS))
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    ok = sorted(ms for status, ms, _path in results if 200 <= status < 400)
    errors = Counter(status for status, _ms, _path in results if not 200 <= status < 400)
    yield f"{USERS} users ({', '.join(f'{n}' for n in pages)}), {SECONDS:.0f} s, gunicorn {WORKERS} workers"
    rate = len(results) / elapsed
    yield f"requests {len(results)}   {rate:6.1f} req/s   errors {sum(errors.values())} {dict(errors)}"
    if ok:
        yield (
            f"latency p50 {percentile(ok, 0.50):6.0f} ms   p95 {percentile(ok, 0.95):6.0f} ms   "
            f"p99 {percentile(ok, 0.99):6.0f} ms   mean {statistics.fmean(ok):6.0f} ms"
        )
    by_page: dict[str, list[float]] = {}
    for status, ms, path in results:
        if 200 <= status < 400:
            by_page.setdefault(re.sub(r"/\d+/", "/<id>/", path), []).append(ms)
    for path, samples in sorted(by_page.items(), key=lambda item: -statistics.median(item[1]))[:8]:
        samples.sort()
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        yield f"  {path:<42} n {len(samples):5d}   p50 {p50:6.0f} ms   p95 {p95:6.0f} ms"
