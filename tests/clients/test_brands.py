"""The brand catalogue and brand cultivation plans (MKT-4): the pages, the forms and their rules
(clear field errors, nothing saved half), the audit, who sees what, and constant query counts."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from clients.models import Brand, BrandPlan, BrandPlanMilestone, BrandPlanTarget, Product
from crm.roles import Role
from tests.factories import (
    BrandFactory,
    BrandPlanFactory,
    BrandPlanMilestoneFactory,
    BrandPlanTargetFactory,
    ClientFactory,
    ProductFactory,
    SalesOrderFactory,
)

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


@pytest.fixture
def brand():
    return BrandFactory(code="HM", name_zh="黄山", name_en="Huangshan")


@pytest.fixture
def plan(brand, manager):
    ProductFactory(brand=brand, code="HM-XP-01", name_zh="黄山(新品)")
    return BrandPlanFactory(
        brand=brand,
        name="黄山新品培育",
        created_by=manager,
        team=manager.team,
        start_month=date(2026, 1, 1),
        end_month=date(2026, 3, 1),
    )


# --- the catalogue -------------------------------------------------------------------------


def test_the_list_shows_brands_with_their_product_count_and_running_plan(client, alice, plan, brand):
    BrandFactory(code="YX", name_zh="玉溪")
    ProductFactory(brand=brand, code="HM-2")
    running = BrandPlanFactory(
        brand=brand,
        name="本月计划",
        created_by=plan.created_by,
        team=plan.team,
        start_month=date.today().replace(day=1),
        end_month=date.today().replace(day=1),
    )
    client.force_login(alice)
    response = client.get(reverse("brands:list"))
    html = response.content.decode()
    assert response.status_code == 200
    rows = {b.code: (b.product_count, b.active_plan_id) for b in response.context["page_obj"]}
    assert rows == {"HM": (2, running.pk), "YX": (0, None)}
    assert "黄山" in html and "本月计划" in html and 'href="/brands/new/"' not in html  # no "new" for her


def test_the_running_plan_of_another_team_is_not_shown(client, charlie, plan, brand):
    BrandPlanFactory(
        brand=brand,
        created_by=plan.created_by,
        team=plan.team,
        start_month=date.today().replace(day=1),
        end_month=date.today().replace(day=1),
    )
    client.force_login(charlie)
    response = client.get(reverse("brands:list"))
    assert [b.active_plan_id for b in response.context["page_obj"]] == [None]


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("q=hm", ["HM"]),
        ("q=玉", ["YX"]),
        ("q=XP-01", ["HM"]),
        ("is_active=false", ["OLD"]),
        ("is_active=true", ["HM", "YX"]),
    ],
)
def test_the_list_searches_code_names_and_products_and_filters_active(client, alice, plan, query, codes):
    BrandFactory(code="YX", name_zh="玉溪")
    BrandFactory(code="OLD", name_zh="旧牌", is_active=False)
    client.force_login(alice)
    response = client.get(reverse("brands:list") + "?" + query)
    assert [b.code for b in response.context["page_obj"]] == codes


def test_the_list_is_a_constant_number_of_queries(client, manager, django_assert_max_num_queries):
    client.force_login(manager)
    BrandFactory()
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("brands:list"))
    for _ in range(30):
        ProductFactory(brand=BrandFactory())
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(reverse("brands:list")).context["page_obj"]) == 25


def test_a_manager_adds_a_brand_and_its_history_says_who(client, manager):
    client.force_login(manager)
    response = client.post(
        reverse("brands:create"), {"code": " yx ", "name_zh": "玉溪", "name_en": "Yuxi", "is_active": "on"}
    )
    brand = Brand.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("brands:detail", args=[brand.pk])
    assert (brand.code, brand.name_zh) == ("YX", "玉溪")
    assert brand.history.get().history_user == manager


def test_a_duplicate_brand_code_is_a_field_error(client, manager, brand):
    client.force_login(manager)
    response = client.post(reverse("brands:create"), {"code": "hm", "name_zh": "另一个"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["code"]
    assert Brand.objects.count() == 1


def test_a_manager_edits_a_brand(client, manager, brand):
    client.force_login(manager)
    client.post(reverse("brands:edit", args=[brand.pk]), {"code": "HM", "name_zh": "黄山", "name_en": "Yellow Mt."})
    brand.refresh_from_db()
    assert (brand.name_en, brand.is_active) == ("Yellow Mt.", False)
    assert brand.history.first().history_user == manager


def test_a_manager_adds_and_edits_a_product(client, manager, brand):
    client.force_login(manager)
    data = {"code": "hm-xp-01", "name_zh": "黄山(新品)", "launch_on": "2026-03-01", "margin": "18.5", "is_active": "on"}
    response = client.post(reverse("brands:product_create", args=[brand.pk]), data)
    assert response.status_code == 302
    product = Product.objects.get()
    assert (product.brand, product.code, product.margin) == (brand, "HM-XP-01", Decimal("18.50"))
    client.post(reverse("brands:product_edit", args=[product.pk]), {**data, "margin": "20"})
    product.refresh_from_db()
    assert product.margin == Decimal("20.00")
    assert [h.history_user for h in product.history.all()] == [manager, manager]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "HM-XP-01", "Product with this Code already exists."),
        ("code", " hm-xp-01 ", "Product with this Code already exists."),
        ("code", "", "This field is required."),
        ("margin", "101", "Ensure this value is less than or equal to 100."),
        ("margin", "-1", "Ensure this value is greater than or equal to 0."),
        ("launch_on", "someday", "Enter a valid date."),
    ],
)
def test_bad_product_input_gets_a_field_error_and_saves_nothing(client, manager, brand, field, value, message):
    ProductFactory(brand=brand, code="HM-XP-01")
    client.force_login(manager)
    data = {"code": "HM-NEW", "name_zh": "新品", "margin": "10", "launch_on": ""}
    data[field] = value
    response = client.post(reverse("brands:product_create", args=[brand.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert Product.objects.count() == 1


def test_the_brand_page_lists_products_and_the_readers_plans(client, alice, charlie, plan, brand):
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice))
    client.force_login(alice)
    html = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    assert "HM-XP-01" in html and "黄山新品培育" in html
    client.force_login(charlie)  # another team: the catalogue yes, the plan no
    html = client.get(reverse("brands:detail", args=[brand.pk])).content.decode()
    assert "HM-XP-01" in html and "黄山新品培育" not in html


def test_names_are_escaped_on_every_page(client, manager, brand):
    brand.name_zh = XSS
    brand.save()
    ProductFactory(brand=brand, name_zh=XSS)
    plan = BrandPlanFactory(brand=brand, name=XSS, created_by=manager, team=manager.team)
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=manager, name=XSS))
    client.force_login(manager)
    for url in (
        reverse("brands:list"),
        reverse("brands:detail", args=[brand.pk]),
        plan.get_absolute_url(),
        reverse("brands:plan_edit", args=[plan.pk]),
        reverse("brands:plan_targets", args=[plan.pk]),
    ):
        html = client.get(url).content.decode()
        assert XSS not in html, url
        assert "&lt;script&gt;" in html, url


# --- plans -----------------------------------------------------------------------------------


def test_a_manager_creates_a_plan_for_their_team_then_chooses_targets(client, manager, brand):
    client.force_login(manager)
    response = client.post(
        reverse("brands:plan_create", args=[brand.pk]),
        {"name": "黄山培育", "start_month": "2026-01", "end_month": "2026-06", "notes": ""},
    )
    plan = BrandPlan.objects.get()
    assert response["Location"] == reverse("brands:plan_targets", args=[plan.pk])
    assert (plan.team, plan.created_by, plan.start_month, plan.end_month) == (
        manager.team,
        manager,
        date(2026, 1, 1),
        date(2026, 6, 1),
    )
    assert plan.history.get().history_user == manager


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"end_month": "2025-12"}, "end_month", "The last month cannot come before the first month."),
        ({"end_month": "2029-12"}, "end_month", "A plan runs for at most 36 months."),
        ({"start_month": "January"}, "start_month", "Enter a valid date."),
        ({"name": ""}, "name", "This field is required."),
    ],
)
def test_bad_plan_input_gets_a_field_error_and_saves_nothing(client, manager, brand, data, field, message):
    client.force_login(manager)
    post = {"name": "Plan", "start_month": "2026-01", "end_month": "2026-06", **data}
    response = client.post(reverse("brands:plan_create", args=[brand.pk]), post)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not BrandPlan.objects.exists()


def test_the_database_refuses_a_plan_ending_before_it_starts(brand, manager):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        BrandPlanFactory(
            brand=brand, created_by=manager, team=manager.team, start_month=date(2026, 5, 1), end_month=date(2026, 4, 1)
        )


def test_shortening_a_plan_past_its_milestones_is_refused(client, manager, plan):
    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 3, 1))
    client.force_login(manager)
    response = client.post(
        reverse("brands:plan_edit", args=[plan.pk]),
        {"name": plan.name, "start_month": "2026-01", "end_month": "2026-02"},
    )
    assert response.context["form"].errors == {
        "end_month": ["Some milestones fall outside these months: move or delete them first."]
    }
    plan.refresh_from_db()
    assert plan.end_month == date(2026, 3, 1)


def test_an_admin_chooses_the_team_a_manager_cannot(client, admin_user, manager, other_team, brand):
    client.force_login(admin_user)
    client.post(
        reverse("brands:plan_create", args=[brand.pk]),
        {"name": "West", "team": other_team.pk, "start_month": "2026-01", "end_month": "2026-02"},
    )
    assert BrandPlan.objects.get().team == other_team
    client.force_login(manager)
    response = client.get(reverse("brands:plan_create", args=[brand.pk]))
    assert "team" not in response.context["form"].fields


def test_segment_preview_counts_then_freezing_adds_the_addressable_clients(client, manager, alice, bob, plan):
    from django.utils import timezone

    ClientFactory(owner=alice, kind="retail")
    ClientFactory(owner=bob, kind="retail")
    ClientFactory(owner=bob, kind="retail", contact_opt_out_at=timezone.now())  # asked not to be contacted
    ClientFactory(owner=bob, kind="retail", status="moved_out")
    ClientFactory(owner=bob, kind="corporate")
    ClientFactory(kind="retail")  # another team's
    client.force_login(manager)
    url = reverse("brands:plan_targets", args=[plan.pk])
    response = client.get(url + "?kind=retail")
    assert response.context["preview"] == 2
    response = client.post(url, {"kind": "retail"})
    assert response["Location"] == plan.get_absolute_url()
    assert set(plan.targets.values_list("client__kind", "client__owner")) == {("retail", alice.pk), ("retail", bob.pk)}
    assert plan.targets.count() == 2
    plan.refresh_from_db()
    assert plan.segment == {"kind": "retail"}
    assert all(t.history.get().history_user == manager for t in plan.targets.all())
    client.post(url, {"kind": "retail"})  # twice: nobody twice
    assert plan.targets.count() == 2


def test_an_administrators_preview_counts_what_freezing_adds_the_plans_team_only(client, admin_user, alice, plan):
    ClientFactory(owner=alice, kind="retail")
    ClientFactory(kind="retail")  # another team's: the administrator sees it, the plan cannot target it
    client.force_login(admin_user)
    url = reverse("brands:plan_targets", args=[plan.pk])
    assert client.get(url + "?kind=retail").context["preview"] == 1
    client.post(url, {"kind": "retail"})
    assert plan.targets.count() == 1


def test_a_segment_with_no_clients_is_refused_and_adds_nothing(client, manager, plan):
    client.force_login(manager)
    response = client.post(reverse("brands:plan_targets", args=[plan.pk]), {"kind": "tenant"})
    assert response.status_code == 200
    assert "No client matches these filters" in response.content.decode()
    assert not plan.targets.exists()
    plan.refresh_from_db()
    assert plan.segment == {}


def test_adding_and_removing_single_clients(client, manager, alice, plan):
    mine = ClientFactory(owner=alice, code="HX001")
    outsider = ClientFactory(code="ZZ999")
    client.force_login(manager)
    add = reverse("brands:plan_target_add", args=[plan.pk])
    assert client.post(add, {"code": "HX001"})["Location"] == plan.get_absolute_url()
    target = plan.targets.get()
    assert target.client == mine and target.added_by == manager
    for code, message in [("HX001", "a target of the plan already"), ("ZZ999", "None of your clients has this code")]:
        response = client.post(add, {"code": code}, follow=True)
        assert message in response.content.decode()
    assert plan.targets.count() == 1 and not plan.targets.filter(client=outsider).exists()
    client.post(reverse("brands:plan_target_remove", args=[plan.pk, target.pk]))
    assert not plan.targets.exists()
    assert BrandPlanTarget.history.filter(history_type="-").get().history_user == manager


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"month": "2026-04"}, "month", "Choose a month within the plan (2026-01 to 2026-03)."),
        ({"month": "2025-12"}, "month", "Choose a month within the plan (2026-01 to 2026-03)."),
        ({"month": "2026-01"}, "month", "This month has a milestone already: change that one."),
        ({"distribution_points": "-1"}, "distribution_points", "Enter zero or a positive number."),
        ({"sales_amount": "-0.01"}, "sales_amount", "Enter zero or a positive amount."),
        ({"sales_amount": "lots"}, "sales_amount", "Enter a number."),
    ],
)
def test_bad_milestones_get_a_field_error_and_save_nothing(client, manager, plan, data, field, message):
    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 1, 1))
    client.force_login(manager)
    post = {"month": "2026-02", "distribution_points": "3", "sales_amount": "1000", **data}
    response = client.post(reverse("brands:milestone_create", args=[plan.pk]), post)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert plan.milestones.count() == 1


def test_milestones_are_added_edited_and_deleted_with_their_history(client, manager, plan):
    client.force_login(manager)
    client.post(
        reverse("brands:milestone_create", args=[plan.pk]),
        {"month": "2026-02", "distribution_points": "3", "sales_amount": "1000"},
    )
    milestone = BrandPlanMilestone.objects.get()
    assert (milestone.month, milestone.distribution_points, milestone.sales_amount) == (
        date(2026, 2, 1),
        3,
        Decimal("1000.00"),
    )
    client.post(
        reverse("brands:milestone_edit", args=[milestone.pk]),
        {"month": "2026-02", "distribution_points": "5", "sales_amount": "1000"},
    )
    milestone.refresh_from_db()
    assert milestone.distribution_points == 5
    client.post(reverse("brands:milestone_delete", args=[milestone.pk]))
    assert not BrandPlanMilestone.objects.exists()
    assert [h.history_type for h in BrandPlanMilestone.history.order_by("history_id")] == ["+", "~", "-"]


def test_the_database_holds_milestones_to_the_rules(plan):
    from django.db import IntegrityError, transaction

    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 1, 1))
    for bad in (
        {"month": date(2026, 1, 1)},
        {"month": date(2026, 2, 1), "distribution_points": -1},
        {"month": date(2026, 2, 1), "sales_amount": -1},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            BrandPlanMilestoneFactory(plan=plan, **bad)


# --- the plan page ---------------------------------------------------------------------------


def test_the_plan_page_shows_milestones_against_the_ledger(client, manager, alice, plan):
    a = BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice, name="华信超市")).client
    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 1, 1), distribution_points=2, sales_amount=Decimal("400"))
    SalesOrderFactory(client=a, ordered_on=date(2026, 1, 20), amount=Decimal("500"), product="hm-xp-01")
    client.force_login(manager)
    response = client.get(plan.get_absolute_url())
    html = response.content.decode()
    jan = response.context["progress"][0]
    assert (jan.points, jan.points_rate, jan.sales, jan.sales_rate) == (
        1,
        Decimal("50.0"),
        Decimal("500.00"),
        Decimal("125.0"),
    )
    assert "text-bg-success" in html and "text-bg-danger" in html  # sales met, points not
    assert 'id="brand-plan-data"' in html and "chart.umd.min.js" in html
    assert "华信超市" in html


def test_account_managers_see_only_their_own_target_clients(client, alice, bob, plan):
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice, name="Alice's shop"))
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=bob, name="Bob's shop"))
    client.force_login(alice)
    html = client.get(plan.get_absolute_url()).content.decode()
    assert "Alice's shop" in html.replace("&#x27;", "'") and "Bob" not in html
    assert "Remove" not in html and reverse("brands:plan_edit", args=[plan.pk]) not in html


def test_the_target_list_filters_by_bought(client, manager, alice, plan):
    buyer = BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice, name="Buyer")).client
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice, name="Waiter"))
    SalesOrderFactory(client=buyer, ordered_on=date(2026, 2, 1), product="HM-XP-01")
    client.force_login(manager)
    names = lambda q: [t.client.name for t in client.get(plan.get_absolute_url() + q).context["page_obj"]]  # noqa: E731
    assert names("?bought=true") == ["Buyer"]
    assert names("?bought=false") == ["Waiter"]
    assert names("?q=wai") == ["Waiter"]


def test_other_teams_and_other_roles_do_not_reach_the_plan(client, charlie, make_user, other_team, plan):
    client.force_login(charlie)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.get(reverse("brands:plan_export", args=[plan.pk])).status_code == 404
    client.force_login(make_user(Role.MANAGER, username="westboss", team=other_team))
    assert client.get(reverse("brands:plan_edit", args=[plan.pk])).status_code == 404
    assert client.post(reverse("brands:milestone_create", args=[plan.pk]), {}).status_code == 404
    client.force_login(make_user(Role.FINANCE, username="cash"))
    assert client.get(reverse("brands:list")).status_code == 403


def test_account_managers_read_but_do_not_write(client, alice, plan, brand):
    client.force_login(alice)
    assert client.get(reverse("brands:detail", args=[brand.pk])).status_code == 200
    for url in (
        reverse("brands:create"),
        reverse("brands:edit", args=[brand.pk]),
        reverse("brands:plan_create", args=[brand.pk]),
        reverse("brands:plan_targets", args=[plan.pk]),
    ):
        assert client.get(url).status_code == 403


def test_the_plan_page_is_a_constant_number_of_queries(client, manager, alice, plan, django_assert_max_num_queries):
    client.force_login(manager)
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice))
    with django_assert_max_num_queries(20) as one:
        client.get(plan.get_absolute_url())
    for n in range(30):
        target = BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice))
        SalesOrderFactory(client=target.client, ordered_on=date(2026, 1 + n % 3, 10), product="HM-XP-01")
    for month in (1, 2, 3):
        BrandPlanMilestoneFactory(plan=plan, month=date(2026, month, 1))
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(plan.get_absolute_url())
    assert len(response.context["page_obj"]) == 25


def test_the_export_has_the_progress_table_and_neutralises_formulas(client, manager, alice, plan):
    plan.name = '=HYPERLINK("http://evil")'
    plan.save()
    a = BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice)).client
    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 2, 1), distribution_points=1, sales_amount=Decimal("80"))
    SalesOrderFactory(client=a, ordered_on=date(2026, 2, 3), amount=Decimal("100"), product="HM-XP-01")
    client.force_login(manager)
    response = client.get(reverse("brands:plan_export", args=[plan.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == plan.name and sheet["A1"].data_type == "s"
    assert rows[3] == ("2026-02", 1, 1, 100, 80, 100, 125, 100)
    assert rows[2][:3] == ("2026-01", None, 0) and len(rows) == 5


def test_the_export_is_a_constant_number_of_queries(client, manager, plan, django_assert_max_num_queries):
    client.force_login(manager)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("brands:plan_export", args=[plan.pk]))
    for _ in range(10):
        SalesOrderFactory(client=BrandPlanTargetFactory(plan=plan).client, product="HM-XP-01")
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("brands:plan_export", args=[plan.pk]))


def test_the_demo_has_two_brands_with_plans_showing_real_progress_and_a_second_run_adds_nothing(db):
    from django.core.management import call_command

    from grading.brand_progress import plan_progress
    from grading.models import SalesOrder

    def counts():
        return [m.objects.count() for m in (Brand, Product, BrandPlan, BrandPlanTarget, BrandPlanMilestone, SalesOrder)]

    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first
    assert Product.objects.get(code="HM-XP-01").name_zh == "黄山(新品)"
    assert Brand.objects.get(code="HM").name_zh == "黄山" and Brand.objects.filter(code="YX").exists()
    for plan in BrandPlan.objects.all():
        assert plan.targets.exists() and plan.milestones.exists()
        assert not plan.targets.filter(client__owner__team__isnull=True).exists()
        progress = plan_progress(plan)
        assert progress[-1].points > 0 and sum(row.sales for row in progress) > 0
    assert {p.team.name for p in BrandPlan.objects.select_related("team")} == {"销售一组", "销售二组"}


def test_months_not_begun_are_shown_without_actuals_or_colours(client, manager, brand):
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    later = date(this_month.year + 1, this_month.month, 1)
    plan = BrandPlanFactory(brand=brand, created_by=manager, team=manager.team, start_month=this_month, end_month=later)
    BrandPlanMilestoneFactory(plan=plan, month=later, distribution_points=3, sales_amount=Decimal("900"))
    client.force_login(manager)
    response = client.get(plan.get_absolute_url())
    last = response.context["progress"][-1]
    assert last.future and last.points_rate is None
    assert response.context["chart"]["points"][-1] is None and response.context["chart"]["sales"][-1] is None
    table = response.content.decode().split('data-testid="progress-table"')[1].split("</table>")[0]
    assert "text-bg-danger" not in table and "badge" not in table
