"""Complaints: filing, the workflow page, and the open-complaints list (CLI-6)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clients import complaints as workflow
from clients import selectors
from clients.filters import ComplaintFilter
from clients.forms import ComplaintForm, ComplaintStepForm, PropertyComplaintForm
from clients.models import Client, Complaint
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.panels import complaint_panels
from crm.permissions import get_visible_or_404, role_required, user_has_role
from crm.roles import CLIENT_ROLES, COMPLAINT_REPORT_ROLES, COMPLAINT_ROLES, PROPERTY_COMPLAINT_ROLES


@role_required(*CLIENT_ROLES)
def complaint_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_card(request.user, pk)
    form = ComplaintForm(request.POST or None, assignees=workflow.assignee_choices(client))
    if request.method == "POST" and form.is_valid():
        complaint = workflow.complaint_file(client=client, by=request.user, **form.cleaned_data)
        messages.success(request, _("Complaint filed."))
        return redirect(complaint)
    return render(
        request, "clients/client_subform.html", {"client": client, "form": form, "title": _("File a complaint")}
    )


@role_required(*PROPERTY_COMPLAINT_ROLES)
def property_complaint_create(request: HttpRequest) -> HttpResponse:
    """A tenant's complaint, taken at the front desk or by client services (CLI-6)."""
    kind = Complaint.Kind.PROPERTY
    client_id = request.GET.get("client", "")
    initial = {"client": client_id} if client_id.isascii() and client_id.isdigit() else {}
    form = PropertyComplaintForm(request.POST or None, initial=initial, assignees=workflow.assignee_choices(None, kind))
    if request.method == "POST" and form.is_valid():
        complaint = workflow.complaint_file(by=request.user, kind=kind, **form.cleaned_data)
        messages.success(request, _("Complaint filed."))
        return redirect(complaint)
    return render(request, "clients/complaint_form.html", {"form": form})


@role_required(*COMPLAINT_ROLES)
def complaint_list(request: HttpRequest) -> HttpResponse:
    data = request.GET.copy()
    data.setdefault("status", "open")
    filterset = ComplaintFilter(data, queryset=selectors.complaint_list(request.user), user=request.user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filterset.qs),
        "can_file_property": user_has_role(request.user, PROPERTY_COMPLAINT_ROLES),
        "can_report": user_has_role(request.user, COMPLAINT_REPORT_ROLES),
    }
    return render(request, "clients/complaint_list.html", context)


@role_required(*COMPLAINT_ROLES)
def complaint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_visible_or_404(
        Complaint.objects.select_related("client", "assignee", "client__owner"), request.user, pk=pk
    )
    assignees = workflow.assignee_choices(complaint.client, complaint.kind)
    form = ComplaintStepForm(request.POST or None, assignees=assignees)
    if request.method == "POST" and form.is_valid():
        try:
            _apply(complaint, form.cleaned_data, request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Complaint updated."))
            return redirect(complaint)
    context = {
        "complaint": complaint,
        "events": complaint.events.select_related("actor"),
        "actions": workflow.allowed_actions(complaint, request.user),
        "form": form,
        "client_visible": Client.objects.visible_to(request.user).filter(pk=complaint.client_id).exists(),
        "panels": complaint_panels.for_user(request.user, complaint),
    }
    return render(request, "clients/complaint_detail.html", context)


def _apply(complaint: Complaint, data: dict, user) -> None:
    action, note = data["action"], data["note"]
    complaint.version = data["version"]  # what the user saw, not what is stored now
    if action == workflow.A.ASSIGNED:
        if data["assignee"] is None:
            raise ValidationError({"assignee": _("Choose who takes the complaint.")})
        workflow.complaint_assign(complaint=complaint, assignee=data["assignee"], by=user, note=note)
    elif action == workflow.A.RESOLVED:
        workflow.complaint_resolve(complaint=complaint, resolution=note, by=user)
    elif action == workflow.A.CLOSED:
        workflow.complaint_close(complaint=complaint, by=user, note=note)
    elif action == workflow.A.REOPENED:
        workflow.complaint_reopen(complaint=complaint, by=user, note=note)
    else:
        raise ValidationError(_("Unknown step."))
