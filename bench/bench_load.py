"""Load: concurrent users of mixed roles against gunicorn for a fixed time (issue 9).

Needs PostgreSQL (DATABASE_URL) with `seed_demo` and the volume data
(`seed_volume --clients 100000 ...`). Each simulated user logs in through the login form as a
demo user of one role, then opens that role's pages one after another over fresh connections
(gunicorn's sync workers close each one), as if behind the README's TLS proxy.

Two phases of BENCH_LOAD_SECONDS each: "users" pause BENCH_LOAD_THINK seconds (a range, 1-3 by
default) between pages, as people reading a page do; "saturation" drops the pause, so the same
users keep every worker busy and the phase measures capacity (its latency is then mostly
queueing: users ÷ requests per second). Reports requests per second, p50/p95/p99 and errors (any
answer but 200). Settings: BENCH_LOAD_USERS (50), BENCH_LOAD_SECONDS (60), BENCH_LOAD_THINK
("1-3"), BENCH_LOAD_WORKERS (gunicorn workers, 2 × cores + 1).
"""

from __future__ import annotations

import asyncio
import os
import random
import re
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import requests
from django.db import connection

from crm.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[1]
USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
THINK = tuple(float(x) for x in os.environ.get("BENCH_LOAD_THINK", "1-3").split("-", 1))


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


# gunicorn stands where the README's TLS proxy would hand requests on: each one says it came over
# HTTPS, or production settings answer with a redirect to https:// (which must not count as a page).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def login(base: str, username: str) -> str:
    """Log in through the form, as a browser does; returns the Cookie header. The cookies are
    Secure (and __Host-), which requests' jar keeps for https:// only: they are carried by hand."""
    page = requests.get(f"{base}/accounts/login/", headers=PROXY_HEADERS, allow_redirects=False, timeout=30)
    if page.status_code != 200:
        raise RuntimeError(f"the login page answered HTTP {page.status_code}")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    cookies = dict(page.cookies)
    response = requests.post(
        f"{base}/accounts/login/",
        {"username": username, "password": DEMO_PASSWORD, "csrfmiddlewaretoken": token},
        headers={
            **PROXY_HEADERS,
            "Referer": f"{base.replace('http://', 'https://')}/accounts/login/",
            "Cookie": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        },
        allow_redirects=False,
        timeout=30,
    )
    if response.status_code != 302:
        raise RuntimeError(f"{username} could not log in: HTTP {response.status_code}")
    cookies.update(response.cookies)
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


async def fetch(port: int, path: str, cookie: str) -> tuple[int, float]:
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {quote(path, safe='/?=&%-_.~')} HTTP/1.1\r\nHost: localhost\r\n"
        f"Cookie: {cookie}\r\nAccept-Language: zh-hans\r\n"
        "X-Forwarded-Proto: https\r\n"
        "Connection: close\r\n\r\n"
    )
    writer.write(request.encode())
    await writer.drain()
    status_line = await reader.readline()
    await reader.read()  # headers and body, until gunicorn closes the connection
    writer.close()
    status = int(status_line.split()[1]) if status_line else 0
    return status, (time.perf_counter() - started) * 1000


async def simulate(
    port: int, users: list[tuple[str, str, list[str]]], seconds: float, think: tuple[float, float] | None
) -> list[tuple[int, float, str]]:
    results: list[tuple[int, float, str]] = []
    deadline = time.perf_counter() + seconds
    rng = random.Random(1)  # the same pauses on every run

    async def user(cookie: str, pages: list[str], offset: int) -> None:
        n = offset
        if think:  # users do not all start on the same second
            await asyncio.sleep(rng.uniform(0, think[1]))
        while time.perf_counter() < deadline:
            path = pages[n % len(pages)]
            try:
                status, ms = await fetch(port, path, cookie)
            except OSError:
                status, ms = 0, 0.0
            results.append((status, ms, path))
            n += 1
            if think:
                await asyncio.sleep(rng.uniform(*think))

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
        phases = []
        for phase, think in (("users", THINK), ("saturation", None)):
            started = time.perf_counter()
            results = asyncio.run(simulate(port, users, SECONDS, think))
            phases.append((phase, think, results, time.perf_counter() - started))
    finally:
        server.terminate()
        server.wait(timeout=30)
    yield f"{USERS} users ({', '.join(pages)}), {SECONDS:.0f} s a phase, gunicorn {WORKERS} workers"
    for phase, think, results, elapsed in phases:
        yield from report(phase, think, results, elapsed)


def report(phase: str, think: tuple[float, float] | None, results: list, elapsed: float) -> Iterator[str]:
    # Every page answers 200: a redirect (to the login page, to https://) is a failure here too.
    ok = sorted(ms for status, ms, _path in results if status == 200)
    errors = Counter(status for status, _ms, _path in results if status != 200)
    pause = f"{think[0]:g}-{think[1]:g} s between pages" if think else "no pause"
    yield f"### {phase} ({pause})"
    rate = len(results) / elapsed
    yield f"requests {len(results)}   {rate:6.1f} req/s   errors {sum(errors.values())} {dict(errors)}"
    if ok:
        yield (
            f"latency p50 {percentile(ok, 0.50):6.0f} ms   p95 {percentile(ok, 0.95):6.0f} ms   "
            f"p99 {percentile(ok, 0.99):6.0f} ms   mean {statistics.fmean(ok):6.0f} ms"
        )
    by_page: dict[str, list[float]] = {}
    for status, ms, path in results:
        if status == 200:
            by_page.setdefault(re.sub(r"/\d+/", "/<id>/", path), []).append(ms)
    for path, samples in sorted(by_page.items(), key=lambda item: -statistics.median(item[1]))[:8]:
        samples.sort()
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        yield f"  {path:<42} n {len(samples):5d}   p50 {p50:6.0f} ms   p95 {p95:6.0f} ms"
