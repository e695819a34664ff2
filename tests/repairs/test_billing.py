"""Finance's billing of paid repairs (REP-6 3rd copy, handbook 5.2): the home list of jobs to
collect, the hand-over of the finance copy, billing status changes, the list's exports."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.roles import Role
from repairs import billing
from repairs.models import RepairOrder
from tests.factories import ClientFactory, RepairOrderFactory, TechnicianFactory

pytestmark = pytest.mark.django_db

B = RepairOrder.BillingStatus


def paid_job(*, total=Decimal("120"), status="completed", days_ago=1, **kwargs) -> RepairOrder:
    done = timezone.now() - timedelta(days=days_ago)
    kwargs.setdefault("completed_at", done)
    return RepairOrderFactory(
        technician=kwargs.pop("technician", None) or TechnicianFactory(),
        status=status,
        consented_at=done,
        signature="M 1 1 L 2 2 L 3 3",
        total=total,
        **kwargs,
    )


def test_finance_home_lists_newly_completed_paid_jobs_to_collect(client, finance):
    newest = paid_job(days_ago=1, number="R-NEW")
    older = paid_job(days_ago=3, number="R-OLD")
    paid_job(total=Decimal("0"), number="R-FREE")
    paid_job(status="in_progress", completed_at=None, number="R-OPEN")
    billed = paid_job(number="R-BILLED")
    billing.billing_status_set(order=billed, status=B.BILLED, by=finance)
    client.force_login(finance)
    panel = next(p for p in client.get(reverse("home")).context["panels"] if "collect_orders" in p)
    assert [o.number for o in panel["collect_orders"]] == [newest.number, older.number]
    assert panel["collect_count"] == 2


def test_the_home_panel_is_finances_only(client, make_user):
    paid_job(number="R-NEW")
    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    assert not any("collect_orders" in p for p in client.get(reverse("home")).context["panels"])


def test_the_finance_copy_is_received_once_with_who_and_when(finance, make_user):
    order = paid_job()
    order = billing.finance_copy_receive(order=order, by=finance)
    assert order.finance_copy_received_by == finance and order.finance_copy_received_at is not None
    with pytest.raises(ValidationError, match="received already"):
        billing.finance_copy_receive(order=RepairOrder.objects.get(pk=order.pk), by=make_user(Role.FINANCE))
    assert RepairOrder.objects.get(pk=order.pk).finance_copy_received_by == finance
    assert order.history.first().history_user == finance


@pytest.mark.parametrize(
    ("path", "final"),
    [
        ([B.BILLED, B.PAID], B.PAID),
        ([B.PAID], B.PAID),
        ([B.BILLED, B.TO_BILL], B.TO_BILL),
        ([B.WAIVED, B.TO_BILL], B.TO_BILL),
    ],
)
def test_billing_moves_along_its_transitions_and_each_change_is_audited(finance, path, final):
    order = paid_job()
    for status in path:
        order = billing.billing_status_set(order=order, status=status, by=finance, reason="客户投诉")
    assert order.billing_status == final
    statuses = [row.billing_status for row in order.history.order_by("history_date", "history_id")]
    assert statuses[-len(path) :] == path
    assert all(row.history_user == finance for row in order.history.all()[: len(path)])


@pytest.mark.parametrize(
    ("start", "status", "field"),
    [
        (B.PAID, B.TO_BILL, "status"),  # paid is final
        (B.PAID, B.WAIVED, "status"),
        (B.TO_BILL, B.TO_BILL, "status"),
        (B.TO_BILL, "refunded", "status"),
        (B.TO_BILL, B.WAIVED, "reason"),  # waived without a reason
    ],
)
def test_bad_billing_changes_are_refused_next_to_the_field(finance, start, status, field):
    order = paid_job(billing_status=start)
    with pytest.raises(ValidationError) as refused:
        billing.billing_status_set(order=order, status=status, by=finance, reason="   ")
    assert field in refused.value.message_dict
    assert RepairOrder.objects.get(pk=order.pk).billing_status == start


def test_a_waiver_keeps_its_reason_and_the_database_refuses_one_without(finance):
    order = billing.billing_status_set(order=paid_job(), status=B.WAIVED, by=finance, reason="返修免收")
    assert (order.billing_status, order.billing_reason) == (B.WAIVED, "返修免收")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RepairOrder.objects.filter(pk=order.pk).update(billing_reason="")


def test_free_or_open_orders_are_not_billed(finance):
    for order in (paid_job(total=Decimal("0")), paid_job(status="in_progress", completed_at=None)):
        with pytest.raises(ValidationError, match="Only completed orders with fees"):
            billing.billing_status_set(order=order, status=B.BILLED, by=finance)


def test_a_stale_billing_change_is_refused(finance):
    order = paid_job()
    stale = RepairOrder.objects.get(pk=order.pk)
    billing.billing_status_set(order=order, status=B.PAID, by=finance)
    with pytest.raises(ValidationError, match="Someone else changed the billing first"):
        billing.billing_status_set(order=stale, status=B.WAIVED, by=finance, reason="x")
    assert RepairOrder.objects.get(pk=order.pk).billing_status == B.PAID


# The pages


def test_waiving_without_a_reason_on_the_order_page_shows_the_error_next_to_the_field(client, finance):
    order = paid_job()
    client.force_login(finance)
    url = reverse("repairs:order_billing", args=[order.pk])
    response = client.post(url, {"seen": "to_bill", "status": "waived", "reason": ""})
    assert response.status_code == 400
    assert "Say why the fees are waived." in response.context["billing_form"].errors["reason"]
    assert RepairOrder.objects.get(pk=order.pk).billing_status == B.TO_BILL
    response = client.post(url, {"seen": "to_bill", "status": "waived", "reason": "保修期内"})
    assert response.status_code == 302
    assert RepairOrder.objects.get(pk=order.pk).billing_reason == "保修期内"


def test_the_order_page_offers_finance_the_next_statuses_only(client, finance):
    order = paid_job(billing_status=B.BILLED)
    client.force_login(finance)
    form = client.get(order.get_absolute_url()).context["billing_form"]
    assert {value for value, _label in form.fields["status"].choices} == {B.PAID, B.WAIVED, B.TO_BILL}


def test_the_finance_copy_button_records_the_hand_over(client, finance):
    order = paid_job()
    client.force_login(finance)
    response = client.post(reverse("repairs:order_finance_copy", args=[order.pk]), {"next": "list"})
    assert response.status_code == 302 and response.url.startswith(reverse("repairs:billing"))
    assert RepairOrder.objects.get(pk=order.pk).finance_copy_received_by == finance


@pytest.mark.parametrize("role", [Role.ENGINEERING_SUPERVISOR, Role.FRONT_DESK, Role.TECHNICIAN, Role.MANAGER])
def test_only_finance_changes_billing(client, make_user, role):
    order = paid_job()
    client.force_login(make_user(role))
    url = reverse("repairs:order_billing", args=[order.pk])
    assert client.post(url, {"seen": "to_bill", "status": "paid"}).status_code == 403
    assert client.post(reverse("repairs:order_finance_copy", args=[order.pk])).status_code == 403
    assert RepairOrder.objects.get(pk=order.pk).billing_status == B.TO_BILL


def test_the_billing_list_filters_by_status_and_hand_over(client, finance):
    paid = paid_job(number="R-PAID", billing_status=B.PAID)
    received = billing.finance_copy_receive(order=paid_job(number="R-RECV"), by=finance)
    waiting = paid_job(number="R-WAIT")
    paid_job(number="R-FREE", total=Decimal("0"))
    client.force_login(finance)
    numbers = lambda query: [o.number for o in client.get(reverse("repairs:billing"), query).context["page_obj"]]  # noqa: E731
    assert set(numbers({})) == {paid.number, received.number, waiting.number}, "free jobs are not billed"
    assert numbers({"billing_status": "paid"}) == [paid.number]
    assert set(numbers({"received": "true"})) == {received.number}
    assert set(numbers({"received": "false"})) == {paid.number, waiting.number}
    assert numbers({"q": "R-WAIT"}) == [waiting.number]


def test_the_billing_list_is_empty_with_a_message(client, finance):
    client.force_login(finance)
    response = client.get(reverse("repairs:billing"))
    assert 'data-testid="empty"' in response.content.decode()


def test_a_manager_reads_the_billing_of_the_teams_clients_only(client, manager, alice, charlie):
    mine = paid_job(number="R-TEAM", client=ClientFactory(owner=alice))
    paid_job(number="R-OTHER", client=ClientFactory(owner=charlie))
    client.force_login(manager)
    page = client.get(reverse("repairs:billing")).context["page_obj"]
    assert [o.number for o in page] == [mine.number]


def _rows(export: bytes, kind: str) -> list[list]:
    if kind == "csv":
        return list(csv.reader(io.StringIO(export.decode("utf-8-sig"))))
    return [list(row) for row in load_workbook(io.BytesIO(export)).active.iter_rows(values_only=True)]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_the_exports_hold_the_filtered_list(client, finance, kind):
    order = paid_job(number="R-WAIVE", client=ClientFactory(name="=HYPERLINK(1)"), compensation=Decimal("30"))
    billing.finance_copy_receive(order=order, by=finance)
    billing.billing_status_set(order=order, status=B.WAIVED, by=finance, reason="返修免收")
    paid_job(number="R-PAID", billing_status=B.PAID)
    client.force_login(finance)
    response = client.get(reverse("repairs:billing_export"), {"billing_status": "waived", "format": kind})
    assert response.status_code == 200
    assert ("text/csv" in response["Content-Type"]) == (kind == "csv")
    header, *rows = _rows(response.content, kind)
    assert header[0] == "Number" and "Billing" in header
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Number"] == "R-WAIVE" and row["Billing"] == "Waived" and row["Reason for waiving"] == "返修免收"
    assert row["Finance copy received by"] == str(finance)
    assert float(row["Fees"]) == 120.0 and float(row["Compensation"]) == 30.0
    assert row["Client"] == "'=HYPERLINK(1)" if kind == "csv" else row["Client"] == "=HYPERLINK(1)"


@pytest.mark.parametrize("rows", [1, 30])
def test_the_billing_list_and_its_exports_take_the_same_queries_for_1_or_30_rows(
    client, finance, django_assert_max_num_queries, rows
):
    for n in range(rows):
        order = paid_job(client=ClientFactory())
        if n % 2:
            billing.finance_copy_receive(order=order, by=finance)
    client.force_login(finance)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("repairs:billing"), {"per_page": 50}).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("repairs:billing_export"), {"format": "csv"}).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(reverse("repairs:billing_export"), {"format": "xlsx"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("home")).status_code == 200
