"""Business values of the ledger (issue 9, defect 11; GRD-1, GRD-2, CLI-3, X-4): no negative
quantity or amount, no payment in the future, no negative key-account volume. The database
refuses them too, because imports and tasks write as well."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from clients.forms import KeyAccountForm
from clients.models import KeyAccountProfile
from grading.models import Receivable, SalesOrder
from tests.factories import ClientFactory
from tests.imports import confirm, csv_bytes, last_job, upload

ORDER_HEADER = "client_code,ordered_on,amount,quantity,product,margin"
RECEIVABLE_HEADER = "invoice,client_code,amount,due_on,paid_on,delay_reason"


def order_post(**overrides: str) -> dict[str, str]:
    data = {
        "form": "order",
        "order-ordered_on": "2026-10-01",
        "order-amount": "500",
        "order-quantity": "2",
        "order-product": "Tea",
        "order-margin": "0.2",
    }
    data.update({f"order-{key}": value for key, value in overrides.items()})
    return data


def receivable_post(**overrides: str) -> dict[str, str]:
    data = {
        "form": "receivable",
        "receivable-invoice": "F-1",
        "receivable-amount": "500",
        "receivable-due_on": "2026-10-31",
        "receivable-paid_on": "",
        "receivable-delay_reason": "",
    }
    data.update({f"receivable-{key}": value for key, value in overrides.items()})
    return data


@pytest.mark.parametrize("quantity", ["-3", "0"])
def test_the_ledger_form_refuses_a_quantity_of_zero_or_less_next_to_the_field(client, alice, quantity):
    mine = ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.post(reverse("grading:ledger", args=[mine.pk]), order_post(quantity=quantity))
    assert response.context["order_form"].errors["quantity"] == ["Enter a number greater than zero."]
    assert not SalesOrder.objects.exists()


def test_the_ledger_form_refuses_a_negative_amount_next_to_the_field(client, alice):
    mine = ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.post(reverse("grading:ledger", args=[mine.pk]), order_post(amount="-5"))
    assert response.context["order_form"].errors["amount"] == ["Enter zero or a positive amount."]
    response = client.post(reverse("grading:ledger", args=[mine.pk]), receivable_post(amount="-5"))
    assert response.context["receivable_form"].errors["amount"] == ["Enter zero or a positive amount."]
    assert not SalesOrder.objects.exists() and not Receivable.objects.exists()


def test_a_receivable_paid_in_the_future_is_refused_next_to_the_paid_date(client, alice):
    mine = ClientFactory(owner=alice)
    client.force_login(alice)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(reverse("grading:ledger", args=[mine.pk]), receivable_post(paid_on=tomorrow))
    assert response.context["receivable_form"].errors["paid_on"] == ["A payment cannot be in the future."]
    assert not Receivable.objects.exists()


def test_recording_a_payment_in_the_future_is_refused(client, alice):
    receivable = Receivable.objects.create(
        client=ClientFactory(owner=alice), invoice="F-9", amount=Decimal(10), due_on=date(2026, 1, 31)
    )
    client.force_login(alice)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("grading:record_payment", args=[receivable.pk]), {"paid_on": tomorrow, "delay_reason": "x"}, follow=True
    )
    assert "A payment cannot be in the future." in response.content.decode()
    receivable.refresh_from_db()
    assert receivable.paid_on is None


def test_the_database_refuses_a_sales_order_quantity_of_zero_or_less(alice):
    mine = ClientFactory(owner=alice)
    for quantity in (Decimal("-1"), Decimal("0")):
        with pytest.raises(IntegrityError, match="grading_order_quantity_positive"), transaction.atomic():
            SalesOrder.objects.create(
                client=mine, ordered_on=date(2026, 6, 1), amount=Decimal(1), quantity=quantity, margin=Decimal("0.1")
            )


def test_the_database_refuses_negative_amounts(alice):
    mine = ClientFactory(owner=alice)
    with pytest.raises(IntegrityError, match="grading_order_amount_positive"), transaction.atomic():
        SalesOrder.objects.create(client=mine, ordered_on=date(2026, 6, 1), amount=Decimal(-1), margin=Decimal("0.1"))
    with pytest.raises(IntegrityError, match="grading_receivable_amount_positive"), transaction.atomic():
        Receivable.objects.create(client=mine, invoice="N-1", amount=Decimal(-1), due_on=date(2026, 6, 1))


def test_the_key_account_form_refuses_a_negative_annual_volume(alice):
    form = KeyAccountForm({"annual_volume": "-100", "visit_cadence_days": "14"})
    assert form.errors["annual_volume"] == ["Enter zero or a positive volume."]
    assert KeyAccountForm({"annual_volume": "", "visit_cadence_days": "14"}).is_valid(), "unknown stays allowed"


def test_the_database_refuses_a_negative_annual_volume_and_allows_an_unknown_one(alice):
    KeyAccountProfile.objects.create(client=ClientFactory(owner=alice), annual_volume=None)
    with pytest.raises(IntegrityError, match="clients_key_account_volume_not_negative"), transaction.atomic():
        KeyAccountProfile.objects.create(client=ClientFactory(owner=alice), annual_volume=Decimal(-1))


def test_the_admin_refuses_a_negative_quantity_next_to_the_field(client, admin_user):
    mine = ClientFactory()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:grading_salesorder_add"),
        {"client": mine.pk, "ordered_on": "2026-06-01", "amount": "10", "quantity": "-2", "margin": "0.1"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["quantity"] == ["Enter a number greater than zero."]
    assert not SalesOrder.objects.exists()


def test_an_order_import_with_a_negative_quantity_reports_the_row_and_saves_nothing(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ClientFactory(owner=alice, code="L1")
    client.force_login(alice)
    good, bad = "L1,2026-10-01,1200,3,Tea,0.2", "L1,2026-10-02,50,-4,Tea,0.2"
    upload(client, csv_bytes(good, bad, header=ORDER_HEADER), kind="orders")
    job = last_job()
    assert job.status == "invalid"
    assert any("greater than zero" in error for error in job.rows[1]["errors"]), job.rows
    assert not SalesOrder.objects.exists()


def test_a_receivable_import_with_a_future_payment_reports_the_row_and_saves_nothing(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ClientFactory(owner=alice, code="L1")
    client.force_login(alice)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    rows = ("R-1,L1,100,2026-01-31,2026-01-20,", f"R-2,L1,100,2026-01-31,{tomorrow},", "R-3,L1,-5,2026-01-31,,")
    upload(client, csv_bytes(*rows, header=RECEIVABLE_HEADER), kind="receivables")
    job = last_job()
    assert job.status == "invalid"
    assert any("cannot be in the future" in error for error in job.rows[1]["errors"]), job.rows
    assert any("zero or a positive amount" in error for error in job.rows[2]["errors"]), job.rows
    assert not Receivable.objects.exists()


def test_an_order_import_with_a_blank_status_cell_books_that_order(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ClientFactory(owner=alice, code="L1")
    client.force_login(alice)
    header = f"{ORDER_HEADER},status"
    rows = ("L1,2026-10-01,1200,3,Tea,0.2,", "L1,2026-10-02,50,1,Tea,0.2,  ", "L1,2026-10-03,70,1,Tea,0.2,cancelled")
    upload(client, csv_bytes(*rows, header=header), kind="orders")
    job = last_job()
    assert job.status == "ready", job.rows
    confirm(client, job)
    statuses = dict(SalesOrder.objects.values_list("ordered_on", "status"))
    assert statuses == {date(2026, 10, 1): "booked", date(2026, 10, 2): "booked", date(2026, 10, 3): "cancelled"}
