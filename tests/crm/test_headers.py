"""The header gate (issue 9): every page every role can reach carries the security headers.

Under the production settings (computed by a real settings import with DJANGO_DEBUG=0, then
applied with override_settings), each role GETs every URL of the resolver that takes no
argument, and a detail page of each app with records it may see; every response must carry a
Content-Security-Policy without 'unsafe-inline', Cache-Control no-store, X-Frame-Options DENY
and X-Content-Type-Options nosniff. Logging in must set the session cookie Secure, HttpOnly,
SameSite=Lax and host-only.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from archives import services as archive_services
from archives.models import YearlyArchive
from clients.complaints import complaint_file
from crm.demo import DEMO_PASSWORD
from crm.roles import Role
from grading.services import grading_run
from tests.archives.conftest import pdf
from tests.crm.test_settings import production_env, run_django
from tests.factories import (
    CampaignFactory,
    ClientFactory,
    ContactFactory,
    RepairOrderFactory,
    TechnicianFactory,
    TenancyFactory,
)

# The settings that make a response safe; production's values are the ones the gate checks.
SECURITY_SETTINGS = ("SECURE_", "SESSION_COOKIE_", "CSRF_COOKIE_", "X_FRAME_OPTIONS", "CONTENT_SECURITY_POLICY")


@pytest.fixture(scope="module")
def production_settings() -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in dir(s) if k.startswith({SECURITY_SETTINGS!r})}}))"
    )
    result = run_django(code, **production_env())
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True, "these are production's settings"
    return values


@pytest.fixture
def production(production_settings):
    with override_settings(**production_settings):
        yield


def argless_paths() -> list[str]:
    """Every URL of the resolver that takes no argument, the admin's included."""
    names: list[str] = []

    def walk(patterns: list, namespace: list[str]) -> None:
        for entry in patterns:
            if entry.pattern.regex.groups:
                continue  # takes arguments: the detail pages below stand for these
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, [*namespace, entry.namespace] if entry.namespace else namespace)
            elif entry.name:
                names.append(":".join([*namespace, entry.name]))

    walk(get_resolver().url_patterns, [])
    return sorted({reverse(name) for name in names})


@pytest.fixture
def people(make_user, team) -> dict[str, object]:
    return {role: make_user(role, username=f"gate-{role}", team=team) for role in Role.values}


@pytest.fixture
def detail_paths(people, settings, tmp_path) -> list[str]:
    """One record of each kind, in every role's scope where the role reaches that kind at all."""
    settings.MEDIA_ROOT = tmp_path / "media"
    owner, manager = people[Role.ACCOUNT_MANAGER], people[Role.MANAGER]
    card = ClientFactory(owner=owner)
    ContactFactory(client=card)
    complaint = complaint_file(client=card, subject="Late delivery", description="Twice.", channel="phone", by=owner)
    promotion = CampaignFactory(created_by=manager)
    run = grading_run(as_of=timezone.localdate(), by=manager)
    tenancy = TenancyFactory(client=card, company_name=card.name)
    document = archive_services.document_file(
        unit=tenancy.unit, upload=pdf(), title="Lease", category="move_in", dated=tenancy.move_in, kind="original",
        by=people[Role.FRONT_DESK],
    )  # fmt: skip
    YearlyArchive.objects.create(year=2025)
    technician = TechnicianFactory(user=people[Role.TECHNICIAN])
    open_order = RepairOrderFactory(unit=tenancy.unit, client=card, technician=technician, status="assigned")
    done = timezone.now() - timedelta(days=1)
    done_order = RepairOrderFactory(
        unit=tenancy.unit, client=card, technician=technician, status="completed", consented_at=done,
        completed_at=done, signature="M 1 1 L 2 2", total=Decimal("80"),
    )  # fmt: skip
    return [
        card.get_absolute_url(),
        reverse("clients:edit", args=[card.pk]),
        reverse("clients:complaint_detail", args=[complaint.pk]),
        reverse("campaigns:detail", args=[promotion.pk]),
        reverse("clients:export", args=["clients"]) + "?format=csv",
        reverse("clients:export", args=["contacts"]) + "?format=xlsx",
        reverse("grading:ledger", args=[card.pk]),
        reverse("grading:run_status", args=[run.pk]),
        reverse("archives:unit", args=[tenancy.unit.pk]),
        reverse("archives:document", args=[document.pk]),
        reverse("archives:download", args=[document.versions.get().pk]),
        reverse("archives:yearly_index", args=[2025]),
        reverse("archives:yearly_index", args=[2025]) + "?format=csv",
        open_order.get_absolute_url(),
        done_order.get_absolute_url(),
        reverse("repairs:slip", args=[done_order.pk]),
        reverse("repairs:stats") + f"?month={date.today():%Y-%m}",
        "/no-such-page/",
    ]


def header_problems(path: str, response) -> list[str]:
    """What is missing from one response, as readable lines."""
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response.get("Content-Security-Policy", "").split(";")
        if directive.strip()
    }
    cache_control = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    problems = [
        "no Content-Security-Policy" if not policy else "",
        "script-src allows inline scripts" if "'unsafe-inline'" in policy.get("script-src", []) else "",
        "script-src allows eval" if "'unsafe-eval'" in policy.get("script-src", []) else "",
        "style-src allows inline styles" if "'unsafe-inline'" in policy.get("style-src", []) else "",
        "frame-ancestors is not 'none'" if policy and policy.get("frame-ancestors") != ["'none'"] else "",
        f"Cache-Control is {response.get('Cache-Control')!r}" if "no-store" not in cache_control else "",
        "X-Frame-Options is not DENY" if response.get("X-Frame-Options") != "DENY" else "",
        "X-Content-Type-Options is not nosniff" if response.get("X-Content-Type-Options") != "nosniff" else "",
        "no Strict-Transport-Security" if "max-age=" not in response.get("Strict-Transport-Security", "") else "",
    ]
    return [f"{path} ({response.status_code}): {problem}" for problem in problems if problem]


@pytest.mark.parametrize("role", Role.values)
def test_every_page_a_role_reaches_carries_the_security_headers(client, people, detail_paths, production, role):
    client.force_login(people[role])
    problems, statuses = [], {}
    for path in argless_paths() + detail_paths:
        response = client.get(path, secure=True)
        statuses[path] = response.status_code
        problems += header_problems(path, response)
    assert problems == []
    # The crawl saw real pages, not only refusals: the home page and each role's own records.
    assert statuses["/"] == 200
    assert sum(status == 200 for status in statuses.values()) >= 8, statuses


def test_the_crawl_covers_each_app_and_the_admin():
    paths = argless_paths()
    for expected in ["/", "/clients/", "/grading/", "/archives/", "/repairs/", "/notifications/", "/admin/"]:
        assert expected in paths
    assert len([path for path in paths if path.startswith("/admin/")]) > 20


def test_logging_in_sets_a_secure_httponly_samesite_host_only_session_cookie(client, people, production):
    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"), {"username": f"gate-{Role.FRONT_DESK}", "password": DEMO_PASSWORD}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies["__Host-sessionid"]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert cookie["domain"] == "", "a __Host- cookie is for this host only"
    csrf = client.cookies["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"
