"""One's plan as a month or week calendar, and the personal ICS feed of it (VIS-1, VIS-6)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from visits import agenda, feeds
from visits.models import CalendarFeed


@role_required(*CLIENT_ROLES)
def calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    period = agenda.period_from(month=request.GET.get("month"), week=request.GET.get("week"), today=today)
    owners = list(agenda.calendar_owners(request.user))
    wanted = request.GET.get("owner")
    if wanted:
        # Someone outside one's team (or, for an account manager, anyone else) is not found.
        owner = next((person for person in owners if str(person.pk) == wanted), None)
        if owner is None:
            raise Http404
    else:
        owner = next((person for person in owners if person.pk == request.user.pk), owners[0] if owners else None)
    days = agenda.calendar_days(user=request.user, owner=owner, period=period, today=today)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    owner_param = f"&owner={owner.pk}" if wanted and owner is not None else ""
    context = {
        "period": period,
        "weeks": agenda.weeks(days),
        "days": [day for day in days if day.in_period],
        "owner": owner,
        "owners": owners,
        "owner_param": owner_param,
        "as_week": agenda.week_period(today if period.first <= today <= period.last else period.first),
        "as_month": agenda.month_period(period.first),
        "feed": feed,
        "feed_url": request.build_absolute_uri(reverse("visits:feed", args=[feed.token])) if feed else "",
        "today": today,
    }
    return render(request, "visits/calendar.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def feed_reset(request: HttpRequest) -> HttpResponse:
    """Create the feed, give it a new secret (the old URL stops working), or turn it off."""
    if request.POST.get("action") == "revoke":
        if feeds.feed_revoke(user=request.user):
            messages.success(request, _("The calendar feed is turned off; its address no longer works."))
        return redirect("visits:calendar")
    try:
        created = not CalendarFeed.objects.filter(user=request.user).exists()
        feeds.feed_reset(user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("visits:calendar")
    if created:
        messages.success(request, _("Your calendar feed is ready: add its address to your phone's calendar."))
    else:
        messages.success(request, _("The feed has a new address; the old one no longer works."))
    return redirect("visits:calendar")


@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The ICS feed: no session, the secret in the URL is the credential (unknown or revoked: 404)."""
    found = feeds.feed_for_token(token)
    if found is None:
        raise Http404
    user = found.user
    body = feeds.ics_render(
        name=_("Visit plan of %(name)s") % {"name": user.get_full_name() or user.username},
        visits=feeds.feed_visits(user),
        link=lambda visit: request.build_absolute_uri(reverse("clients:detail", args=[visit.client_id])),
    )
    response = HttpResponse(body.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="visits.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


urlpatterns = [
    path("calendar/", calendar, name="calendar"),
    path("calendar/feed/", feed_reset, name="feed_reset"),
    re_path(r"^feed/(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", feed, name="feed"),
]
