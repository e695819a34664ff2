"""Finance's pages (REP-5, REP-6, handbook 5.2): the fee schedule kept in the app, and the
billing of paid jobs from the hand-over of the finance copy to paid or waived."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm.pagination import paginate
from crm.permissions import role_required, user_has_role
from crm.roles import REPAIR_ROLES, Role
from repairs import billing, exports, fees
from repairs.filters import BillingFilter
from repairs.forms import BillingForm, FeeItemForm, PublishForm
from repairs.models import FeeItem, FeeSchedule, RepairOrder
from repairs.views.orders import detail_context, visible_order

# Everyone who quotes, logs or reads repairs may read the published schedule; finance keeps it.
FEE_READERS = REPAIR_ROLES
FEE_KEEPERS = (Role.FINANCE,)
# Finance bills; the engineering supervisor and managers read the list (each through its gate).
BILLING_READERS = (Role.FINANCE, Role.ENGINEERING_SUPERVISOR, Role.MANAGER)
BILLERS = (Role.FINANCE,)


def _schedule(request: HttpRequest, pk: int) -> FeeSchedule:
    """A schedule; the draft is finance's working copy, shown to its keepers only."""
    schedule = get_object_or_404(FeeSchedule, pk=pk)
    if schedule.is_draft and not user_has_role(request.user, FEE_KEEPERS):
        raise Http404
    return schedule


@role_required(*FEE_READERS)
def fee_schedules(request: HttpRequest) -> HttpResponse:
    schedules = FeeSchedule.objects.select_related("published_by")
    if not user_has_role(request.user, FEE_KEEPERS):
        schedules = schedules.published()
    in_force = FeeSchedule.objects.in_force()
    context = {
        "schedules": schedules,
        "in_force": in_force,
        "today": timezone.localdate(),
        "can_keep": user_has_role(request.user, FEE_KEEPERS),
    }
    return render(request, "repairs/fee_schedules.html", context)


@require_POST
@role_required(*FEE_KEEPERS)
def fee_schedule_draft(request: HttpRequest) -> HttpResponse:
    draft = fees.fee_schedule_draft(by=request.user)
    messages.success(request, _("Draft of the next fee schedule ready: change its items, then publish it."))
    return redirect(draft)


@role_required(*FEE_READERS)
def fee_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    return render(request, "repairs/fee_schedule.html", _schedule_context(request, schedule))


def _schedule_context(request: HttpRequest, schedule: FeeSchedule, **bound) -> dict:
    editable = schedule.is_draft and user_has_role(request.user, FEE_KEEPERS)
    items = list(schedule.items.all())
    before = fees.price_changes(schedule)
    return {
        "schedule": schedule,
        "rows": [(item, before.get(item.code)) for item in items],
        "compared": bool(before),
        "retired": sorted(set(before) - {item.code for item in items}),
        "editable": editable,
        "item_form": bound.get("item_form") or FeeItemForm(),
        "publish_form": bound.get("publish_form")
        or PublishForm(initial={"effective_from": timezone.localdate() + timezone.timedelta(days=1)}),
    }


