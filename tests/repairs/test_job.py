"""A technician's job (REP-4, REP-5, handbook 3.5): today's jobs first, the usual fee lines,
furniture consent before the work, both signatures kept append-only, every error at once."""

import importlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from repairs import workflow
from repairs.home import LIMIT
from repairs.models import FeeItem, RepairOrder, RepairSignature, SignatureChangeError
from repairs.selectors import usual_lines
from repairs.workflow import LineInput
from tests.factories import FeeItemFactory, RepairOrderFactory
from tests.repairs.test_views import post_step
from tests.repairs.test_workflow import to_status

S = RepairOrder.Status
CLIENT_SIGNATURE = "M 10 10 L 200 80 L 300 20"
TECH_SIGNATURE = "M 40 150 L 120 40 L 260 160"


def complete(order, tech, *, signed_by="王律师", signature=CLIENT_SIGNATURE):
    return workflow.complete(
        order=order,
        by=tech.user,
        work_notes="Replaced the washer",
        signature=signature,
        signed_by=signed_by,
        technician_signature=TECH_SIGNATURE,
    )


# --- furniture consent ------------------------------------------------------------------------


def test_consent_records_who_agreed_to_move_the_furniture(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.QUOTED, supervisor, tech, fees)
    order = workflow.consent(order=order, by=tech.user, furniture_moved=True, furniture_consent_by=" 王律师 ")
    order.refresh_from_db()
    assert order.furniture_moved and order.furniture_consent_by == "王律师"
    assert order.furniture_consent_at is not None and order.furniture_consent_at <= timezone.now()
    assert "王律师" in order.events.get(action="consent").note


def test_moving_furniture_without_a_name_is_refused(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.QUOTED, supervisor, tech, fees)
    with pytest.raises(ValidationError) as refused:
        workflow.consent(order=order, by=tech.user, furniture_moved=True, furniture_consent_by="  ")
    assert "furniture_consent_by" in refused.value.message_dict
    assert RepairOrder.objects.get(pk=order.pk).status == S.QUOTED


def test_no_furniture_moved_records_no_consent(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    order.refresh_from_db()
    assert not order.furniture_moved and order.furniture_consent_by == "" and order.furniture_consent_at is None


def test_the_database_refuses_furniture_moved_without_consent(new_order):
    with pytest.raises(IntegrityError), transaction.atomic():
        RepairOrder.objects.filter(pk=new_order.pk).update(furniture_moved=True)


def test_the_consent_page_records_the_furniture_tick_and_the_slip_shows_it(client, new_order, supervisor, tech, fees):
    order = to_status(new_order, S.QUOTED, supervisor, tech, fees)
    client.force_login(tech.user)
    page = client.get(order.get_absolute_url()).content.decode()
    assert 'name="furniture_moved"' in page and 'value="王律师"' in page, "the contact is proposed as who agreed"
    response = post_step(client, order, "consent", {"furniture_moved": "on", "furniture_consent_by": "李经理"})
    assert response.status_code == 302
    order = complete(RepairOrder.objects.get(pk=order.pk), tech)
    slip = client.get(reverse("repairs:slip", args=[order.pk])).content.decode()
    assert slip.count("agreed by 李经理") == 3


def test_the_consent_page_shows_the_missing_name_next_to_the_field(client, new_order, supervisor, tech, fees):
    order = to_status(new_order, S.QUOTED, supervisor, tech, fees)
    client.force_login(tech.user)
    response = post_step(client, order, "consent", {"furniture_moved": "on", "furniture_consent_by": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Write the name of the person who agreed to move the furniture." in body
    assert 'id="id_furniture_moved" checked' in body, "the tick is kept"
    assert RepairOrder.objects.get(pk=order.pk).status == S.QUOTED


# --- signatures, append-only ------------------------------------------------------------------


def test_completion_keeps_the_clients_and_the_technicians_signatures(new_order, supervisor, tech, fees):
    order = complete(to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees), tech)
    rows = list(order.signatures.order_by("signer"))
    assert [(row.signer, row.path) for row in rows] == [("client", CLIENT_SIGNATURE), ("technician", TECH_SIGNATURE)]
    event = order.events.get(action="complete")
    assert all(row.event == event and row.recorded_by == tech.user and row.signed_at == event.at for row in rows)
    assert rows[0].signer_name == "王律师" and rows[1].signer_name == (tech.user.get_full_name() or "tech-a")


def test_a_re_sign_after_a_reopen_adds_rows_and_keeps_the_first(new_order, supervisor, tech, fees):
    order = complete(to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees), tech)
    first = list(order.signatures.values_list("pk", "signer", "signer_name", "path"))
    order = workflow.reopen(order=order, by=supervisor, note="Leaks again")
    order = workflow.arrive(order=order, by=tech.user)
    order = workflow.quote(order=order, lines=[LineInput(fees["labour"], Decimal("1"))], by=tech.user)
    order = workflow.consent(order=order, by=tech.user)
    order = complete(order, tech, signed_by="王太太", signature="M 5 5 L 50 50 L 100 5")
    all_rows = list(order.signatures.values_list("pk", "signer", "signer_name", "path"))
    assert len(all_rows) == 4 and all_rows[:2] == first
    latest = order.signatures.latest_by_signer()
    assert latest["client"].signer_name == "王太太" and latest["technician"].path == TECH_SIGNATURE


def test_a_signature_is_never_changed_or_deleted(new_order, supervisor, tech, fees):
    order = complete(to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees), tech)
    signature = order.signatures.first()
    signature.path = "M 0 0 L 1 1 L 2 2"
    with pytest.raises(SignatureChangeError):
        signature.save()
    with pytest.raises(SignatureChangeError):
        signature.delete()
    with pytest.raises(SignatureChangeError):
        RepairSignature.objects.filter(pk=signature.pk).update(path="M 0 0 L 9 9")
    with pytest.raises(SignatureChangeError):
        RepairSignature.objects.filter(pk=signature.pk).delete()
    with pytest.raises(SignatureChangeError), transaction.atomic():
        RepairSignature.objects.bulk_update([signature], ["path"])
    assert RepairSignature.objects.get(pk=signature.pk).path == CLIENT_SIGNATURE


