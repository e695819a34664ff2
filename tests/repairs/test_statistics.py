"""Month-end statistics (REP-7) on small hand-checked data: one report per month, rates, callbacks."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from repairs import statistics
from repairs.models import Callback, MonthlyReport, RepairSettings
from repairs.tasks import monthly_report_generate_task
from tests.factories import RepairOrderFactory, TechnicianFactory

MONTH = date(2026, 10, 1)


def at(day, hour=10):
    return timezone.make_aware(datetime(2026, 10, day, hour))


@pytest.fixture
def october(db):
    """Ten orders logged and completed in October 2026, one in September, one still open."""
    tech = TechnicianFactory(user__username="t1", user__first_name="陈师傅")
    rows = []
    for n in range(10):
        rows.append(
            RepairOrderFactory(
                technician=tech,
                status="closed" if n % 2 else "completed",
                category="plumbing" if n < 6 else "electrical",
                created_at=at(n + 1, 8),
                completed_at=at(n + 1, 12),
                consented_at=at(n + 1, 11),
                on_time=n not in (2, 5),
                total=Decimal("100") if n < 4 else Decimal("0"),
                compensation=Decimal("30") if n == 9 else Decimal("0"),
                reopen_count=1 if n == 7 else 0,
                signature="M 1 1 L 2 2 L 3 3",
            )
        )
    RepairOrderFactory(created_at=at(15), status="new")
    september = timezone.make_aware(datetime(2026, 9, 20, 10))
    RepairOrderFactory(
        technician=tech,
        status="closed",
        created_at=september,
        completed_at=september,
        consented_at=september,
        signature="M 1 1 L 2 2",
        total=Decimal("999"),
    )
    return rows


def test_figures_of_the_month(october):
    figures = statistics.compute_figures(MONTH)
    assert figures["timeliness"] == {"measured": 10, "on_time": 8, "rate": 80.0}
    assert figures["reopenings"] == {
        "completed": 10,
        "not_reopened": 9,
        "rate": 90.0,
        "reworked": 0,
        "reworks": 0,
    }
    assert figures["paid"] == {"orders": 5, "fees": "400.00", "compensation": "30.00"}
    assert {row["category"]: (row["logged"], row["done"]) for row in figures["by_category"]} == {
        "plumbing": (7, 6),
        "electrical": (4, 4),
    }
    assert figures["by_technician"] == [
        {
            "technician_id": october[0].technician_id,
            "name": "陈师傅",
            "username": "t1",
            "done": 10,
            "on_time": 8,
            "fees": "400.00",
        }
    ]


def test_the_callback_sample_is_the_configured_share_and_stable(october):
    RepairSettings.objects.update_or_create(pk=1, defaults={"callback_share_percent": 30})
    assert statistics.sample_callbacks(MONTH) == 3
    first = set(Callback.objects.values_list("order_id", flat=True))
    assert statistics.sample_callbacks(MONTH) == 3
    assert set(Callback.objects.values_list("order_id", flat=True)) == first


def test_running_twice_gives_one_report_and_a_late_callback_updates_it(october, make_user):
    from crm.roles import Role

    statistics.monthly_report_generate(month=MONTH)
    report = statistics.monthly_report_generate(month=MONTH)
    assert MonthlyReport.objects.count() == 1
    assert report.figures["callbacks"]["sampled"] == 2 and report.figures["callbacks"]["rate"] is None
    callbacks = list(Callback.objects.filter(month=MONTH))
    supervisor = make_user(Role.ENGINEERING_SUPERVISOR)
    statistics.callback_record(callback=callbacks[0], result="satisfied", note="ok", by=supervisor)
    statistics.callback_record(callback=callbacks[1], result="unsatisfied", note="drips", by=supervisor)
    report.refresh_from_db()
    assert report.figures["callbacks"]["rate"] == 50.0


def test_the_beat_task_does_the_previous_month(october):
    assert monthly_report_generate_task("2026-10-01") == MonthlyReport.objects.get(month=MONTH).pk
    assert statistics.previous_month(date(2026, 11, 28)) == MONTH


def test_stats_page_produce_button_export_and_register(client, october, make_user):
    from crm.roles import Role

    supervisor = make_user(Role.ENGINEERING_SUPERVISOR)
    client.force_login(supervisor)
    client.post(reverse("repairs:stats_generate"), {"month": "2026-10"})
    page = client.get(reverse("repairs:stats"), {"month": "2026-10"})
    assert page.context["report"].figures["timeliness"]["rate"] == 80.0
    assert "80.0%" in page.content.decode()
    export = client.get(reverse("repairs:stats_export"), {"month": "2026-10"})
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    register = client.get(reverse("repairs:register"), {"month": "2026-10"})
    assert len(register.context["page_obj"].object_list) == 5


def test_the_excel_export_holds_the_figures_and_the_register_the_page_shows(client, october, make_user):
    from crm.roles import Role

    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    export = client.get(reverse("repairs:stats_export"), {"month": "2026-10"})
    assert export["Content-Disposition"] == 'attachment; filename="repairs-2026-10.xlsx"'
    book = load_workbook(BytesIO(export.content), read_only=True)
    sheets = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    assert list(sheets) == ["Summary", "By category", "By technician", "Paid-service register"]
    summary = {row[0]: row[1:] for row in sheets["Summary"]}
    assert summary["Month"][0] == "2026-10"
    assert summary["Timeliness rate (%)"][:3] == [80, 8, 10]
    assert summary["Orders not reopened (%)"][:3] == [90, 9, 10]
    assert summary["Paid orders"][:5] == [5, "Fees", 400, "Compensation", 30]
    assert sheets["By category"] == [["Category", "Logged", "Done"], ["Electrical", 4, 4], ["Plumbing", 7, 6]]
    assert sheets["By technician"] == [["Technician", "Done", "On time", "Fees"], ["陈师傅", 10, 8, 400.0]]
    header, *rows = sheets["Paid-service register"]
    assert header == ["Number", "Completed", "Unit", "Client", "Technician", "Fees", "Compensation"]
    page = client.get(reverse("repairs:register"), {"month": "2026-10"}).context["page_obj"].object_list
    assert [row[0] for row in rows] == [order.number for order in page]
    assert [(row[5], row[6]) for row in rows] == [(float(o.total), float(o.compensation)) for o in page]
    assert sum(row[5] for row in rows) == 400.0 and sum(row[6] for row in rows) == 30.0


def test_finance_reads_but_does_not_produce(client, october, finance):
    client.force_login(finance)
    assert client.get(reverse("repairs:stats")).status_code == 200
    assert client.post(reverse("repairs:stats_generate"), {"month": "2026-10"}).status_code == 403
    assert not MonthlyReport.objects.exists() and not Callback.objects.exists(), "nothing was produced"


def test_only_the_engineering_supervisor_records_callback_results(client, october, finance, make_user):
    """Spot-check callbacks are the engineering supervisor's (SPEC roles, REP-7): finance reads them."""
    from crm.roles import Role

    statistics.monthly_report_generate(month=MONTH)
    callback = Callback.objects.filter(month=MONTH).first()
    record = reverse("repairs:callback_record", args=[callback.pk])
    client.force_login(finance)
    assert record not in client.get(reverse("repairs:stats"), {"month": "2026-10"}).content.decode()
    assert client.post(record, {"result": "satisfied"}).status_code == 403
    callback.refresh_from_db()
    assert (callback.result, callback.recorded_by) == (Callback.Result.PENDING, None), "nothing was recorded"
    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    assert record in client.get(reverse("repairs:stats"), {"month": "2026-10"}).content.decode()
    client.post(record, {"result": "satisfied"})
    callback.refresh_from_db()
    assert callback.result == "satisfied"