@role_required(*FEE_KEEPERS)
def fee_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    if request.method != "POST":
        return redirect(schedule)
    form = FeeItemForm(request.POST)
    if form.is_valid():
        try:
            fees.fee_item_save(schedule=schedule, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # a field's error goes next to the field
        else:
            messages.success(request, _("Item added to the draft."))
            return redirect(schedule)
    return render(request, "repairs/fee_schedule.html", _schedule_context(request, schedule, item_form=form))


@role_required(*FEE_KEEPERS)
def fee_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(FeeItem.objects.select_related("schedule"), pk=pk)
    if not item.schedule.is_draft:
        messages.error(request, _("This schedule is published: draft the next schedule to change prices."))
        return redirect(item.schedule)
    form = FeeItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            fees.fee_item_save(schedule=item.schedule, item=item, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # a field's error goes next to the field
        else:
            messages.success(request, _("Item changed in the draft."))
            return redirect(item.schedule)
    return render(request, "repairs/fee_item_form.html", {"form": form, "item": item, "schedule": item.schedule})


@require_POST
@role_required(*FEE_KEEPERS)
def fee_item_retire(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(FeeItem.objects.select_related("schedule"), pk=pk)
    try:
        fees.fee_item_retire(item=item, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(name)s” is left out of the next schedule.") % {"name": item.name})
    return redirect(item.schedule)


@require_POST
@role_required(*FEE_KEEPERS)
def fee_schedule_publish(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = _schedule(request, pk)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            fees.fee_schedule_publish(schedule=schedule, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # a field's error goes next to the field
        else:
            messages.success(
                request,
                _("Fee schedule published: it takes effect on %(date)s.")
                % {"date": f"{form.cleaned_data['effective_from']:%Y-%m-%d}"},
            )
            return redirect(schedule)
    return render(request, "repairs/fee_schedule.html", _schedule_context(request, schedule, publish_form=form))


@role_required(*FEE_READERS)
def fee_schedule_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The published schedule as a notice for display (A4, print CSS)."""
    schedule = _schedule(request, pk)
    if schedule.is_draft:
        raise Http404
    items = schedule.items.filter(active=True).order_by("category", "kind", "code")
    return render(request, "repairs/fee_schedule_print.html", {"schedule": schedule, "items": items})


def _billing_orders(request: HttpRequest) -> BillingFilter:
    orders = (
        RepairOrder.objects.visible_to(request.user)
        .filter(billing.billable())
        .select_related("unit__floor__building", "client", "finance_copy_received_by")
        .order_by("-first_completed_at", "-pk")
    )
    return BillingFilter(request.GET, queryset=orders)


@role_required(*BILLING_READERS)
def billing_list(request: HttpRequest) -> HttpResponse:
    filterset = _billing_orders(request)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filterset.qs),
        "can_bill": user_has_role(request.user, BILLERS),
        "query": request.GET.urlencode(),
    }
    return render(request, "repairs/billing_list.html", context)


@role_required(*BILLING_READERS)
def billing_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV (?format=csv) or Excel (any other format)."""
    orders = _billing_orders(request).qs
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.billing_csv(orders), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="repair-billing-{stamp}.csv"'
        return response
    response = HttpResponse(
        exports.billing_workbook(orders),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="repair-billing-{stamp}.xlsx"'
    return response


def finance_context(request: HttpRequest, order: RepairOrder, billing_form: BillingForm | None = None) -> dict:
    """The finance part of an order's page: the hand-over and the billing, with finance's forms."""
    if not (order.status in RepairOrder.DONE_STATUSES and (order.total or order.compensation)):
        return {}
    can_bill = user_has_role(request.user, BILLERS)
    choices = billing.TRANSITIONS[order.billing_status]
    form = billing_form or BillingForm()
    form.fields["status"].choices = [
        (value, label) for value, label in form.fields["status"].choices if value in choices
    ]
    return {"billable": True, "can_bill": can_bill and bool(choices), "can_receive": can_bill, "billing_form": form}


@require_POST
@role_required(*BILLERS)
def order_billing(request: HttpRequest, pk: int) -> HttpResponse:
    order = visible_order(request, pk)
    seen = request.POST.get("seen", "")
    if seen != order.billing_status:
        messages.error(
            request,
            _("Someone else changed the billing first: it is now “%(status)s”. Reload to see it.")
            % {"status": order.get_billing_status_display()},
        )
        return redirect(order)
    form = BillingForm(request.POST)
    if form.is_valid():
        try:
            billing.billing_status_set(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)  # a field's error goes next to the field
        else:
            messages.success(request, _("Billing of %(number)s recorded.") % {"number": order.number})
            return redirect(order)
    return render(request, "repairs/order_detail.html", detail_context(request, order, billing_form=form), status=400)


@require_POST
@role_required(*BILLERS)
def order_finance_copy(request: HttpRequest, pk: int) -> HttpResponse:
    order = visible_order(request, pk)
    try:
        billing.finance_copy_receive(order=order, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Finance copy of %(number)s received.") % {"number": order.number})
    # From the billing list, back to it (with its filters); from the order's page, back there.
    if request.POST.get("next") == "list":
        return redirect(f"{reverse('repairs:billing')}?{request.POST.get('query', '')}")
    return redirect(order)
