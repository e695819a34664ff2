from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.models import Campaign, CampaignMember, Product
from clients.models.campaigns import Response
from clients.selectors import assignable_owners
from crm.filters_base import StyledFilterSet
from crm.models import User
from crm.roles import Role


class CampaignFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Campaign.Channel.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Campaign.Status.choices, method="filter_status")
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.select_related("brand").order_by("code")
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("starts_on", "starts"), ("name", "name"), ("actual_cost", "cost")),
        field_labels={"starts_on": _("Start"), "name": _("Name"), "actual_cost": _("Actual cost")},
    )

    class Meta:
        model = Campaign
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value.strip()) | Q(offer__icontains=value.strip()))

    def filter_status(self, queryset, name, value):
        return queryset.in_status(value)


class CampaignMemberFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Client"), method="filter_search")
    group = django_filters.ChoiceFilter(label=_("Group"), choices=CampaignMember.Group.choices)
    response = django_filters.ChoiceFilter(
        label=_("Response"),
        choices=[("none", _("Not contacted yet")), *Response.choices],
        method="filter_response",
    )
    owner = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=User.objects.none())

    class Meta:
        model = CampaignMember
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.ACCOUNT_MANAGER:
            del self.filters["owner"]
        else:
            self.filters["owner"].queryset = assignable_owners(user, active_only=False)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(client__name__icontains=value) | Q(client__code__icontains=value))

    def filter_response(self, queryset, name, value):
        if value == "none":
            return queryset.filter(attempts=0, group=CampaignMember.Group.TARGET)
        return queryset.filter(response=value)
