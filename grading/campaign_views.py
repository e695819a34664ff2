"""Grading's pages of a campaign (MKT-1): its evaluation against the ledger, the Excel of it, and
campaigns side by side. The campaign's own pages are clients' (/campaigns/<id>/)."""

from __future__ import annotations

from collections import defaultdict

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from clients.models import Campaign
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from grading.campaign_evaluation import Evaluation, Figures, evaluate

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COMPARE_MAX = 6


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    return get_visible_or_404(Campaign.objects.select_related("product", "created_by"), request.user, pk=pk)


@role_required(*CLIENT_ROLES)
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    ev = evaluate(campaign, request.user)
    # The target-against-hold-out chart (campaign-evaluation.js): conversions in percent.
    chart = {
        "labels": [_("Target"), _("Hold-out")],
        "values": [
            None if value is None else round(float(value) * 100, 1)
            for value in (ev.total.target_conversion, ev.total.holdout_conversion)
        ],
    }
    return render(request, "grading/campaign_evaluation.html", {"campaign": campaign, "ev": ev, "chart": chart})


def _percent(value) -> float | None:
    return None if value is None else float(value)


def _figure_headers() -> list[str]:
    return [
        _("Targeted"),
        _("Reached"),
        _("Responded"),
        _("Response rate"),
        _("Ordered within window"),
        _("Revenue within window"),
        _("Target group conversion"),
        _("Hold-out"),
        _("Hold-out conversion"),
        _("Lift (points)"),
    ]


def _figure_values(f: Figures) -> list[object]:
    return [
        f.targeted,
        f.reached,
        f.responded,
        _percent(f.response_rate),
        f.ordered,
        float(f.revenue),
        _percent(f.target_conversion),
        f.held_out,
        _percent(f.holdout_conversion),
        _percent(f.lift),
    ]


def _bold_last_row(sheet) -> None:
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


@role_required(*CLIENT_ROLES)
def evaluation_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The evaluation in a workbook: the summary, then one sheet per breakdown (X-3)."""
    campaign = _campaign(request, pk)
    ev: Evaluation = evaluate(campaign, request.user)
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    xlsx_append(summary, [campaign.name, campaign.get_channel_display()])
    rows = [
        (_("Period"), f"{campaign.starts_on:%Y-%m-%d} – {campaign.ends_on:%Y-%m-%d}"),
        (_("Attribution window (days)"), campaign.attribution_days),
        (_("Budget"), float(campaign.budget)),
        (_("Actual cost"), float(campaign.actual_cost)),
        *zip(_figure_headers(), _figure_values(ev.total), strict=True),
        (_("Target group revenue"), float(ev.total.target_revenue)),
        (_("Hold-out revenue"), float(ev.total.holdout_revenue)),
        (_("Incremental revenue"), _percent(ev.total.incremental_revenue)),
        (_("Cost per response"), _percent(ev.cost_per_response)),
        (_("Cost per order"), _percent(ev.cost_per_order)),
        (_("ROI"), _percent(ev.roi)),
        (_("Incremental ROI"), _percent(ev.incremental_roi)),
    ]
    for label, value in rows:
        xlsx_append(summary, [label, value])
    for title, first, pairs in (
        (_("By account manager"), _("Account manager"), ev.by_owner),
        (_("By territory"), _("Territory"), ev.by_territory),
    ):
        sheet = book.create_sheet(title)
        xlsx_append(sheet, [first, *_figure_headers()])
        _bold_last_row(sheet)
        for who, figures in pairs:
            xlsx_append(sheet, [str(who) if who else "—", *_figure_values(figures)])
    sheet = book.create_sheet(_("By contact method"))
    xlsx_append(sheet, [_("Method"), _("Attempts"), _("Reached"), _("Responded")])
    _bold_last_row(sheet)
    for row in ev.by_method:
        xlsx_append(sheet, list(row))
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-evaluation.xlsx"'
    return response


@role_required(*CLIENT_ROLES)
def compare(request: HttpRequest) -> HttpResponse:
    """Up to six campaigns side by side, and their totals per channel."""
    # Plain ids a database column can hold only: a tampered "²" fails int() and an id past 2**63
    # SQLite's IN list (both were a server error).
    given = [v for v in request.GET.getlist("c") if v.isascii() and v.isdigit()]
    ids = [int(v) for v in given if int(v) < 2**63][:COMPARE_MAX]
    chosen = Campaign.objects.visible_to(request.user).filter(pk__in=ids, launched_at__isnull=False)
    evaluations = [evaluate(c, request.user) for c in chosen.order_by("-starts_on", "-pk")]
    per_channel: dict[str, Figures] = defaultdict(Figures)
    costs: dict[str, object] = defaultdict(int)
    for ev in evaluations:
        per_channel[ev.campaign.get_channel_display()].add(ev.total)
        costs[ev.campaign.get_channel_display()] += ev.cost
    choices = Campaign.objects.visible_to(request.user).filter(launched_at__isnull=False).order_by("-starts_on", "-pk")
    context = {
        "evaluations": evaluations,
        "by_channel": [(channel, figures, costs[channel]) for channel, figures in sorted(per_channel.items())],
        "choices": choices[:100],
        "selected": set(ids),
        "compare_max": COMPARE_MAX,
    }
    return render(request, "grading/campaign_compare.html", context)


urlpatterns = [
    path("compare/", compare, name="compare"),
    path("<int:pk>/evaluation/", evaluation, name="evaluation"),
    path("<int:pk>/evaluation/export/", evaluation_export, name="evaluation_export"),
]
