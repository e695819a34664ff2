"""The access matrix (issue 9): every URL × every role × GET and POST against tests/crm/access_matrix.py.

The records are built once for the module (``world``) inside a transaction rolled back at the
end; each test runs in a savepoint of it, so what an allowed POST changes is undone.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http import HttpResponse
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.roles import Role
from tests.crm.access_matrix import ANONYMOUS, ROLES, TABLE, Access, World, access_for, build_world

METHODS = ("GET", "POST")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name"; an unnamed pattern is "namespace:<unnamed route>"
    route: str
    pattern: URLPattern


def walk(resolver: URLResolver | None = None, namespace: str = "", prefix: str = "") -> Iterator[Route]:
    """Every URL pattern of crm.urls, with its namespaced name."""
    resolver = resolver or get_resolver("crm.urls")
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from walk(entry, inner, prefix + str(entry.pattern))
        else:
            route = prefix + str(entry.pattern)
            name = entry.name or f"<unnamed {route}>"
            yield Route(f"{namespace}:{name}" if namespace else name, route, entry)


ROUTES = list(walk())
APP_ROUTES = [route for route in ROUTES if not route.name.startswith("admin:")]
# The admin's unnamed "<object_id>/" redirects are requested by their route; its catch-all is not.
ADMIN_ROUTES = [
    route
    for route in ROUTES
    if route.name.startswith("admin:") and (route.pattern.name or route.route.endswith("/<path:object_id>/"))
]


def test_every_url_is_in_the_table() -> None:
    unclassified = sorted(route.name for route in ROUTES if access_for(route.name) is None)
    assert not unclassified, f"URLs missing from tests/crm/access_matrix.py TABLE: {unclassified}"


def test_the_table_names_only_existing_urls() -> None:
    names = {route.name for route in ROUTES}
    stale = sorted(key for key in TABLE if not any(fnmatchcase(name, key) for name in names))
    assert not stale, f"tests/crm/access_matrix.py TABLE names URLs that no longer exist: {stale}"


@dataclass(frozen=True)
class Matrix:
    world: World
    sessions: dict[str, str]  # role -> the session cookie of its signed-in user


@pytest.fixture(scope="module")
def matrix(django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    """The records and one session per role, once for the module (rolled back at its end)."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix-media"))
    media.enable()
    try:
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                world = build_world()
                sessions = {}
                for role, user in world.users.items():
                    client = Client()
                    client.force_login(user)
                    sessions[role] = client.cookies[settings.SESSION_COOKIE_NAME].value
                yield Matrix(world, sessions)
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)
    finally:
        media.disable()


@pytest.fixture
def world(matrix: Matrix) -> World:
    return matrix.world


def browser(matrix: Matrix, role: str) -> Client:
    """A client signed in as ``role`` (with the module's session: no sign-in per test)."""
    client = Client()
    if role != ANONYMOUS:
        client.cookies[settings.SESSION_COOKIE_NAME] = matrix.sessions[role]
    return client


def request(client: Client, method: str, url: str, data: dict) -> HttpResponse:
    if method == "GET":
        return client.get(url)
    return client.post(url, data)


def problem(access: Access, role: str, method: str, response: HttpResponse) -> str | None:
    """What is wrong with ``response`` according to the table (None: nothing)."""
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return f"{status}: a server error"
    allowed = access.get if method == "GET" else access.post
    if allowed is None:
        return None if status == 405 else f"{status}, expected 405 (the view does not take {method})"
    if role in allowed:
        if method == "GET" and status not in access.get_ok:
            return f"{status}, expected {sorted(access.get_ok)} (allowed)"
        if method == "POST" and access.post_ok is not None and status not in access.post_ok:
            return f"{status}, expected {sorted(access.post_ok)} (allowed)"
        if method == "POST" and access.post_ok is None and status in (403, 404, 405):
            return f"{status}, expected the POST to be taken (allowed)"
        return None
    if role == ANONYMOUS or (access.redirect_refused and role != Role.ADMIN):
        if status == 302 and location.startswith(access.login):
            return None
        return f"{status} {location}, expected 302 to {access.login} (refused)"
    return None if status in (403, 404) else f"{status} {location}, expected 403 or 404 (refused)"


