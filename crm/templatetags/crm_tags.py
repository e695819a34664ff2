from django import template

from crm.money import format_money

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **changes) -> str:
    """The current query string with some parameters replaced (keeps filters when paging)."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        query[name] = value
    return query.urlencode()


@register.filter
def minutes(value) -> int:
    """A timedelta as whole minutes (for the lock-out page)."""
    return int(value.total_seconds() // 60) if value else 0


@register.inclusion_tag("includes/sort_header.html", takes_context=True)
def sort_header(context, field: str, label: str) -> dict:
    """A column header that sorts the list by ``field`` (django-filter's ``ordering``), keeping filters."""
    request = context["request"]
    current = request.GET.get("ordering", "")
    descending = current == f"-{field}"
    active = current in (field, f"-{field}")
    query = request.GET.copy()
    query["ordering"] = field if descending or not active else f"-{field}"
    query.pop("page", None)
    return {"label": label, "query": query.urlencode(), "active": active, "descending": descending}


@register.filter
def money(value, places: int = 2) -> str:
    """An amount with thousands grouping and the currency in the reader's language (X-1):
    ¥1,234.50 in English, 1,234.50 元 in Chinese; "—" when there is none."""
    return format_money(value, places)


@register.filter
def may_open(user, path: str) -> bool:
    """``{% if user|may_open:href %}``: the link is shown only when its page lets the user in
    (crm.permissions.may_open: the view's own role rule)."""
    from crm.permissions import may_open as _may_open

    return _may_open(user, str(path))
