"""The paid-service fee schedule kept by finance (有偿服务收费标准, REP-5, handbook 5.2).

    (in force) ──draft──▶ draft copy ──add / change price / retire──▶ draft ──publish(effective date)──▶ published

A published schedule is never edited again: an order's lines copy the unit price they were
quoted (RepairLine.unit_price), and the schedule that quoted it stays as it was. Quotes offer
``FeeItem.objects.in_effect()``: the items of the latest published schedule whose effective
date has come.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import User
from repairs.models import FeeItem, FeeSchedule

# Copied from the schedule in force into the draft: every field of an item but its identity and
# its schedule, so a field added to FeeItem later is carried over without touching this code.
NOT_COPIED = {"id", "schedule"}


def copied_fields() -> list[str]:
    return [field.attname for field in FeeItem._meta.concrete_fields if field.name not in NOT_COPIED]


def fee_schedule_draft(*, by: User) -> FeeSchedule:
    """The draft of the next schedule, started as a copy of the one in force (or of the latest
    published one, if none is in force yet). There is one draft at a time: asking again returns it."""
    existing = FeeSchedule.objects.filter(state=FeeSchedule.State.DRAFT).first()
    if existing is not None:
        return existing
    source = FeeSchedule.objects.in_force() or FeeSchedule.objects.published().first()
    try:
        with transaction.atomic():
            draft = FeeSchedule.objects.create(created_by=by)
            draft._history_user = by
            if source is not None:
                fields = copied_fields()
                FeeItem.objects.bulk_create(
                    [
                        FeeItem(schedule=draft, **{name: getattr(item, name) for name in fields})
                        for item in source.items.filter(active=True)
                    ]
                )
    except IntegrityError:  # someone else started the draft at the same moment: use theirs
        return FeeSchedule.objects.get(state=FeeSchedule.State.DRAFT)
    return draft


def _editable(schedule: FeeSchedule) -> None:
    if not schedule.is_draft:
        raise ValidationError(_("This schedule is published: draft the next schedule to change prices."))


def fee_item_save(*, schedule: FeeSchedule, by: User, item: FeeItem | None = None, **fields: Any) -> FeeItem:
    """Add an item to the draft, or change one of its items (price, name, unit…)."""
    _editable(schedule)
    item = item or FeeItem(schedule=schedule)
    if item.schedule_id != schedule.pk:
        raise ValidationError(_("This item belongs to another schedule."))
    for name, value in fields.items():
        setattr(item, name, value)
    if FeeItem.objects.filter(schedule=schedule, code=item.code).exclude(pk=item.pk).exists():
        raise ValidationError({"code": _("This schedule already has an item with this code.")})
    item._history_user = by
    item.save()
    return item


def fee_item_retire(*, item: FeeItem, by: User) -> None:
    """Leave an item out of the next schedule. Earlier schedules keep it (and the orders it priced)."""
    _editable(item.schedule)
    item._history_user = by
    item.delete()


def fee_schedule_publish(*, schedule: FeeSchedule, effective_from: date, by: User, note: str = "") -> FeeSchedule:
    """Publish the draft from ``effective_from`` (today or later). Of two publishers one wins."""
    today = timezone.localdate()
    if effective_from < today:
        raise ValidationError({"effective_from": _("A schedule takes effect today or later, not in the past.")})
    if FeeSchedule.objects.published().filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("Another schedule takes effect on this date. Choose another date.")})
    if not schedule.items.exists():
        raise ValidationError(_("Add at least one item before publishing."))
    try:
        with transaction.atomic():
            won = FeeSchedule.objects.filter(pk=schedule.pk, state=FeeSchedule.State.DRAFT).update(
                state=FeeSchedule.State.PUBLISHED,
                effective_from=effective_from,
                published_at=timezone.now(),
                published_by=by,
                note=note,
            )
            if not won:
                raise ValidationError(_("This schedule was published already. Reload to see it."))
            schedule.refresh_from_db()
            schedule._history_user = by
            schedule.save(update_fields=["state"])  # its audit row
    except IntegrityError:
        raise ValidationError(
            {"effective_from": _("Another schedule takes effect on this date. Choose another date.")}
        ) from None
    return schedule


def price_changes(schedule: FeeSchedule) -> dict[str, Decimal | None]:
    """Each item's price in the schedule before this one, by code (None: a new item)."""
    before = (
        FeeSchedule.objects.published()
        .exclude(pk=schedule.pk)
        .filter(effective_from__lt=schedule.effective_from or date.max)
        .order_by("-effective_from")
        .first()
    )
    if before is None:
        return {}
    return dict(before.items.values_list("code", "price"))
