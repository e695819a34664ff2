"""Client codes numbered automatically (CLI-1): a pattern an admin sets, unique under concurrency."""

from __future__ import annotations

import re

from django.db import transaction
from django.db.models.functions import Length

from clients.models import Client, ClientFilePolicy


def client_code_next() -> str:
    """Take the next free code of the policy's pattern (C0061).

    The policy row is locked for the rest of the caller's transaction, so concurrent saves take
    one number each; a code typed by hand or imported that is already there is skipped.
    """
    with transaction.atomic():
        ClientFilePolicy.objects.get_or_create(pk=1)
        policy = ClientFilePolicy.objects.select_for_update().get(pk=1)
        number = policy.next_code_number or _highest_number(policy) + 1
        while Client.objects.filter(code=policy.code_for(number)).exists():
            number += 1
        policy.next_code_number = number + 1
        policy.save(update_fields=["next_code_number"])
        return policy.code_for(number)


def client_code_preview() -> str:
    """The code the next new client would get, without taking it (the form's hint)."""
    policy = ClientFilePolicy.current()
    return policy.code_for(policy.next_code_number or _highest_number(policy) + 1)


def _highest_number(policy: ClientFilePolicy) -> int:
    """The highest number among codes of the pattern: the prefix, then digits only (C0042, C12345).
    Among digit strings of equal length the text order is the numeric one: one indexed query."""
    pattern = rf"^{re.escape(policy.code_prefix)}[0-9]{{{policy.code_digits},}}$"
    highest = (
        Client.objects.filter(code__startswith=policy.code_prefix, code__regex=pattern)
        .order_by(Length("code").desc(), "-code")
        .values_list("code", flat=True)
        .first()
    )
    return int(highest[len(policy.code_prefix) :]) if highest else 0
