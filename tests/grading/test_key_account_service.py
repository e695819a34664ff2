"""A key account's orders, deliveries and complaints about orders (MKT-3), grading's side of the
service page: hand-computed months, the delivery-before-order rule in the form, the service and
the import, the import's preview and all-or-nothing, the pages' gate and their query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clients.models import Complaint, KeyAccountProfile
from crm.roles import Role
from grading import deliveries, selectors
from grading.models import Delivery, OrderComplaint, SalesOrder
from tests.factories import ClientFactory
from tests.imports import confirm, csv_bytes, last_job, upload

DELIVERY_HEADER = "order_id,tracking_number,carrier,status,shipped_on,delivered_on,problem"


def key_account(owner, **kwargs):
    client = ClientFactory(owner=owner, is_key_account=True, **kwargs)
    KeyAccountProfile.objects.create(client=client, visit_cadence_days=14)
    return client


def order(client, day: date, amount: str, status: str = SalesOrder.Status.BOOKED) -> SalesOrder:
    return SalesOrder.objects.create(
        client=client, ordered_on=day, amount=Decimal(amount), margin=Decimal("0.1"), status=status
    )


def orders_panel(response) -> dict:
    return next(p for p in response.context["panels"] if p["template"] == "grading/service_orders_panel.html")


@pytest.fixture
def account(alice):
    return key_account(alice, name="华润万家", code="KA001")


# --- the months, by hand ---------------------------------------------------------------------


def test_monthly_totals_leave_out_cancelled_and_refunded_orders_and_respect_month_boundaries(account):
    """Today 2026-03-10: the window is 2025-04-01 … 2026-03-10 (12 calendar months)."""
    order(account, date(2025, 3, 31), "999")  # the day before the window: outside
    order(account, date(2025, 4, 1), "100")  # its first day: inside, April 2025
    order(account, date(2026, 1, 31), "400")  # a month's last day: January
    order(account, date(2026, 2, 1), "250")  # the next day: February
    order(account, date(2026, 2, 14), "900", SalesOrder.Status.CANCELLED)
    order(account, date(2026, 2, 20), "80", SalesOrder.Status.REFUNDED)
    order(account, date(2026, 3, 10), "35.50")  # today
    order(account, date(2026, 3, 11), "777")  # after today: not yet
    order(ClientFactory(owner=account.owner), date(2026, 2, 1), "5000")  # another client

    months = selectors.order_months(account, date(2026, 3, 10))

    assert [m["month"] for m in months][:2] == [date(2025, 4, 1), date(2025, 5, 1)]
    assert months[-1]["month"] == date(2026, 3, 1) and len(months) == 12
    by_month = {m["month"]: (m["total"], m["orders"], m["void"]) for m in months}
    assert by_month[date(2025, 4, 1)] == (Decimal("100"), 1, 0)
    assert by_month[date(2026, 1, 1)] == (Decimal("400"), 1, 0)
    assert by_month[date(2026, 2, 1)] == (Decimal("250"), 1, 2)  # 900 cancelled and 80 refunded: void
    assert by_month[date(2026, 3, 1)] == (Decimal("35.50"), 1, 0)
    assert by_month[date(2025, 12, 1)] == (Decimal("0"), 0, 0)  # a month without orders is there
    assert sum(m["total"] for m in months) == Decimal("785.50")


def test_cancelled_and_refunded_orders_count_in_no_grade(account, alice):
    from grading import services
    from grading.models import ClientScore

    order(account, date(2026, 2, 1), "250")
    order(account, date(2026, 2, 2), "900", SalesOrder.Status.CANCELLED)
    order(account, date(2026, 2, 3), "80", SalesOrder.Status.REFUNDED)
    run = services.grading_run(as_of=date(2026, 3, 10))
    assert ClientScore.objects.get(run=run, client=account).volume == Decimal("250")


def test_the_service_page_shows_the_months_and_the_orders_with_their_deliveries(client, alice, account, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 3, 10))
    booked = order(account, date(2026, 2, 1), "250")
    order(account, date(2026, 2, 14), "900", SalesOrder.Status.CANCELLED)
    deliveries.delivery_record(
        order=booked, by=alice, carrier="顺丰速运", tracking_number="SF1", shipped_on=date(2026, 2, 2)
    )
    client.force_login(alice)
    response = client.get(reverse("clients:service", args=[account.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="service-orders"' in html and "顺丰速运" in html and "SF1" in html
    panel = orders_panel(response)
    assert panel["year_total"] == Decimal("250")
    assert panel["chart"]["labels"][-1] == "2026-03" and panel["chart"]["totals"][-2] == 250.0


# --- a delivery dated before its order ---------------------------------------------------------


def test_a_delivery_before_its_order_is_refused_next_to_the_date_and_nothing_is_saved(client, alice, account):
    placed = order(account, date(2026, 2, 10), "250")
    client.force_login(alice)
    response = client.post(
        reverse("grading:delivery_create", args=[placed.pk]),
        {"status": "shipped", "carrier": "德邦物流", "tracking_number": "DP1", "shipped_on": "2026-02-09"},
    )
    assert response.status_code == 200
    assert "2026-02-10" in " ".join(response.context["form"].errors["shipped_on"])
    assert not Delivery.objects.exists()
    with pytest.raises(ValidationError) as refused:
        deliveries.delivery_record(order=placed, by=alice, carrier="德邦物流", shipped_on=date(2026, 2, 9))
    assert "shipped_on" in refused.value.message_dict


def test_a_delivery_is_recorded_and_moved_on_with_its_history(client, alice, account):
    placed = order(account, date(2026, 2, 10), "250")
    client.force_login(alice)
    response = client.post(
        reverse("grading:delivery_create", args=[placed.pk]),
        {"status": "in_transit", "carrier": "德邦物流", "tracking_number": "DP1", "shipped_on": "2026-02-10"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("clients:service", args=[account.pk])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.recorded_by) == ("in_transit", alice)
    edit = reverse("grading:delivery_edit", args=[delivery.pk])
    data = {
        "status": "delivered",
        "carrier": "德邦物流",
        "tracking_number": "DP1",
        "shipped_on": "2026-02-10",
        "seen_status": "in_transit",
    }
    assert client.post(edit, {**data, "delivered_on": ""}).context["form"].errors["delivered_on"]
    assert client.post(edit, {**data, "delivered_on": "2026-02-09"}).context["form"].errors["delivered_on"]
    assert client.post(edit, {**data, "delivered_on": "2026-02-12"}).status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.delivered_on) == ("delivered", date(2026, 2, 12))
    assert [h.history_user for h in delivery.history.all()] == [alice, alice]


def test_of_two_people_updating_a_delivery_the_second_is_told(alice, bob, manager, account):
    placed = order(account, date(2026, 2, 10), "250")
    delivery = deliveries.delivery_record(order=placed, by=alice, carrier="顺丰速运", shipped_on=date(2026, 2, 10))
    deliveries.delivery_update(delivery=delivery, seen_status="shipped", by=alice, status="in_transit")
    with pytest.raises(ValidationError):
        deliveries.delivery_update(
            delivery=delivery, seen_status="shipped", by=manager, status="problem", problem="lost"
        )
    delivery.refresh_from_db()
    assert delivery.status == "in_transit"


def test_a_problem_needs_its_description(alice, account):
    placed = order(account, date(2026, 2, 10), "250")
    with pytest.raises(ValidationError) as refused:
        deliveries.delivery_record(
            order=placed, by=alice, carrier="中通快递", shipped_on=date(2026, 2, 10), status="problem"
        )
    assert "problem" in refused.value.message_dict


# --- the import --------------------------------------------------------------------------------


def test_the_delivery_import_previews_then_saves_every_row(client, alice, account):
    first, second = order(account, date(2026, 2, 10), "250"), order(account, date(2026, 2, 20), "300")
    client.force_login(alice)
    rows = [
        f"{first.pk},SF100,顺丰速运,delivered,2026-02-11,2026-02-13,",
        f"#{second.pk},DP200,德邦物流,,2026-02-21,,",  # the number as the page shows it; shipped by default
    ]
    upload(client, csv_bytes(*rows, header=DELIVERY_HEADER), kind="deliveries")
    job = last_job()
    assert job.status == job.Status.READY and job.totals == {"new": 2}
    assert not Delivery.objects.exists()  # a preview saves nothing
    confirm(client, job)
    assert set(Delivery.objects.values_list("order_id", "tracking_number", "status")) == {
        (first.pk, "SF100", "delivered"),
        (second.pk, "DP200", "shipped"),
    }
    assert Delivery.objects.get(tracking_number="SF100").history.get().history_user == alice
    # The next day's list moves the same delivery on instead of adding a second one.
    upload(
        client,
        csv_bytes(f"{second.pk},DP200,德邦物流,delivered,2026-02-21,2026-02-24,", header=DELIVERY_HEADER),
        kind="deliveries",
    )
    confirm(client, last_job())
    assert Delivery.objects.count() == 2
    assert Delivery.objects.get(tracking_number="DP200").delivered_on == date(2026, 2, 24)


def test_an_import_with_a_bad_row_saves_nothing_and_names_the_row(client, alice, charlie, account):
    placed = order(account, date(2026, 2, 10), "250")
    outsider = order(key_account(charlie), date(2026, 2, 10), "250")
    client.force_login(alice)
    rows = [
        f"{placed.pk},SF100,顺丰速运,shipped,2026-02-11,,",  # good
        f"{placed.pk},SF101,顺丰速运,shipped,2026-02-09,,",  # before its order
        f"{outsider.pk},SF102,顺丰速运,shipped,2026-02-11,,",  # another team's order
        f"{placed.pk},,顺丰速运,shipped,2026-02-11,,",  # no waybill
        f"{placed.pk},SF104,顺丰速运,lost,2026-02-11,,",  # unknown status
    ]
    upload(client, csv_bytes(*rows, header=DELIVERY_HEADER), kind="deliveries")
    job = last_job()
    assert job.status == job.Status.INVALID
    errors = {row["number"]: " ".join(row["errors"]) for row in job.rows}
    assert errors[2] == ""
    assert "2026-02-10" in errors[3]
    assert "No order" in errors[4]
    assert "waybill" in errors[5]
    assert errors[6]
    assert confirm(client, job).status_code == 200
    assert not Delivery.objects.exists()


# --- complaints about an order -----------------------------------------------------------------


def test_a_complaint_about_an_order_is_filed_with_its_link(client, alice, account):
    placed = order(account, date(2026, 2, 10), "250")
    client.force_login(alice)
    response = client.post(
        reverse("grading:order_complaint_create", args=[placed.pk]),
        {"subject": "到货破损", "channel": "phone", "description": "外箱破损", "assignee": alice.pk},
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == complaint.get_absolute_url()
    assert (complaint.client, complaint.status, complaint.order_link.order) == (account, "assigned", placed)
    assert OrderComplaint.objects.get().history.get().history_user == alice
    page = client.get(reverse("clients:service", args=[account.pk])).content.decode()
    assert "到货破损" in page


def test_a_complaint_without_a_subject_is_refused_next_to_the_field(client, alice, account):
    placed = order(account, date(2026, 2, 10), "250")
    client.force_login(alice)
    response = client.post(
        reverse("grading:order_complaint_create", args=[placed.pk]),
        {"subject": "", "channel": "phone", "description": "外箱破损"},
    )
    assert "subject" in response.context["form"].errors
    assert not Complaint.objects.exists() and not OrderComplaint.objects.exists()


# --- who may: owner, teammate, other team, manager, admin, other roles ------------------------


@pytest.fixture
def service_records(alice, account):
    placed = order(account, timezone.localdate() - timedelta(days=10), "250")
    delivery = deliveries.delivery_record(
        order=placed, by=alice, carrier="顺丰速运", tracking_number="SF-SECRET", shipped_on=placed.ordered_on
    )
    return placed, delivery


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", 200),  # the owner
        ("bob", 404),  # a teammate: another account manager's client
        ("charlie", 404),  # another team
        ("manager", 200),  # the team's manager
        ("other_manager", 404),
        ("admin_user", 200),
        ("front_desk", 403),
    ],
)
@pytest.mark.parametrize("page", ["delivery_create", "delivery_edit", "order_complaint_create", "delivery_export"])
def test_the_service_pages_of_grading_follow_the_client_gate(
    client, request, service_records, account, who, expected, page
):
    placed, delivery = service_records
    if who == "other_manager":
        user = request.getfixturevalue("make_user")(
            Role.MANAGER, username="otherboss", team=request.getfixturevalue("other_team")
        )
    elif who == "front_desk":
        user = request.getfixturevalue("make_user")(Role.FRONT_DESK, username="desk")
    else:
        user = request.getfixturevalue(who)
    pk = {"delivery_create": placed.pk, "delivery_edit": delivery.pk, "order_complaint_create": placed.pk}.get(
        page, account.pk
    )
    client.force_login(user)
    response = client.get(reverse(f"grading:{page}", args=[pk]), {"format": "csv"} if page == "delivery_export" else {})
    assert response.status_code == expected
    if page == "delivery_export" and expected == 200:
        assert "SF-SECRET" in response.content.decode("utf-8-sig")


def test_the_export_holds_only_this_clients_deliveries(client, alice, account, service_records):
    other = key_account(alice, code="KA002")
    other_order = order(other, timezone.localdate() - timedelta(days=3), "10")
    deliveries.delivery_record(
        order=other_order, by=alice, carrier="京东物流", tracking_number="JD-OTHER", shipped_on=other_order.ordered_on
    )
    client.force_login(alice)
    text = client.get(reverse("grading:delivery_export", args=[account.pk]), {"format": "csv"}).content.decode(
        "utf-8-sig"
    )
    assert text.splitlines()[0] == DELIVERY_HEADER
    assert "SF-SECRET" in text and "JD-OTHER" not in text


# --- query counts ------------------------------------------------------------------------------


def _orders_with_deliveries(account, alice, count: int) -> None:
    today = timezone.localdate()
    for n in range(count):
        placed = order(account, today - timedelta(days=n * 5), "100")
        deliveries.delivery_record(
            order=placed, by=alice, carrier="顺丰速运", tracking_number=f"SF{n}", shipped_on=placed.ordered_on
        )
        with TestCase.captureOnCommitCallbacks(execute=True):
            deliveries.order_complaint_file(
                order=placed, subject=f"问题 {n}", description="—", channel="phone", by=alice
            )


@pytest.mark.parametrize("who", ["alice", "manager"])
def test_the_service_page_reads_as_many_queries_for_one_order_as_for_many(
    client, request, alice, account, who, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    url = reverse("clients:service", args=[account.pk])
    _orders_with_deliveries(account, alice, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    _orders_with_deliveries(account, alice, 40)
    with django_assert_max_num_queries(len(one)):
        response = client.get(url)
    assert response.status_code == 200 and len(orders_panel(response)["orders"]) == 41


def test_the_export_reads_as_many_queries_for_one_delivery_as_for_many(
    client, alice, account, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("grading:delivery_export", args=[account.pk])
    _orders_with_deliveries(account, alice, 1)
    with CaptureQueriesContext(connection) as one:
        client.get(url, {"format": "csv"})
    _orders_with_deliveries(account, alice, 30)
    with django_assert_max_num_queries(len(one)):
        assert client.get(url, {"format": "csv"}).content.decode("utf-8-sig").count("顺丰速运") == 31


def test_the_import_page_says_what_a_deliveries_file_holds(client, alice):
    client.force_login(alice)
    html = client.get(reverse("clients:import"), {"kind": "deliveries"}).content.decode()
    assert "order_id" in html and "tracking_number" in html
    assert "order_id" not in client.get(reverse("clients:import"), {"kind": "clients"}).content.decode()


def test_the_complaint_page_names_its_order_to_those_who_see_the_client(client, alice, bob, account):
    placed = order(account, date(2026, 2, 10), "250.00")
    link = deliveries.order_complaint_file(
        order=placed, subject="到货破损", description="外箱破损", channel="phone", by=alice, assignee=bob
    )
    url = link.complaint.get_absolute_url()
    client.force_login(alice)
    html = client.get(url).content.decode()
    assert 'data-testid="complaint-order"' in html and placed.number in html
    assert reverse("clients:service", args=[account.pk]) in html
    client.force_login(bob)  # the assignee, a teammate who does not see alice's client
    html = client.get(url).content.decode()
    assert 'data-testid="complaint-order"' in html and placed.number not in html
    assert reverse("clients:service", args=[account.pk]) not in html


def test_a_complaint_without_an_order_shows_no_order_panel(client, alice, account):
    from clients.complaints import complaint_file

    complaint = complaint_file(client=account, subject="噪音", description="夜间", channel="phone", by=alice)
    client.force_login(alice)
    assert 'data-testid="complaint-order"' not in client.get(complaint.get_absolute_url()).content.decode()
