"""Client segments (MKT-1, MKT-4): a campaign's or a survey's target, chosen with the client list's
filters and kept as those filters' values, so the segment reads back as the list it came from."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _

from clients import selectors
from clients.filters import ClientFilter
from clients.models import Client
from crm.models import User

# The client filters a segment may use (search and order belong to the list, not to a segment).
SEGMENT_FIELDS = ("kind", "status", "territory", "owner", "channel", "key_account", "level")


def segment_params(data: Mapping[str, Any]) -> dict[str, str]:
    """The segment's filter values taken from a form's or a query string's data, blanks dropped."""
    return {name: str(data.get(name)).strip() for name in SEGMENT_FIELDS if str(data.get(name) or "").strip()}


def segment_filter(user: User, params: Mapping[str, Any] | None) -> ClientFilter:
    """The client filter bound to a segment's values, with the fields a segment does not use removed."""
    data = QueryDict(mutable=True)
    for name, value in (params or {}).items():
        data[name] = value
    filterset = ClientFilter(data if params else None, queryset=selectors.client_list(user), user=user)
    for name in list(filterset.filters):
        if name not in SEGMENT_FIELDS:
            del filterset.filters[name]
    return filterset


def segment_clients(user: User, params: Mapping[str, Any]) -> QuerySet[Client]:
    """The clients of a segment as ``user`` may address them: visible to them, not moved out and
    not among those who asked not to be contacted. Raises ValueError for invalid filter values."""
    filterset = segment_filter(user, params)
    # No values at all is the segment of every client the user may address (an unbound filter).
    if filterset.is_bound and not filterset.is_valid():
        raise ValueError(_("The client filter is not valid."))
    return filterset.qs.exclude(status=Client.Status.MOVED_OUT).filter(contact_opt_out_at__isnull=True).order_by()


def segment_description(user: User, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) pairs describing a segment for people, e.g. ("Level", "A")."""
    filterset = segment_filter(user, params)
    if not filterset.is_valid():
        return []
    described = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "") or name not in (params or {}):
            continue
        field = filterset.form.fields[name]
        if isinstance(value, bool):
            shown = _("Yes") if value else _("No")
        elif hasattr(value, "pk"):
            shown = str(value)
        else:
            shown = dict(field.choices).get(value, value)
        described.append((str(field.label), str(shown)))
    return described
