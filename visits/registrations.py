"""What the visits app adds to the pages and tasks of the apps below it (panels, digest)."""

from __future__ import annotations


def register() -> None:
    from clients import digest
    from crm.panels import client_panels, home_panels
    from visits import panels, reminders

    # --- reminders (VIS-6): the home and client-card panels, the 07:30 digest's sections ---
    home_panels.register(panels.HOME_PANEL)
    client_panels.register(panels.CLIENT_PANEL)
    digest.register(
        digest.DigestSection(
            name="visits",
            lines=reminders.digest_visit_lines,
            heading=reminders.digest_visit_heading,
            link=reminders.calendar_link,
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
