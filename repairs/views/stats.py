"""Month-end statistics, callbacks and the paid-service register (REP-7)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.pagination import paginate
from crm.permissions import role_required, user_has_role
from crm.roles import Role
from repairs import exports, statistics
from repairs.forms import CallbackForm
from repairs.models import Callback, MonthlyReport

STATS_ROLES = (Role.ENGINEERING_SUPERVISOR, Role.FINANCE)
# Spot-check callbacks are the engineering supervisor's (SPEC roles, REP-7); finance reads them.
CALLBACK_ROLES = (Role.ENGINEERING_SUPERVISOR,)


def _month(request: HttpRequest) -> date:
    raw = request.GET.get("month") or request.POST.get("month") or ""
    try:
        year, month = (int(part) for part in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        return statistics.previous_month()


@role_required(*STATS_ROLES)
def stats(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    report = MonthlyReport.objects.filter(month=month).first()
    callbacks = Callback.objects.filter(month=month).select_related(
        "order__unit__floor__building", "order__technician__user", "recorded_by"
    )
    context = {
        "month": month,
        "report": report,
        "callbacks": Paginator(callbacks, 50).get_page(request.GET.get("page")),
        "callback_form": CallbackForm(),
        "can_record_callbacks": user_has_role(request.user, CALLBACK_ROLES),
        "months": MonthlyReport.objects.values_list("month", flat=True)[:24],
        "categories": statistics.with_category_labels(report.figures["by_category"]) if report else [],
    }
    return render(request, "repairs/stats.html", context)


@require_POST
@role_required(Role.ENGINEERING_SUPERVISOR)
def stats_generate(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    if month > timezone.localdate().replace(day=1):
        messages.error(request, _("A month in the future has no statistics yet."))
    else:
        statistics.monthly_report_generate(month=month, by=request.user)
        messages.success(request, _("Statistics for %(month)s produced.") % {"month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('repairs:stats')}?month={month:%Y-%m}")


@require_POST
@role_required(*CALLBACK_ROLES)
def callback_record(request: HttpRequest, pk: int) -> HttpResponse:
    callback = get_object_or_404(Callback, pk=pk)
    form = CallbackForm(request.POST, instance=callback)
    if form.is_valid():
        statistics.callback_record(callback=callback, by=request.user, **form.cleaned_data)
        messages.success(request, _("Callback result recorded."))
    else:
        messages.error(request, _("Choose a result for the callback."))
    return redirect(f"{reverse('repairs:stats')}?month={callback.month:%Y-%m}#callbacks")


@role_required(*STATS_ROLES)
def register(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    orders = statistics.paid_register(month)
    page = paginate(request, orders, default_size=50)
    return render(
        request, "repairs/register.html", {"month": month, "page_obj": page, "totals": statistics.paid_totals(month)}
    )


@role_required(*STATS_ROLES)
def stats_export(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    content = exports.month_workbook(month)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="repairs-{month:%Y-%m}.xlsx"'
    return response
