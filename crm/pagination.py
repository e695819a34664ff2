"""A paginator for very long lists: it counts at most ``cap`` rows.

COUNT(*) over a million rows costs more than the page itself; past ten thousand matches nobody
pages through, they filter. The page says "10,000+" and offers the first pages.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.functional import cached_property

CAP = 10_000
PAGE_SIZES = (25, 50, 100)


class CappedPaginator(Paginator):
    def __init__(self, *args, cap: int = CAP, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def paginate(request: HttpRequest, queryset, *, default_size: int = PAGE_SIZES[0]) -> Page:
    """The requested page of ``queryset``; ?per_page= chooses 25, 50 or 100 rows."""
    try:
        size = int(request.GET.get("per_page", default_size))
    except ValueError:
        size = default_size
    size = size if size in PAGE_SIZES else default_size
    return CappedPaginator(queryset, size).get_page(request.GET.get("page"))
