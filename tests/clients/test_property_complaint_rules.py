"""Tenants' complaints beside the sales ones: the list's filters per role, the unit file's link, the
report's kind filter and its Excel cells, and sales complaints working as before."""

import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clients import complaint_report
from clients import complaints as workflow
from clients.filters import ComplaintFilter
from clients.models import Complaint
from crm.roles import Role
from tests.factories import ClientFactory, TenancyFactory

PROPERTY = Complaint.Kind.PROPERTY


@pytest.fixture
def desk(make_user):
    return make_user(Role.FRONT_DESK, username="desk")


@pytest.fixture
def tenant(alice):
    client = ClientFactory(owner=alice, name="华信科技", kind="tenant")
    TenancyFactory(client=client, company_name=client.name)
    return client


def property_complaint(tenant, by, subject="噪音", category="noise"):
    return workflow.complaint_file(
        client=tenant, subject=subject, description="d", channel="phone", by=by, kind=PROPERTY, category=category
    )


def test_the_property_sides_filter_has_no_kind_or_account_manager(desk, make_user):
    form = ComplaintFilter({}, queryset=Complaint.objects.all(), user=desk).form
    assert "kind" not in form.fields and "owner" not in form.fields
    archivist = make_user(Role.CLIENT_SERVICES_SUPERVISOR)
    assert set(form.fields["assignee"].queryset) == {desk, archivist}


def test_an_administrator_filters_by_kind_and_any_handler(admin_user, desk, alice, tenant):
    property_complaint(tenant, desk)
    workflow.complaint_file(client=tenant, subject="sales", description="d", channel="phone", by=alice)
    filterset = ComplaintFilter({"kind": "property"}, queryset=Complaint.objects.all(), user=admin_user)
    assert [c.subject for c in filterset.qs] == ["噪音"]
    assert desk in filterset.form.fields["assignee"].queryset
    assert alice in filterset.form.fields["assignee"].queryset


def test_the_account_managers_filter_is_unchanged(alice, bob):
    form = ComplaintFilter({}, queryset=Complaint.objects.all(), user=alice).form
    assert {"kind", "owner", "assignee", "category"} <= set(form.fields)
    assert set(form.fields["assignee"].queryset) == {alice, bob}


def test_sales_complaint_assignees_are_still_the_owners_team(alice, bob, charlie, desk, tenant):
    choices = set(workflow.assignee_choices(tenant))
    assert choices == {alice, bob} and desk not in choices


def test_the_sales_complaint_form_offers_only_sales_categories(client, alice, tenant):
    client.force_login(alice)
    form = client.get(reverse("clients:complaint_create", args=[tenant.pk])).context["form"]
    values = [value for value, _label in form.fields["category"].choices]
    assert "noise" not in values and "product" in values


@pytest.mark.parametrize("role", [Role.ACCOUNT_MANAGER, Role.ENGINEERING_SUPERVISOR, Role.MANAGER])
def test_the_unit_file_offers_no_complaint_link_to_roles_that_cannot_file(client, make_user, tenant, role):
    user = make_user(role, username=f"u-{role}", team=tenant.owner.team)
    if role == Role.ACCOUNT_MANAGER:
        user = tenant.owner
    client.force_login(user)
    page = client.get(reverse("archives:unit", args=[tenant.tenancies.get().unit_id]))
    assert page.status_code == 200
    assert b'data-testid="unit-file-complaint"' not in page.content


def test_a_tenant_link_to_a_non_numeric_client_is_ignored(client, desk):
    client.force_login(desk)
    page = client.get(reverse("clients:property_complaint_create"), {"client": "x1"})
    assert page.status_code == 200 and page.context["form"]["client"].value() is None


def test_a_property_complaint_for_a_client_who_is_not_a_tenant_is_refused(client, desk, alice):
    stranger = ClientFactory(owner=alice)
    client.force_login(desk)
    data = {"client": stranger.pk, "subject": "x", "channel": "phone", "category": "noise", "description": "y"}
    response = client.post(reverse("clients:property_complaint_create"), data)
    assert "client" in response.context["form"].errors and not Complaint.objects.exists()


def test_the_report_kind_filter_for_the_property_side_never_shows_sales(desk, alice, tenant):
    property_complaint(tenant, desk)
    workflow.complaint_file(client=tenant, subject="sales", description="d", channel="phone", by=alice)
    today = timezone.localdate()
    assert complaint_report.complaints_report(user=desk, start=today, end=today, kind="sales").total.received == 0
    assert complaint_report.complaints_report(user=desk, start=today, end=today).total.received == 1


def test_the_report_period_is_whole_local_months(desk, tenant):
    complaint = property_complaint(tenant, desk)
    last_minute = timezone.make_aware(datetime(2025, 1, 31, 23, 59))
    Complaint.objects.filter(pk=complaint.pk).update(received_at=last_minute)
    report = complaint_report.complaints_report(user=desk, start=date(2025, 1, 15), end=date(2025, 1, 15))
    assert report.total.received == 1 and [row.label for row in report.tables["month"]] == ["2025-01"]
    report = complaint_report.complaints_report(user=desk, start=date(2025, 2, 1), end=date(2025, 2, 1))
    assert report.total.received == 0 and report.tables["month"] == []


def test_the_report_page_defaults_to_the_last_six_months(client, desk):
    client.force_login(desk)
    page = client.get(reverse("clients:complaint_report"))
    report = page.context["report"]
    today = timezone.localdate()
    assert report.end == today.replace(day=1) or report.end == today
    assert (today.year - report.start.year) * 12 + today.month - report.start.month == 5
    assert b'data-testid="empty"' in page.content


def test_the_report_refuses_more_than_three_years(client, desk):
    client.force_login(desk)
    page = client.get(reverse("clients:complaint_report"), {"start": "2020-01", "end": "2024-01"})
    assert page.context["report"] is None and "end" in page.context["form"].errors


def test_a_handler_with_a_formula_name_stays_text_in_the_excel_file(client, make_user, tenant):
    hostile = make_user(Role.FRONT_DESK, username="hostile", first_name="=cmd|'/c calc'!A1", last_name="")
    complaint = property_complaint(tenant, hostile)
    workflow.complaint_assign(complaint=complaint, assignee=hostile, by=hostile)
    client.force_login(hostile)
    today = timezone.localdate()
    response = client.get(
        reverse("clients:complaint_report"), {"start": f"{today:%Y-%m}", "end": f"{today:%Y-%m}", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content))["By handler"]
    cell = sheet.cell(row=2, column=1)
    assert cell.value == "=cmd|'/c calc'!A1" and cell.data_type == "s"


def test_resolution_time_counts_from_received_to_resolved(desk, tenant):
    complaint = property_complaint(tenant, desk)
    complaint = workflow.complaint_assign(complaint=complaint, assignee=desk, by=desk)
    workflow.complaint_resolve(complaint=complaint, resolution="ok", by=desk)
    received = timezone.now() - timedelta(hours=30)
    Complaint.objects.filter(pk=complaint.pk).update(received_at=received, resolved_at=received + timedelta(hours=27))
    today = timezone.localdate()
    report = complaint_report.complaints_report(user=desk, start=today - timedelta(days=2), end=today)
    assert (report.total.average_hours, report.total.median_hours) == (27.0, 27.0)
