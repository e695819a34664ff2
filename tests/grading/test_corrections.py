"""Ledger history (issue 9, defect 11; GRD-1, X-2): a client's account manager cannot rewrite a
recorded payment or order; they request a correction that a manager who neither asked nor owns
the client approves (applied, audited, requester notified) or refuses."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from crm.models import Notification
from crm.roles import Role
from grading import services
from grading.models import LedgerCorrection, Receivable, SalesOrder
from tests.factories import ClientFactory
from tests.imports import csv_bytes, last_job, upload

DUE, LATE, ON_TIME = date(2026, 2, 28), date(2026, 3, 10), date(2026, 2, 20)


@pytest.fixture
def late(alice) -> Receivable:
    """A payment recorded 10 days late, of a client of alice's."""
    return Receivable.objects.create(
        client=ClientFactory(owner=alice, code="LT1", name="Late Payer"),
        invoice="F-100",
        amount=Decimal("800.00"),
        due_on=DUE,
        paid_on=LATE,
        delay_reason="Cash flow",
    )


@pytest.fixture
def other_manager(make_user, other_team):
    return make_user(Role.MANAGER, username="west_boss", team=other_team)


def request_on_time(client, user, receivable: Receivable, **overrides: str):
    client.force_login(user)
    data = {"field": "paid_on", "new_value": ON_TIME.isoformat(), "reason": "The bank booked it late", **overrides}
    return client.post(reverse("grading:correction_request_receivable", args=[receivable.pk]), data)


