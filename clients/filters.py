from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from clients.models import Brand, BrandPlanTarget, Client, Complaint, Contact, Lead, Product, Survey
from clients.selectors import assignable_owners
from crm.filters_base import StyledFilterSet
from crm.models import Territory, User
from crm.roles import PROPERTY_COMPLAINT_ROLES, Role


def _any(lookups: dict[str, str]) -> Q:
    query = Q()
    for lookup, value in lookups.items():
        query |= Q(**{lookup: value})
    return query


class ClientFilter(StyledFilterSet):
    """Search and filters of the client list; the state lives in the URL (shareable)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Client.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Client.Status.choices)
    territory = django_filters.ModelChoiceFilter(label=_("Territory"), queryset=Territory.objects.order_by("name"))
    owner = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=User.objects.none())
    channel = django_filters.ChoiceFilter(label=_("Channel"), choices=Client.Channel.choices)
    key_account = django_filters.BooleanFilter(label=_("Key account"), field_name="is_key_account")
    level = django_filters.ChoiceFilter(
        label=_("Level"), choices=[*Client.Level.choices, ("none", _("Not graded"))], method="filter_level"
    )
    stale_days = django_filters.NumberFilter(
        label=_("Card not updated for (days)"), method="filter_stale", min_value=1, max_value=3650
    )
    followup = django_filters.ChoiceFilter(
        label=_("Follow-up"),
        choices=[("due", _("Due or overdue")), ("planned", _("Planned"))],
        method="filter_followup",
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("code", "code"),
            ("level", "level"),
            ("card_updated_at", "updated"),
            ("next_contact_date", "next_contact"),
            ("created_at", "created"),
        ),
        field_labels={
            "name": _("Name"),
            "code": _("Code"),
            "level": _("Level"),
            "card_updated_at": _("Card updated"),
            "next_contact_date": _("Next contact"),
            "created_at": _("Created"),
        },
    )

    class Meta:
        model = Client
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.role == Role.ACCOUNT_MANAGER:
            del self.filters["owner"]
        else:
            self.filters["owner"].queryset = assignable_owners(user, active_only=False)

    def filter_search(self, queryset, name, value):
        """Name, code, phone, or a contact's name or phone (CLI-1).

        Each part is a separate index-friendly query joined by UNION: on PostgreSQL the trigram
        indexes of migration 0002 answer queries of three characters or more. Shorter queries
        cannot use trigrams (and a GIN scan for them is slower than a plain scan), so when the
        text has no letter case, as with Chinese or digits, they use LIKE without UPPER().
        """
        value = value.strip()
        if not value:
            return queryset
        lookup = "contains" if len(value) < 3 and value.lower() == value.upper() else "icontains"
        fields = {f"{column}__{lookup}": value for column in ("name", "code", "phone")}
        own = queryset.filter(_any(fields)).order_by().values("pk")
        contacts = Contact.objects.visible_to(self.user).filter(
            _any({f"name__{lookup}": value, f"phone__{lookup}": value})
        )
        return queryset.filter(pk__in=own.union(contacts.order_by().values("client_id")))

    def filter_level(self, queryset, name, value):
        return queryset.filter(level="" if value == "none" else value)

    def filter_stale(self, queryset, name, value):
        return queryset.stale(int(value))

    def filter_followup(self, queryset, name, value):
        if value == "due":
            return queryset.followup_due()
        return queryset.filter(next_contact_date__isnull=False)


class ComplaintFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[("open", _("Open (not closed)")), *Complaint.Status.choices],
        method="filter_status",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Complaint.Kind.choices)
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Complaint.Category.choices)
    assignee = django_filters.ModelChoiceFilter(label=_("Assigned to"), queryset=User.objects.none())
    owner = django_filters.ModelChoiceFilter(
        label=_("Account manager"), field_name="client__owner", queryset=User.objects.none()
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("received_at", "received"), ("status", "status")),
        field_labels={"received_at": _("Received"), "status": _("Status")},
    )

    class Meta:
        model = Complaint
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        people = User.objects.filter(role__in=[Role.ACCOUNT_MANAGER, Role.MANAGER]).order_by("first_name")
        if user.role in PROPERTY_COMPLAINT_ROLES:
            # The property side sees tenants' complaints only: no kind to choose, no account managers.
            del self.filters["kind"], self.filters["owner"]
            self.filters["assignee"].queryset = User.objects.filter(role__in=PROPERTY_COMPLAINT_ROLES).order_by(
                "first_name", "username"
            )
            return
        if user.role == Role.ADMIN:
            people = people | User.objects.filter(role__in=PROPERTY_COMPLAINT_ROLES)
        if user.role == Role.MANAGER:
            people = people.filter(team_id=user.team_id)
        elif user.role == Role.ACCOUNT_MANAGER:
            people = people.filter(team_id=user.team_id) if user.team_id else people.filter(pk=user.pk)
        self.filters["assignee"].queryset = people
        self.filters["owner"].queryset = people.filter(role=Role.ACCOUNT_MANAGER)

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(subject__icontains=value) | Q(client__name__icontains=value))

    def filter_status(self, queryset, name, value):
        return queryset.open() if value == "open" else queryset.filter(status=value)


class LeadFilter(StyledFilterSet):
    """The key-account pipeline's list and board (MKT-3); the state lives in the URL."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=[("open", _("Open (not signed or lost)")), *Lead.Stage.choices], method="filter_stage"
    )
    owner = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=User.objects.none())
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("stage_changed_at", "moved"),
            ("name", "name"),
            ("expected_volume", "volume"),
            ("next_step_on", "next_step"),
        ),
        field_labels={
            "stage_changed_at": _("Last moved"),
            "name": _("Company"),
            "expected_volume": _("Expected volume"),
            "next_step_on": _("Next step date"),
        },
    )

    class Meta:
        model = Lead
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.ACCOUNT_MANAGER:
            del self.filters["owner"]
        else:
            self.filters["owner"].queryset = assignable_owners(user, active_only=False)

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(client__name__icontains=value)
            | Q(client__code__icontains=value)
            | Q(next_step__icontains=value)
        )

    def filter_stage(self, queryset, name, value):
        return queryset.open() if value == "open" else queryset.filter(stage=value)