def test_the_admin_shows_signatures_but_cannot_add_change_or_delete_them(admin_user, new_order, supervisor, tech, fees):
    order = complete(to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees), tech)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = site._registry[RepairSignature]
    signature = order.signatures.first()
    assert model_admin.has_view_permission(request, signature)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, signature)
    assert not model_admin.has_delete_permission(request, signature)


def test_the_order_page_lists_every_signature_given(client, new_order, supervisor, tech, fees):
    order = complete(to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees), tech)
    client.force_login(supervisor)
    body = client.get(order.get_absolute_url()).content.decode()
    assert f'd="{CLIENT_SIGNATURE}"' in body and f'd="{TECH_SIGNATURE}"' in body


def test_the_migration_keeps_signatures_given_before_it(new_order, supervisor, tech, fees):
    from django.apps import apps

    order = to_status(new_order, S.COMPLETED, supervisor, tech, fees)
    with connection.cursor() as cursor:  # as before the migration: the signature on the order only
        cursor.execute("DELETE FROM repairs_repairsignature")
    migration = importlib.import_module("repairs.migrations.0009_slip_signatures_usual_lines")
    migration.keep_given_signatures(apps, None)
    kept = RepairSignature.objects.get(order=order)
    assert (kept.signer, kept.path, kept.signer_name) == ("client", order.signature, order.signed_by)
    assert kept.recorded_by == tech.user and kept.event == order.events.get(action="complete")


# --- every error of a step at once ------------------------------------------------------------


def test_completion_shows_every_missing_field_at_once_and_keeps_what_was_typed(
    client, new_order, supervisor, tech, fees
):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    client.force_login(tech.user)
    response = post_step(
        client,
        order,
        "complete",
        {
            "work_notes": "",
            "signed_by": "",
            "signature": "",
            "technician_signature": TECH_SIGNATURE,
            "damage": "",
            "compensation": "50",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-fee_item": fees["tap"].pk,
            "lines-0-quantity": "",
        },
    )
    body = response.content.decode()
    for message in (
        "Describe the work done and the test of the result.",
        "The client must sign on the screen.",
        "Write the name of the person who signed.",
        "Describe the damage that is compensated.",
        "Enter the quantity.",
    ):
        assert message in body, message
    assert f'value="{TECH_SIGNATURE}"' in body, "the technician's drawing is kept for the next try"
    assert RepairOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS


