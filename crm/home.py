"""Panels that apps add to the role home pages.

crm cannot import the apps built on it, so each app registers its panels from its
AppConfig.ready(); the home page renders those whose roles include the user's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm.permissions import user_has_role
from crm.roles import Role


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: Callable[[Any], dict[str, Any]]
    roles: tuple[str, ...]
    order: int = 50


_PANELS: list[HomePanel] = []


def register(panel: HomePanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)
        _PANELS.sort(key=lambda p: p.order)


def panels_for(user) -> list[dict[str, Any]]:
    """Each visible panel's template and context, in order."""
    return [
        {"template": panel.template, **panel.context(user)}
        for panel in _PANELS
        # Administrators pass every role check; their home shows only panels meant for them.
        if user_has_role(user, panel.roles) and (user.role != Role.ADMIN or Role.ADMIN in panel.roles)
    ]
