"""The territory market reports (市场分析报告, VIS-7): list, report, printable page, Excel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from visits import reports
from visits.models import MarketInfo, MarketReport
from visits.report_forms import ReportDecisionForm, ReportFilter, ReportSectionsForm

TOPIC_LABELS = {topic: MarketInfo._meta.get_field(topic).verbose_name for topic in MarketInfo.TOPICS}


def _figures(report: MarketReport) -> dict:
    """The stored figures, each latest entry with its observations as (label, text) pairs."""
    figures = dict(report.figures or {})
    market = dict(figures.get("market") or {})
    market["latest"] = [
        {**row, "observations": [(TOPIC_LABELS[t], row[t]) for t in MarketInfo.TOPICS if row.get(t)]}
        for row in market.get("latest", [])
    ]
    figures["market"] = market
    return figures


def _number(value: str | None) -> float | None:
    """A stored decimal (text in the JSON) as a number Excel can sum."""
    return None if value in (None, "") else float(value)


def _refused(request: HttpRequest, form, error: ValidationError, report: MarketReport) -> None:
    """A service's refusal: next to the field it names, else as a message (the form may no longer
    be shown: the report moved on meanwhile), and the page shows the report as it is now."""
    if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
        add_service_errors(form, error)
    else:
        messages.error(request, " ".join(error.messages))
    report.refresh_from_db()


def _report(request: HttpRequest, pk: int) -> MarketReport:
    return get_visible_or_404(
        MarketReport.objects.select_related("territory", "responsible", "reviewed_by"), request.user, pk=pk
    )


@role_required(*CLIENT_ROLES)
def report_list(request: HttpRequest) -> HttpResponse:
    filterset = ReportFilter(request.GET or None, queryset=reports.reports_for(request.user))
    page = paginate(request, filterset.qs)
    return render(request, "visits/report_list.html", {"filter": filterset, "page_obj": page})


@role_required(*CLIENT_ROLES)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The figures, the analysis (a form for the responsible while editable) and the review."""
    report = _report(request, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    writing = action in ("save", "submit")
    sections_form = ReportSectionsForm(
        request.POST if writing else None, instance=report, initial={"version": report.version}
    )
    deciding = action in ("review", "return")
    decision_form = ReportDecisionForm(request.POST if deciding else None, initial={"version": report.version})
    # The status is the service's to check: a page opened before someone else's step is told why.
    if writing and report.responsible_id == request.user.pk:
        if sections_form.is_valid():
            data = sections_form.cleaned_data
            sections = {name: data[name] for name in reports.SECTIONS}
            try:
                if action == "submit":
                    reports.report_submit(
                        report=report, by=request.user, seen_version=data["version"], sections=sections
                    )
                else:
                    reports.report_save(report=report, by=request.user, sections=sections, seen_version=data["version"])
            except ValidationError as error:
                _refused(request, sections_form, error, report)
            else:
                messages.success(
                    request, _("Report submitted to the manager.") if action == "submit" else _("Report saved.")
                )
                return redirect(report)
    elif deciding and reports.decider_refusal(report, request.user) is None:
        if decision_form.is_valid():
            decide = reports.report_review if action == "review" else reports.report_return
            try:
                decide(
                    report=report,
                    by=request.user,
                    note=decision_form.cleaned_data["note"],
                    seen_version=decision_form.cleaned_data["version"],
                )
            except ValidationError as error:
                _refused(request, decision_form, error, report)
            else:
                messages.success(
                    request, _("Report marked as reviewed.") if action == "review" else _("Report returned.")
                )
                return redirect(report)
    elif action:
        messages.error(request, _("You cannot change this report."))
    context = {
        "report": report,
        "f": _figures(report),
        "can_write": reports.can_write(report, request.user),
        "can_decide": reports.can_decide(report, request.user),
        "sections_form": sections_form,
        "decision_form": decision_form,
        "history": report.history.select_related("history_user")[:20],
    }
    return render(request, "visits/report_detail.html", context)


@role_required(*CLIENT_ROLES)
def report_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable report (A4, print CSS, Chinese fonts), without navigation or forms."""
    report = _report(request, pk)
    return render(request, "visits/report_print.html", {"report": report, "f": _figures(report)})


@role_required(*CLIENT_ROLES)
def report_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as an Excel workbook: the analysis and one sheet per table of figures."""
    report = _report(request, pk)
    f = report.figures or {}
    book = Workbook()
    sheet = book.active
    sheet.title = _("Report")
    for label, value in (
        (_("Territory"), report.territory.name),
        (_("Month"), f"{report.month:%Y-%m}"),
        (_("Status"), report.get_status_display()),
        (_("Responsible"), str(report.responsible or "")),
        (_("Due"), report.due_date.isoformat()),
        (_("Late"), _("yes") if report.is_late else _("no")),
        (_("Summary"), report.summary),
        (_("Competition and prices"), report.competition),
        (_("Demand and business conditions"), report.demand),
        (_("Actions for next month"), report.actions),
        (_("Manager's comment"), report.review_note),
    ):
        xlsx_append(sheet, [label, value])
    coverage, levels, complaints = f.get("coverage", {}), f.get("levels", {}), f.get("complaints", {})
    sheet = book.create_sheet(_("Figures"))
    for label, value in (
        (_("Market information entries"), f.get("market", {}).get("count", 0)),
        (_("Active clients"), coverage.get("active_clients", 0)),
        (_("Contacted in the month"), coverage.get("contacted", 0)),
        (_("Contacted (%)"), coverage.get("contacted_share")),
        (_("On-site visits done"), coverage.get("onsite_visits", 0)),
        (_("Clients up a level"), levels.get("up", 0)),
        (_("Clients down a level"), levels.get("down", 0)),
        (_("Complaints received"), complaints.get("count", 0)),
        (_("Complaints still open"), complaints.get("open", 0)),
    ):
        xlsx_append(sheet, [label, value])
    sheet = book.create_sheet(_("Products"))
    xlsx_append(sheet, [_("Product or brand"), _("Entries"), _("Prices seen"), _("Average"), _("Lowest"), _("Highest")])
    for row in f.get("market", {}).get("products", []):
        xlsx_append(
            sheet,
            [
                row["product"],
                row["count"],
                row["priced"],
                *(_number(row[key]) for key in ("avg_price", "min_price", "max_price")),
            ],
        )
    sheet = book.create_sheet(_("Market information"))
    xlsx_append(
        sheet,
        [
            _("Date"),
            _("Client"),
            _("Product or brand"),
            _("Price"),
            *(capfirst(str(label)) for label in TOPIC_LABELS.values()),
        ],
    )
    for row in f.get("market", {}).get("latest", []):
        xlsx_append(
            sheet,
            [row["date"], row["client"], row["product"], _number(row["price"]), *(row[t] for t in MarketInfo.TOPICS)],
        )
    sheet = book.create_sheet(_("Demand"))
    xlsx_append(sheet, [_("Product"), _("Unit"), _("Quantity"), _("Records")])
    for row in f.get("demand", []):
        xlsx_append(sheet, [row["product"], row["unit"], _number(row["quantity"]), row["records"]])
    response = HttpResponse(
        xlsx_bytes(book), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"territory-report-{report.territory.code}-{report.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


urlpatterns = [
    path("reports/", report_list, name="reports"),
    path("reports/<int:pk>/", report_detail, name="report"),
    path("reports/<int:pk>/print/", report_print, name="report_print"),
    path("reports/<int:pk>/export/", report_export, name="report_export"),
]
