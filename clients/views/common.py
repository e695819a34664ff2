from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

from crm.roles import CLIENT_ROLES

__all__ = ["CLIENT_ROLES", "PAGE_SIZES", "paginate"]
PAGE_SIZES = (25, 50, 100)


def paginate(request: HttpRequest, queryset) -> Page:
    try:
        size = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        size = PAGE_SIZES[0]
    size = size if size in PAGE_SIZES else PAGE_SIZES[0]
    return Paginator(queryset, size).get_page(request.GET.get("page"))
