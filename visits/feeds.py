"""The personal calendar feed of one's plan (ICS, RFC 5545), at a secret and revocable URL.

The token in the URL is the only credential: whoever has it reads the planned visits of its user
(from 30 days back to 90 days ahead), so the page shows it to its user alone and regenerating it
makes the old URL answer 404. Written by hand: all-day VEVENTs, TEXT values escaped, lines folded
at 75 octets (never inside a UTF-8 character), CRLF line ends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import User
from crm.permissions import user_has_role
from crm.roles import CLIENT_ROLES
from visits.models import CalendarFeed, Visit
from visits.models.feeds import new_token

DAYS_BACK = 30
DAYS_AHEAD = 90
UID_DOMAIN = "visits.crm"  # UIDs stay the same whatever host name the feed is read through
LINE_OCTETS = 75
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in TEXT (HTAB and newlines handled)


def may_have_feed(user: User) -> bool:
    """Account managers, managers and administrators (``user_has_role`` lets admins pass)."""
    return user.is_active and user_has_role(user, CLIENT_ROLES)


# --- writes -----------------------------------------------------------------------------------


def feed_reset(*, user: User) -> CalendarFeed:
    """Create the user's feed, or give it a new secret: the old URL stops working at once."""
    if not may_have_feed(user):
        raise ValidationError(_("Only account managers and managers have a calendar feed."))
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(user=user)
        if not created:
            feed.token = new_token()
            feed.created_at = timezone.now()
            feed.save(update_fields=["token", "created_at"])
    return feed


def feed_revoke(*, user: User) -> bool:
    """Turn the feed off; returns whether there was one."""
    deleted, _detail = CalendarFeed.objects.filter(user=user).delete()
    return bool(deleted)


# --- reads ------------------------------------------------------------------------------------


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed of an active user allowed one, or None (the view answers 404)."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token, user__is_active=True).first()
    return feed if feed is not None and may_have_feed(feed.user) else None


def feed_visits(user: User, today: date | None = None) -> QuerySet[Visit]:
    """The user's own planned visits in the feed's window, through the gate (a client handed to
    another account manager leaves the feed with its visits)."""
    today = today or timezone.localdate()
    return (
        Visit.objects.visible_to(user)
        .filter(
            owner=user,
            status=Visit.Status.PLANNED,
            planned_for__range=(today - timedelta(days=DAYS_BACK), today + timedelta(days=DAYS_AHEAD)),
        )
        .select_related("client", "territory")
        .order_by("planned_for", "pk")
    )


# --- the iCalendar text -----------------------------------------------------------------------


def ics_escape(text: str) -> str:
    """An RFC 5545 TEXT value: backslash, semicolon, comma escaped, line breaks as \\n."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL.sub("", text)
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def ics_fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets; each continuation starts with a
    space (counted in its 75), and a UTF-8 character is never cut."""
    if len(line.encode()) <= LINE_OCTETS:
        return line
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        if size + width > LINE_OCTETS:
            parts.append(current)
            current, size = " ", 1
        current += char
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def _day(value: date) -> str:
    return f"{value:%Y%m%d}"


def ics_render(*, name: str, visits: Iterable[Visit], link: Callable[[Visit], str], now: datetime | None = None) -> str:
    """The VCALENDAR of ``visits`` as all-day events; ``link(visit)`` is the absolute URL of its
    client's page."""
    stamp = (now or timezone.now()).astimezone(UTC)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//CRM//Visit plan//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(name)}",
    ]
    for visit in visits:
        description = [f"{visit.client.name} ({visit.client.code})"]
        if visit.territory is not None:
            description.append(str(visit.territory))
        if visit.note:
            description.append(visit.note)
        lines += [
            "BEGIN:VEVENT",
            f"UID:visit-{visit.pk}@{UID_DOMAIN}",
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{_day(visit.planned_for)}",
            f"DTEND;VALUE=DATE:{_day(visit.planned_for + timedelta(days=1))}",
            f"SUMMARY:{ics_escape(f'{visit.get_kind_display()}: {visit.client.name}')}",
            f"DESCRIPTION:{ics_escape(chr(10).join(description))}",
            f"URL:{link(visit)}",
            f"SEQUENCE:{visit.version}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)
