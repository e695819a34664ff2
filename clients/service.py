"""Writes of a key account's service (MKT-3, CLI-3): the yearly service plan. Orders,
deliveries and complaints about orders are the ledger's (grading), shown on the service page
through its panel."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, ServicePlan
from crm.history import record_update
from crm.models import User

PLAN_FIELDS = ("commitments", "our_contacts", "client_contacts", "mid_year_review", "year_end_review")


def service_plan_save(
    *,
    client: Client,
    year: int,
    by: User,
    version: int | None,
    commitments: str,
    our_contacts: str,
    client_contacts: str,
    mid_year_review: date | None = None,
    year_end_review: date | None = None,
) -> ServicePlan:
    """Write the key account's plan for ``year``: a new one (``version`` None) or a change of the
    one the user saw (``version``, a conditional UPDATE). Every save leaves a history row (X-2)."""
    if not client.is_key_account:
        raise ValidationError(_("Only a key account has a service plan; mark the client as a key account first."))
    fields = {
        "commitments": commitments.strip(),
        "our_contacts": our_contacts.strip(),
        "client_contacts": client_contacts.strip(),
        "mid_year_review": mid_year_review,
        "year_end_review": year_end_review,
    }
    plan = ServicePlan(client=client, year=year, updated_by=by, **fields)
    plan.full_clean(exclude=["client", "updated_by"], validate_unique=False, validate_constraints=False)
    if version is None:
        return _create(plan, by)
    with transaction.atomic():
        won = ServicePlan.objects.filter(client=client, year=year, version=version).update(
            **fields, updated_by=by, updated_at=timezone.now(), version=F("version") + 1
        )
        if not won:
            raise ValidationError(_("Someone else saved this plan meanwhile; reload the page to see their changes."))
        plan = ServicePlan.objects.get(client=client, year=year)
        return record_update(plan, by, fields=(*PLAN_FIELDS, "updated_by", "updated_at", "version"))


def _create(plan: ServicePlan, by: User) -> ServicePlan:
    plan._history_user = by
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the unique (client, year): someone wrote it first
        raise ValidationError(
            _("A plan for %(year)s was saved meanwhile; reload the page to see it.") % {"year": plan.year}
        ) from None
    return plan
