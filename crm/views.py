from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from crm import services
from crm.channels import configured_channels
from crm.filters import NotificationFilter
from crm.forms import PreferencesForm, ProfileForm
from crm.health import health_response
from crm.messages import messages as notification_messages
from crm.models import Channel, Notification
from crm.pagination import paginate
from crm.permissions import get_visible_or_404
from crm.redirects import on_site
from crm.selectors import home_context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    context = home_context(request.user)
    return render(request, "crm/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Reached only when the middleware is not installed (HealthCheckMiddleware answers first)."""
    return health_response()


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    queryset = Notification.objects.visible_to(request.user)
    filterset = NotificationFilter(request.GET, queryset=queryset)
    page = paginate(request, filterset.qs)
    return render(request, "crm/notification_list.html", {"filter": filterset, "page_obj": page})


@require_POST
@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark as read and go to what the notification is about."""
    notification = get_visible_or_404(Notification.objects, request.user, pk=pk)
    services.notification_mark_read(notification=notification)
    return _redirect_on_site(request, notification.link)


@require_POST
@login_required
def notification_mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_visible_or_404(Notification.objects, request.user, pk=pk)
    services.notification_mark_read(notification=notification)
    if request.htmx:
        return render(request, "crm/includes/notification_row.html", {"notification": notification})
    messages.success(request, _("Notification marked as read."))
    return _redirect_on_site(request, request.POST.get("next", ""))


def _redirect_on_site(request: HttpRequest, target: str) -> HttpResponse:
    """Go to ``target`` if it stays on this site, else to the notification list: ``next`` comes
    from the browser and a notification's link from data, so neither may send anyone off-site.
    A URL, never a URL name: ``redirect("abc")`` would try to reverse it and fail."""
    safe = on_site(request, target)
    return HttpResponseRedirect(safe) if safe else redirect("notifications:list")


@require_POST
@login_required
def notifications_mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notifications:list")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The user's own account: language (of the pages, notifications and e-mails), contacts and
    quiet hours."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Your profile was saved."))
        response = redirect("profile")
        # The pages follow the choice at once (a language switched to earlier would win).
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
        return response
    return render(request, "crm/profile.html", {"form": form})


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    """Which channels each kind of notification comes on; unconfigured channels are not shown."""
    channels = [(code, str(Channel(code).label)) for code in configured_channels()]
    kinds = notification_messages.kinds()
    form = PreferencesForm(
        request.POST or None,
        kinds=kinds,
        channels=channels,
        initial_on=services.preferences_on(user=request.user, kinds=[k for k, _l in kinds]),
    )
    if request.method == "POST" and form.is_valid():
        services.preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notification_preferences")
    return render(request, "crm/notification_preferences.html", {"form": form, "channels": channels})
