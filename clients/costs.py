"""Cost entries of key accounts (招商及运营成本, MKT-3): recording them and reading them back.

The figures they are set against (the account's volume and profit) are the ledger's: the
grading app shows them side by side on the client card (``grading.panels``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from clients.models import Client, KeyAccountCost
from crm.models import User


def key_account_cost_record(
    *, client: Client, by: User, kind: str, amount: Decimal, incurred_on: date, note: str = ""
) -> KeyAccountCost:
    """Enter one cost of a key account; the model's rules (not negative, not in the future)
    are checked here too, so the admin and any import are held to them."""
    if not client.is_key_account:
        raise ValidationError(_("Costs are recorded for key accounts only."))
    cost = KeyAccountCost(client=client, kind=kind, amount=amount, incurred_on=incurred_on, note=note, recorded_by=by)
    cost.full_clean()
    with transaction.atomic():
        cost._history_user = by
        cost.save()
    return cost


def cost_list(user: User, client: Client) -> QuerySet[KeyAccountCost]:
    """The client's cost entries, newest first, with who entered them: one query per page."""
    return KeyAccountCost.objects.visible_to(user).filter(client=client).select_related("recorded_by")


def costs_by_kind(client: Client, year: int) -> dict[str, Decimal]:
    """Each kind's total in ``year`` (kinds without costs are 0): one GROUP BY query."""
    totals = dict.fromkeys(KeyAccountCost.Kind.values, Decimal("0.00"))
    rows = (
        KeyAccountCost.objects.filter(client=client, incurred_on__year=year)
        .order_by()
        .values_list("kind")
        .annotate(total=Sum("amount"))
    )
    totals.update(dict(rows))
    return totals
