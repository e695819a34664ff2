"""Month-end statistics, callbacks and the paid-service register (REP-7)."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
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
from repairs import exports, signoff, statistics
from repairs.forms import CallbackForm
from repairs.models import Callback, MonthlyReport, MonthlySignOff

STATS_ROLES = (Role.ENGINEERING_SUPERVISOR, Role.FINANCE)
# Spot-check callbacks are the engineering supervisor's (SPEC roles, REP-7); finance reads them.
CALLBACK_ROLES = (Role.ENGINEERING_SUPERVISOR,)
# The month-end sign-off is the engineering supervisor's (工程部主任 signs the monthly statistics).
SIGN_OFF_ROLES = (Role.ENGINEERING_SUPERVISOR,)


# No figures before this: it only keeps month arithmetic (and the database) away from year 1.
FIRST_MONTH = date(2000, 1, 1)


def _month(request: HttpRequest) -> date | None:
    """The month asked for as YYYY-MM, the previous month if none; None if it is garbled or not
    between FIRST_MONTH and this month (9999-12 would overflow the month's end)."""
    raw = request.GET.get("month") or request.POST.get("month") or ""
    if not raw:
        return statistics.previous_month()
    try:
        month = datetime.strptime(raw, "%Y-%m").date()
    except ValueError:
        return None
    return month if FIRST_MONTH <= month <= timezone.localdate().replace(day=1) else None


def _bad_month(request: HttpRequest, to: str) -> HttpResponse:
    last = timezone.localdate()
    messages.error(
        request,
        _("Choose a month from %(first)s to %(last)s, written as YYYY-MM.")
        % {"first": f"{FIRST_MONTH:%Y-%m}", "last": f"{last:%Y-%m}"},
    )
    return redirect(to)


@role_required(*STATS_ROLES)
def stats(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    if month is None:
        return _bad_month(request, "repairs:stats")
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
    sign_off = MonthlySignOff.objects.select_related("signed_by").filter(month=month).first()
    context.update(
        sign_off=sign_off,
        amendments=signoff.amendments(sign_off, report) if sign_off else None,
        can_sign_off=bool(report)
        and sign_off is None
        and month < timezone.localdate().replace(day=1)
        and user_has_role(request.user, SIGN_OFF_ROLES),
    )
    return render(request, "repairs/stats.html", context)


@require_POST
@role_required(*SIGN_OFF_ROLES)
def stats_sign_off(request: HttpRequest) -> HttpResponse:
    """The engineering supervisor signs the month's figures as shown (REP-7)."""
    month = _month(request)
    if month is None:
        return _bad_month(request, "repairs:stats")
    try:
        signoff.month_sign_off(month=month, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Statistics for %(month)s signed off.") % {"month": f"{month:%Y-%m}"})
    return redirect(f"{reverse('repairs:stats')}?month={month:%Y-%m}")


@require_POST
@role_required(Role.ENGINEERING_SUPERVISOR)
def stats_generate(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    if month is None:  # a month in the future too: it has no statistics yet
        return _bad_month(request, "repairs:stats")
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
    if month is None:
        return _bad_month(request, "repairs:register")
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.register_csv(month), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="repair-register-{month:%Y-%m}.csv"'
        return response
    orders = statistics.paid_register(month)
    page = paginate(request, orders, default_size=50)
    return render(
        request, "repairs/register.html", {"month": month, "page_obj": page, "totals": statistics.paid_totals(month)}
    )


@role_required(*STATS_ROLES)
def stats_export(request: HttpRequest) -> HttpResponse:
    month = _month(request)
    if month is None:
        return _bad_month(request, "repairs:stats")
    content = exports.month_workbook(month)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="repairs-{month:%Y-%m}.xlsx"'
    return response
