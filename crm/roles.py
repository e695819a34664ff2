"""The roles of SPEC.md "Who uses it", in one place.

A user has exactly one role (``User.role``). Each role is mirrored by a Django group holding
its model permissions, so the admin and ``user.has_perm`` work as usual; record-level scope
(whose clients, which orders) is decided by each model's ``visible_to(user)``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    MANAGER = "manager", _("Manager")
    ACCOUNT_MANAGER = "account_manager", _("Account manager")
    FRONT_DESK = "front_desk", _("Front desk")
    ENGINEERING_SUPERVISOR = "engineering_supervisor", _("Engineering supervisor")
    TECHNICIAN = "technician", _("Technician")
    FINANCE = "finance", _("Finance")
    CLIENT_SERVICES_SUPERVISOR = "client_services_supervisor", _("Client-services supervisor")
    CLIENT_SERVICES_MANAGER = "client_services_manager", _("Client-services manager")


# Who works with client files (CLI-*): account managers and their managers (admins always pass).
CLIENT_ROLES = (Role.ACCOUNT_MANAGER, Role.MANAGER)

# Who files and handles tenants' (property) complaints (CLI-6); they see property complaints only.
PROPERTY_COMPLAINT_ROLES = (Role.FRONT_DESK, Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER)
# Who opens the complaint pages: the sales side sees its clients' complaints, the property side tenants'.
COMPLAINT_ROLES = (*CLIENT_ROLES, *PROPERTY_COMPLAINT_ROLES)
# Who reads the complaints report: property staff and managers (each through the complaints' gate).
COMPLAINT_REPORT_ROLES = (*PROPERTY_COMPLAINT_ROLES, Role.MANAGER)
# Who keeps the incoming correspondence register of the units (ARC-8, 上行下达).
CORRESPONDENCE_ROLES = (Role.FRONT_DESK, Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER)

# Who sees repair orders (REP-*); each sees the orders its gate allows (repairs.models).
REPAIR_ROLES = (
    Role.FRONT_DESK,
    Role.ENGINEERING_SUPERVISOR,
    Role.TECHNICIAN,
    Role.FINANCE,
    Role.ACCOUNT_MANAGER,
    Role.MANAGER,
)

# Who opens the unit archives (ARC-*); account managers see their clients' units only, sales
# managers their team's clients' units (read only: they no longer decide on archives).
ARCHIVE_ROLES = (
    Role.CLIENT_SERVICES_SUPERVISOR,
    Role.CLIENT_SERVICES_MANAGER,
    Role.MANAGER,
    Role.FRONT_DESK,
    Role.ENGINEERING_SUPERVISOR,
    Role.ACCOUNT_MANAGER,
)

# Who decides on borrowing and on changes to working documents (ARC-6, ARC-7): the
# client-services manager (客务部经理); administrators pass every role check.
ARCHIVE_APPROVER_ROLES = (Role.CLIENT_SERVICES_MANAGER,)

# Client services (客务部): they keep the files, lend them, and keep tenants' profiles and arrears.
CLIENT_SERVICES_ROLES = (Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER)

# What each role does (SPEC.md), shown on its home page.
ROLE_DUTIES: dict[str, list[str]] = {
    Role.ADMIN: [
        _("Manage users, roles, teams and territories."),
        _("Maintain reference data, policies and periodic tasks."),
    ],
    Role.MANAGER: [
        _("See every client of your team and the grading dashboards."),
        _("Read the unit archives of your team's clients."),
        _("Set monthly plans and targets for your account managers."),
    ],
    Role.ACCOUNT_MANAGER: [
        _("Own your clients: keep their relationship cards current."),
        _("Log visits and calls, and book the next contact at each visit."),
        _("File complaints, product feedback and demand records."),
    ],
    Role.FRONT_DESK: [
        _("Log repair orders from written forms, phone calls and walk-ins."),
        _("Book appointments with tenants."),
        _("File incoming documents into the unit archives."),
    ],
    Role.ENGINEERING_SUPERVISOR: [
        _("Assign technicians to repair orders by specialty and distance."),
        _("Run spot-check callbacks and sign off the monthly repair statistics."),
    ],
    Role.TECHNICIAN: [
        _("See your jobs for today and confirm them on site."),
        _("Quote the fee standard, record the work and the client's signature."),
    ],
    Role.FINANCE: [
        _("Receive the finance copy of paid repairs."),
        _("Keep the paid-service fee schedule."),
    ],
    Role.CLIENT_SERVICES_SUPERVISOR: [
        _("Keep one archive file per unit, newest documents first."),
        _("Lend files and follow up on their return."),
    ],
    Role.CLIENT_SERVICES_MANAGER: [
        _("Approve archive loans and changes to working documents."),
        _("Oversee tenants' complaints, correspondence and fee arrears."),
    ],
}

# Model permissions ("app_label.codename") granted to each role's group. Apps add their
# entries here as they gain models; crm.permissions_sync applies the table after migrate.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.ADMIN: set(),  # administrators are superusers
    Role.MANAGER: {"crm.view_user", "crm.view_team", "crm.view_territory"},
    Role.ACCOUNT_MANAGER: {"crm.view_territory"},
    Role.FRONT_DESK: set(),
    Role.ENGINEERING_SUPERVISOR: {"crm.view_user"},
    Role.TECHNICIAN: set(),
    Role.FINANCE: set(),
    Role.CLIENT_SERVICES_SUPERVISOR: set(),
    Role.CLIENT_SERVICES_MANAGER: set(),
}


def group_name(role: str) -> str:
    """The Django group that mirrors a role (its stable value, not the translated label)."""
    return f"role:{role}"
