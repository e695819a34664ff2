"""The notifications repairs sends, rendered in each reader's language (crm.messages)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from crm.messages import Message, messages


def _category(values: dict[str, Any]) -> dict[str, Any]:
    from repairs.models import Category

    code = values.get("category", "")
    return {**values, "category": Category(code).label if code in Category.values else code}


ASSIGNED = Message(
    "repairs.assigned", _("New job %(number)s: %(unit)s, %(category)s"), kind="repairs", prepare=_category
)


def register() -> None:
    messages.register_kind("repairs", _("Repair jobs"))
    messages.register(ASSIGNED)
