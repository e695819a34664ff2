"""Writes of a key account's after-sales follow-up (MKT-3): deliveries of its orders and
complaints about an order. The complaint itself is filed by clients' workflow (CLI-6); this
module only ties it to the order, in the same transaction."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from clients.complaints import complaint_file
from clients.models import Complaint
from crm.models import User
from grading.models import Delivery, OrderComplaint, SalesOrder

EDITABLE = ("status", "carrier", "tracking_number", "shipped_on", "delivered_on", "problem")


def delivery_record(
    *,
    order: SalesOrder,
    by: User,
    carrier: str,
    shipped_on: date,
    status: str = Delivery.Status.SHIPPED,
    tracking_number: str = "",
    delivered_on: date | None = None,
    problem: str = "",
) -> Delivery:
    """A new delivery of ``order``; refused next to the field when it leaves before the order."""
    delivery = Delivery(
        order=order,
        status=status,
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
        shipped_on=shipped_on,
        delivered_on=delivered_on,
        problem=problem.strip(),
        recorded_by=by,
    )
    delivery.full_clean()
    delivery._history_user = by
    with transaction.atomic():
        delivery.save()
    return delivery


def delivery_update(*, delivery: Delivery, seen_status: str, by: User, **changes: object) -> Delivery:
    """Change a delivery (it arrived, it went wrong). ``seen_status`` is the status the user saw:
    the row is locked and compared, so of two people updating the same delivery the second is
    told rather than silently overwriting the first."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        current = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if current.status != seen_status:
            raise ValidationError(
                _("Someone else changed this delivery first: it is now “%(status)s”. Reload to see what changed.")
                % {"status": current.get_status_display()}
            )
        for name, value in changes.items():
            setattr(current, name, value.strip() if isinstance(value, str) else value)
        current.full_clean()
        current._history_user = by
        current.save()
    return current


def order_complaint_file(
    *,
    order: SalesOrder,
    subject: str,
    description: str,
    channel: str,
    by: User,
    assignee: User | None = None,
    category: str = "",
) -> OrderComplaint:
    """File an after-sales complaint about ``order``: the client's complaint and its link to the
    order, both or neither. Without a category it is a delivery complaint."""
    with transaction.atomic():
        complaint = complaint_file(
            client=order.client,
            subject=subject,
            description=description,
            channel=channel,
            by=by,
            assignee=assignee,
            category=category or Complaint.Category.DELIVERY,
        )
        link = OrderComplaint(complaint=complaint, order=order)
        link._history_user = by
        link.save()
    return link
