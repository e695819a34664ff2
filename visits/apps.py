from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Visit plans")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from visits import registrations

        registrations.register()
        # The metric sets (MKT-2) are reference data: shipped by migration 0005, and again after
        # a flush (which empties every table and then sends post_migrate), as crm's role groups are.
        post_migrate.connect(_metrics_ship, sender=self, dispatch_uid="visits_metrics_ship")


def _metrics_ship(sender, apps=None, **kwargs) -> None:
    from importlib import import_module

    from visits.models import Metric

    if apps is not None and ("visits", "metric") not in {
        (m._meta.app_label, m._meta.model_name) for m in apps.get_models()
    }:
        return  # migrating backwards, before the table exists
    shipped = import_module("visits.migrations.0006_metric_sets")
    names = shipped.FIELDS
    Metric.objects.bulk_create(
        [Metric(**dict(zip(names, row, strict=True))) for row in shipped.METRICS], ignore_conflicts=True
    )
