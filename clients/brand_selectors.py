"""Reads of the brand catalogue and of brand plans (MKT-4); progress is grading.brand_progress."""

from __future__ import annotations

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import timezone

from clients.models import Brand, BrandPlan, Product
from crm.models import User


def brand_list(user: User) -> QuerySet[Brand]:
    """Brands with their product count and the name of a plan of ``user``'s that runs this
    month: one query whatever the page size."""
    month = timezone.localdate().replace(day=1)
    running = (
        BrandPlan.objects.visible_to(user).running(month).filter(brand=OuterRef("pk")).order_by("start_month", "pk")
    )
    return Brand.objects.annotate(
        product_count=Count("products", distinct=True),
        active_plan_id=Subquery(running.values("pk")[:1]),
        active_plan_name=Subquery(running.values("name")[:1]),
    ).order_by("code")


def brand_products(brand: Brand) -> QuerySet[Product]:
    return brand.products.order_by("code")


def brand_plans(user: User, brand: Brand) -> QuerySet[BrandPlan]:
    """The plans of ``brand`` that ``user`` reads, with their target and milestone counts."""
    return (
        BrandPlan.objects.visible_to(user)
        .filter(brand=brand)
        .select_related("team", "created_by")
        .annotate(target_count=Count("targets", distinct=True), milestone_count=Count("milestones", distinct=True))
    )
