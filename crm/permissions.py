"""The permission gate helpers every app's views use.

Two checks, always both: the *role* may use the page (403 otherwise), and the *record* is in
the user's scope, ``Model.objects.visible_to(user)`` (404 otherwise, so outsiders cannot
even learn that a record exists).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponse]


def role_required(*roles: str) -> Callable[[View], View]:
    """Log-in required, and the user's role among ``roles`` (administrators always pass)."""

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not user_has_role(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def user_has_role(user: Any, roles: tuple[str, ...] | list[str] | set[str]) -> bool:
    from crm.roles import Role

    return bool(user.is_authenticated and (user.role == Role.ADMIN or user.role in roles))


class RoleRequiredMixin(LoginRequiredMixin):
    """Class-based twin of ``role_required``: set ``allowed_roles``."""

    allowed_roles: tuple[str, ...] = ()

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not user_has_role(request.user, self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def get_visible_or_404(queryset: QuerySet[M], user: Any, **lookup: Any) -> M:
    """Fetch one record through the model's gate; anything outside it is a 404."""
    return get_object_or_404(queryset.visible_to(user), **lookup)  # type: ignore[attr-defined]
