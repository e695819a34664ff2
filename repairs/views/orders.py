"""Repair order list, logging an order, its page and its printed slip (REP-1, REP-6)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from archives.models import Unit
from clients.models import Complaint
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import REPAIR_ROLES, Role
from repairs import complaints as from_complaint
from repairs import services, workflow
from repairs.filters import RepairOrderFilter
from repairs.forms import (
    AssignForm,
    CompleteForm,
    ConsentForm,
    LineFormSet,
    NoteForm,
    RepairOrderForm,
    RescheduleForm,
)
from repairs.models import FeeItem, RepairOrder
from repairs.selectors import usual_lines
from repairs.slips import slip_context

ORDER_ROLES = REPAIR_ROLES
INTAKE_ROLES = (Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR)


@role_required(*ORDER_ROLES)
def order_list(request: HttpRequest) -> HttpResponse:
    orders = RepairOrder.objects.visible_to(request.user).select_related(
        "unit__floor__building", "client", "technician__user"
    )
    data = request.GET.copy()
    if request.user.role == Role.TECHNICIAN and not data:
        data["today"] = "true"  # a technician's phone opens on "my jobs today" (BooleanFilter's word)
    filterset = RepairOrderFilter(data, queryset=orders, user=request.user)
    page = paginate(request, filterset.qs)
    return render(request, "repairs/order_list.html", {"filter": filterset, "page_obj": page})


@role_required(*INTAKE_ROLES)
def order_create(request: HttpRequest) -> HttpResponse:
    """Log an order; with ``?complaint=<id>`` (a tenant's complaint) it starts prefilled from the
    complaint and stays linked to it (CLI-6 → REP-1)."""
    initial = {
        "appointment_at": timezone.localtime().replace(minute=0, second=0, microsecond=0) + timezone.timedelta(hours=2)
    }
    complaint = _complaint_of(request)
    tenant_units = None
    if complaint is not None:
        tenant_units = list(from_complaint.tenant_units(complaint.client))
        initial.update(from_complaint.order_initial_from_complaint(complaint, tenant_units))
    form = RepairOrderForm(request.POST or None, initial=initial)
    if tenant_units and len(tenant_units) > 1:
        # The tenant rents several units: the user picks the one the complaint is about.
        form.fields["unit"].queryset = Unit.objects.filter(pk__in=[unit.pk for unit in tenant_units]).select_related(
            "floor__building"
        )
        form.fields["unit"].widget = forms.RadioSelect()
    if request.method == "POST" and form.is_valid():
        order = services.repair_order_create(by=request.user, complaint=complaint, **form.cleaned_data)
        messages.success(request, _("Repair order %(number)s logged.") % {"number": order.number})
        return redirect(order)
    unit = _unit_picked(form)
    if unit is None and tenant_units and len(tenant_units) == 1 and not form.is_bound:
        unit = tenant_units[0]
    context = {
        "form": form,
        "unit": unit,
        "complaint": complaint,
        "choose_unit": bool(tenant_units and len(tenant_units) > 1),
    }
    return render(request, "repairs/order_form.html", context)


def _complaint_of(request: HttpRequest) -> Complaint | None:
    """The tenant's complaint named in the address, through the complaints' gate (404 outside it)."""
    raw = request.GET.get("complaint", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise Http404
    complaints = Complaint.objects.filter(kind=Complaint.Kind.PROPERTY).select_related("client")
    return get_visible_or_404(complaints, request.user, pk=int(raw))


def _unit_picked(form: RepairOrderForm) -> Unit | None:
    """The unit picked so far, so the form shows its tenant again when it comes back with errors."""
    if not form.is_bound:
        return None
    if not form.has_error("unit"):
        return form.cleaned_data["unit"]
    raw = form.data.get("unit", "")
    if not (raw.isascii() and raw.isdigit()):
        return None  # typed or tampered: the form already says so next to the field
    return Unit.objects.with_current_tenancy().filter(pk=raw).first()


@role_required(*INTAKE_ROLES)
def unit_search(request: HttpRequest) -> HttpResponse:
    """Search as you type: units by number, building, or tenant (htmx partial)."""
    query = request.GET.get("q", "").strip()
    units = []
    if query:
        units = list(
            Unit.objects.with_current_tenancy(with_contacts=True)
            .filter(_unit_query(query))
            .distinct()
            .order_by("floor__building__code", "number")[:10]
        )
    return render(request, "repairs/includes/unit_results.html", {"units": units, "query": query})


def _unit_query(query: str) -> Q:
    found = (
        Q(number__icontains=query)
        | Q(floor__building__name__icontains=query)
        | Q(tenancies__company_name__icontains=query, tenancies__move_out__isnull=True)
    )
    if "-" in query:  # "A-1203": building code and unit number, as printed on slips
        code, number = query.split("-", 1)
        found |= Q(floor__building__code__iexact=code.strip(), number__icontains=number.strip())
    return found


def visible_order(request: HttpRequest, pk: int) -> RepairOrder:
    return get_visible_or_404(
        RepairOrder.objects.select_related(
            "unit__floor__building", "client", "technician__user", "created_by", "complaint"
        ),
        request.user,
        pk=pk,
    )


@role_required(*ORDER_ROLES)
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "repairs/order_detail.html", detail_context(request, visible_order(request, pk)))


def detail_context(request: HttpRequest, order: RepairOrder, **bound) -> dict:
    """The order page with the forms of the steps the user may take (bound ones kept on error)."""
    actions = workflow.allowed_actions(request.user, order)
    context = {
        "order": order,
        "actions": actions,
        "events": order.events.select_related("actor"),
        "lines": list(order.lines.all()),
        "signatures": list(order.signatures.all()),
        "note_form": bound.get("note_form") or NoteForm(),
        # The complaint the order came from, linked only for those who may open it (CLI-6).
        "complaint_visible": bool(order.complaint_id)
        and Complaint.objects.visible_to(request.user).filter(pk=order.complaint_id).exists(),
    }
    if "assign" in actions:
        suggestions = services.technician_suggestions(order)
        context.update(
            suggestions=suggestions, assign_form=bound.get("assign_form") or AssignForm(suggestions=suggestions)
        )
    if "reschedule" in actions:
        context["reschedule_form"] = bound.get("reschedule_form") or RescheduleForm()
    if "quote" in actions or "complete" in actions:
        context["line_formset"] = bound.get("line_formset") or LineFormSet(prefix="lines", initial=_line_initial(order))
    if "consent" in actions:
        context["consent_form"] = bound.get("consent_form") or ConsentForm(
            initial={"furniture_consent_by": order.contact_name}
        )
    if "complete" in actions:
        context["complete_form"] = bound.get("complete_form") or CompleteForm(initial={"signed_by": order.contact_name})
    from repairs.views.finance import finance_context  # finance's page builds on this one

    context.update(finance_context(request, order, bound.get("billing_form")))
    return context


def _line_initial(order: RepairOrder) -> list[dict]:
    """The quoted lines again, with the same items of today's schedule (a new one may be in force);
    before its first quote, the usual lines of its category."""
    today = dict(FeeItem.objects.in_effect().values_list("code", "pk"))
    lines = order.lines.select_related("fee_item")
    quoted = [{"fee_item": today.get(line.fee_item.code), "quantity": line.quantity} for line in lines]
    if quoted or order.status != RepairOrder.Status.ARRIVED:
        return quoted
    return [{"fee_item": item.pk, "quantity": item.usual_quantity} for item in usual_lines(order.category)]


@role_required(*ORDER_ROLES)
def order_slip(request: HttpRequest, pk: int) -> HttpResponse:
    """The three copies of REP-6 on A4: client, engineering archive, finance."""
    order = get_visible_or_404(
        RepairOrder.objects.select_related("unit__floor__building", "client", "technician__user"), request.user, pk=pk
    )
    return render(request, "repairs/order_slip.html", slip_context(order))
