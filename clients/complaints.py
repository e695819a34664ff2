"""The complaint workflow (CLI-6), in one place.

    received ──assign──▶ assigned ──resolve──▶ resolved ──close──▶ closed
                 ▲  └─reassign─┘                   │                  │
                 └────────────── reopen ◀──────────┴──────────────────┘

Every step is a conditional UPDATE on the status and the version the user saw
(``complaint.version``), so of two people acting on the same page exactly one wins and the other
is told who holds the complaint now; each step writes a ComplaintEvent (who, when, note).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, Complaint, ComplaintEvent
from crm.history import record_update
from crm.models import Notification, User
from crm.roles import PROPERTY_COMPLAINT_ROLES, Role
from crm.services import notification_create

S = Complaint.Status
A = ComplaintEvent.Action

# action -> (statuses it may start from, status it leads to by default)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.ASSIGNED: (frozenset({S.RECEIVED, S.ASSIGNED}), S.ASSIGNED),
    A.RESOLVED: (frozenset({S.ASSIGNED}), S.RESOLVED),
    A.CLOSED: (frozenset({S.RESOLVED}), S.CLOSED),
    A.REOPENED: (frozenset({S.RESOLVED, S.CLOSED}), S.ASSIGNED),
}


def allowed_actions(complaint: Complaint, user: User) -> list[str]:
    """The steps ``user`` may take on ``complaint`` now (for buttons and for checks)."""
    return [
        action
        for action, (sources, _target) in TRANSITIONS.items()
        if complaint.status in sources and _may(user, complaint, action)
    ]


def _supervises(user: User, complaint: Complaint) -> bool:
    """The client's owner, and managers who see the client, direct a sales complaint; the front
    desk and client services direct a tenant's (property) complaint."""
    if user.role == Role.ADMIN:
        return True
    if complaint.kind == Complaint.Kind.PROPERTY:
        return user.role in PROPERTY_COMPLAINT_ROLES
    if complaint.client.owner_id == user.pk:
        return True
    return user.role == Role.MANAGER and Client.objects.visible_to(user).filter(pk=complaint.client_id).exists()


def _may(user: User, complaint: Complaint, action: str) -> bool:
    if action == A.RESOLVED and complaint.assignee_id == user.pk:
        return True
    return _supervises(user, complaint)


def assignee_choices(client: Client | None, kind: str = Complaint.Kind.SALES):
    """Who can take a complaint: for a sales one the owner and the members of the owner's team who
    handle clients; for a tenant's one the front desk and client services."""
    if kind == Complaint.Kind.PROPERTY:
        return User.objects.filter(is_active=True, role__in=PROPERTY_COMPLAINT_ROLES).order_by("first_name", "username")
    users = User.objects.filter(is_active=True, role__in=[Role.ACCOUNT_MANAGER, Role.MANAGER])
    if client.owner.team_id:
        return users.filter(team_id=client.owner.team_id).order_by("first_name", "username")
    return users.filter(pk=client.owner_id)


@transaction.atomic
def complaint_file(
    *,
    client: Client,
    subject: str,
    description: str,
    channel: str,
    by: User,
    assignee: User | None = None,
    kind: str = Complaint.Kind.SALES,
    category: str = Complaint.Category.OTHER,
) -> Complaint:
    """Record a complaint; when an assignee is given it is assigned at once."""
    if kind == Complaint.Kind.PROPERTY and by.role not in (*PROPERTY_COMPLAINT_ROLES, Role.ADMIN):
        raise PermissionDenied
    complaint = Complaint.objects.create(
        client=client,
        subject=subject,
        description=description,
        channel=channel,
        filed_by=by,
        kind=kind,
        category=category or Complaint.Category.OTHER,
    )
    ComplaintEvent.objects.create(complaint=complaint, action=A.FILED, to_status=S.RECEIVED, actor=by)
    if assignee is not None:
        complaint = complaint_assign(complaint=complaint, assignee=assignee, by=by)
    return complaint


def complaint_assign(*, complaint: Complaint, assignee: User, by: User, note: str = "") -> Complaint:
    if not assignee_choices(complaint.client, complaint.kind).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": _("This person cannot take complaints of this client.")})
    return _step(complaint, A.ASSIGNED, by, note, assignee=assignee, assigned_at=timezone.now())


def complaint_resolve(*, complaint: Complaint, resolution: str, by: User) -> Complaint:
    if not resolution.strip():
        raise ValidationError({"note": _("Describe how the complaint was resolved.")})
    return _step(complaint, A.RESOLVED, by, resolution, resolution=resolution, resolved_at=timezone.now())


def complaint_close(*, complaint: Complaint, by: User, note: str = "") -> Complaint:
    return _step(complaint, A.CLOSED, by, note, closed_at=timezone.now())


def complaint_reopen(*, complaint: Complaint, by: User, note: str) -> Complaint:
    """Back to the assignee; if they can no longer take it, back to "received" for assignment."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the complaint is reopened.")})
    choices = assignee_choices(complaint.client, complaint.kind)
    if complaint.assignee_id and not choices.filter(pk=complaint.assignee_id).exists():
        return _step(
            complaint,
            A.REOPENED,
            by,
            note,
            target=S.RECEIVED,
            assignee=None,
            assigned_at=None,
            resolved_at=None,
            closed_at=None,
            reopen_count=F("reopen_count") + 1,
        )
    return _step(complaint, A.REOPENED, by, note, resolved_at=None, closed_at=None, reopen_count=F("reopen_count") + 1)


@transaction.atomic
def _step(complaint: Complaint, action: str, by: User, note: str, target: str | None = None, **changes) -> Complaint:
    sources, default_target = TRANSITIONS[action]
    target = target or default_target
    if not _may(by, complaint, action):
        raise PermissionDenied
    before = complaint.status
    rows = Complaint.objects.filter(pk=complaint.pk, status__in=sources, version=complaint.version)
    if not _supervises(by, complaint):
        rows = rows.filter(assignee_id=by.pk)  # an assignee acts only while still assigned
    won = rows.update(status=target, version=F("version") + 1, **changes)
    if not won:
        current = Complaint.objects.select_related("assignee").get(pk=complaint.pk)
        raise ValidationError(
            _(
                "Someone else changed this complaint first: it is now “%(status)s” (assigned to %(assignee)s); "
                "the step was not applied. Reload to see what changed."
            )
            % {"status": current.get_status_display(), "assignee": current.assignee or _("nobody")}
        )
    complaint = record_update(complaint, by)
    ComplaintEvent.objects.create(
        complaint=complaint, action=action, from_status=before, to_status=target, actor=by, note=note
    )
    if action in (A.ASSIGNED, A.REOPENED) and complaint.assignee_id and complaint.assignee_id != by.pk:
        notification_create(
            recipient=complaint.assignee,
            key=f"complaint:{complaint.pk}:{action}:{complaint.events.count()}",
            level=Notification.Level.WARNING if action == A.REOPENED else Notification.Level.INFO,
            message="clients.complaint_assigned",
            params={"subject": complaint.subject, "text": f"{complaint.client.name}\n{complaint.description}"},
            link=complaint.get_absolute_url(),
        )
    return complaint
