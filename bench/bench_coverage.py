"""The coverage page (VIS-3) at volume (`seed_volume --clients 100000`, PostgreSQL; visits from the
visits volume): target median ≤ 200 ms and ≤ 12 queries for an administrator and a manager."""

from __future__ import annotations

from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from bench.timing import time_page
from clients.models import Client
from crm.models import User
from crm.roles import Role
from visits.models import Visit, VisitPolicy


def run() -> list[str]:
    total, visits = Client.objects.count(), Visit.objects.count()
    lines = [f"clients: {total:,}, visits: {visits:,}"]
    if total < 1000 or connection.vendor != "postgresql":
        return [*lines, "needs PostgreSQL and `manage.py seed_volume --clients 100000` first"]
    VisitPolicy.current()
    admin = User.objects.filter(role=Role.ADMIN).first()
    manager = User.objects.filter(role=Role.MANAGER, team__isnull=False).order_by("username").first()
    owner = User.objects.filter(role=Role.ACCOUNT_MANAGER, clients__isnull=False).order_by("username").first()
    url, drill = reverse("visits:coverage"), reverse("visits:coverage_clients")
    for user, label in [(admin, "admin"), (manager, "manager"), (owner, "account manager")]:
        if user is None:
            continue
        http = HttpClient()
        http.force_login(user)
        lines += [
            time_page(http, url, label=f"coverage, this month, {label}").line(),
            time_page(http, f"{url}?month=2026-01", label=f"coverage, a past month, {label}", repeat=10).line(),
            time_page(http, f"{drill}?show=past_rotation", label=f"past rotation list, {label}", repeat=10).line(),
        ]
    return lines
