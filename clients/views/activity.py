"""Logging what happens with a client: interactions, feedback, demand (CLI-5, 7, 10)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from clients import selectors, services
from clients.forms import DemandForm, FeedbackForm, InteractionForm
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES


def _client_form_page(request, pk: int, form_class, save, title: str, success: str, initial=None) -> HttpResponse:
    client = selectors.client_card(request.user, pk)
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        save(client=client, by=request.user, **form.cleaned_data)
        messages.success(request, success)
        return redirect(client)
    return render(request, "clients/client_subform.html", {"client": client, "form": form, "title": title})


@role_required(*CLIENT_ROLES)
def interaction_create(request: HttpRequest, pk: int) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", "visit")}
    return _client_form_page(
        request,
        pk,
        InteractionForm,
        services.interaction_log,
        gettext_lazy("Log an interaction"),
        _("Interaction logged."),
        initial,
    )


@role_required(*CLIENT_ROLES)
def feedback_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _client_form_page(
        request,
        pk,
        FeedbackForm,
        services.feedback_record,
        gettext_lazy("Record product feedback"),
        _("Product feedback recorded."),
    )


@role_required(*CLIENT_ROLES)
def demand_create(request: HttpRequest, pk: int) -> HttpResponse:
    return _client_form_page(
        request, pk, DemandForm, services.demand_record, gettext_lazy("Record a demand"), _("Demand recorded.")
    )


@require_POST
@role_required(*CLIENT_ROLES)
def followup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel the booked next contact, with the reason (the owner, or a manager of the team)."""
    client = selectors.client_card(request.user, pk)
    try:
        due = parse_date(request.POST.get("due") or "")
    except ValueError:  # a well-formed but impossible date, e.g. 30 February
        due = None
    try:
        if due is None:
            raise ValidationError(_("The booked contact changed meanwhile (done or moved); reload the page."))
        services.followup_cancel(client=client, by=request.user, due=due, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Booked contact cancelled."))
    return redirect(client)