def test_completion_on_the_page_needs_the_technicians_signature(client, new_order, supervisor, tech, fees):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    client.force_login(tech.user)
    data = {
        "work_notes": "Fixed",
        "signed_by": "王",
        "signature": CLIENT_SIGNATURE,
        "compensation": "0",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    response = post_step(client, order, "complete", data)
    assert "Sign as the technician on the screen." in response.content.decode()
    assert RepairOrder.objects.get(pk=order.pk).status == S.IN_PROGRESS
    assert post_step(client, order, "complete", {**data, "technician_signature": TECH_SIGNATURE}).status_code == 302
    assert RepairOrder.objects.get(pk=order.pk).signatures.filter(signer="technician").exists()


def test_the_completion_form_has_both_signature_pads(client, new_order, supervisor, tech, fees):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    client.force_login(tech.user)
    body = client.get(order.get_absolute_url()).content.decode()
    assert 'data-signature-pad="id_technician_signature"' in body and 'data-signature-pad="id_signature"' in body
    assert "Technician&#x27;s signature" in body or "Technician's signature" in body


# --- the usual fee lines and the steppers -----------------------------------------------------


@pytest.fixture
def usual(db):
    return [
        FeeItemFactory(code="u-labour", name="Tap labour", category="plumbing", usual_quantity=Decimal("1")),
        FeeItemFactory(code="u-tap", name="Tap", kind="material", category="plumbing", usual_quantity=Decimal("2")),
        FeeItemFactory(code="u-rare", name="Pipe", category="plumbing"),  # usual quantity 0: not pre-filled
        FeeItemFactory(code="u-socket", name="Socket", category="electrical", usual_quantity=Decimal("1")),
        FeeItemFactory(code="u-old", name="Old", category="plumbing", usual_quantity=Decimal("1"), active=False),
    ]


def test_usual_lines_are_the_categorys_active_items_with_a_usual_quantity(usual):
    assert list(usual_lines("plumbing")) == [usual[0], usual[1]]
    assert list(usual_lines("electrical")) == [usual[3]]
    assert list(usual_lines("locks")) == []


def test_the_quote_starts_from_the_usual_lines_of_the_orders_category(client, new_order, supervisor, tech, usual):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    order = workflow.arrive(order=new_order, by=tech.user)
    client.force_login(tech.user)
    formset = client.get(order.get_absolute_url()).context["line_formset"]
    prefilled = [(form.initial.get("fee_item"), form.initial.get("quantity")) for form in formset.forms]
    assert prefilled[:2] == [(usual[0].pk, Decimal("1")), (usual[1].pk, Decimal("2"))]
    assert all(not item for item, _quantity in prefilled[2:]), "then empty lines to add more"


def test_a_quote_already_given_is_shown_instead_of_the_usual_lines(client, new_order, supervisor, tech, usual):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    order = workflow.arrive(order=new_order, by=tech.user)
    order = workflow.quote(order=order, lines=[LineInput(usual[2], Decimal("3"))], by=tech.user)
    client.force_login(tech.user)
    formset = client.get(order.get_absolute_url()).context["line_formset"]
    assert formset.forms[0].initial == {"fee_item": usual[2].pk, "quantity": Decimal("3.00")}
    assert not formset.forms[1].initial


def test_quantities_have_minus_and_plus_steppers_with_the_vendored_script(client, new_order, supervisor, tech, usual):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    order = workflow.arrive(order=new_order, by=tech.user)
    client.force_login(tech.user)
    body = client.get(order.get_absolute_url()).content.decode()
    assert 'data-step-quantity="id_lines-0-quantity" data-step="-1"' in body
    assert 'data-step-quantity="id_lines-0-quantity" data-step="1"' in body
    assert "/static/js/quantity-stepper.js" in body and "cdn" not in body.lower()


def test_a_usual_quantity_below_zero_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeeItem.objects.create(code="neg", name="Neg", kind="labour", price=1, usual_quantity=Decimal("-1"))


# --- the technician's home page ---------------------------------------------------------------


def at_today(hour: int, days: int = 0):
    midnight = timezone.make_aware(timezone.datetime.combine(timezone.localdate(), timezone.datetime.min.time()))
    return midnight + timedelta(days=days, hours=hour)


def test_todays_jobs_come_first_on_the_home_page_in_appointment_order(client, tenancy, supervisor, tech):
    def job(appointment_at):
        order = RepairOrderFactory(unit=tenancy.unit, appointment_at=appointment_at)
        return workflow.assign(order=order, technician=tech, by=supervisor)

    overdue, tomorrow = job(at_today(9, days=-1)), job(at_today(8, days=1))
    late_today, early_today = job(at_today(16)), job(at_today(10))
    moved_to_today = workflow.reschedule(order=job(at_today(7, days=-2)), new_time=at_today(13), by=supervisor)
    client.force_login(tech.user)
    panel = client.get(reverse("home")).context["panels"][0]
    assert panel["repair_orders"] == [early_today, moved_to_today, late_today, overdue, tomorrow]
    assert not panel["repair_cut"]


def test_a_cut_list_says_how_many_of_how_many_with_a_link(client, tenancy, supervisor, tech):
    for hour in range(11):
        order = RepairOrderFactory(unit=tenancy.unit, appointment_at=at_today(8 + hour % 10))
        workflow.assign(order=order, technician=tech, by=supervisor)
    client.force_login(tech.user)
    body = client.get(reverse("home")).content.decode()
    assert f"{LIMIT} of 11" in body
    assert f'href="{reverse("repairs:list")}?status=open"' in body.split('data-testid="repairs-panel-cut"')[1]


def test_an_uncut_list_has_no_count_line(client, new_order, supervisor, tech):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    client.force_login(tech.user)
    assert 'data-testid="repairs-panel-cut"' not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize("jobs", [1, 12])
def test_the_technicians_home_panel_runs_a_constant_number_of_queries(
    client, tenancy, supervisor, tech, jobs, django_assert_max_num_queries
):
    for _n in range(jobs):
        workflow.assign(order=RepairOrderFactory(unit=tenancy.unit), technician=tech, by=supervisor)
    client.force_login(tech.user)
    with django_assert_max_num_queries(25):
        assert client.get(reverse("home")).status_code == 200
