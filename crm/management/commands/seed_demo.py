from django.core.management.base import BaseCommand

from crm.demo import DEMO_PASSWORD, seed_people


class Command(BaseCommand):
    help = "Load the demo users, teams and territories (idempotent: a second run changes nothing)."

    def handle(self, *args, **options) -> None:
        users = seed_people()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Accounts (password {DEMO_PASSWORD}):"))
        for user in users:
            self.stdout.write(f"  {user.username:<11} {user.get_role_display()}")
