"""A key account's service page (MKT-3): its yearly service plan, and the panels other apps
contribute (grading: orders, deliveries and complaints about orders; visits: the cadence)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import selectors, service
from clients.forms import ServicePlanForm
from clients.models import ServicePlan
from crm.forms import add_service_errors
from crm.panels import service_panels
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES

PLAN_YEARS = 10  # the plans listed on the page, newest first


@role_required(*CLIENT_ROLES)
def service_page(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_card(request.user, pk)
    year = timezone.localdate().year
    context = {"client": client, "year": year}
    if client.is_key_account:
        plans = list(client.service_plans.select_related("updated_by")[:PLAN_YEARS])
        context.update(
            plan=next((plan for plan in plans if plan.year == year), None),
            other_plans=[plan for plan in plans if plan.year != year],
            panels=service_panels.for_user(request.user, client),
        )
    return render(request, "clients/service_page.html", context)


@role_required(*CLIENT_ROLES)
def service_plan_edit(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """The plan of ``year``: written by anyone who may see the client (its owner, the team's
    managers, administrators), like the rest of the card."""
    client = selectors.client_card(request.user, pk)
    if not 2000 <= year <= 2100:
        raise Http404
    if not client.is_key_account:
        messages.error(request, _("Only a key account has a service plan; mark the client as a key account first."))
        return redirect("clients:service", pk=client.pk)
    plan = client.service_plans.filter(year=year).first() or ServicePlan(client=client, year=year)
    form = ServicePlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            service.service_plan_save(
                client=client, year=year, by=request.user, version=form.cleaned_data["version"], **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Service plan %(year)s saved.") % {"year": year})
            return redirect("clients:service", pk=client.pk)
    context = {
        "client": client,
        "form": form,
        "title": _("Service plan %(year)s") % {"year": year},
        "back": reverse("clients:service", args=[client.pk]),
    }
    return render(request, "clients/service_plan_form.html", context)


urlpatterns = [
    path("<int:pk>/service/", service_page, name="service"),
    path("<int:pk>/service/plan/<int:year>/", service_plan_edit, name="service_plan"),
]
