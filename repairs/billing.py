"""Finance's side of a paid repair (REP-6 3rd copy, handbook 5.2): the finance copy handed over
via the front desk (经前台交财务部联), then its billing.

    to_bill ──▶ billed ──▶ paid
       │          │
       └──────────┴──▶ waived (with a reason) ──▶ to_bill (undo)

Each change is a conditional UPDATE on the status the user saw, so of two people acting on the
same order exactly one wins; each writes the order's audit row (X-2).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.history import record_update
from crm.models import User
from repairs.models import RepairOrder

B = RepairOrder.BillingStatus
TRANSITIONS: dict[str, frozenset[str]] = {
    B.TO_BILL: frozenset({B.BILLED, B.PAID, B.WAIVED}),
    B.BILLED: frozenset({B.PAID, B.WAIVED, B.TO_BILL}),
    B.PAID: frozenset(),
    B.WAIVED: frozenset({B.TO_BILL}),
}
PAID_JOB = Q(total__gt=0) | Q(compensation__gt=0)


def billable() -> Q:
    """Orders finance bills: completed (or closed) ones with fees or compensation."""
    return Q(status__in=RepairOrder.DONE_STATUSES) & PAID_JOB


def finance_copy_receive(*, order: RepairOrder, by: User) -> RepairOrder:
    """Record that finance received the order's finance copy: who, when. Once only."""
    if order.status not in RepairOrder.DONE_STATUSES:
        raise ValidationError(_("The finance copy comes with a completed order."))
    with transaction.atomic():
        won = RepairOrder.objects.filter(pk=order.pk, finance_copy_received_at__isnull=True).update(
            finance_copy_received_by=by, finance_copy_received_at=timezone.now()
        )
        if not won:
            current = RepairOrder.objects.select_related("finance_copy_received_by").get(pk=order.pk)
            raise ValidationError(
                _("The finance copy was recorded as received already, by %(user)s.")
                % {"user": current.finance_copy_received_by}
            )
        return record_update(order, by, fields=("finance_copy_received_at",))


def billing_status_set(*, order: RepairOrder, status: str, by: User, reason: str = "") -> RepairOrder:
    """Move the order's billing from the status the user saw (``order.billing_status``) to ``status``."""
    seen = order.billing_status
    reason = reason.strip()
    if status not in TRANSITIONS:
        raise ValidationError({"status": _("Choose a billing status.")})
    if status not in TRANSITIONS[seen]:
        raise ValidationError(
            {
                "status": _("An order “%(seen)s” cannot become “%(status)s”.")
                % {"seen": B(seen).label, "status": B(status).label}
            }
        )
    if status == B.WAIVED and not reason:
        raise ValidationError({"reason": _("Say why the fees are waived.")})
    if not RepairOrder.objects.filter(billable(), pk=order.pk).exists():
        raise ValidationError(_("Only completed orders with fees are billed."))
    with transaction.atomic():
        won = RepairOrder.objects.filter(pk=order.pk, billing_status=seen).update(
            billing_status=status,
            billing_reason=reason if status == B.WAIVED else "",
            billing_changed_at=timezone.now(),
        )
        if not won:
            current = RepairOrder.objects.get(pk=order.pk)
            raise ValidationError(
                _("Someone else changed the billing first: it is now “%(status)s”. Reload to see it.")
                % {"status": current.get_billing_status_display()}
            )
        return record_update(order, by, fields=("billing_status",))