def test_front_desk_has_no_statistics(client, desk):
    client.force_login(desk)
    assert client.get(reverse("repairs:stats")).status_code == 403


def test_empty_month_has_no_rates(db):
    figures = statistics.compute_figures(date(2020, 1, 1))
    assert figures["timeliness"]["rate"] is None and figures["paid"]["orders"] == 0


def test_month_bounds_cover_the_whole_local_month():
    start, end = statistics.month_bounds(date(2026, 12, 1))
    assert (start.month, end.year, end.month) == (12, 2027, 1)
    assert end - start == timedelta(days=31)


def test_the_stats_page_names_categories_in_the_users_language(client, october, make_user):
    from crm.roles import Role

    statistics.monthly_report_generate(month=MONTH)
    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    client.post("/i18n/setlang/", {"language": "zh-hans"})
    response = client.get(reverse("repairs:stats"), {"month": "2026-10"})
    labels = [row["label"] for row in response.context["categories"]]
    assert set(labels) == {"电气", "给排水"}


def test_excel_register_writes_hostile_names_as_text_and_fees_as_numbers(client, october, make_user):
    import io

    import openpyxl

    from crm.roles import Role
    from tests.factories import ClientFactory

    october[0].client = ClientFactory(name="=cmd|' /C calc'!A0")
    october[0].save(update_fields=["client"])
    october[0].technician.user.first_name = "@SUM(1+1)"
    october[0].technician.user.save(update_fields=["first_name"])
    client.force_login(make_user(Role.FINANCE))
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("repairs:stats_export"), {"month": "2026-10"}).content))
    register = book.worksheets[3]
    first = list(register[2])
    assert (first[3].value, first[3].data_type) == ("=cmd|' /C calc'!A0", "s")
    assert (first[5].value, first[5].data_type) == (100, "n")
    technician = book.worksheets[2]["A2"]
    assert (technician.value, technician.data_type) == ("@SUM(1+1)", "s")
    assert technician.quotePrefix


def test_the_register_exports_as_csv_with_the_rows_the_page_shows(client, october, make_user):
    import csv
    import io

    from crm.roles import Role

    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    response = client.get(reverse("repairs:register"), {"month": "2026-10", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="repair-register-2026-10.csv"'
    header, *rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["Number", "Completed", "Unit", "Client", "Technician", "Fees", "Compensation"]
    page = client.get(reverse("repairs:register"), {"month": "2026-10"})
    shown = page.context["page_obj"].object_list
    assert [row[0] for row in rows] == [order.number for order in shown]
    assert sum(float(row[5]) for row in rows) == 400.0 and sum(float(row[6]) for row in rows) == 30.0
    assert "format=csv" in page.content.decode()


def test_the_register_page_shows_money_with_its_currency(client, october, make_user):
    from crm.roles import Role

    client.force_login(make_user(Role.ENGINEERING_SUPERVISOR))
    page = client.get(reverse("repairs:register"), {"month": "2026-10"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "100.00 元" in page.content.decode()
