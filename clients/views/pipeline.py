"""The key-account pipeline (招商, MKT-3): the board per stage, the list, a card and its moves."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import pipeline, selectors
from clients.filters import LeadFilter
from clients.key_account_forms import LeadForm, LeadMoveForm
from clients.models import Lead
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.redirects import on_site
from crm.roles import CLIENT_ROLES


def _filter(request: HttpRequest) -> LeadFilter:
    return LeadFilter(request.GET, queryset=selectors.lead_list(request.user), user=request.user)


@role_required(*CLIENT_ROLES)
def pipeline_board(request: HttpRequest) -> HttpResponse:
    filterset = _filter(request)
    columns = selectors.pipeline_board(filterset.qs)
    return render(request, "clients/pipeline_board.html", {"filter": filterset, "columns": columns})


@role_required(*CLIENT_ROLES)
def pipeline_list(request: HttpRequest) -> HttpResponse:
    filterset = _filter(request)
    page = paginate(request, filterset.qs)
    return render(request, "clients/pipeline_list.html", {"filter": filterset, "page_obj": page})


@role_required(*CLIENT_ROLES)
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lead = pipeline.lead_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is on the pipeline.") % {"name": lead.name})
            return redirect(lead)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    return render(request, "clients/lead_form.html", {"form": form, "lead": None})


def _lead(request: HttpRequest, pk: int) -> Lead:
    return get_visible_or_404(Lead.objects.select_related("owner", "client", "created_by"), request.user, pk=pk)


@role_required(*CLIENT_ROLES)
def lead_edit(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.lead_update(lead=lead, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pipeline card saved."))
            return redirect(lead)
    if request.method == "POST":
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    return render(request, "clients/lead_form.html", {"form": form, "lead": lead})


@role_required(*CLIENT_ROLES)
def lead_detail(request: HttpRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    return _detail(request, lead, LeadMoveForm(initial={"seen": lead.stage}))


def _detail(request: HttpRequest, lead: Lead, move_form: LeadMoveForm) -> HttpResponse:
    moves = pipeline.allowed_moves(lead)
    move_form.fields["stage"].choices = [(s, label) for s, label in Lead.Stage.choices if s in moves]
    context = {
        "lead": lead,
        "moves": moves,
        "move_form": move_form,
        "history": lead.moves.select_related("by"),
    }
    return render(request, "clients/lead_detail.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def lead_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a card; the board posts here too. A refused move shows the card with the reason next
    to the field it concerns (e.g. the reason a card was lost) and changes nothing."""
    lead = _lead(request, pk)
    form = LeadMoveForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            lead = pipeline.lead_move(
                lead=lead,
                stage=data["stage"],
                seen=data["seen"],
                by=request.user,
                note=data["note"],
                lost_reason=data["lost_reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s moved to “%(stage)s”.") % {"name": lead.name, "stage": lead.get_stage_display()},
            )
            return redirect(on_site(request, request.POST.get("next", "")) or lead.get_absolute_url())
    lead.refresh_from_db()
    if form.non_field_errors():
        # A lost race: say so, and show the card as it is now, ready for another move.
        for error in form.non_field_errors():
            messages.error(request, error)
        form = LeadMoveForm(initial={"seen": lead.stage})
    else:
        messages.error(request, _("The card was not moved; see below."))
    return _detail(request, lead, form)


urlpatterns = [
    path("key-accounts/pipeline/", pipeline_board, name="pipeline"),
    path("key-accounts/pipeline/list/", pipeline_list, name="pipeline_list"),
    path("key-accounts/pipeline/new/", lead_create, name="lead_create"),
    path("key-accounts/pipeline/<int:pk>/", lead_detail, name="lead_detail"),
    path("key-accounts/pipeline/<int:pk>/edit/", lead_edit, name="lead_edit"),
    path("key-accounts/pipeline/<int:pk>/move/", lead_move, name="lead_move"),
]
