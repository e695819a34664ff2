"""Visit plans: a month generated for every account manager, the coverage and today pages.

Run `manage.py seed_volume --clients 100000` first (PostgreSQL): it makes the plans too."""

from __future__ import annotations

import statistics as stats
import time
from datetime import date

from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from bench.timing import time_page
from clients.models import Client
from crm.models import Team, User
from crm.roles import Role
from visits import services
from visits.calendar import month_start, next_month
from visits.generation import due_items_sql
from visits.models import Visit, VisitPolicy

REPEAT = 3


class _Rollback(Exception):
    """Raised to undo a generation once it is timed."""


def _generate_all(month: date, teams: list[tuple[Team, User]], today: date) -> tuple[float, int]:
    """Seconds to open ``month`` for every team (all their account managers), rolled back. The
    foreign keys are checked row by row, as the commit would check them (a rollback skips the
    deferred checks, which cost as much as the insert itself)."""
    items = 0
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for team, by in teams:
                items += services.month_open(team=team, month=month, by=by, today=today).items
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, items


def _generate_at_once(month: date, by: User, today: date) -> tuple[float, int]:
    """Seconds to open ``month`` for every team in one go (an administrator's "every team"),
    rolled back, with the foreign keys checked as the commit would."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            items = services.month_open(team=None, month=month, by=by, today=today).items
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed, items


def _select_all(month: date, owner_ids: list[int]) -> tuple[float, int]:
    """Seconds of the one SELECT of every due item of every account manager: the floor."""
    sql, params = due_items_sql(policy=VisitPolicy.current(), month=month, owner_ids=owner_ids, focus_territory_ids=[])
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({sql}) t", params)
        count = cursor.fetchone()[0]
    return time.perf_counter() - started, count


def _planners() -> list[tuple[Team, User]]:
    """Each team with account managers, and who opens its month (its manager, else an admin)."""
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    found = []
    for team in Team.objects.filter(members__role=Role.ACCOUNT_MANAGER, members__is_active=True).distinct():
        by = User.objects.filter(team=team, role=Role.MANAGER, is_active=True).order_by("pk").first() or admin
        if by is not None:
            found.append((team, by))
    return found


def generation_lines(today: date) -> list[str]:
    teams = _planners()
    owner_ids = list(
        User.objects.filter(team__in=[t for t, _ in teams], role=Role.ACCOUNT_MANAGER, is_active=True).values_list(
            "pk", flat=True
        )
    )
    # A month nobody has planned yet: the first after this one without a plan.
    month = next_month(month_start(today))
    while Visit.objects.filter(plan__month=month).exists():
        month = next_month(month)
    clients = Client.objects.filter(owner_id__in=owner_ids, status__in=["active", "prospect"]).count()
    runs = [_generate_all(month, teams, today) for _ in range(REPEAT)]
    selects = [_select_all(month, owner_ids) for _ in range(REPEAT)]
    generate = stats.median(seconds for seconds, _ in runs)
    floor = stats.median(seconds for seconds, _ in selects)
    admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    at_once = [_generate_at_once(month, admin, today) for _ in range(REPEAT)] if admin else []
    once = stats.median(seconds for seconds, _ in at_once) if at_once else None
    return [
        f"month {month:%Y-%m}: {len(teams)} teams, {len(owner_ids)} account managers, "
        f"{clients:,} active and prospect clients",
        f"generation (month_open per team, FK checks, rolled back), median of {REPEAT}: {generate:6.2f} s "
        f"for {runs[0][1]:,} items (target < 10 s)",
        f"floor: one SELECT count(*) of the due items of all:                {floor:6.2f} s "
        f"for {selects[0][1]:,} items",
        f"ratio generation / floor: {generate / floor:.2f} (target ≤ 2)",
        (
            f"generation of every team at once (an administrator), median of {REPEAT}: {once:6.2f} s "
            f"for {at_once[0][1]:,} items, ratio {once / floor:.2f}"
            if once is not None
            else "generation of every team at once: skipped, no administrator"
        ),
    ]


def _url(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def page_lines() -> list[str]:
    lines = []
    coverage = _url("visits:coverage")
    if coverage is None:
        lines.append("/visits/coverage/: skipped, the URL name visits:coverage does not resolve yet")
    else:
        admin = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        managers = User.objects.filter(role=Role.MANAGER, is_active=True).order_by("pk")
        manager = managers.filter(username__startswith="vol-mgr-").first() or managers.first()
        for user, label in [(admin, "admin, all teams"), (manager, "manager, one team")]:
            if user is None:
                lines.append(f"/visits/coverage/ ({label}): skipped, no such user")
                continue
            http = HttpClient()
            http.force_login(user)
            timing = time_page(http, coverage, label=f"/visits/coverage/ ({label})", repeat=10)
            lines.append(f"{timing.line()}   (target ≤ 200 ms, ≤ 12 queries)")
    home = _url("visits:home")
    owner = User.objects.filter(username="vol-am-01").first()
    if home is None:
        lines.append("/visits/ (today): skipped, the URL name visits:home does not resolve yet")
    elif owner is None:
        lines.append("/visits/ (today): skipped, no volume account manager (vol-am-01)")
    else:
        http = HttpClient()
        http.force_login(owner)
        timing = time_page(http, home, label="/visits/ today (account manager)", repeat=20)
        if timing.status == 404:
            lines.append("/visits/ (today): skipped, the page answers 404 (not written yet)")
        else:
            lines.append(f"{timing.line()}   (target median ≤ 60 ms)")
    return lines


def run() -> list[str]:
    plans = Visit.objects.filter(plan__isnull=False).count()
    lines = [f"visits in plans: {plans:,}"]
    if plans < 10000 or connection.vendor != "postgresql":
        return [*lines, "needs PostgreSQL and `seed_volume --clients 100000` (which makes the visit plans)"]
    lines += generation_lines(timezone.localdate())
    # Each timed generation was rolled back, leaving its rows dead in the table (nine times ~90k);
    # autovacuum clears them within a minute in production, here the pages are timed right after.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE visits_visit")
    return [*lines, *page_lines()]
