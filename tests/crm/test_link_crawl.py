"""No page shows a link or a button that leads its viewer to a 403 (issue 13).

For every demo role: log in, open the home page, every page its navbar and home page link to,
and a representative detail page of each kind it may open (a unit file, a repair order, a
client card, a complaint). On each of those pages every same-site link and form is collected:
links (and GET forms) are requested and must answer neither 403 nor 500; a POST form's action
must let the role in (its view's role gate, crm.permissions.may_open), since pressing its button
would otherwise answer 403. Logout is not followed.

Links are grouped by the view they lead to: up to ``PER_VIEW`` of each are requested (a role
gate does not depend on which unit or order a link names; record scope answers 404, not 403).
"""

from __future__ import annotations

from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve

from crm.demo import DEMO_USERS
from crm.models import User
from crm.permissions import may_open

PER_VIEW = 2
SKIPPED = ("/static/", "/media/", "/accounts/logout/", "/i18n/")


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.post_actions: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "form":
            action = attributes.get("action") or ""
            if (attributes.get("method") or "get").lower() == "post":
                if action:
                    self.post_actions.append(action)
            elif action:
                self.links.append(action)


def same_site(base: str, href: str) -> str | None:
    if href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != "testserver":
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIPPED) else path


def view_of(path: str) -> str:
    try:
        return resolve(path.split("?")[0]).view_name
    except Resolver404:
        return path


def detail_pages(user) -> list[str]:
    """One record of each kind the user may open, if any."""
    from archives.models import Unit
    from clients.models import Client, Complaint
    from repairs.models import RepairOrder

    pages = []
    for model in (Unit, RepairOrder, Client, Complaint):
        record = model.objects.visible_to(user).order_by("pk").first()
        if record is None:
            continue
        url = f"/archives/units/{record.pk}/" if model is Unit else record.get_absolute_url()
        if may_open(user, url):
            pages.append(url)
    return pages


def crawl(client, user) -> list[str]:
    problems: list[str] = []
    start = ["/"]
    home = client.get("/")
    parser = Links()
    parser.feed(home.content.decode())
    start += [p for p in (same_site("/", h) for h in parser.links) if p]
    start += detail_pages(user)
    pages: dict[str, str] = {}
    for path in dict.fromkeys(start):
        response = client.get(path)
        if response.status_code in (403, 500):
            problems.append(f"{user.username}: start page {path} answered {response.status_code}")
            continue
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages[path] = response.content.decode()
    targets: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for page, html in pages.items():
        parser = Links()
        parser.feed(html)
        for href in parser.links:
            path = same_site(page, href)
            if path and len(targets[view_of(path)]) < PER_VIEW and path not in [t for t, _p in targets[view_of(path)]]:
                targets[view_of(path)].append((path, page))
        for action in parser.post_actions:
            path = same_site(page, action)
            if path and not may_open(user, path):
                problems.append(f"{user.username}: {page} shows a form posting to {path}, which refuses its role")
    for links in targets.values():
        for path, page in links:
            status = client.get(path).status_code
            if status in (403, 500):
                problems.append(f"{user.username}: {page} links to {path}, which answers {status}")
    return problems


@pytest.mark.django_db
def test_no_page_links_any_demo_role_to_a_403(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    problems = []
    for spec in DEMO_USERS:
        user = User.objects.get(username=spec.username)
        client.force_login(user)
        problems += crawl(client, user)
    assert not problems, "\n".join(problems)
