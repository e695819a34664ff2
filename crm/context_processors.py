from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from crm.models import Notification
from crm.navigation import nav_for


def navigation(request: HttpRequest) -> dict:
    """The navbar: the role's entries and the unread count (one query, only when shown)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_items": nav_for(user, request.path),
        "unread_notifications": SimpleLazyObject(lambda: Notification.objects.visible_to(user).unread().count()),
    }
