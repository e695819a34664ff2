"""The plan's life: adjust, submit, approve or return; log visits from the plan (VIS-1, VIS-4)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, Interaction
from crm.roles import Role
from tests.concurrency import RACERS, post_race, succeeded
from tests.factories import ClientFactory
from visits import services
from visits.calendar import month_start, next_month, next_working_day
from visits.models import CalendarDay, MarketInfo, MonthPlan, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(alice, today):
    return MonthPlan.objects.create(owner=alice, month=month_start(today))


@pytest.fixture
def client_a(alice):
    return ClientFactory(owner=alice, level="A", name="华联超市")


def planned(plan, client, day, kind=Visit.Kind.ONSITE, **extra):
    return Visit.objects.create(
        plan=plan, owner=plan.owner, client=client, kind=kind, planned_for=day, territory=client.territory, **extra
    )


def working_day_from(day):
    return next_working_day(day)


def test_submit_approve_sets_the_days_compliance_is_measured_by(plan, client_a, alice, manager, today):
    visit = planned(plan, client_a, working_day_from(today))
    services.plan_submit(plan=plan, by=alice)
    assert plan.status == MonthPlan.Status.SUBMITTED and plan.submitted_at
    services.plan_approve(plan=plan, by=manager, note="好")
    visit.refresh_from_db()
    assert plan.status == MonthPlan.Status.APPROVED and plan.decided_by == manager
    assert visit.original_date == visit.planned_for


def test_return_needs_a_comment_and_the_owner_resubmits(plan, client_a, alice, manager, today):
    planned(plan, client_a, working_day_from(today))
    services.plan_submit(plan=plan, by=alice)
    with pytest.raises(ValidationError) as error:
        services.plan_return(plan=plan, by=manager, note=" ")
    assert "note" in error.value.message_dict
    services.plan_return(plan=plan, by=manager, note="A 级客户太少")
    assert plan.status == MonthPlan.Status.RETURNED and plan.editable
    services.plan_submit(plan=plan, by=alice)
    assert plan.status == MonthPlan.Status.SUBMITTED


def test_only_the_teams_manager_decides_and_only_the_owner_submits(
    plan, client_a, alice, bob, make_user, other_team, today
):
    planned(plan, client_a, working_day_from(today))
    with pytest.raises(ValidationError):
        services.plan_submit(plan=plan, by=bob)
    services.plan_submit(plan=plan, by=alice)
    outsider = make_user(Role.MANAGER, team=other_team)
    with pytest.raises(ValidationError):
        services.plan_approve(plan=plan, by=outsider)
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.SUBMITTED


def test_an_empty_plan_cannot_be_submitted(plan, alice):
    with pytest.raises(ValidationError):
        services.plan_submit(plan=plan, by=alice)
    assert MonthPlan.objects.get(pk=plan.pk).status == MonthPlan.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_approving_twice_at_once_one_wins(alice, manager):
    today = timezone.localdate()
    plan = MonthPlan.objects.create(owner=alice, month=month_start(today))
    planned(plan, ClientFactory(owner=alice), next_working_day(today))
    services.plan_submit(plan=plan, by=alice)
    url = reverse("visits:plan_decide", args=[plan.pk])
    responses = post_race([(manager, url, {"decision": "approve"})] * RACERS)
    assert sum(succeeded(r) for r in responses) == 1
    assert MonthPlan.objects.get(pk=plan.pk).version == 2  # submitted once, approved once


def test_moving_needs_a_working_day_of_the_month_and_a_reason_once_approved(alice, client_a, manager, today):
    plan = MonthPlan.objects.create(owner=alice, month=next_month(today))
    first = next_working_day(plan.month)
    second = next_working_day(first + timedelta(days=1))
    visit = planned(plan, client_a, first)
    with pytest.raises(ValidationError) as past:
        services.visit_move(visit=visit, day=today - timedelta(days=1), by=alice)
    assert "day" in past.value.message_dict
    with pytest.raises(ValidationError) as other_month:
        services.visit_move(visit=visit, day=plan.month + timedelta(days=40), by=alice)
    assert "day" in other_month.value.message_dict
    CalendarDay.objects.create(date=second, name="假日")
    with pytest.raises(ValidationError) as holiday:
        services.visit_move(visit=visit, day=second, by=alice)
    assert "not a working day" in holiday.value.message_dict["day"][0]
    services.visit_move(visit=visit, day=first, by=alice)  # a draft moves without a reason
    services.plan_submit(plan=plan, by=alice)
    with pytest.raises(ValidationError):  # waiting for the manager: frozen
        services.visit_move(visit=visit, day=first, by=alice, reason="x")
    services.plan_approve(plan=plan, by=manager)
    visit.refresh_from_db()
    with pytest.raises(ValidationError) as reasonless:
        services.visit_move(visit=visit, day=first, by=alice)
    assert "reason" in reasonless.value.message_dict
    services.visit_move(visit=visit, day=first, by=alice, reason="客户出差")
    assert visit.note == "客户出差" and visit.version == 2


def test_removing_keeps_the_reason(plan, client_a, alice, today):
    visit = planned(plan, client_a, working_day_from(today))
    with pytest.raises(ValidationError):
        services.visit_remove(visit=visit, by=alice, reason="")
    services.visit_remove(visit=visit, by=alice, reason="客户已停业")
    assert visit.status == Visit.Status.CANCELLED and visit.note == "客户已停业"
    with pytest.raises(ValidationError):  # stale: removed already
        services.visit_remove(visit=visit, by=alice, reason="again")


def test_adding_a_visit_of_someone_elses_client_is_refused(plan, alice, bob, today):
    with pytest.raises(ValidationError) as error:
        services.visit_add(
            plan=plan, client=ClientFactory(owner=bob), kind="onsite", day=working_day_from(today), by=alice
        )
    assert "client" in error.value.message_dict


def test_logging_an_onsite_visit_books_the_next_one(plan, client_a, alice, today):
    visit = planned(plan, client_a, today)
    with pytest.raises(ValidationError) as unbooked:
        services.visit_log(client=client_a, by=alice, kind="onsite", outcome="谈了新品", visit=visit)
    assert "next_contact_date" in unbooked.value.message_dict
    with pytest.raises(ValidationError) as past:
        services.visit_log(
            client=client_a, by=alice, kind="onsite", outcome="谈了新品", visit=visit, next_contact_date=today
        )
    assert "next_contact_date" in past.value.message_dict
    nothing_saved = Interaction.objects.filter(client=client_a).count()
    assert nothing_saved == 0
    booked = today + timedelta(days=14)
    services.visit_log(
        client=client_a,
        by=alice,
        kind="onsite",
        outcome="谈了新品",
        visit=visit,
        next_contact_date=booked,
        next_step="送样品",
        market={"product": "红塔山", "price_seen": 12, "competitor_activity": "对手买赠"},
    )
    visit.refresh_from_db()
    client_a.refresh_from_db()
    assert visit.status == Visit.Status.DONE and visit.done_on == today and visit.interaction.kind == "visit"
    assert client_a.next_contact_date == booked and client_a.next_step == "送样品"
    info = MarketInfo.objects.get(visit=visit)
    assert info.product == "红塔山" and info.competitor_activity == "对手买赠" and info.recorded_by == alice
    if month_start(booked) == plan.month:
        assert Visit.objects.filter(client=client_a, planned_for=booked, source=Visit.Source.BOOKED).exists()


def test_logging_without_a_plan_item_is_unplanned_or_fulfils_the_due_one(plan, client_a, alice, today):
    other = ClientFactory(owner=alice)
    services.visit_log(client=other, by=alice, kind="phone", outcome="问候")
    unplanned = Visit.objects.get(client=other)
    assert unplanned.source == Visit.Source.UNPLANNED and unplanned.status == Visit.Status.DONE
    assert unplanned.plan == plan
    due = planned(plan, client_a, today, kind=Visit.Kind.PHONE)
    services.visit_log(client=client_a, by=alice, kind="phone", outcome="电话回访")
    due.refresh_from_db()
    assert due.status == Visit.Status.DONE
    assert not Visit.objects.filter(client=client_a, source=Visit.Source.UNPLANNED).exists()


def test_an_overdue_visit_logged_late_needs_the_reason(plan, client_a, alice, today):
    visit = planned(plan, client_a, today, kind=Visit.Kind.PHONE)
    Visit.objects.filter(pk=visit.pk).update(planned_for=today - timedelta(days=3))
    visit.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.visit_log(client=client_a, by=alice, kind="phone", outcome="补打", visit=visit)
    assert "late_reason" in error.value.message_dict
    services.visit_log(client=client_a, by=alice, kind="phone", outcome="补打", visit=visit, late_reason="客户不在")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE and visit.note == "客户不在"


def test_a_later_call_without_a_date_keeps_the_booking(plan, client_a, alice, today):
    booked = today + timedelta(days=10)
    Client.objects.filter(pk=client_a.pk).update(next_contact_date=booked, next_step="回访")
    client_a.refresh_from_db()
    services.visit_log(client=client_a, by=alice, kind="phone", outcome="电话问候")
    client_a.refresh_from_db()
    assert client_a.next_contact_date == booked and client_a.next_step == "回访"


# --- pages ----------------------------------------------------------------------------------


def test_today_page_lists_overdue_and_todays_items(client, alice, plan, client_a, today, django_assert_max_num_queries):
    planned(plan, client_a, today)
    for n in range(5):
        old = planned(plan, ClientFactory(owner=alice, name=f"逾期客户{n}"), today)
        Visit.objects.filter(pk=old.pk).update(planned_for=today - timedelta(days=n + 1))
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("visits:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "华联超市" in html and "逾期客户4" in html
    assert html.count('data-testid="visit-item"') == 6


def test_today_page_query_count_does_not_grow(client, alice, plan, today, django_assert_max_num_queries):
    for _n in range(30):
        planned(plan, ClientFactory(owner=alice), today)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("visits:home")).status_code == 200


def test_a_long_day_is_shown_a_page_at_a_time(client, alice, plan, today, django_assert_max_num_queries):
    """Items still to do today, by client name: the count is the day's, the list a page of it."""
    for n in range(60):
        planned(plan, ClientFactory(owner=alice, name=f"客户{n:02d}"), today)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("visits:home"))
    html = first.content.decode()
    assert html.count('data-testid="visit-item"') == 25
    assert first.context["page_obj"].paginator.count == 60
    assert "客户00" in html and "客户24" in html and "客户25" not in html
    last = client.get(reverse("visits:home"), {"view": "today", "page": 3}).content.decode()
    assert last.count('data-testid="visit-item"') == 10
    assert "客户50" in last and "客户59" in last
    more = client.get(reverse("visits:home"), {"view": "today", "per_page": 100}).content.decode()
    assert more.count('data-testid="visit-item"') == 60


