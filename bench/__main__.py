"""`make bench`: run every bench/bench_*.py against the configured database and print figures.

Run `manage.py seed_volume` first for the volume benchmarks; each module says what it needs.
"""

from __future__ import annotations

import importlib
import os
import platform
import secrets
import sys
import time
from pathlib import Path

# Production settings (DEBUG off: no query log, cached templates, hashed static files), minus
# the HTTPS redirect, since the in-process client speaks plain HTTP. `make bench` collects static first.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))


def main(selected: list[str]) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    print(f"# bench on {platform.node()} ({os.cpu_count()} cores), database {connection.vendor}, broker {broker}")
    modules = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    for name in modules:
        if selected and name.removeprefix("bench_") not in selected:
            continue
        module = importlib.import_module(f"bench.{name}")
        started = time.perf_counter()
        print(f"\n## {name.removeprefix('bench_')}: {(module.__doc__ or '').strip().splitlines()[0]}")
        for line in module.run():
            print(line)
        print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
