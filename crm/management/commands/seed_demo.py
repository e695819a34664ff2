from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand

from crm.demo import DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Load the demo users and every app's demo records (idempotent: a second run changes nothing)."

    def handle(self, *args, **options) -> None:
        users = seed_people()
        # Each app seeds its own records (apps depend on crm, never the reverse), in app order.
        for config in apps.get_app_configs():
            if config.name == "crm":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            created = module.seed()
            self.stdout.write(f"{config.verbose_name}: {created} new demo records")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):"))
        for user in users:
            self.stdout.write(f"  {user.username:<11} {user.get_role_display()}")