def test_teammate_and_outsiders_get_404_on_someone_elses_visit(client, bob, charlie, manager, plan, client_a, today):
    visit = planned(plan, client_a, today)
    for user in (bob, charlie):
        client.force_login(user)
        assert client.get(reverse("visits:log", args=[visit.pk])).status_code == 404
        assert client.get(reverse("visits:plan", args=[plan.pk])).status_code == 404
        assert client.get(reverse("visits:log_unplanned", args=[client_a.pk])).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("visits:plan", args=[plan.pk])).status_code == 200
    assert client.get(reverse("visits:log", args=[visit.pk])).status_code == 403  # managers do not log


def test_log_page_prefills_the_cadences_date_and_saves_in_one_post(client, alice, plan, client_a, today):
    visit = planned(plan, client_a, today)
    client.force_login(alice)
    page = client.get(reverse("visits:log", args=[visit.pk]))
    suggested = page.context["form"].initial["next_contact_date"]
    # A: two on-site visits a month, every 15.21 days → 15 days on, on a working day.
    assert suggested == next_working_day(today + timedelta(days=15))
    response = client.post(
        reverse("visits:log", args=[visit.pk]),
        {
            "kind": "onsite",
            "outcome": "下了订单",
            "next_contact_date": suggested.isoformat(),
            "occurred_on": today.isoformat(),
            "next": "/visits/",
        },
    )
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.status == Visit.Status.DONE
    client_a.refresh_from_db()
    assert client_a.next_contact_date == suggested


