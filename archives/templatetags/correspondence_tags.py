"""The unit file's "letters received" section, beside the notices sent (ARC-8)."""

from __future__ import annotations

from typing import Any

from django import template

from archives.models import IncomingLetter, Unit
from crm.permissions import user_has_role
from crm.roles import CORRESPONDENCE_ROLES

register = template.Library()
LIMIT = 10


@register.inclusion_tag("archives/correspondence_unit.html", takes_context=True)
def unit_letters(context: dict[str, Any], unit: Unit) -> dict[str, Any]:
    """The unit's latest letters, for those who keep the register (nothing for the others)."""
    user = context["request"].user
    if not user_has_role(user, CORRESPONDENCE_ROLES):
        return {"hidden": True}
    letters = IncomingLetter.objects.visible_to(user).filter(unit=unit).order_by("-received_on", "-pk")
    return {"unit": unit, "letters": list(letters[:LIMIT]), "can_log": True, "can_open": True}
