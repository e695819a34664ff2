"""The complaints report page and its Excel file (CLI-6)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import complaint_report
from clients.forms import ComplaintReportForm
from crm.permissions import role_required
from crm.roles import COMPLAINT_REPORT_ROLES

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*COMPLAINT_REPORT_ROLES)
def complaint_report_view(request: HttpRequest) -> HttpResponse:
    """Property staff and managers, each over the complaints they may see; ``?format=xlsx`` downloads it."""
    today = timezone.localdate()
    first = (today.replace(day=1) - timezone.timedelta(days=150)).replace(day=1)
    data = {"start": f"{first:%Y-%m}", "end": f"{today:%Y-%m}", **request.GET.dict()}
    form = ComplaintReportForm(data)
    report = None
    if form.is_valid():
        report = complaint_report.complaints_report(user=request.user, **form.cleaned_data)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(complaint_report.report_workbook(report), content_type=XLSX)
            name = f"complaints-{report.start:%Y%m}-{report.end:%Y%m}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    titles = {
        "month": _("By month"),
        "category": _("By category"),
        "channel": _("By channel"),
        "handler": _("By handler"),
    }
    tables = [(titles[name], rows) for name, rows in report.tables.items()] if report else []
    return render(request, "clients/complaint_report.html", {"form": form, "report": report, "tables": tables})
