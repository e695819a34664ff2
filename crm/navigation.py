"""The navigation bar, in one place: which entries each role sees."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from crm.permissions import user_has_role
from crm.roles import Role


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str | Promise
    icon: str
    roles: tuple[str, ...] | None = None  # None: every signed-in user
    section: str = ""  # the first URL segment that marks the entry active

    def visible_to(self, user) -> bool:
        return self.roles is None or user_has_role(user, self.roles)


NAV_ITEMS: list[NavItem] = [
    NavItem("home", _("Home"), "house", section="home"),
    NavItem("notifications:list", _("Notifications"), "bell", section="notifications"),
]

# Entries for Django admin live in the user menu, for administrators only.
ADMIN_ROLES = (Role.ADMIN,)


def nav_for(user) -> list[NavItem]:
    return [item for item in NAV_ITEMS if item.visible_to(user)]
