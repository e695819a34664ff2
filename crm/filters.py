import django_filters
from django.utils.translation import gettext_lazy as _

from crm.filters_base import StyledFilterSet
from crm.models import Notification


class NotificationFilter(StyledFilterSet):
    STATUS_CHOICES = (("unread", _("Unread")), ("read", _("Read")))

    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES, method="filter_status")
    level = django_filters.ChoiceFilter(label=_("Kind"), choices=Notification.Level.choices)
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    class Meta:
        model = Notification
        fields: list[str] = []

    def filter_status(self, queryset, name, value):
        return queryset.filter(read_at__isnull=(value == "unread"))

    def filter_search(self, queryset, name, value):
        return queryset.filter(title__icontains=value) | queryset.filter(body__icontains=value)
