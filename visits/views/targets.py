"""Targets and attainment (MKT-2): the report, its Excel export, the manager's split, the
"compute now" button and the import with a preview."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from crm.forms import add_service_errors
from crm.models import Team
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES, Role
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from visits import target_imports, target_services
from visits.models import Metric, PeriodKind, TargetSettings
from visits.periods import Period, parse_period, period_containing
from visits.target_forms import ImportForm, SplitForm, TargetFilterForm
from visits.target_report import Report, attainment_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MANAGERS = (Role.MANAGER,)
SESSION_KEY = "targets-import"


def _report(request: HttpRequest, default: Period | None = None) -> tuple[TargetFilterForm, Report]:
    form = TargetFilterForm(request.GET or None, user=request.user)
    period = form.chosen_period(default)
    report = attainment_report(people=form.people(), metrics=form.metrics(), period=period)
    return form, report


@role_required(*CLIENT_ROLES)
def report(request: HttpRequest, period: str | None = None) -> HttpResponse:
    """Attainment per account manager and metric: own row, the team's, or everyone's."""
    default = None
    if period is not None:
        default = parse_period(period)
        if default is None:
            raise Http404("No such period.")
    form, result = _report(request, default)
    page = Paginator(result.rows, 25).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "report": result,
        "page_obj": page,
        "can_manage": request.user.role in (Role.MANAGER, Role.ADMIN),
        "previous": result.period.shift(-1),
        "next": result.period.shift(1),
        "query": request.GET.urlencode(),
    }
    return render(request, "visits/targets.html", context)


HEADERS = (
    gettext_lazy("Rank"),
    gettext_lazy("Account manager"),
    gettext_lazy("Metric"),
    gettext_lazy("Unit"),
    gettext_lazy("Actual"),
    gettext_lazy("Target"),
    gettext_lazy("Attained (%)"),
    gettext_lazy("Expected to date"),
    gettext_lazy("On track"),
)


@role_required(*CLIENT_ROLES)
def export(request: HttpRequest) -> HttpResponse:
    """The same rows as the page, with its filters."""
    _form, result = _report(request)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Targets")
    xlsx_append(sheet, [_("Period"), result.period.code])
    xlsx_append(sheet, [str(header) for header in HEADERS])
    yes_no = {True: _("yes"), False: _("no"), None: ""}
    for row in result.rows:
        for cell in row.cells:
            values = [row.rank, str(row.account_manager), cell.metric.name, cell.metric.unit]
            values += [_number(cell.actual), _number(cell.target), _number(cell.percent), _number(cell.expected)]
            xlsx_append(sheet, [*values, yes_no[cell.on_track]])
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="targets-{result.period.code}.xlsx"'
    return response


def _number(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _team(request: HttpRequest) -> Team | None:
    if request.user.role == Role.ADMIN:
        team_id = str(request.POST.get("team") or request.GET.get("team") or "")
        teams = Team.objects.order_by("name")
        chosen = teams.filter(pk=team_id).first() if team_id.isascii() and team_id.isdigit() else None
        return chosen or teams.first()
    return request.user.team


@role_required(*MANAGERS)
def split(request: HttpRequest) -> HttpResponse:
    """The manager sets the team's target for a period and metric and splits it (MKT-2)."""
    team = _team(request)
    if team is None:
        return render(request, "visits/target_split.html", {"form": None, "team": None})
    initial = {"period": request.GET.get("period", ""), "metric": request.GET.get("metric")}
    period, metric_id = parse_period(initial["period"]), str(initial["metric"] or "")
    metric = Metric.objects.filter(pk=metric_id).first() if metric_id.isascii() and metric_id.isdigit() else None
    if period is not None and metric is not None:
        initial.update(target_services.stored_split(team=team, period=period, metric=metric))
    form = SplitForm(request.POST or None, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = target_services.target_split_set(
                team=team,
                period=data["period"],
                metric=data["metric"],
                team_value=data["team_value"],
                shares=form.shares(),
                by=request.user,
                confirm_difference=data["confirm_difference"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.difference:
                messages.warning(
                    request,
                    _("Saved; the split differs from the team target by %(difference)s.")
                    % {"difference": result.difference},
                )
            else:
                messages.success(request, _("Team target and split saved."))
            return redirect(f"{reverse('targets:home')}?period={data['period'].code}")
    context = {
        "form": form,
        "team": team,
        "teams": Team.objects.order_by("name") if request.user.role == Role.ADMIN else None,
        "metrics": Metric.objects.in_use(),
        "metric_set": TargetSettings.current().get_metric_set_display(),
    }
    return render(request, "visits/target_split.html", context)


@require_POST
@role_required(*MANAGERS)
def compute(request: HttpRequest) -> HttpResponse:
    """Compute the period's figures now, in the background (queued through the outbox)."""
    period = parse_period(request.POST.get("period")) or period_containing(PeriodKind.MONTH, timezone.localdate())
    target_services.actuals_compute_request(period=period, by=request.user)
    messages.success(request, _("The figures are being computed; reload the page in a minute."))
    return redirect(f"{reverse('targets:home')}?period={period.code}")


@role_required(*MANAGERS)
def import_file(request: HttpRequest) -> HttpResponse:
    """Upload → preview with each row's message → confirm: all rows or none."""
    form = ImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and request.POST.get("confirm"):
        return _import_confirm(request)
    if request.method == "POST" and form.is_valid():
        kind, upload = form.cleaned_data["kind"], form.cleaned_data["file"]
        try:
            rows = target_imports.rows_read(upload, name=upload.name, kind=kind)
        except ValidationError as error:
            form.add_error("file", error)
        else:
            preview = target_imports.rows_check(rows, kind=kind, user=request.user)
            if not any(row.errors for row in preview):
                request.session[SESSION_KEY] = {"kind": kind, "rows": target_imports.rows_dump(preview)}
    context = {
        "form": form,
        "preview": preview,
        "has_errors": bool(preview and any(row.errors for row in preview)),
        "columns": target_imports.COLUMNS,
    }
    return render(request, "visits/target_import.html", context)


def _import_confirm(request: HttpRequest) -> HttpResponse:
    stored = request.session.pop(SESSION_KEY, None)
    if not stored:
        messages.error(request, _("The preview has expired; upload the file again."))
        return redirect("targets:import")
    rows = target_imports.rows_load(stored["rows"])
    try:
        count = target_imports.rows_import(rows, kind=stored["kind"], user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("targets:import")
    messages.success(request, _("%(count)d rows imported.") % {"count": count})
    return redirect("targets:home")


urlpatterns = [
    path("", report, name="home"),
    path("export/", export, name="export"),
    path("set/", split, name="split"),
    path("compute/", compute, name="compute"),
    path("import/", import_file, name="import"),
    path("<str:period>/", report, name="period"),
]
