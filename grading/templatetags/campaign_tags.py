from __future__ import annotations

from decimal import Decimal

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def percent(value: Decimal | None, digits: int = 1) -> str:
    """A share (0.125) as a percentage ("12.5%"); "—" when there is nothing to divide by."""
    if value is None:
        return "—"
    return f"{floatformat(value * 100, digits)}%"


@register.filter
def points(value: Decimal | None) -> str:
    """A difference of two shares in percentage points, signed ("+3.2")."""
    if value is None:
        return "—"
    shown = floatformat(value * 100, 1)
    return shown if value < 0 else f"+{shown}"