def app_cases() -> list[Any]:
    return [
        pytest.param(route.name, role, method, id=f"{route.name}-{role}-{method}")
        for route in APP_ROUTES
        for role in ROLES
        for method in METHODS
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "method"), app_cases())
def test_access(matrix: Matrix, world: World, name: str, role: str, method: str) -> None:
    access = access_for(name)
    assert access is not None, f"{name} is not in the table"
    url = reverse(name, kwargs=access.url_kwargs(world))
    if access.query:
        url = f"{url}?{access.query}"
    response = request(browser(matrix, role), method, url, access.data(world) if access.data else {})
    found = problem(access, role, method, response)
    assert found is None, f"{role} {method} {url}: {found}"
    if response.status_code == 200 and not response.streaming:
        content = text_of(response)
        leaked = [secret for secret in world.secrets(role) if secret in content]
        assert not leaked, f"{role} {method} {url} shows another user's records: {leaked}"


def text_of(response: HttpResponse) -> str:
    """The response's text; a workbook's cell values."""
    if response["Content-Type"].startswith(XLSX):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row
        )
    return response.content.decode(errors="replace")


def admin_url(route: Route, world: World) -> str:
    """An admin URL with the pk of a stored object of its model where it takes one."""
    if not route.pattern.name:  # admin/<app>/<model>/<path:object_id>/: redirects to the change page
        app_label, model_name = route.route.split("/")[1:3]
        obj = apps.get_model(app_label, model_name)._default_manager.order_by("pk").first()
        return "/" + route.route.replace("<path:object_id>", str(obj.pk if obj else 0))
    model = _admin_model(route.name)
    obj = model._default_manager.order_by("pk").first() if model else None
    pk = str(obj.pk) if obj else str(world.users[Role.ADMIN].pk)
    pattern = route.pattern.pattern
    regex = getattr(pattern, "regex", None)
    converters = getattr(pattern, "converters", {})
    if converters:
        values = {
            "object_id": pk,
            "id": pk,
            "content_type_id": ContentType.objects.get_for_model(world.client).pk,
        }
        kwargs = {name: values[name] for name in converters}
        if "content_type_id" in kwargs:
            kwargs["object_id"] = str(world.client.pk)
        return reverse(route.name, kwargs=kwargs)
    if regex is not None and regex.groupindex:
        return reverse(route.name, kwargs={"app_label": "crm"})
    if regex is not None and regex.groups == 2:  # simple_history: the object and one of its versions
        history = obj.history.order_by("history_id").first() if obj is not None else None
        return reverse(route.name, args=[pk, history.history_id if history else 0])
    return reverse(route.name)


def _admin_model(name: str) -> type | None:
    best = None
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix) and (best is None or len(prefix) > len(best[0])):
            best = (prefix, model)
    return best[1] if best else None


@pytest.mark.django_db
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", ROLES)
def test_admin_access(matrix: Matrix, world: World, role: str, method: str) -> None:
    """The Django admin class, one case per role and method over all its URLs."""
    client = browser(matrix, role)
    wrong = []
    for route in ADMIN_ROUTES:
        access = access_for(route.name)
        assert access is not None
        url = admin_url(route, world) + (f"?{access.query}" if access.query else "")
        with transaction.atomic():  # what one admin POST deletes stays for the next URL
            found = problem(access, role, method, request(client, method, url, {}))
            transaction.set_rollback(True)
        if found:
            wrong.append(f"{route.name} {url}: {found}")
        if route.name == "admin:logout" and method == "POST":
            client = browser(matrix, role)  # signed out (and rolled back): the session again
    assert not wrong, f"{role} {method}:\n" + "\n".join(wrong)