def decide(client, user, correction: LedgerCorrection, decision: str, note: str = ""):
    client.force_login(user)
    return client.post(
        reverse("grading:correction_decide", args=[correction.pk]), {"decision": decision, "note": note}, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_owner_cannot_rewrite_a_late_payment_through_the_payment_form(client, alice, late):
    client.force_login(alice)
    response = client.post(
        reverse("grading:record_payment", args=[late.pk]), {"paid_on": ON_TIME.isoformat()}, follow=True
    )
    assert "already recorded; request a correction" in response.content.decode()
    late.refresh_from_db()
    assert (late.paid_on, late.delay_reason) == (LATE, "Cash flow")


def test_recording_the_payment_of_an_open_receivable_is_audited(client, alice):
    open_one = Receivable.objects.create(
        client=ClientFactory(owner=alice), invoice="F-1", amount=Decimal(5), due_on=DUE
    )
    client.force_login(alice)
    client.post(reverse("grading:record_payment", args=[open_one.pk]), {"paid_on": ON_TIME.isoformat()})
    open_one.refresh_from_db()
    assert open_one.paid_on == ON_TIME
    assert open_one.history.first().history_user == alice


def admin_change(client, user, receivable: Receivable, paid_on: date):
    client.force_login(user)
    return client.post(
        reverse("admin:grading_receivable_change", args=[receivable.pk]),
        {
            "client": receivable.client_id,
            "invoice": receivable.invoice,
            "amount": "800.00",
            "due_on": DUE.isoformat(),
            "paid_on": paid_on.isoformat(),
            "delay_reason": "",
        },
    )


def test_an_administrator_who_owns_the_client_cannot_rewrite_a_late_payment_in_the_admin(client, admin_user):
    owned = Receivable.objects.create(
        client=ClientFactory(owner=admin_user), invoice="F-2", amount=Decimal(800), due_on=DUE, paid_on=LATE
    )
    response = admin_change(client, admin_user, owned, ON_TIME)
    assert response.status_code == 200
    assert "correction request" in str(response.context["adminform"].form.non_field_errors())
    owned.refresh_from_db()
    assert owned.paid_on == LATE


def test_an_administrator_corrects_someone_elses_client_in_the_admin_with_history(client, admin_user, late):
    assert admin_change(client, admin_user, late, ON_TIME).status_code == 302
    late.refresh_from_db()
    assert late.paid_on == ON_TIME
    assert late.history.first().history_user == admin_user


def test_owner_cannot_rewrite_a_recorded_payment_or_order_by_import(client, alice, late, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    order = SalesOrder.objects.create(
        client=late.client,
        ordered_on=DUE,
        amount=Decimal(100),
        quantity=Decimal(2),
        product="Tea",
        margin=Decimal("0.1"),
    )
    client.force_login(alice)
    header = "invoice,client_code,amount,due_on,paid_on,delay_reason"
    upload(client, csv_bytes(f"F-100,LT1,800,{DUE},{ON_TIME},", header=header), kind="receivables")
    job = last_job()
    assert job.status == "invalid" and "correction request" in " ".join(job.rows[0]["errors"])
    header = "client_code,ordered_on,amount,quantity,product,margin"
    upload(client, csv_bytes(f"LT1,{DUE},100,20,Tea,0.1", header=header), kind="orders")
    job = last_job()
    assert job.status == "invalid" and "correction request" in " ".join(job.rows[0]["errors"])
    late.refresh_from_db()
    order.refresh_from_db()
    assert (late.paid_on, order.quantity) == (LATE, Decimal(2))


def test_an_import_still_records_the_payment_of_an_open_receivable(client, alice, settings, tmp_path):
    from tests.imports import confirm

    settings.MEDIA_ROOT = tmp_path
    open_one = Receivable.objects.create(
        client=ClientFactory(owner=alice, code="OP1"), invoice="F-7", amount=Decimal(5), due_on=DUE
    )
    client.force_login(alice)
    header = "invoice,client_code,amount,due_on,paid_on,delay_reason"
    upload(client, csv_bytes(f"F-7,OP1,5,{DUE},{ON_TIME},", header=header), kind="receivables")
    confirm(client, last_job())
    open_one.refresh_from_db()
    assert open_one.paid_on == ON_TIME


def test_approved_correction_is_applied_audited_and_the_requester_notified(client, alice, manager, late):
    response = request_on_time(client, alice, late)
    assert response.status_code == 302
    correction = LedgerCorrection.objects.get()
    assert (correction.status, correction.old_value, correction.new_value) == ("pending", "2026-03-10", "2026-02-20")
    assert Notification.objects.filter(recipient=manager, key=f"ledger-correction:{correction.pk}:requested").exists()
    late.refresh_from_db()
    assert late.paid_on == LATE, "nothing changes before a decision"

    page = client.get(reverse("grading:corrections"))
    assert [c.pk for c in page.context["page_obj"].object_list] == [correction.pk]
    client.force_login(manager)
    page = client.get(reverse("grading:corrections"))
    assert page.context["page_obj"].object_list[0].can_decide
    response = decide(client, manager, correction, "approve", note="Bank statement checked")
    assert "Correction approved and applied." in messages_of(response)

    late.refresh_from_db()
    correction.refresh_from_db()
    assert late.paid_on == ON_TIME
    assert (correction.status, correction.decided_by, correction.decision_note) == (
        "approved",
        manager,
        "Bank statement checked",
    )
    audit = late.history.first()
    assert (audit.history_user, audit.paid_on) == (manager, ON_TIME)
    assert audit.history_change_reason == f"Ledger correction #{correction.pk}"
    assert late.history.all()[1].paid_on == LATE, "the value before stays in the history"
    assert [h.status for h in correction.history.all()] == ["approved", "pending"]
    assert Notification.objects.get(recipient=alice, key=f"ledger-correction:{correction.pk}:decided").title == (
        "Your ledger correction was approved: Late Payer"
    )


def test_refused_correction_leaves_the_value_and_tells_the_requester(client, alice, manager, late):
    request_on_time(client, alice, late)
    correction = LedgerCorrection.objects.get()
    response = decide(client, manager, correction, "refuse", note="The bank's receipt says 10 March")
    assert "Correction refused." in messages_of(response)
    late.refresh_from_db()
    correction.refresh_from_db()
    assert (late.paid_on, correction.status) == (LATE, "refused")
    notification = Notification.objects.get(recipient=alice, key=f"ledger-correction:{correction.pk}:decided")
    assert notification.body == "The bank's receipt says 10 March"


def test_a_correction_of_an_order_applies_the_typed_value(client, alice, manager):
    order = SalesOrder.objects.create(
        client=ClientFactory(owner=alice),
        ordered_on=DUE,
        amount=Decimal(100),
        quantity=Decimal(2),
        margin=Decimal("0.1"),
    )
    client.force_login(alice)
    url = reverse("grading:correction_request_order", args=[order.pk])
    client.post(url, {"field": "quantity", "new_value": "3", "reason": "Typo"})
    decide(client, manager, LedgerCorrection.objects.get(), "approve")
    order.refresh_from_db()
    assert order.quantity == Decimal(3)


def test_the_requester_cannot_approve_their_own_request(client, manager, alice, late):
    request_on_time(client, manager, late)
    correction = LedgerCorrection.objects.get()
    assert not client.get(reverse("grading:corrections")).context["page_obj"].object_list[0].can_decide
    response = decide(client, manager, correction, "approve")
    assert "Someone other than the requester decides on a correction." in messages_of(response)
    correction.refresh_from_db()
    late.refresh_from_db()
    assert (correction.status, late.paid_on) == ("pending", LATE)


def test_the_clients_owner_cannot_decide_even_as_a_manager(client, manager, bob):
    owned = Receivable.objects.create(
        client=ClientFactory(owner=manager), invoice="F-3", amount=Decimal(8), due_on=DUE, paid_on=LATE
    )
    correction = services.ledger_correction_request(
        record=owned, field="paid_on", new_value=ON_TIME.isoformat(), reason="x", by=bob
    )
    response = decide(client, manager, correction, "approve")
    assert "cannot decide on corrections of its ledger" in " ".join(messages_of(response))
    assert LedgerCorrection.objects.get().status == "pending"


def test_account_managers_neither_see_nor_decide_others_requests(client, alice, bob, charlie, other_manager, late):
    request_on_time(client, alice, late)
    correction = LedgerCorrection.objects.get()
    for outsider in (bob, charlie):
        client.force_login(outsider)
        assert list(client.get(reverse("grading:corrections")).context["page_obj"].object_list) == []
        assert (
            client.post(reverse("grading:correction_decide", args=[correction.pk]), {"decision": "approve"}).status_code
            == 403
        )
        assert client.get(reverse("grading:correction_request_receivable", args=[late.pk])).status_code == 404
    client.force_login(alice)
    assert (
        client.post(reverse("grading:correction_decide", args=[correction.pk]), {"decision": "approve"}).status_code
        == 403
    )
    client.force_login(other_manager)
    assert list(client.get(reverse("grading:corrections")).context["page_obj"].object_list) == []
    assert (
        client.post(reverse("grading:correction_decide", args=[correction.pk]), {"decision": "approve"}).status_code
        == 404
    )
    correction.refresh_from_db()
    assert correction.status == "pending"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("paid_on", "2999-01-01", "A payment cannot be in the future."),
        ("paid_on", "2026-03-10", "This is the value already recorded."),
        ("amount", "-1", "Enter zero or a positive amount."),
        ("paid_on", "soon", "YYYY-MM-DD"),
    ],
)
def test_a_bad_correct_value_is_refused_next_to_the_field(client, alice, late, field, value, message):
    response = request_on_time(client, alice, late, field=field, new_value=value)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["new_value"])
    assert not LedgerCorrection.objects.exists()


