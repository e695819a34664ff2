from django import template

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
