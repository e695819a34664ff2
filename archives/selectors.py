"""Reads of the unit archive that span models."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from archives.models import ChangeRequest, Loan, Tenancy, TenantProfile


def arrears_profiles(user) -> QuerySet[TenantProfile]:
    """Current tenants who owe property fees: an amount in arrears, or fees paid only until a day
    already past. Largest debts first."""
    today = timezone.localdate()
    return (
        TenantProfile.objects.visible_to(user)
        .filter(tenancy__in=Tenancy.objects.current().values("pk"))
        .filter(Q(arrears__gt=0) | Q(fees_paid_until__lt=today))
        .select_related("tenancy__unit__floor__building", "updated_by")
        .order_by("-arrears", "fees_paid_until", "tenancy__company_name", "pk")
    )


def waiting_for_approval() -> dict:
    """What waits for the client-services manager (the approvals page and the home panel)."""
    return {
        "loan_requests": Loan.objects.pending().select_related("unit__floor__building", "borrower"),
        "changes": ChangeRequest.objects.filter(status=ChangeRequest.Status.PENDING).select_related(
            "document__unit__floor__building", "requested_by"
        ),
    }
