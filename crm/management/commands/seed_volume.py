"""Bulk data for benchmarks: `manage.py seed_volume --clients 100000`.

Each app that has a ``volume`` module adds its own options and rows (apps depend on crm, never
the reverse): ``add_arguments(parser)`` and ``seed(options, log)``. Rows are bulk-inserted;
running the command again only adds what is missing.
"""

from importlib import import_module
from time import perf_counter

from django.apps import apps
from django.core.management.base import BaseCommand


def volume_modules():
    for config in apps.get_app_configs():
        try:
            yield import_module(f"{config.name}.volume")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.volume":
                raise


class Command(BaseCommand):
    help = "Bulk-insert realistic volume data for benchmarks (idempotent)."

    def add_arguments(self, parser) -> None:
        for module in volume_modules():
            module.add_arguments(parser)

    def handle(self, *args, **options) -> None:
        started = perf_counter()
        for module in volume_modules():
            module.seed(options, self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"Volume data ready in {perf_counter() - started:.0f} s."))
