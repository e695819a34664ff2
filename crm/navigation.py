"""The navigation bar, in one place: which entries each role sees."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.permissions import user_has_role
from crm.roles import (
    ARCHIVE_ROLES,
    CLIENT_ROLES,
    CLIENT_SERVICES_ROLES,
    COMPLAINT_REPORT_ROLES,
    COMPLAINT_ROLES,
    CORRESPONDENCE_ROLES,
    REPAIR_ROLES,
    Role,
)


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str
    roles: tuple[str, ...] | None = None  # None: every signed-in user
    # A menu of entries instead of a link (the bar stays one line on a laptop); its own
    # url_name is its first entry's.
    children: tuple[NavItem, ...] = ()

    def visible_to(self, user) -> bool:
        return self.roles is None or user_has_role(user, self.roles)


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("Home"), "house"),
    NavItem("clients:list", _("Clients"), "person-vcard", CLIENT_ROLES),
    NavItem(
        "clients:complaints",
        _("Complaints"),
        "exclamation-octagon",
        COMPLAINT_ROLES,
        children=(
            NavItem("clients:complaints", _("Complaints"), "exclamation-octagon", COMPLAINT_ROLES),
            NavItem("clients:complaint_report", _("Complaints report"), "graph-up", COMPLAINT_REPORT_ROLES),
            NavItem("archives:correspondence", _("Incoming correspondence"), "envelope-open", CORRESPONDENCE_ROLES),
        ),
    ),
    NavItem("clients:pipeline", _("Pipeline"), "kanban", CLIENT_ROLES),  # key accounts being won (MKT-3)
    NavItem("grading:dashboard", _("Grading"), "bar-chart-steps", CLIENT_ROLES),
    NavItem(
        "campaigns:list",
        _("Marketing"),
        "megaphone",
        CLIENT_ROLES,
        children=(
            NavItem("campaigns:list", _("Campaigns"), "megaphone", CLIENT_ROLES),
            NavItem("surveys:list", _("Product surveys"), "ui-checks", CLIENT_ROLES),
            NavItem("brands:list", _("Brands"), "tags", CLIENT_ROLES),
        ),
    ),
    NavItem(
        "repairs:list",
        _("Repairs"),
        "tools",
        children=(
            NavItem("repairs:list", _("Repair orders"), "tools", REPAIR_ROLES),
            NavItem("repairs:stats", _("Repair statistics"), "bar-chart", (Role.ENGINEERING_SUPERVISOR, Role.FINANCE)),
            NavItem("repairs:billing", _("Billing"), "receipt", (Role.FINANCE,)),
            NavItem(
                "repairs:fee_schedules",
                _("Fee schedule"),
                "cash-coin",
                (Role.FINANCE, Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR),
            ),
        ),
    ),
    NavItem(
        "archives:index",
        _("Unit archives"),
        "archive",
        children=(
            NavItem("archives:index", _("Unit archives"), "archive", ARCHIVE_ROLES),
            NavItem("archives:approvals", _("Approvals"), "check2-square", CLIENT_SERVICES_ROLES),
            NavItem("archives:arrears", _("Arrears"), "cash-coin", CLIENT_SERVICES_ROLES),
        ),
    ),
    NavItem("notifications:list", _("Notifications"), "bell"),
]


def nav_for(user, path: str) -> list[tuple[NavItem, bool]]:
    """The role's entries, each with whether it is the current one (longest matching URL); a menu
    is current when one of its entries is."""
    links = []
    for item in NAV_ITEMS:
        if not item.visible_to(user):
            continue
        children = tuple(child for child in item.children if child.visible_to(user))
        if item.children and len(children) <= 1:
            # A menu of one entry is that entry (a front desk's "Repairs" is the order list);
            # a menu of none is not shown.
            if not children:
                continue
            item, children = children[0], ()
        urls = [reverse(child.url_name) for child in children] or [reverse(item.url_name)]
        links.append((replace(item, children=children), urls))
    matches = [u for _item, urls in links for u in urls if path == u or (u != "/" and path.startswith(u))]
    current = max(matches, key=len, default=None)
    return [(item, current in urls) for item, urls in links]
