"""What the visits app adds to the pages and tasks of the apps below it: the navbar entry,
panels and the reminder digest. Nothing below imports visits (DESIGN.md)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.navigation import NAV_ITEMS, NavItem
from crm.roles import CLIENT_ROLES

VISITS_NAV = NavItem("visits:home", _("Visits"), "calendar-check", CLIENT_ROLES)
TARGETS_NAV = NavItem("targets:home", _("Targets"), "bullseye", CLIENT_ROLES)


def _on_interaction(sender, interaction, booking=None, **kwargs) -> None:
    from visits.services import interaction_logged

    interaction_logged(interaction=interaction, booking=booking)


def _on_booking_cancelled(sender, client, due, **kwargs) -> None:
    from visits.services import booking_cancelled

    booking_cancelled(client=client, due=due)


def _on_client_reassigned(sender, client, previous_owner_id, **kwargs) -> None:
    from visits.services import client_reassigned

    client_reassigned(client=client, previous_owner_id=previous_owner_id)


def register() -> None:
    from clients import digest
    from clients.services import followup_cancelled, interaction_logged
    from clients.signals import client_reassigned
    from crm.panels import client_panels, home_panels, service_panels
    from visits import contacts, messages, panels, reminders

    messages.register()
    contacts.connect()
    interaction_logged.connect(_on_interaction, dispatch_uid="visits-plan-fulfil")
    followup_cancelled.connect(_on_booking_cancelled, dispatch_uid="visits-booking-cancelled")
    client_reassigned.connect(_on_client_reassigned, dispatch_uid="visits-client-reassigned")
    if VISITS_NAV not in NAV_ITEMS:
        after = next(
            (i for i, item in enumerate(NAV_ITEMS) if item.url_name == "grading:dashboard"), len(NAV_ITEMS) - 1
        )
        NAV_ITEMS.insert(after + 1, VISITS_NAV)
    if TARGETS_NAV not in NAV_ITEMS:
        NAV_ITEMS.insert(NAV_ITEMS.index(VISITS_NAV) + 1, TARGETS_NAV)
    # --- reminders (VIS-6): the home and client-card panels, the 07:30 digest's sections ---
    home_panels.register(panels.HOME_PANEL)
    home_panels.register(panels.TARGETS_PANEL)
    client_panels.register(panels.CLIENT_PANEL)
    service_panels.register(panels.CADENCE_PANEL)  # the key account's cadence on its service page
    digest.register(
        digest.DigestSection(
            name="visits",
            lines=reminders.digest_visit_lines,
            heading=reminders.digest_visit_heading,
            link=reminders.plan_link,
            order=20,
        )
    )
    digest.register(
        digest.DigestSection(
            name="key-account-cadence",
            lines=reminders.digest_cadence_lines,
            heading=reminders.digest_cadence_heading,
            link=reminders.key_accounts_link,
            order=30,
        )
    )
