"""Money as people read it (X-1): grouped thousands and the currency, in the reader's language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


def format_money(value: object, places: int = 2) -> str:
    """¥1,234.50 (English) or 1,234.50 元 (Chinese); "—" for None or a value that is no number."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return "—"
    grouped = f"{amount:,.{int(places)}f}"
    # Translators: an amount of money in yuan; Chinese puts 元 after it: "%(amount)s 元".
    return _("¥%(amount)s") % {"amount": grouped}
