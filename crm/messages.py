"""Notification messages: what happened is stored (a key and its values), and the words are
chosen when someone reads it, in the reader's language (issue 14, X-1).

Each app registers its messages from its AppConfig.ready(), like the panels of crm/panels.py::

    messages.register(Message("repairs.assigned", title=_("New job %(number)s"), kind="repairs"))

and a service stores ``notification_create(message="repairs.assigned", params={"number": ...})``.
The values are plain JSON (numbers, codes, names, ISO dates); what needs translating at read
time (a choice's label, a digest's headings) is turned into words by the message's ``prepare``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

TEXT = "text"  # literal title and body, in the language they were written in


@dataclass(frozen=True)
class Message:
    key: str
    title: str | Promise
    # None: the body is the value "text" as given (a description, a reason: the writer's words).
    body: str | Promise | None = None
    kind: str = "general"
    prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None


class MessageRegistry:
    def __init__(self) -> None:
        self._messages: dict[str, Message] = {}
        self._kinds: dict[str, str | Promise] = {"general": _("General")}

    def register(self, message: Message) -> None:
        self._messages[message.key] = message

    def register_kind(self, code: str, label: str | Promise) -> None:
        self._kinds[code] = label

    def get(self, key: str) -> Message | None:
        return self._messages.get(key)

    def kind_of(self, key: str) -> str:
        message = self.get(key)
        return message.kind if message else "general"

    def kinds(self) -> list[tuple[str, str]]:
        """(code, label) of every kind, "general" first."""
        return [(code, str(label)) for code, label in self._kinds.items()]


messages = MessageRegistry()


def message_render(key: str, params: dict[str, Any], *, title: str = "", body: str = "") -> tuple[str, str]:
    """(title, body) of a message in the active language. A literal ("text") message, or one
    whose key or values no longer fit a registered message, shows the stored text."""
    message = messages.get(key)
    if key == TEXT or message is None:
        return title, body
    try:
        values = message.prepare(dict(params)) if message.prepare else dict(params)
        rendered_title = str(message.title % values)
        rendered_body = str(message.body % values) if message.body is not None else str(values.get("text", ""))
    except (KeyError, TypeError, ValueError) as error:
        logger.warning("message %s cannot be rendered from %r: %s", key, params, error)
        return title, body
    return rendered_title, rendered_body
