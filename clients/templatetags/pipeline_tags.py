"""Badges and the next forward move of key-account pipeline cards (MKT-3), as filters: the board
shows many cards and an include per card costs more than the query that fetched them."""

from __future__ import annotations

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html

from clients.models import Lead

register = template.Library()

S = Lead.Stage
STAGE_CSS = {
    S.PROSPECT: "text-bg-secondary",
    S.CONTACTED: "text-bg-info",
    S.NEGOTIATING: "text-bg-warning",
    S.SIGNED: "text-bg-success",
    S.LOST: "text-bg-dark",
}
# The move the board offers on a card: one step forward (lost needs a reason: on the card's page).
FORWARD = {S.PROSPECT: S.CONTACTED, S.CONTACTED: S.NEGOTIATING, S.NEGOTIATING: S.SIGNED}


@register.filter
def stage_badge(lead: Lead) -> str:
    return format_html('<span class="badge {}">{}</span>', STAGE_CSS.get(lead.stage, ""), lead.get_stage_display())


@register.filter
def forward_stage(stage: str) -> str:
    return FORWARD.get(stage, "")


@register.filter
def stage_label(stage: str) -> str:
    return str(S(stage).label) if stage in S.values else ""


@register.filter
def next_step_date(lead: Lead) -> str:
    due = lead.next_step_on
    if due is None:
        return ""
    overdue = due < timezone.localdate() and lead.is_open
    return format_html(
        '<span class="{}">{}</span>',
        "text-danger fw-semibold" if overdue else "",
        formats.date_format(due, "SHORT_DATE_FORMAT"),
    )
