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
from django.urls import Resolver404, resolve

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

        wrapped.allowed_roles = roles  # type: ignore[attr-defined]  # read by may_open
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


def view_roles(view: Any) -> tuple[str, ...] | None:
    """The roles a view lets in, as its gate declares them (``role_required``, ``RoleRequiredMixin``
    or an app's own decorator setting ``allowed_roles``); None: any signed-in user."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None and issubclass(view_class, RoleRequiredMixin):
        return view_class.allowed_roles
    return getattr(view, "allowed_roles", None)


def may_open(user: Any, path: str) -> bool:
    """Whether ``user``'s role passes the role gate of the page at ``path``: pages show a link or a
    button only when it does, so no link leads its viewer to a 403. The rule is the view's own
    (read from its decorator), not a copy in the template. Record scope (404) is not judged here."""
    try:
        match = resolve(path.split("?", 1)[0])
    except Resolver404:
        return True  # not ours to judge (a static file, an outside page)
    roles = view_roles(match.func)
    return roles is None or user_has_role(user, roles)
