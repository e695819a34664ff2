"""A brand plan's page (品牌培育, MKT-4): its milestones against the ledger, a chart, the target
clients (each reader sees those of their own scope) and the Excel export of the progress.

The catalogue's pages are clients.views.brands; this one lives in grading because its figures
come from the sales ledger (clients does not import grading)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from clients import segments
from clients.filters import BrandPlanTargetFilter
from clients.models import BrandPlan
from clients.views.brands import PLANNERS, plan_queryset
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required, user_has_role
from crm.roles import CLIENT_ROLES
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from grading.brand_progress import MonthProgress, bought, plan_progress, plan_targets, with_last_orders

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plan(request: HttpRequest, pk: int) -> BrandPlan:
    return get_visible_or_404(plan_queryset(), request.user, pk=pk)


def _chart(progress: list[MonthProgress]) -> dict:
    """The chart's series for the page's json_script (numbers as floats: it is a picture)."""
    return {
        "labels": [f"{row.month:%Y-%m}" for row in progress],
        "points": [None if row.future else row.points for row in progress],
        "target_points": [row.target_points for row in progress],
        "sales": [None if row.future else float(row.sales) for row in progress],
        "target_sales": [float(row.target_sales) if row.target_sales is not None else None for row in progress],
        "series": {
            "points": _("Distribution points"),
            "target_points": _("Target distribution points"),
            "sales": _("Sales to target clients"),
            "target_sales": _("Sales target"),
        },
    }


@role_required(*CLIENT_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan(request, pk)
    progress = plan_progress(plan)
    targets = BrandPlanTargetFilter(request.GET, queryset=plan_targets(request.user, plan), bought=bought(plan))
    page = paginate(request, targets.qs)
    page.object_list = with_last_orders(plan, list(page.object_list))
    context = {
        "plan": plan,
        "progress": progress,
        "chart": _chart(progress),
        "filter": targets,
        "page_obj": page,
        "target_total": plan.targets.count(),
        "milestones": plan.milestones.all(),
        "segment": segments.segment_description(request.user, plan.segment) if plan.segment else [],
        "can_plan": user_has_role(request.user, PLANNERS),
    }
    return render(request, "grading/brand_plan.html", context)


@role_required(*CLIENT_ROLES)
def plan_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress table in one sheet (X-3): the same figures as the page."""
    plan = _plan(request, pk)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Progress")
    xlsx_append(sheet, [plan.name, str(plan.brand), f"{plan.start_month:%Y-%m} – {plan.end_month:%Y-%m}"])
    xlsx_append(
        sheet,
        [
            _("Month"),
            _("Target distribution points"),
            _("Distribution points"),
            _("Attainment (%)"),
            _("Sales target"),
            _("Sales to target clients"),
            _("Attainment (%)"),
            _("Sales to all clients"),
        ],
    )
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in plan_progress(plan):
        xlsx_append(
            sheet,
            [
                f"{row.month:%Y-%m}",
                row.target_points,
                row.points,
                row.points_rate,
                row.target_sales,
                row.sales,
                row.sales_rate,
                row.all_sales,
            ],
        )
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="brand-plan-{plan.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


urlpatterns = [
    path("plans/<int:pk>/", plan_detail, name="plan"),
    path("plans/<int:pk>/export/", plan_export, name="plan_export"),
]
