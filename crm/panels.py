"""Panels that apps add to pages of the apps below them (the home page, a unit's file, a
client's card and a key account's service page).

crm and archives cannot import the apps built on them, so each app registers its panels from its
AppConfig.ready(); a page renders those whose roles include the user's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from crm.permissions import user_has_role
from crm.roles import Role


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict[str, Any]]
    roles: tuple[str, ...]
    order: int = 50


class PanelRegistry:
    def __init__(self) -> None:
        self._panels: list[Panel] = []

    def register(self, panel: Panel) -> None:
        if panel not in self._panels:
            self._panels.append(panel)
            self._panels.sort(key=lambda p: p.order)

    def for_user(self, user, *args: Any) -> list[dict[str, Any]]:
        """Each visible panel's template and context, in order. Administrators pass every role
        check; they get only the panels meant for them."""
        return [
            {"template": panel.template, **panel.context(user, *args)}
            for panel in self._panels
            if user_has_role(user, panel.roles) and (user.role != Role.ADMIN or Role.ADMIN in panel.roles)
        ]


home_panels = PanelRegistry()
unit_panels = PanelRegistry()  # on /archives/units/<id>/: context(user, unit)
client_panels = PanelRegistry()  # on /clients/<id>/: context(user, client)
service_panels = PanelRegistry()  # on /clients/<id>/service/ of a key account: context(user, client)
complaint_panels = PanelRegistry()  # on /clients/complaints/<id>/: context(user, complaint)


class SourceRegistry:
    """Functions of the apps above that add entries to a page's list (a client's timeline)."""

    def __init__(self) -> None:
        self._sources: list[Callable[..., list[Any]]] = []

    def register(self, source: Callable[..., list[Any]]) -> None:
        if source not in self._sources:
            self._sources.append(source)

    def __iter__(self) -> Iterator[Callable[..., list[Any]]]:
        return iter(self._sources)


# On a client's timeline: source(client) -> list of clients.selectors.TimelineEntry, one query.
client_timeline_sources = SourceRegistry()