class SurveyFilter(StyledFilterSet):
    """The survey list (MKT-4): by status and product, and a search of titles."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Survey.Status.choices)
    product = django_filters.ModelChoiceFilter(
        label=_("Product"), queryset=Product.objects.select_related("brand").order_by("brand__code", "code")
    )

    class Meta:
        model = Survey
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(product__code__icontains=value)
            | Q(product__name_zh__icontains=value)
            | Q(product__name_en__icontains=value)
        )


class BrandFilter(StyledFilterSet):
    """Search and filter of the brand catalogue (MKT-4)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Brand
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        """Code or either name of the brand, or the code or a name of one of its products."""
        value = value.strip()
        if not value:
            return queryset
        products = Product.objects.filter(
            _any({"code__icontains": value, "name_zh__icontains": value, "name_en__icontains": value})
        ).values("brand_id")
        return queryset.filter(
            _any({"code__icontains": value, "name_zh__icontains": value, "name_en__icontains": value})
            | Q(pk__in=products)
        )


class BrandPlanTargetFilter(StyledFilterSet):
    """The target clients of a brand plan: search, and whether they have bought the brand yet."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    bought = django_filters.BooleanFilter(label=_("Has bought"), method="filter_bought")

    class Meta:
        model = BrandPlanTarget
        fields: list[str] = []

    def __init__(self, *args, bought: Q | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Whether a target has bought is read from the ledger, which the page's app (grading) owns.
        self.bought = bought

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(client__name__icontains=value) | Q(client__code__icontains=value))

    def filter_bought(self, queryset, name, value):
        if self.bought is None:
            return queryset
        return queryset.filter(self.bought if value else ~self.bought)