def test_log_page_shows_the_error_next_to_the_field_and_saves_nothing(client, alice, plan, client_a, today):
    visit = planned(plan, client_a, today)
    client.force_login(alice)
    response = client.post(
        reverse("visits:log", args=[visit.pk]),
        {
            "kind": "onsite",
            "outcome": "x",
            "next_contact_date": (today - timedelta(days=1)).isoformat(),
            "occurred_on": today.isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["next_contact_date"]
    assert not Interaction.objects.exists()
    assert Visit.objects.get(pk=visit.pk).status == Visit.Status.PLANNED


def test_manager_opens_a_month_and_approves(client, alice, manager, client_a, today):
    client.force_login(manager)
    month = month_start(today + timedelta(days=32))
    response = client.post(reverse("visits:open_month"), {"month": f"{month:%Y-%m}", "team": manager.team_id})
    assert response.status_code == 302
    plan = MonthPlan.objects.get(owner=alice, month=month)
    assert plan.visits.filter(client=client_a).exists()
    again = client.post(reverse("visits:open_month"), {"month": f"{month:%Y-%m}", "team": manager.team_id}, follow=True)
    assert "already had a plan" in again.content.decode()
    past = client.post(reverse("visits:open_month"), {"month": "2020-01", "team": manager.team_id})
    assert past.status_code == 200 and past.context["form"].errors["month"]


def test_manager_returns_a_plan_from_its_page(client, alice, manager, plan, client_a, today):
    planned(plan, client_a, next_working_day(today))
    services.plan_submit(plan=plan, by=alice)
    client.force_login(manager)
    page = client.get(reverse("visits:plan", args=[plan.pk]))
    assert page.context["can_decide"]
    client.post(reverse("visits:plan_decide", args=[plan.pk]), {"decision": "return", "note": "补充 B 级客户"})
    plan.refresh_from_db()
    assert plan.status == MonthPlan.Status.RETURNED and plan.decision_note == "补充 B 级客户"


def test_plan_list_is_scoped_and_constant_in_queries(
    client, alice, bob, charlie, manager, today, django_assert_max_num_queries
):
    for user in (alice, bob, charlie):
        MonthPlan.objects.create(owner=user, month=month_start(today))
    client.force_login(manager)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("visits:plans"))
    owners = {p.owner for p in response.context["page_obj"].object_list}
    assert owners == {alice, bob}
    client.force_login(alice)
    owners = {p.owner for p in client.get(reverse("visits:plans")).context["page_obj"].object_list}
    assert owners == {alice}


def test_policy_page_saves_a_new_row(client, manager, alice):
    from visits.models import VisitPolicy

    client.force_login(alice)
    assert client.get(reverse("visits:policy")).status_code == 403
    client.force_login(manager)
    first = VisitPolicy.current()
    data = {name: getattr(first, name) for name in VisitPolicy.SETTINGS}
    data["rotation_days"] = 60
    assert client.post(reverse("visits:policy"), data).status_code == 302
    assert VisitPolicy.current().rotation_days == 60 and VisitPolicy.objects.count() == 2
    data["rotation_days"] = 1
    bad = client.post(reverse("visits:policy"), data)
    assert bad.status_code == 200 and bad.context["form"].errors["rotation_days"]
    assert VisitPolicy.objects.count() == 2


def test_navbar_shows_visits_to_client_roles(client, alice, make_user):
    client.force_login(alice)
    assert reverse("visits:home") in client.get("/").content.decode()
    client.force_login(make_user(Role.FRONT_DESK))
    assert reverse("visits:home") not in client.get("/").content.decode()


def test_a_call_logged_on_the_client_page_fulfils_the_plan(plan, client_a, alice, today):
    from clients.services import interaction_log

    due = planned(plan, client_a, today, kind=Visit.Kind.PHONE)
    interaction_log(client=client_a, kind="call", outcome="电话回访", by=alice)
    due.refresh_from_db()
    assert due.status == Visit.Status.DONE and due.done_on == today and due.interaction.outcome == "电话回访"
    interaction_log(
        client=client_a, kind="visit", outcome="顺路拜访", by=alice, next_contact_date=today + timedelta(days=9)
    )
    unplanned = Visit.objects.get(client=client_a, source=Visit.Source.UNPLANNED)
    assert unplanned.kind == Visit.Kind.ONSITE and unplanned.plan == plan
    interaction_log(client=client_a, kind="message", outcome="微信问候", by=alice)
    assert Visit.objects.filter(client=client_a).count() == 2  # a message is no visit


def test_cancelling_the_booking_on_the_card_cancels_its_visit(client, alice, bob, plan, client_a, today):
    booked_day = today + timedelta(days=3)
    Client.objects.filter(pk=client_a.pk).update(next_contact_date=booked_day, next_step="送样")
    booked = planned(plan, client_a, booked_day, source=Visit.Source.BOOKED)
    url = reverse("clients:followup_cancel", args=[client_a.pk])
    client.force_login(bob)
    assert client.post(url, {"due": booked_day.isoformat(), "reason": "x"}).status_code == 404
    client.force_login(alice)
    client.post(url, {"due": booked_day.isoformat(), "reason": ""})
    client_a.refresh_from_db()
    assert client_a.next_contact_date == booked_day  # no reason: nothing changes
    client.post(url, {"due": booked_day.isoformat(), "reason": "客户改为电话沟通"})
    client_a.refresh_from_db()
    booked.refresh_from_db()
    assert client_a.next_contact_date is None and client_a.next_step == ""
    assert booked.status == Visit.Status.CANCELLED
    assert client_a.history.filter(history_change_reason__contains="客户改为电话沟通").exists()
    stale = client.post(url, {"due": booked_day.isoformat(), "reason": "again"}, follow=True)
    assert "changed meanwhile" in stale.content.decode()


def test_an_administrator_opens_the_month_for_every_team_a_manager_only_for_theirs(
    client, alice, charlie, manager, admin_user, today
):
    ClientFactory(owner=alice, level="B")
    ClientFactory(owner=charlie, level="B")
    month = next_month(today)
    client.force_login(manager)
    refused = client.post(reverse("visits:open_month"), {"month": f"{month:%Y-%m}", "team": ""})
    assert refused.status_code == 200 and refused.context["form"].errors["team"]
    assert not MonthPlan.objects.exists()
    other = client.post(reverse("visits:open_month"), {"month": f"{month:%Y-%m}", "team": charlie.team_id})
    assert other.status_code == 200 and other.context["form"].errors["team"]
    client.force_login(admin_user)
    client.post(reverse("visits:open_month"), {"month": f"{month:%Y-%m}", "team": ""})
    assert set(MonthPlan.objects.filter(month=month).values_list("owner__username", flat=True)) == {"alice", "charlie"}
    assert Visit.objects.filter(plan__month=month, client__owner=charlie).exists()


def test_a_client_given_to_another_account_manager_takes_its_visits_to_do(alice, bob, manager, client_a, today):
    from clients import services as client_services
    from tests.clients.test_service_rules import no_contact_changes

    mine = MonthPlan.objects.create(owner=alice, month=month_start(today))
    bobs = MonthPlan.objects.create(owner=bob, month=month_start(today))
    to_do = planned(mine, client_a, today)
    done = planned(mine, client_a, today, kind=Visit.Kind.PHONE)
    Visit.objects.filter(pk=done.pk).update(status=Visit.Status.DONE, done_on=today)
    card = Client.objects.get(pk=client_a.pk)
    card.owner = bob
    client_services.client_save_card(
        client=card, contacts=no_contact_changes(card), key_account=None, by=manager, fields=["owner"]
    )
    to_do.refresh_from_db()
    done.refresh_from_db()
    assert (to_do.owner, to_do.plan) == (bob, bobs)  # bob can log it now
    assert (done.owner, done.plan) == (alice, mine)  # counted where it was done


def test_a_client_given_away_in_the_admin_takes_its_visits_to_do(alice, bob, client_a, today):
    """The admin's change form saves the client as read, with the new owner (ModelAdmin.save_model)."""
    mine = MonthPlan.objects.create(owner=alice, month=month_start(today))
    bobs = MonthPlan.objects.create(owner=bob, month=month_start(today))
    to_do = planned(mine, client_a, today)
    read = Client.objects.get(pk=client_a.pk)
    read.owner = bob
    read.save()
    to_do.refresh_from_db()
    assert (to_do.owner, to_do.plan) == (bob, bobs)


def test_a_client_given_away_by_an_import_takes_its_visits_to_do(
    client, alice, bob, manager, client_a, today, tmp_path, settings
):
    from tests.imports import confirm, csv_bytes, last_job, upload

    settings.MEDIA_ROOT = tmp_path
    mine = MonthPlan.objects.create(owner=alice, month=month_start(today))
    bobs = MonthPlan.objects.create(owner=bob, month=month_start(today))
    to_do = planned(mine, client_a, today)
    client.force_login(manager)
    upload(client, csv_bytes(f"{client_a.code},{client_a.name},corporate,active,online,bob,,,,,,,0,,"))
    confirm(client, last_job())
    assert last_job().status == "saved", last_job().errors
    to_do.refresh_from_db()
    assert (to_do.owner, to_do.plan) == (bob, bobs)


def test_saving_a_client_read_without_its_owner_moves_nothing(alice, client_a, today):
    mine = MonthPlan.objects.create(owner=alice, month=month_start(today))
    to_do = planned(mine, client_a, today)
    partial = Client.objects.only("pk", "code", "name").get(pk=client_a.pk)
    partial.name = "华联超市（新址）"
    partial.save(update_fields=["name"])
    to_do.refresh_from_db()
    assert (to_do.owner, to_do.plan) == (alice, mine)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/clients/"])
def test_after_logging_the_page_goes_back_on_site_only(client, alice, plan, client_a, today, target):
    visit = planned(plan, client_a, today, kind=Visit.Kind.PHONE)
    client.force_login(alice)
    response = client.post(
        reverse("visits:log", args=[visit.pk]),
        {"kind": "phone", "outcome": "回访", "occurred_on": today.isoformat(), "next": target},
    )
    assert response["Location"] == (target if target == "/clients/" else reverse("visits:home"))
