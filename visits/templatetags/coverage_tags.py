"""The coverage table's cells: a figure linking to the clients behind it, and a share.

A page holds some two hundred of them (ten per account manager): written as tags, not included
templates, each costs a string format rather than a template render and a URL reversal."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def figure_link(context: template.Context, show: str, n: int, owner: object = None) -> SafeString:
    """``n`` linking to the drill-down list of figure ``show`` for the page's period and scope
    (and one account manager's portfolio when ``owner`` is given)."""
    cache = context.render_context
    if "coverage_clients_url" not in cache:
        cache["coverage_clients_url"] = reverse("visits:coverage_clients")
    query = context["request"].GET.copy()
    query["show"] = show
    if owner is not None:
        query["owner"] = owner.pk
    return format_html(
        '<a href="{}?{}" data-figure="{}">{}</a>', cache["coverage_clients_url"], query.urlencode(), show, localize(n)
    )


@register.simple_tag
def share(value: float | None) -> SafeString:
    """A percentage to one decimal, or a dash when there is nothing to measure."""
    if value is None:
        return format_html('<span class="text-body-secondary" title="{}">—</span>', gettext("Nothing to measure"))
    return format_html("{}&nbsp;%", floatformat(value, "1"))
