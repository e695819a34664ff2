"""The coverage and rotation page (VIS-3), its drill-down lists and its Excel export."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from crm.pagination import paginate
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from visits.coverage import (
    FIGURES,
    Report,
    Scope,
    coverage_report,
    figure_clients,
    last_contact,
    with_last_contact,
    without_jit,
)
from visits.coverage_forms import CoverageForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: HttpRequest) -> CoverageForm:
    return CoverageForm(request.GET or None, user=request.user)


def _figure(request: HttpRequest) -> str:
    figure = request.GET.get("show") or "active"
    if figure not in FIGURES:
        raise Http404("No such figure.")
    return figure


@role_required(*CLIENT_ROLES)
def coverage(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    report = coverage_report(request.user, form.scope())
    return render(
        request,
        "visits/coverage.html",
        {"form": form, "report": report, "scope": report.scope, "chart": report.chart()},
    )


@role_required(*CLIENT_ROLES)
def coverage_clients(request: HttpRequest) -> HttpResponse:
    """The clients behind one figure (?show=), for the same period and scope, searchable."""
    form, figure = _form(request), _figure(request)
    scope = form.scope()
    search = request.GET.get("q", "").strip()[:100]
    with without_jit():
        page = paginate(request, figure_clients(request.user, scope, figure, search))
        page.object_list = list(with_last_contact(page.object_list, scope))
    for client in page.object_list:
        client.last_contact = last_contact(client)
    context = {"form": form, "scope": scope, "figure": figure, "figure_label": FIGURES[figure], "search": search}
    return render(request, "visits/coverage_clients.html", {**context, "page_obj": page})


@role_required(*CLIENT_ROLES)
def coverage_export(request: HttpRequest) -> HttpResponse:
    """The per-account-manager table, or with ?show= the clients behind that figure."""
    form = _form(request)
    scope = form.scope()
    book = Workbook()
    if request.GET.get("show"):
        figure = _figure(request)
        _clients_sheet(book, request, scope, figure)
        name = f"coverage-{figure}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.xlsx"
    else:
        _table_sheet(book, coverage_report(request.user, scope))
        name = f"coverage-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.xlsx"
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


TABLE_HEADERS = (
    ("owner", gettext_lazy("Account manager")),
    ("active", gettext_lazy("Active clients")),
    ("contacted", gettext_lazy("Contacted")),
    ("contacted_share", gettext_lazy("Contacted (%)")),
    ("contacted_onsite", gettext_lazy("Contacted on site")),
    ("onsite_share", gettext_lazy("On site (%)")),
    ("planned", gettext_lazy("Planned items")),
    ("on_day", gettext_lazy("Done on their day")),
    ("late", gettext_lazy("Done late")),
    ("missed", gettext_lazy("Missed")),
    ("compliance", gettext_lazy("Compliance (%)")),
    ("done", gettext_lazy("Visits done")),
    ("unplanned", gettext_lazy("Unplanned")),
    ("unplanned_share", gettext_lazy("Unplanned (%)")),
    ("never", gettext_lazy("Never contacted")),
    ("past_rotation", gettext_lazy("Past the rotation limit")),
)


def _table_sheet(book: Workbook, report: Report) -> None:
    sheet = book.active
    sheet.title = _("Coverage")
    xlsx_append(sheet, [_("Period"), report.scope.start, report.scope.end])
    xlsx_append(sheet, [str(label) for _name, label in TABLE_HEADERS])
    for row in [*report.rows, report.total]:
        owner = str(row.owner) if row.owner else _("Total")
        xlsx_append(sheet, [owner, *(getattr(row, name) for name, _label in TABLE_HEADERS[1:])])


def _clients_sheet(book: Workbook, request: HttpRequest, scope: Scope, figure: str) -> None:
    sheet = book.active
    sheet.title = _("Clients")
    xlsx_append(sheet, [str(FIGURES[figure]), scope.start, scope.end])
    headers = [_("Client code"), _("Client"), _("Account manager"), _("Territory"), _("Level"), _("Last contact")]
    xlsx_append(sheet, headers)
    clients = with_last_contact(figure_clients(request.user, scope, figure, request.GET.get("q", "")[:100]), scope)
    with without_jit():
        for client in clients.iterator(chunk_size=2000):
            territory = client.territory.name if client.territory else ""
            row = [client.code, client.name, str(client.owner), territory, client.level, last_contact(client)]
            xlsx_append(sheet, row)


urlpatterns = [
    path("coverage/", coverage, name="coverage"),
    path("coverage/clients/", coverage_clients, name="coverage_clients"),
    path("coverage/export/", coverage_export, name="coverage_export"),
]
