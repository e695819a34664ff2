"""Fuzz gate (issue 9): no list, filter or form page answers a server error, whatever text it is sent.

The parameter names come from the FilterSets and forms themselves, so a filter or field added
later is fuzzed without touching this file; a new FilterSet fails
``test_every_filterset_has_a_page_here`` until its page is listed below.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import django_filters
import pytest
from django import forms
from django.urls import get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archives.correspondence_forms import LetterFilter, LetterForm
from archives.filters import ArrearsFilter
from archives.forms import NoticeForm, TenantProfileForm
from clients.brand_forms import BrandForm, BrandPlanForm, MilestoneForm, ProductForm
from clients.campaign_filters import CampaignFilter, CampaignMemberFilter
from clients.campaign_forms import CampaignForm
from clients.filters import (
    BrandFilter,
    BrandPlanTargetFilter,
    ClientFilter,
    ComplaintFilter,
    LeadFilter,
    SurveyFilter,
)
from clients.forms import (
    ClientForm,
    ComplaintForm,
    ComplaintReportForm,
    ContactForm,
    DemandForm,
    FeedbackForm,
    InteractionForm,
    KeyAccountForm,
    PropertyComplaintForm,
)
from clients.key_account_forms import CostForm, LeadForm
from clients.segments import SEGMENT_FIELDS
from clients.survey_forms import SurveyForm
from crm.filters import NotificationFilter
from crm.forms import ProfileForm
from crm.roles import Role
from grading.filters import CorrectionFilter, GradeFilter, MoverFilter, RunFilter
from grading.forms import PolicyForm
from repairs.filters import BillingFilter, RepairOrderFilter
from repairs.forms import FeeItemForm, RepairOrderForm
from tests.factories import (
    BrandFactory,
    BrandPlanFactory,
    CampaignFactory,
    ClientFactory,
    TeamFactory,
    TenancyFactory,
)
from visits.coverage_forms import CoverageForm
from visits.filters import PlanFilter
from visits.forms import MarketInfoForm, OpenMonthForm, VisitLogForm
from visits.forms import PolicyForm as VisitPolicyForm
from visits.report_forms import ReportFilter
from visits.target_forms import SplitForm, TargetFilterForm

# What breaks parsers and databases: NUL, dates and numbers out of every range, huge and
# negative numbers, lookups' wildcards, markup, other scripts, emoji, very long text.
NASTY = [
    "\x00",
    "a\x00b",
    "9999-12-31",
    "9999-12",
    "0000-00-00",
    "2024-02-30",
    "2024-13",
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "-Infinity",
    "0.000000001",
    "999999.99",
    "１２３",
    "²",
    "%",
    "_",
    "A-1203",
    "-",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "华泰律师事务所",
    "😀" * 50,
    "x" * 5000,
    " ",
]
TEXT = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda moment: moment.isoformat()),
)
FUZZ = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def widget_names(name: str, widget: forms.Widget) -> list[str]:
    """The names a field is sent under: a range or split date-time widget sends several."""
    if isinstance(widget, forms.MultiWidget):
        return [f"{name}{suffix}" for suffix in widget.widgets_names]
    return [name]


def filterset_params(filterset: type[django_filters.FilterSet]) -> list[str]:
    return [key for name, flt in filterset.base_filters.items() for key in widget_names(name, flt.field.widget)]


def form_params(form: type[forms.BaseForm], prefix: str = "") -> list[str]:
    head = f"{prefix}-" if prefix else ""
    return [head + key for name, fld in form.base_fields.items() for key in widget_names(name, fld.widget)]


def formset_params(form: type[forms.BaseForm], prefix: str) -> list[str]:
    management = [f"{prefix}-{name}" for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")]
    return management + form_params(form, f"{prefix}-0")


PAGINATION = ["page", "per_page"]


@dataclass
class Page:
    url: str
    role: str
    params: list[str]
    owns_client: bool = False  # the URL takes the pk of a client the user owns
    client_fields: dict = field(default_factory=dict)  # of that client (e.g. a key account)
    kwargs: dict = field(default_factory=dict)
    # The URL takes the pk of a campaign: "draft" (its segment is previewed) or "launched" (with
    # one of the user's clients on its list).
    campaign: str = ""
    record: Callable | None = None  # makes the record the URL's pk names, for the user (a brand, a plan)

    def path(self, client_pk: int | None, campaign_pk: int | None = None) -> str:
        kwargs = {**self.kwargs, **({"pk": client_pk} if self.owns_client else {})}
        kwargs.update({"pk": campaign_pk} if self.campaign else {})
        return reverse(self.url, kwargs=kwargs)

    def __str__(self) -> str:
        return f"{self.url}:{self.role}"


# Every FilterSet and the pages it filters, each as a role that may see it, with the URL's kwargs
# ("campaign": a Page.campaign, "more": parameters the view reads besides the filters).
FILTER_PAGES: dict[type[django_filters.FilterSet], list[tuple[str, str, dict]]] = {
    ClientFilter: [
        ("clients:list", Role.ACCOUNT_MANAGER, {}),
        ("clients:list", Role.MANAGER, {}),
        ("clients:key_accounts", Role.ACCOUNT_MANAGER, {}),
        ("clients:export", Role.MANAGER, {"kind": "clients"}),
    ],
    ComplaintFilter: [
        ("clients:complaints", Role.ACCOUNT_MANAGER, {}),
        ("clients:complaints", Role.MANAGER, {}),
        ("clients:complaints", Role.FRONT_DESK, {}),
    ],
    LetterFilter: [
        ("archives:correspondence", Role.CLIENT_SERVICES_SUPERVISOR, {"more": ["format"]}),
        ("archives:correspondence", Role.FRONT_DESK, {}),
    ],
    NotificationFilter: [("notifications:list", Role.FRONT_DESK, {})],
    CorrectionFilter: [("grading:corrections", Role.MANAGER, {}), ("grading:corrections", Role.ACCOUNT_MANAGER, {})],
    GradeFilter: [
        ("grading:dashboard", Role.MANAGER, {}),
        ("grading:dashboard", Role.ACCOUNT_MANAGER, {}),
        ("grading:export", Role.MANAGER, {}),
    ],
    RunFilter: [("grading:runs", Role.MANAGER, {}), ("grading:runs", Role.ACCOUNT_MANAGER, {})],
    MoverFilter: [
        ("grading:movers", Role.MANAGER, {"more": ["earlier", "later"]}),
        ("grading:movers", Role.ACCOUNT_MANAGER, {"more": ["earlier", "later", "format"]}),
    ],
    RepairOrderFilter: [
        ("repairs:list", Role.ENGINEERING_SUPERVISOR, {}),
        ("repairs:list", Role.TECHNICIAN, {}),
        ("repairs:list", Role.ACCOUNT_MANAGER, {}),
    ],
    PlanFilter: [
        ("visits:plans", Role.MANAGER, {}),
        ("visits:plans", Role.ACCOUNT_MANAGER, {}),
        ("visits:home", Role.MANAGER, {}),
    ],
    ReportFilter: [("visits:reports", Role.MANAGER, {}), ("visits:reports", Role.ACCOUNT_MANAGER, {})],
    ArrearsFilter: [("archives:arrears", Role.CLIENT_SERVICES_SUPERVISOR, {"more": ["format"]})],
    BrandFilter: [("brands:list", Role.MANAGER, {}), ("brands:list", Role.ACCOUNT_MANAGER, {})],
    BrandPlanTargetFilter: [],  # on the plan page, below (its URL names a plan)
    LeadFilter: [
        ("clients:pipeline", Role.MANAGER, {}),
        ("clients:pipeline", Role.ACCOUNT_MANAGER, {}),
        ("clients:pipeline_list", Role.MANAGER, {}),
        ("clients:pipeline_list", Role.ACCOUNT_MANAGER, {}),
    ],
    CampaignFilter: [("campaigns:list", Role.MANAGER, {}), ("campaigns:list", Role.ACCOUNT_MANAGER, {})],
    CampaignMemberFilter: [
        ("campaigns:detail", Role.MANAGER, {"campaign": "draft", "more": [*SEGMENT_FIELDS, "preview"]}),
        ("campaigns:detail", Role.MANAGER, {"campaign": "launched"}),
        ("campaigns:detail", Role.ACCOUNT_MANAGER, {"campaign": "launched"}),
    ],
    SurveyFilter: [("surveys:list", Role.MANAGER, {}), ("surveys:list", Role.ACCOUNT_MANAGER, {})],
    BillingFilter: [
        ("repairs:billing", Role.FINANCE, {}),
        ("repairs:billing", Role.MANAGER, {}),
        ("repairs:billing_export", Role.FINANCE, {"more": ["format"]}),
    ],
}


def _brand(user) -> int:
    return BrandFactory().pk


def _tenancy(user) -> int:
    return TenancyFactory().pk


def _plan(user) -> int:
    return BrandPlanFactory(created_by=user, team=TeamFactory()).pk


GET_PAGES = [
    *(
        Page(
            url,
            role,
            [*filterset_params(filterset), *PAGINATION, *options.get("more", [])],
            campaign=options.get("campaign", ""),
            kwargs={name: value for name, value in options.items() if name not in ("more", "campaign")},
        )
        for filterset, pages in FILTER_PAGES.items()
        for url, role, options in pages
    ),
    # Pages whose query parameters are read by the view itself, or by a plain form.
    Page("archives:index", Role.FRONT_DESK, ["q", "building"]),
    Page("archives:index", Role.ACCOUNT_MANAGER, ["q", "building"]),
    Page("repairs:unit_search", Role.FRONT_DESK, ["q"]),
    Page("repairs:create", Role.FRONT_DESK, ["complaint"]),
    Page("clients:property_complaint_create", Role.FRONT_DESK, ["client"]),
    Page("clients:complaint_report", Role.CLIENT_SERVICES_MANAGER, [*form_params(ComplaintReportForm), "format"]),
    Page("clients:complaint_report", Role.MANAGER, form_params(ComplaintReportForm)),
    Page("archives:letter_create", Role.FRONT_DESK, ["unit"]),
    Page("repairs:stats", Role.ENGINEERING_SUPERVISOR, ["month", "page"]),
    Page("repairs:register", Role.FINANCE, ["month", *PAGINATION]),
    Page("repairs:stats_export", Role.FINANCE, ["month"]),
    Page("visits:calendar", Role.MANAGER, ["month", "week", "owner"]),
    Page("visits:coverage", Role.MANAGER, form_params(CoverageForm)),
    Page("visits:coverage", Role.ADMIN, form_params(CoverageForm)),
    Page("visits:coverage_clients", Role.ACCOUNT_MANAGER, ["show", "q", *form_params(CoverageForm), *PAGINATION]),
    Page("visits:coverage_export", Role.MANAGER, ["show", "q", *form_params(CoverageForm)]),
    Page("targets:home", Role.MANAGER, [*form_params(TargetFilterForm), "page"]),
    Page("targets:home", Role.ACCOUNT_MANAGER, [*form_params(TargetFilterForm), "page"]),
    Page("targets:export", Role.ADMIN, form_params(TargetFilterForm)),
    Page("targets:split", Role.MANAGER, ["period", "metric", "team"]),
    Page("campaign_evaluation:compare", Role.MANAGER, ["c"]),
    Page("campaign_evaluation:compare", Role.ACCOUNT_MANAGER, ["c"]),
    Page("brands:plan", Role.ADMIN, [*filterset_params(BrandPlanTargetFilter), *PAGINATION], record=_plan),
    Page("brands:plan_targets", Role.ADMIN, filterset_params(ClientFilter), record=_plan),
]


def _brand(user) -> int:
    return BrandFactory().pk


def _plan(user) -> int:
    return BrandPlanFactory(created_by=user, team=BrandPlanFactory().team).pk


def _draft_fee_item(user) -> int:
    """An item of the draft fee schedule, copied from the one in force (REP-5)."""
    from repairs import fees
    from tests.factories import FeeItemFactory

    FeeItemFactory(code="call-out")
    return fees.fee_schedule_draft(by=user).items.get().pk


POST_PAGES = [
    Page(
        "clients:create",
        Role.ACCOUNT_MANAGER,
        [*form_params(ClientForm), *form_params(KeyAccountForm, "ka"), *formset_params(ContactForm, "contacts")],
    ),
    Page(
        "clients:edit",
        Role.ACCOUNT_MANAGER,
        [*form_params(ClientForm), *form_params(KeyAccountForm, "ka"), *formset_params(ContactForm, "contacts")],
        owns_client=True,
    ),
    Page("clients:interaction_create", Role.ACCOUNT_MANAGER, form_params(InteractionForm), owns_client=True),
    Page("clients:feedback_create", Role.ACCOUNT_MANAGER, form_params(FeedbackForm), owns_client=True),
    Page("clients:demand_create", Role.ACCOUNT_MANAGER, form_params(DemandForm), owns_client=True),
    Page("clients:complaint_create", Role.ACCOUNT_MANAGER, form_params(ComplaintForm), owns_client=True),
    Page("campaigns:create", Role.MANAGER, form_params(CampaignForm)),
    Page("repairs:create", Role.FRONT_DESK, form_params(RepairOrderForm)),
    Page("repairs:fee_item_edit", Role.FINANCE, form_params(FeeItemForm), record=_draft_fee_item),
    Page("clients:lead_create", Role.ACCOUNT_MANAGER, form_params(LeadForm)),
    Page("clients:lead_create", Role.MANAGER, form_params(LeadForm)),
    Page("surveys:create", Role.MANAGER, form_params(SurveyForm)),
    Page(
        "clients:costs",
        Role.ACCOUNT_MANAGER,
        [*form_params(CostForm), *PAGINATION],
        owns_client=True,
        client_fields={"is_key_account": True},
    ),
    Page("grading:policy", Role.MANAGER, form_params(PolicyForm)),
    Page("archives:notices", Role.CLIENT_SERVICES_SUPERVISOR, form_params(NoticeForm)),
    Page("clients:property_complaint_create", Role.FRONT_DESK, form_params(PropertyComplaintForm)),
    Page("archives:letter_create", Role.CLIENT_SERVICES_SUPERVISOR, form_params(LetterForm)),
    Page(
        "archives:profile", Role.CLIENT_SERVICES_MANAGER, [*form_params(TenantProfileForm), "version"], record=_tenancy
    ),
    Page("visits:open_month", Role.MANAGER, form_params(OpenMonthForm)),
    Page("visits:policy", Role.MANAGER, form_params(VisitPolicyForm)),
    Page("targets:split", Role.ADMIN, [*form_params(SplitForm), "team"]),
    Page("brands:create", Role.MANAGER, form_params(BrandForm)),
    Page("brands:product_create", Role.ADMIN, form_params(ProductForm), record=_brand),
    Page("brands:plan_create", Role.ADMIN, form_params(BrandPlanForm), record=_brand),
    Page("brands:plan_targets", Role.ADMIN, filterset_params(ClientFilter), record=_plan),
    Page("brands:milestone_create", Role.ADMIN, form_params(MilestoneForm), record=_plan),
    Page(
        "visits:log_unplanned",
        Role.ACCOUNT_MANAGER,
        [*form_params(VisitLogForm), *form_params(MarketInfoForm, "market")],
        owns_client=True,
    ),
    Page("profile", Role.FRONT_DESK, form_params(ProfileForm)),
    Page("notification_preferences", Role.TECHNICIAN, ["general:email", "repairs:email", "general:sms"]),
]


def params(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Any subset of the names, each with nasty text."""
    return st.fixed_dictionaries({}, optional=dict.fromkeys(names, TEXT))


