"""Month-end sign-off (REP-7, X-2) and reworks: the signed figures stay as signed, a later callback
shows as an amendment, and a reopened order stays a job of the month it was first completed."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from repairs import signoff, statistics, workflow
from repairs.models import Callback, MonthlySignOff, RepairOrder
from tests.factories import RepairOrderFactory, TechnicianFactory
from tests.repairs.test_workflow import SIGNATURE, to_status

pytestmark = pytest.mark.django_db

MONTH = date(2026, 10, 1)


def at(day: int) -> datetime:
    return timezone.make_aware(datetime(2026, 10, day, 10))


@pytest.fixture
def october(db):
    """Four October jobs, all sampled for callbacks; three answered satisfied, one not yet called."""
    tech = TechnicianFactory()
    orders = [
        RepairOrderFactory(
            technician=tech,
            status="closed",
            created_at=at(n + 1),
            consented_at=at(n + 1),
            completed_at=at(n + 1),
            on_time=True,
            signature="M 1 1 L 2 2",
        )
        for n in range(4)
    ]
    statistics.monthly_report_generate(month=MONTH)
    for order in orders:
        Callback.objects.get_or_create(order=order, month=MONTH)
    for callback in Callback.objects.filter(month=MONTH)[:3]:
        statistics.callback_record(callback=callback, result="satisfied", note="", by=None)
    return orders


def test_signing_keeps_the_figures_as_shown(october, supervisor):
    report = statistics.monthly_report_generate(month=MONTH)
    sign_off = signoff.month_sign_off(month=MONTH, by=supervisor)
    assert sign_off.figures == report.figures
    assert (sign_off.signed_by, sign_off.month) == (supervisor, MONTH)
    assert sign_off.figures["callbacks"]["rate"] == 100.0


def test_a_later_callback_shows_as_an_amendment_next_to_the_signed_figure(october, supervisor):
    statistics.monthly_report_generate(month=MONTH)
    sign_off = signoff.month_sign_off(month=MONTH, by=supervisor)
    late = Callback.objects.get(month=MONTH, result="pending")
    statistics.callback_record(callback=late, result="unsatisfied", note="又漏水", by=supervisor)
    sign_off.refresh_from_db()
    assert sign_off.figures["callbacks"]["rate"] == 100.0, "the signed copy never changes"
    found = signoff.amendments(sign_off, statistics.MonthlyReport.objects.get(month=MONTH))
    rate = next(row for row in found["rows"] if row.key == "callbacks")
    assert (rate.signed, rate.now, rate.difference) == (100.0, 75.0, -25.0)
    assert found["later_callbacks"] == 1 and found["amended"]


def test_the_stats_page_shows_signed_and_current_with_the_difference(client, october, supervisor):
    statistics.monthly_report_generate(month=MONTH)
    signoff.month_sign_off(month=MONTH, by=supervisor)
    late = Callback.objects.get(month=MONTH, result="pending")
    statistics.callback_record(callback=late, result="unsatisfied", note="", by=supervisor)
    client.force_login(supervisor)
    page = client.get(reverse("repairs:stats"), {"month": "2026-10"}).content.decode()
    assert "Pass rate (callbacks): signed 100.0 %, now 75.0 % after 1 later callback" in page
    assert "-25.0" in page
    assert str(supervisor) in page


def test_the_supervisor_signs_off_on_the_page_once(client, october, supervisor):
    client.force_login(supervisor)
    url = reverse("repairs:stats_sign_off")
    response = client.post(url, {"month": "2026-10"}, follow=True)
    assert "signed off" in response.content.decode()
    assert MonthlySignOff.objects.get().signed_by == supervisor
    response = client.post(url, {"month": "2026-10"}, follow=True)
    assert "signed off already" in response.content.decode()
    assert MonthlySignOff.objects.count() == 1


def test_one_sign_off_per_month_in_the_database(october, supervisor):
    statistics.monthly_report_generate(month=MONTH)
    MonthlySignOff.objects.create(month=MONTH, signed_by=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        MonthlySignOff.objects.create(month=MONTH, signed_by=supervisor)


def test_a_month_without_statistics_or_not_over_cannot_be_signed(supervisor, db):
    with pytest.raises(ValidationError, match="Produce the month's statistics"):
        signoff.month_sign_off(month=MONTH, by=supervisor)
    statistics.monthly_report_generate(month=timezone.localdate().replace(day=1))
    with pytest.raises(ValidationError, match="once it has ended"):
        signoff.month_sign_off(month=timezone.localdate(), by=supervisor)


@pytest.mark.parametrize("role", [Role.FINANCE, Role.FRONT_DESK, Role.MANAGER, Role.TECHNICIAN])
def test_only_the_engineering_supervisor_signs_off(client, october, make_user, role):
    client.force_login(make_user(role))
    assert client.post(reverse("repairs:stats_sign_off"), {"month": "2026-10"}).status_code == 403
    assert not MonthlySignOff.objects.exists()


def test_finance_reads_the_sign_off(client, october, supervisor, finance):
    signoff.month_sign_off(month=MONTH, by=supervisor)
    client.force_login(finance)
    response = client.get(reverse("repairs:stats"), {"month": "2026-10"})
    assert response.context["sign_off"].signed_by == supervisor
    assert not response.context["can_sign_off"]
    assert 'data-testid="sign"' not in response.content.decode()


# Reworks (REP-7): one job, counted in the month it was first completed


def test_a_reopened_and_recompleted_order_is_one_job_and_one_rework(new_order, supervisor, tech, fees, desk):
    order = to_status(new_order, "closed", supervisor, tech, fees)
    first = order.first_completed_at
    order = workflow.reopen(order=order, by=desk, note="又漏了")
    assert order.first_completed_at == first, "reopening keeps the first completion"
    order = _redo(order, tech, fees)
    assert order.first_completed_at == first and order.rework_count == 1
    figures = statistics.completion(timezone.localdate(first).replace(day=1))
    assert figures["reopenings"]["completed"] == 1, "one job, not two"
    assert figures["reopenings"]["reworks"] == 1 and figures["reopenings"]["reworked"] == 1
    assert figures["reopenings"]["not_reopened"] == 0


def _redo(order: RepairOrder, tech, fees) -> RepairOrder:
    order = workflow.arrive(order=order, by=tech.user)
    order = workflow.quote(order=order, lines=[workflow.LineInput(fees["labour"], Decimal(1))], by=tech.user)
    order = workflow.consent(order=order, by=tech.user)
    return workflow.complete(order=order, by=tech.user, work_notes="Again", signature=SIGNATURE, signed_by="王")


def test_a_reopened_order_stays_in_the_month_of_its_first_completion(db):
    tech = TechnicianFactory()
    RepairOrderFactory(
        technician=tech,
        status="closed",
        consented_at=at(5),
        completed_at=at(30) + timedelta(days=10),  # completed again in November
        first_completed_at=at(5),
        rework_count=1,
        reopen_count=1,
        total=Decimal("80"),
        signature="M 1 1 L 2 2",
    )
    october = statistics.completion(MONTH)
    november = statistics.completion(date(2026, 11, 1))
    assert october["reopenings"]["completed"] == 1 and october["reopenings"]["reworks"] == 1
    assert october["paid"]["orders"] == 1
    assert november["reopenings"]["completed"] == 0 and november["paid"]["orders"] == 0


def test_the_stats_page_shows_reworks(client, supervisor, db):
    RepairOrderFactory(
        technician=TechnicianFactory(),
        status="closed",
        consented_at=at(5),
        completed_at=at(6),
        rework_count=2,
        signature="M 1 1 L 2 2",
    )
    statistics.monthly_report_generate(month=MONTH)
    client.force_login(supervisor)
    page = client.get(reverse("repairs:stats"), {"month": "2026-10"}).content.decode()
    assert "2 reworks" in page
