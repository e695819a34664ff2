"""Badges for client rows. Filters rather than {% include %}s: a list page shows dozens of rows,
and an include per cell costs more than the query that fetched the rows."""

from __future__ import annotations

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clients.imports import LABELS, OUTCOMES

register = template.Library()

STATUS_CSS = {"active": "text-bg-success", "prospect": "text-bg-info", "dormant": "text-bg-secondary"}
COMPLAINT_CSS = {"received": "text-bg-danger", "assigned": "text-bg-warning", "resolved": "text-bg-success"}


@register.filter
def status_badge(client) -> str:
    css = STATUS_CSS.get(client.status, "text-bg-light border")
    return format_html('<span class="badge {}">{}</span>', css, client.get_status_display())


@register.filter
def level_badge(client) -> str:
    if not client.level:
        return format_html('<span class="small text-body-secondary">{}</span>', _("not graded yet"))
    return format_html('<span class="badge level-{0}" title="{1} {0}">{0}</span>', client.level, _("Level"))


@register.filter
def next_contact(client) -> str:
    due = client.next_contact_date
    if due is None:
        return format_html('<span class="text-body-secondary">{}</span>', "—")
    css = "text-danger fw-semibold" if due <= timezone.localdate() else ""
    return format_html('<span class="{}">{}</span>', css, formats.date_format(due, "SHORT_DATE_FORMAT"))


@register.filter
def complaint_badge(complaint) -> str:
    css = COMPLAINT_CSS.get(complaint.status, "text-bg-secondary")
    return format_html('<span class="badge {}">{}</span>', css, complaint.get_status_display())


@register.filter
def import_kind(kind: str) -> str:
    """What an import holds (clients, contacts, sales orders…), in the user's language."""
    return str(LABELS.get(kind, kind))


@register.filter
def import_outcome(outcome: str) -> str:
    """What became of an imported row: new, update, unchanged, invalid…"""
    return str(OUTCOMES.get(outcome, outcome))


@register.filter
def cadence_badge(client) -> str:
    """A key account whose visit cadence is missed (VIS-2): no on-site visit within its cadence.
    Needs the list's ``last_visit`` annotation and the selected key-account profile."""
    profile = getattr(client, "key_account", None)
    cadence = (profile.visit_cadence_days if profile else None) or 14
    last = client.last_visit
    if last is not None:
        late = (timezone.localdate() - timezone.localdate(last)).days - cadence
        if late <= 0:
            return ""
        text = ngettext("Visit overdue by %(days)d day", "Visit overdue by %(days)d days", late) % {"days": late}
    else:
        text = _("No visit yet")
    return format_html(
        '<span class="badge text-bg-danger" data-testid="cadence-missed"><i class="bi bi-alarm me-1" '
        'aria-hidden="true"></i>{}</span>',
        text,
    )