def test_a_second_request_for_the_same_field_waits_for_the_first(client, alice, late):
    request_on_time(client, alice, late)
    response = request_on_time(client, alice, late, new_value="2026-02-21")
    assert "already waiting for a decision" in str(response.context["form"].non_field_errors())
    assert LedgerCorrection.objects.count() == 1


def test_a_row_changed_since_the_request_is_not_overwritten(client, alice, manager, admin_user, late):
    request_on_time(client, alice, late)
    Receivable.objects.filter(pk=late.pk).update(paid_on=date(2026, 3, 1))
    response = decide(client, manager, LedgerCorrection.objects.get(), "approve")
    assert "The row has changed since the request" in " ".join(messages_of(response))
    late.refresh_from_db()
    assert late.paid_on == date(2026, 3, 1)
    assert LedgerCorrection.objects.get().status == "pending", "the approval is rolled back with it"


@pytest.mark.parametrize("rows", [1, 30])
def test_the_corrections_list_query_count_is_constant(client, alice, manager, rows, django_assert_max_num_queries):
    for n in range(rows):
        receivable = Receivable.objects.create(
            client=ClientFactory(owner=alice), invoice=f"Q-{n}", amount=Decimal(8), due_on=DUE, paid_on=LATE
        )
        services.ledger_correction_request(
            record=receivable, field="paid_on", new_value=ON_TIME.isoformat(), reason="x", by=alice
        )
    for user in (manager, alice):
        client.force_login(user)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("grading:corrections"))
        assert len(response.context["page_obj"].object_list) == min(rows, 25)


def test_the_ledger_links_each_row_to_its_correction_form_which_lists_pending_requests(client, alice, late):
    client.force_login(alice)
    ledger = client.get(reverse("grading:ledger", args=[late.client_id])).content.decode()
    url = reverse("grading:correction_request_receivable", args=[late.pk])
    assert url in ledger
    request_on_time(client, alice, late)
    page = client.get(url).content.decode()
    assert 'data-testid="pending-corrections"' in page and "2026-03-10 → 2026-02-20" in page