def all_subclasses(cls: type) -> set[type]:
    return {sub for direct in cls.__subclasses__() for sub in {direct, *all_subclasses(direct)}}


def test_every_filterset_has_a_page_here() -> None:
    get_resolver().url_patterns  # noqa: B018 - imports every view, and so every FilterSet
    ours = {cls for cls in all_subclasses(django_filters.FilterSet) if cls._meta.model is not None}  # not bases
    assert ours <= set(FILTER_PAGES), f"fuzz these on their pages: {ours - set(FILTER_PAGES)}"


def logged_in(client, make_user, page: Page) -> Callable[[], int | None]:
    user = make_user(page.role)
    client.force_login(user)
    client_pk = ClientFactory(owner=user, **page.client_fields).pk if page.owns_client else None
    campaign_pk = None
    if page.campaign:
        from clients.campaigns import launch

        campaign = CampaignFactory(created_by=make_user(Role.MANAGER))
        if page.campaign == "launched":
            ClientFactory(owner=user if user.role == Role.ACCOUNT_MANAGER else make_user(), status="active")
            launch(campaign=campaign, params={}, by=make_user(Role.ADMIN))
        campaign_pk = campaign.pk
    path = reverse(page.url, kwargs={"pk": page.record(user)}) if page.record else page.path(client_pk, campaign_pk)
    assert client.get(path).status_code == 200, f"{user.role} must be able to open {path} for the fuzzing to count"
    return path


@pytest.mark.parametrize("page", GET_PAGES, ids=str)
def test_no_query_string_makes_a_page_fail(client, make_user, page: Page) -> None:
    path = logged_in(client, make_user, page)

    @FUZZ
    @given(query=params(page.params))
    def fuzz(query: dict[str, str]) -> None:
        response = client.get(path, query)
        assert response.status_code < 500, query

    fuzz()


@pytest.mark.parametrize("page", POST_PAGES, ids=str)
def test_no_posted_form_makes_a_page_fail(client, make_user, page: Page) -> None:
    path = logged_in(client, make_user, page)

    @FUZZ
    @given(data=params(page.params))
    def fuzz(data: dict[str, str]) -> None:
        response = client.post(path, data)
        assert response.status_code < 500, data

    fuzz()
