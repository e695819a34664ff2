"""Client list and card at volume (run `manage.py seed_volume --clients 100000` first)."""

from __future__ import annotations

from django.test import Client as HttpClient
from django.urls import reverse

from bench.timing import time_page
from clients.models import Client
from crm.models import User


def run() -> list[str]:
    total = Client.objects.count()
    lines = [f"clients in the database: {total:,}"]
    if total < 1000:
        return [*lines, "too few clients: run `manage.py seed_volume --clients 100000` first"]
    admin = User.objects.filter(role="admin").first()
    owner = User.objects.filter(username="vol-am-01").first() or User.objects.get(username="am1")
    url = reverse("clients:list")
    card = Client.objects.filter(owner=owner).order_by("pk").first()
    for user, label in [(admin, f"admin (all {total:,})"), (owner, "account manager")]:
        http = HttpClient()
        http.force_login(user)
        lines += [
            time_page(http, url, label=f"list, first page, {label}").line(),
            time_page(http, f"{url}?q=华信", label=f"list, search 华信, {label}").line(),
            time_page(http, f"{url}?q=0013", label=f"list, search phone 0013, {label}").line(),
            time_page(
                http,
                f"{url}?kind=retail&status=active&level=A&ordering=-updated",
                label=f"list, kind+status+level sorted, {label}",
            ).line(),
            time_page(http, f"{url}?stale_days=365&followup=due", label=f"list, stale+due, {label}").line(),
        ]
    http = HttpClient()
    http.force_login(owner)
    lines.append(time_page(http, card.get_absolute_url(), label="card page (10 interactions)").line())
    lines.append(time_page(http, reverse("clients:key_accounts"), label="key accounts, account manager").line())
    return lines
