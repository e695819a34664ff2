"""The navigation bar, in one place: which entries each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.permissions import user_has_role
from crm.roles import ARCHIVE_ROLES, CLIENT_ROLES, REPAIR_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str
    roles: tuple[str, ...] | None = None  # None: every signed-in user

    def visible_to(self, user) -> bool:
        return self.roles is None or user_has_role(user, self.roles)


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("Home"), "house"),
    NavItem("clients:list", _("Clients"), "person-vcard", CLIENT_ROLES),
    NavItem("clients:complaints", _("Complaints"), "exclamation-octagon", CLIENT_ROLES),
    NavItem("clients:pipeline", _("Pipeline"), "kanban", CLIENT_ROLES),  # key accounts being won (MKT-3)
    NavItem("grading:dashboard", _("Grading"), "bar-chart-steps", CLIENT_ROLES),
    NavItem("repairs:list", _("Repairs"), "tools", REPAIR_ROLES),
    NavItem("repairs:stats", _("Repair statistics"), "bar-chart", (Role.ENGINEERING_SUPERVISOR, Role.FINANCE)),
    NavItem("archives:index", _("Unit archives"), "archive", ARCHIVE_ROLES),
    NavItem("archives:approvals", _("Approvals"), "check2-square", (Role.MANAGER, Role.CLIENT_SERVICES_SUPERVISOR)),
    NavItem("notifications:list", _("Notifications"), "bell"),
]


def nav_for(user, path: str) -> list[tuple[NavItem, bool]]:
    """The role's entries, each with whether it is the current one (longest matching URL)."""
    items = [(item, reverse(item.url_name)) for item in NAV_ITEMS if item.visible_to(user)]
    matches = [url for _item, url in items if path == url or (url != "/" and path.startswith(url))]
    current = max(matches, key=len, default=None)
    return [(item, url == current) for item, url in items]
