"""The services of brand plans (MKT-4) hold every caller (a view, the demo, a future import) to
the same rules: the plan's team, its months, its targets and milestones; races end in a clear
refusal, never a half-saved plan."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients import brand_plans
from clients.models import Brand, BrandPlan, BrandPlanMilestone, BrandPlanTarget
from crm.roles import Role
from tests.factories import (
    BrandFactory,
    BrandPlanFactory,
    BrandPlanMilestoneFactory,
    BrandPlanTargetFactory,
    ClientFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(manager):
    return BrandPlanFactory(
        created_by=manager, team=manager.team, start_month=date(2026, 11, 1), end_month=date(2027, 2, 1)
    )


def test_months_between_and_month_end_cross_the_year():
    assert brand_plans.months_between(date(2026, 11, 20), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]
    assert brand_plans.months_between(date(2026, 3, 1), date(2026, 2, 1)) == []
    assert brand_plans.month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert brand_plans.month_end(date(2028, 2, 1)) == date(2028, 2, 29)


def test_a_plan_is_kept_in_first_days_of_months(manager):
    plan = brand_plans.brand_plan_create(
        brand=BrandFactory(),
        by=manager,
        name=" 培育 ",
        team=manager.team,
        start_month=date(2026, 3, 17),
        end_month=date(2026, 5, 31),
    )
    assert (plan.name, plan.start_month, plan.end_month) == ("培育", date(2026, 3, 1), date(2026, 5, 1))


def test_a_manager_plans_only_for_their_own_team(manager, other_team):
    with pytest.raises(ValidationError) as error:
        brand_plans.brand_plan_create(
            brand=BrandFactory(),
            by=manager,
            name="X",
            team=other_team,
            start_month=date(2026, 1, 1),
            end_month=date(2026, 2, 1),
        )
    assert error.value.message_dict == {"team": ["You can plan only for your own team."]}
    assert not BrandPlan.objects.exists()


def test_an_update_names_only_editable_fields(plan, manager):
    with pytest.raises(ValueError, match="brand"):
        brand_plans.brand_plan_update(plan=plan, by=manager, brand=BrandFactory())


def test_an_admin_moves_a_plan_to_another_team_and_the_history_keeps_both(plan, admin_user, other_team):
    brand_plans.brand_plan_update(plan=plan, by=admin_user, team=other_team, name="West plan")
    plan.refresh_from_db()
    assert (plan.team, plan.name) == (other_team, "West plan")
    assert plan.history.first().history_user == admin_user


def test_brand_and_product_codes_are_kept_upper_case_and_audited(manager):
    brand = brand_plans.brand_save(brand=Brand(code=" hm ", name_zh="黄山"), by=manager)
    assert brand.code == "HM" and brand.history.get().history_user == manager
    with pytest.raises(ValidationError) as error:
        brand_plans.brand_save(brand=Brand(code="Hm", name_zh="重复"), by=manager)
    assert "code" in error.value.message_dict
    assert Brand.objects.count() == 1


def test_an_admins_segment_adds_only_the_plan_teams_clients(plan, admin_user, alice, charlie):
    ClientFactory(owner=alice, kind="retail")
    ClientFactory(owner=charlie, kind="retail")  # another team's, visible to the administrator
    assert brand_plans.brand_plan_targets_freeze(plan=plan, by=admin_user, params={"kind": "retail"}) == 1
    assert list(plan.targets.values_list("client__owner", flat=True)) == [alice.pk]


def test_a_segment_of_only_other_teams_clients_is_refused(plan, admin_user, charlie):
    ClientFactory(owner=charlie, kind="retail")
    with pytest.raises(ValidationError, match="No client matches"):
        brand_plans.brand_plan_targets_freeze(plan=plan, by=admin_user, params={"kind": "retail"})


def test_invalid_filter_values_are_refused(plan, manager):
    with pytest.raises(ValidationError, match="not valid"):
        brand_plans.brand_plan_targets_freeze(plan=plan, by=manager, params={"kind": "nonsense"})
    assert not plan.targets.exists()


def test_a_segment_beyond_the_target_limit_is_refused_whole(plan, manager, alice, monkeypatch):
    monkeypatch.setattr(brand_plans, "MAX_TARGETS", 2)
    for _ in range(3):
        ClientFactory(owner=alice, kind="retail")
    with pytest.raises(ValidationError, match="at most 2 clients"):
        brand_plans.brand_plan_targets_freeze(plan=plan, by=manager, params={"kind": "retail"})
    assert not plan.targets.exists()
    plan.refresh_from_db()
    assert plan.segment == {}


def test_a_freeze_that_loses_a_race_is_told_and_leaves_nothing_half_added(plan, manager, alice, monkeypatch):
    ClientFactory(owner=alice, kind="retail")
    second = ClientFactory(owner=alice, kind="retail")
    real = brand_plans.bulk_create_with_history

    def racing(rows, model, **kwargs):
        # another planner adds the second client between our read and our insert
        BrandPlanTarget.objects.create(plan=plan, client=second, added_by=manager)
        return real(rows, model, **kwargs)

    monkeypatch.setattr(brand_plans, "bulk_create_with_history", racing)
    with pytest.raises(ValidationError, match="at the same time"):
        brand_plans.brand_plan_targets_freeze(plan=plan, by=manager, params={"kind": "retail"})
    assert not plan.targets.exists()  # the whole freeze rolled back, the other insert with it here
    assert not BrandPlanTarget.history.exists()
    plan.refresh_from_db()
    assert plan.segment == {}


def test_single_targets_must_be_addressable_clients_of_the_plans_team(plan, admin_user, alice, charlie):
    ClientFactory(owner=alice, code="OPT", contact_opt_out_at=timezone.now())
    ClientFactory(owner=alice, code="GONE", status="moved_out")
    ClientFactory(owner=charlie, code="WEST")
    for code, message in [
        ("OPT", "asked not to be contacted"),
        ("GONE", "moved out"),
        ("WEST", "not a client of the plan's team"),
        ("NONE", "None of your clients has this code."),
    ]:
        with pytest.raises(ValidationError, match=message):
            brand_plans.brand_plan_target_add(plan=plan, by=admin_user, code=code)
    assert not plan.targets.exists()


def test_a_target_added_by_someone_else_meanwhile_is_told_not_a_500(plan, manager, alice, monkeypatch):
    target_client = ClientFactory(owner=alice, code="HX1")
    real = brand_plans._save

    def racing(record, by):
        if isinstance(record, BrandPlanTarget):
            BrandPlanTargetFactory(plan=plan, client=target_client)
            record.full_clean = lambda: None  # its check ran before the other insert
        return real(record, by)

    monkeypatch.setattr(brand_plans, "_save", racing)
    with pytest.raises(ValidationError) as error:
        brand_plans.brand_plan_target_add(plan=plan, by=manager, code="HX1")
    assert error.value.message_dict == {"code": ["This client is a target of the plan already."]}


def test_a_milestone_saved_by_someone_else_meanwhile_is_told_not_a_500(plan, manager, monkeypatch):
    real = brand_plans._save

    def racing(record, by):
        BrandPlanMilestoneFactory(plan=plan, month=record.month)
        record.full_clean = lambda: None
        return real(record, by)

    monkeypatch.setattr(brand_plans, "_save", racing)
    with pytest.raises(ValidationError) as error:
        brand_plans.milestone_save(
            plan=plan, by=manager, month=date(2026, 12, 1), distribution_points=1, sales_amount=Decimal(1)
        )
    assert error.value.message_dict == {"month": ["This month has a milestone already: change that one."]}


def test_milestone_months_are_first_days_within_the_plan(plan, manager):
    milestone = brand_plans.milestone_save(
        plan=plan, by=manager, month=date(2027, 2, 28), distribution_points=0, sales_amount=Decimal("0")
    )
    assert milestone.month == date(2027, 2, 1)
    assert milestone.history.get().history_user == manager
    with pytest.raises(ValidationError, match="2026-11 to 2027-02"):
        brand_plans.milestone_save(
            plan=plan, by=manager, month=date(2027, 3, 1), distribution_points=0, sales_amount=Decimal("0")
        )


def test_the_plan_gate_by_role(plan, manager, alice, charlie, admin_user, make_user):
    readers = {
        "manager": manager,
        "alice": alice,
        "charlie": charlie,
        "admin": admin_user,
        "finance": make_user(Role.FINANCE, username="cash", team=manager.team),
        "teamless": make_user(Role.MANAGER, username="nobody"),
    }
    sees = {name: BrandPlan.objects.visible_to(user).filter(pk=plan.pk).exists() for name, user in readers.items()}
    assert sees == {
        "manager": True,
        "alice": True,
        "charlie": False,
        "admin": True,
        "finance": False,
        "teamless": False,
    }
    milestone = BrandPlanMilestoneFactory(plan=plan)
    assert list(BrandPlanMilestone.objects.visible_to(alice)) == [milestone]
    assert not BrandPlanMilestone.objects.visible_to(charlie).exists()


def test_target_rows_follow_the_client_gate(plan, manager, alice, bob, charlie):
    mine = BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice))
    BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=bob))
    assert list(BrandPlanTarget.objects.visible_to(alice)) == [mine]
    assert BrandPlanTarget.objects.visible_to(manager).count() == 2
    assert not BrandPlanTarget.objects.visible_to(charlie).exists()
