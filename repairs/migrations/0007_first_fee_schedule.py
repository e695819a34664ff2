"""The fee items so far become the first published schedule; completed orders get their first
completion time and rework count from their events (issue 13)."""

from django.db import migrations
from django.db.models import Count, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone


def forwards(apps, schema_editor) -> None:
    FeeItem = apps.get_model("repairs", "FeeItem")
    FeeSchedule = apps.get_model("repairs", "FeeSchedule")
    RepairOrder = apps.get_model("repairs", "RepairOrder")
    RepairEvent = apps.get_model("repairs", "RepairEvent")
    if FeeItem.objects.exists():
        # In force since the first order could have been quoted, so old orders fall under it too.
        first_order = RepairOrder.objects.aggregate(first=Min("created_at"))["first"]
        since = timezone.localdate(first_order) if first_order else timezone.localdate()
        schedule = FeeSchedule.objects.create(
            state="published",
            effective_from=since,
            published_at=timezone.now(),
            note="Fee items as kept before schedules were published in the app.",
        )
        FeeItem.objects.update(schedule=schedule)
    completions = RepairEvent.objects.filter(order=OuterRef("pk"), action="complete").values("order")
    RepairOrder.objects.filter(events__action="complete").distinct().update(
        first_completed_at=Coalesce(
            Subquery(completions.annotate(first=Min("at")).values("first")[:1]), "completed_at"
        ),
        rework_count=Subquery(completions.annotate(n=Count("pk")).values("n")[:1]) - 1,
    )


def backwards(apps, schema_editor) -> None:
    """Back to one list of items with unique codes: the latest published schedule's items keep
    their codes; every other edition's items are kept (orders' lines point at them) but renamed
    and inactive, as retired items were before schedules existed."""
    FeeItem = apps.get_model("repairs", "FeeItem")
    FeeSchedule = apps.get_model("repairs", "FeeSchedule")
    latest = FeeSchedule.objects.filter(state="published").order_by("-effective_from").first()
    for item in FeeItem.objects.exclude(schedule=latest):
        suffix = f"-{item.pk}"
        item.code, item.active = item.code[: 30 - len(suffix)] + suffix, False
        item.save(update_fields=["code", "active"])


class Migration(migrations.Migration):
    dependencies = [("repairs", "0006_fee_schedules_billing_signoff")]

    operations = [migrations.RunPython(forwards, backwards)]
