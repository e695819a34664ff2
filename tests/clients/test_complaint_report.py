"""The complaints report (CLI-6): figures computed by hand on a small dataset, the Excel file, who
may read it, and its query count."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clients import complaint_report
from clients import complaints as workflow
from clients.models import Complaint
from crm.roles import Role
from tests.factories import ClientFactory

PROPERTY = Complaint.Kind.PROPERTY


@pytest.fixture
def desk(make_user):
    return make_user(Role.FRONT_DESK, username="desk", first_name="前台", last_name="王")


@pytest.fixture
def archivist(make_user):
    return make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="archivist", first_name="客务", last_name="李")


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def _complaint(tenant, by, *, received, hours=None, reopened=0, category="noise", channel="phone", assignee=None):
    complaint = workflow.complaint_file(
        client=tenant, subject="c", description="d", channel=channel, by=by, kind=PROPERTY, category=category
    )
    changes = {"received_at": received, "reopen_count": reopened}
    if assignee:
        changes.update(status="assigned", assignee=assignee)
    if hours is not None:
        changes.update(status="resolved", assignee=assignee or by, resolved_at=received + timedelta(hours=hours))
    Complaint.objects.filter(pk=complaint.pk).update(**changes)
    return complaint


@pytest.fixture
def dataset(alice, desk, archivist):
    """The docstring's worked example, plus a sales complaint and one outside the period."""
    tenant = ClientFactory(owner=alice, name="华信科技")
    _complaint(tenant, desk, received=at(date(2025, 3, 3), 9), hours=2, assignee=desk)
    _complaint(
        tenant, desk, received=at(date(2025, 3, 20), 9), hours=6, reopened=1, category="repair", assignee=archivist
    )
    _complaint(tenant, desk, received=at(date(2025, 4, 1), 9), hours=10, channel="visit", assignee=archivist)
    _complaint(tenant, desk, received=at(date(2025, 4, 30), 22), category="cleaning")  # still open
    _complaint(tenant, desk, received=at(date(2025, 5, 1), 9), hours=1)  # after the period
    sales = workflow.complaint_file(client=tenant, subject="s", description="d", channel="phone", by=alice)
    Complaint.objects.filter(pk=sales.pk).update(received_at=at(date(2025, 3, 5), 9))
    return tenant


def _rows(report, table):
    return {
        row.label: (row.received, row.resolved, row.average_hours, row.median_hours, row.reopen_rate)
        for row in report.tables[table]
    }


def test_the_report_figures_match_the_worked_example(dataset, desk):
    report = complaint_report.complaints_report(user=desk, start=date(2025, 3, 1), end=date(2025, 4, 1), kind=PROPERTY)
    assert _rows(report, "month") == {"2025-03": (2, 2, 4.0, 4.0, 50.0), "2025-04": (2, 1, 10.0, 10.0, 0.0)}
    total = report.total
    assert (total.received, total.resolved, total.average_hours, total.median_hours, total.reopen_rate) == (
        4,
        3,
        6.0,
        6.0,
        25.0,
    )


def test_the_report_breaks_down_by_category_channel_and_handler(dataset, desk):
    report = complaint_report.complaints_report(user=desk, start=date(2025, 3, 1), end=date(2025, 4, 1))
    assert _rows(report, "category") == {
        "Cleaning": (1, 0, None, None, 0.0),
        "Noise": (2, 2, 6.0, 6.0, 0.0),
        "Repairs / defect": (1, 1, 6.0, 6.0, 100.0),
    }
    assert _rows(report, "channel") == {"In person": (1, 1, 10.0, 10.0, 0.0), "Phone": (3, 2, 4.0, 4.0, 33.3)}
    assert _rows(report, "handler") == {
        "Not assigned": (1, 0, None, None, 0.0),
        "前台 王": (1, 1, 2.0, 2.0, 0.0),
        "客务 李": (2, 2, 8.0, 8.0, 50.0),
    }


def test_an_odd_count_takes_the_middle_value_as_median(alice, desk):
    tenant = ClientFactory(owner=alice)
    for hours in (1, 2, 30):
        _complaint(tenant, desk, received=at(date(2025, 6, 2), 8), hours=hours)
    report = complaint_report.complaints_report(user=desk, start=date(2025, 6, 1), end=date(2025, 6, 1))
    assert (report.total.average_hours, report.total.median_hours) == (11.0, 2.0)


def test_the_report_counts_only_what_the_reader_may_see(dataset, alice, charlie, manager):
    """A manager sees the team's clients' complaints of both kinds; another team's account manager none."""
    start, end = date(2025, 3, 1), date(2025, 4, 1)
    assert complaint_report.complaints_report(user=manager, start=start, end=end).total.received == 5
    assert complaint_report.complaints_report(user=manager, start=start, end=end, kind="sales").total.received == 1
    assert complaint_report.complaints_report(user=charlie, start=start, end=end).total.received == 0


def test_the_report_page_and_its_excel_file(client, dataset, archivist):
    client.force_login(archivist)
    url = reverse("clients:complaint_report")
    query = {"start": "2025-03", "end": "2025-04", "kind": "property"}
    page = client.get(url, query)
    assert page.status_code == 200 and page.context["report"].total.received == 4
    response = client.get(url, {**query, "format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="complaints-202503-202504.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Summary", "By month", "By category", "By channel", "By handler"]
    months = [list(row) for row in book["By month"].iter_rows(values_only=True)]
    assert months == [
        [
            None,
            "Received",
            "Resolved",
            "Average hours to resolve",
            "Median hours to resolve",
            "Reopened",
            "Reopen rate (%)",
        ],
        ["2025-03", 2, 2, 4, 4, 1, 50],
        ["2025-04", 2, 1, 10, 10, 0, 0],
    ]
    summary = [list(row) for row in book["Summary"].iter_rows(values_only=True)]
    assert summary[3][:3] == ["All complaints", 4, 3]


def test_a_bad_period_is_told_next_to_the_field(client, archivist):
    client.force_login(archivist)
    page = client.get(reverse("clients:complaint_report"), {"start": "2025-05", "end": "2025-03"})
    assert page.status_code == 200 and page.context["report"] is None
    assert "end" in page.context["form"].errors


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.FRONT_DESK, 200),
        (Role.CLIENT_SERVICES_SUPERVISOR, 200),
        (Role.CLIENT_SERVICES_MANAGER, 200),
        (Role.MANAGER, 200),
        (Role.ACCOUNT_MANAGER, 403),
        (Role.TECHNICIAN, 403),
    ],
)
def test_who_reads_the_report(client, make_user, role, status):
    client.force_login(make_user(role))
    assert client.get(reverse("clients:complaint_report")).status_code == status


def test_the_report_query_count_does_not_grow_with_rows(client, alice, desk, django_assert_max_num_queries):
    tenant = ClientFactory(owner=alice)
    client.force_login(desk)
    url = reverse("clients:complaint_report")
    query = {"start": "2025-01", "end": "2025-12"}
    _complaint(tenant, desk, received=at(date(2025, 2, 2), 8), hours=3, assignee=desk)
    with django_assert_max_num_queries(30) as few:
        client.get(url, query)
    for day in range(1, 29):
        _complaint(tenant, desk, received=at(date(2025, 1 + day % 12, day), 8), hours=day, assignee=desk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url, query)
