"""Template helpers of the repair pages and slips."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def yuan(amount: Decimal | int | str | None) -> str:
    """An amount with its currency, in the reader's words: "120.00 yuan", in Chinese "120.00 元"."""
    try:
        value = Decimal(amount if amount is not None else 0)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return _("%(amount)s yuan") % {"amount": f"{value:,.2f}"}
