"""Repair pages: who sees which order, logging at the desk, steps through the pages, the slip."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from repairs import workflow
from repairs.models import RepairOrder
from tests.factories import RepairOrderFactory, TechnicianFactory, TenancyFactory
from tests.repairs.test_workflow import to_status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("desk", 200),
        ("supervisor", 200),
        ("tech", 200),
        ("other_tech", 404),
        ("finance", 404),
        ("alice", 200),
        ("bob", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("archivist", 403),
    ],
)
def test_who_sees_a_new_order(client, request, new_order, who, status, make_user, other_team, supervisor, tech):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    request.getfixturevalue("manager")
    users = {
        "tech": lambda: tech.user,
        "other_tech": lambda: request.getfixturevalue("other_tech").user,
        "other_manager": lambda: make_user(Role.MANAGER, team=other_team),
        "archivist": lambda: make_user(Role.CLIENT_SERVICES_SUPERVISOR),
    }
    user = users[who]() if who in users else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("repairs:detail", args=[new_order.pk])).status_code == status
    assert client.get(reverse("repairs:slip", args=[new_order.pk])).status_code == status


def test_finance_sees_completed_orders_only(client, finance, new_order, supervisor, tech, fees):
    client.force_login(finance)
    assert client.get(new_order.get_absolute_url()).status_code == 404
    to_status(new_order, RepairOrder.Status.COMPLETED, supervisor, tech, fees)
    assert client.get(new_order.get_absolute_url()).status_code == 200
    assert list(client.get(reverse("repairs:list")).context["page_obj"].object_list) == [new_order]


def test_a_technician_sees_only_their_jobs_and_opens_on_today(client, new_order, supervisor, tech, other_tech):
    other = RepairOrderFactory(unit=new_order.unit)
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    workflow.assign(order=other, technician=other_tech, by=supervisor)
    client.force_login(tech.user)
    response = client.get(reverse("repairs:list"))
    assert list(response.context["page_obj"].object_list) == [new_order]


def test_a_technicians_list_opens_on_the_jobs_due_by_today(client, tenancy, supervisor, tech):
    noon = timezone.make_aware(timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time()))
    noon += timedelta(hours=12)

    def job(appointment_at):
        order = RepairOrderFactory(unit=tenancy.unit, appointment_at=appointment_at)
        return workflow.assign(order=order, technician=tech, by=supervisor)

    today, overdue = job(noon), job(noon - timedelta(days=2))
    later = job(noon + timedelta(days=5))
    moved = workflow.reschedule(order=job(noon), new_time=noon + timedelta(days=5), by=supervisor)
    client.force_login(tech.user)
    opened = client.get(reverse("repairs:list")).context["page_obj"].object_list
    assert list(opened) == [overdue, today], "the jobs due by today, earliest first; not later or moved ones"
    everything = client.get(reverse("repairs:list"), {"status": "open"}).context["page_obj"].object_list
    assert set(everything) == {today, overdue, later, moved}


def test_front_desk_logs_an_order_in_one_form(client, desk, tenancy):
    client.force_login(desk)
    when = (timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("repairs:create"),
        {
            "unit": tenancy.unit.pk,
            "contact_name": "王律师",
            "contact_phone": "010-6512 3456",
            "channel": "walk_in",
            "category": "electrical",
            "urgency": "urgent",
            "description": "No power in room 3",
            "appointment_at": when,
        },
    )
    order = RepairOrder.objects.get()
    assert response["Location"] == order.get_absolute_url()
    assert (order.client, order.created_by, order.channel) == (tenancy.client, desk, "walk_in")


def test_bad_input_is_shown_next_to_the_field_and_kept(client, desk, tenancy):
    client.force_login(desk)
    response = client.post(
        reverse("repairs:create"),
        {
            "unit": "",
            "contact_name": "王律师",
            "contact_phone": "call me",
            "channel": "phone",
            "category": "plumbing",
            "urgency": "normal",
            "description": "Leak",
            "appointment_at": "",
        },
    )
    errors = response.context["form"].errors
    assert set(errors) == {"unit", "contact_phone", "appointment_at"}
    assert "Search for the unit and pick it from the list." in response.content.decode()
    assert 'value="王律师"' in response.content.decode()
    assert not RepairOrder.objects.exists()


def test_unit_search_finds_by_number_building_code_and_tenant(client, desk, tenancy):
    client.force_login(desk)
    for query in ["1203", f"{tenancy.unit.floor.building.code}-1203", "华泰"]:
        body = client.get(reverse("repairs:unit_search"), {"q": query}).content.decode()
        assert f'data-unit="{tenancy.unit.pk}"' in body, query
        assert "华泰律师事务所" in body


def test_only_the_desk_and_supervisor_log_orders(client, tech, finance):
    for user in (tech.user, finance):
        client.force_login(user)
        assert client.get(reverse("repairs:create")).status_code == 403


def post_step(client, order, action: str, data: dict | None = None):
    """POST a workflow step as the order page does: with the version the page showed."""
    version = RepairOrder.objects.filter(pk=order.pk).values_list("version", flat=True).first() or 1
    return client.post(reverse("repairs:step", args=[order.pk, action]), {"version": version, **(data or {})})


def test_steps_through_the_pages_and_refusals(client, new_order, supervisor, tech, fees):
    client.force_login(supervisor)
    response = post_step(client, new_order, "assign", {"technician": tech.pk})
    assert response.status_code == 302
    client.force_login(tech.user)
    post_step(client, new_order, "arrive")
    response = post_step(client, new_order, "consent")
    assert response.status_code == 302  # refused: not quoted yet, with a message
    assert RepairOrder.objects.get(pk=new_order.pk).status == "arrived"
    post_step(
        client,
        new_order,
        "quote",
        {
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-fee_item": fees["labour"].pk,
            "lines-0-quantity": "2",
        },
    )
    post_step(client, new_order, "consent")
    response = post_step(
        client,
        new_order,
        "complete",
        {
            "work_notes": "Fixed",
            "signed_by": "王",
            "signature": "",
            "compensation": "0",
            "lines-TOTAL_FORMS": "0",
            "lines-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "The client must sign on the screen." in response.content.decode()
    assert "Fixed</textarea>" in response.content.decode(), "the notes typed are kept"
    post_step(
        client,
        new_order,
        "complete",
        {
            "work_notes": "Fixed",
            "signed_by": "王",
            "signature": "M 1 1 L 50 50 L 90 20",
            "technician_signature": "M 5 5 L 60 40 L 90 10",
            "compensation": "0",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-fee_item": fees["labour"].pk,
            "lines-0-quantity": "2",
        },
    )
    order = RepairOrder.objects.get(pk=new_order.pk)
    assert (order.status, order.total) == ("completed", 160)


def test_a_technician_cannot_reassign_their_job(client, new_order, supervisor, tech, other_tech):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    client.force_login(tech.user)
    response = post_step(client, new_order, "assign", {"technician": other_tech.pk})
    assert response.status_code == 403
    assert RepairOrder.objects.get(pk=new_order.pk).technician == tech


def test_someone_elses_job_is_404_for_a_technician(client, new_order, tech):
    client.force_login(tech.user)
    assert post_step(client, new_order, "arrive").status_code == 404


def test_unknown_steps_are_404(client, new_order, supervisor):
    client.force_login(supervisor)
    assert post_step(client, new_order, "explode").status_code == 404


def test_slip_prints_three_copies(client, new_order, supervisor, tech, fees):
    order = to_status(new_order, RepairOrder.Status.COMPLETED, supervisor, tech, fees)
    client.force_login(supervisor)
    body = client.get(reverse("repairs:slip", args=[order.pk])).content.decode()
    assert body.count('data-testid="slip-copy"') == 3
    for copy in ("1st copy · client", "2nd copy · engineering archive", "3rd copy · finance (via front desk)"):
        assert copy in body
    assert 'd="M 10 10 L 20 20 L 30 15"' in body


def test_suggestions_put_the_specialist_nearby_first(new_order, tech, other_tech):
    from repairs.services import technician_suggestions

    near = TechnicianFactory(
        user__username="tech-near", specialties=["plumbing"], base_building=new_order.unit.floor.building
    )
    ranked = [s.technician for s in technician_suggestions(new_order)]
    assert ranked == [near, tech, other_tech]


def test_suggestions_prefer_the_less_busy_between_equals(new_order, supervisor, tech):
    from repairs.services import technician_suggestions

    busy = TechnicianFactory(user__username="a-busy", specialties=["plumbing"])
    workflow.assign(order=RepairOrderFactory(unit=new_order.unit), technician=busy, by=supervisor)
    assert [s.technician for s in technician_suggestions(new_order)][:2] == [tech, busy]


@pytest.mark.parametrize("rows", [1, 40])
def test_list_query_count_is_constant(client, desk, rows, django_assert_max_num_queries):
    tenancy = TenancyFactory()
    RepairOrderFactory.create_batch(rows, unit=tenancy.unit, client=tenancy.client)
    client.force_login(desk)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("repairs:list"))
    assert len(response.context["page_obj"].object_list) == min(rows, 25)


def test_home_panels_of_the_repair_roles(client, new_order, supervisor, tech):
    client.force_login(supervisor)
    panel = client.get(reverse("home")).context["panels"][0]
    assert panel["repair_panel"] == "to_assign" and panel["repair_orders"] == [new_order]
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    client.force_login(tech.user)
    response = client.get(reverse("home"))
    panel = response.context["panels"][0]
    assert panel["repair_panel"] == "jobs" and panel["repair_orders"] == [new_order]
    assert "My open jobs" in response.content.decode() and str(new_order.unit) in response.content.decode()


def test_admin_cannot_edit_a_completed_order(client, admin_user, new_order, supervisor, tech, fees):
    order = to_status(new_order, RepairOrder.Status.COMPLETED, supervisor, tech, fees)
    client.force_login(admin_user)
    response = client.get(reverse("admin:repairs_repairorder_change", args=[order.pk]))
    assert response.status_code == 200
    assert 'name="description"' not in response.content.decode()
    assert client.get(reverse("admin:repairs_repairorder_add")).status_code == 403


def test_unit_search_runs_a_constant_number_of_queries(client, desk, django_assert_max_num_queries):
    from tests.factories import ContactFactory, FloorFactory

    floor = FloorFactory(number=7)
    for n in range(8):
        tenancy = TenancyFactory(unit__floor=floor, unit__number=f"70{n}")
        ContactFactory(client=tenancy.client)
    client.force_login(desk)
    with django_assert_max_num_queries(8):
        body = client.get(reverse("repairs:unit_search"), {"q": "70"}).content.decode()
    assert body.count("data-unit=") == 8
