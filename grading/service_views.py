"""Grading's pages of a key account's service (MKT-3): record or change a delivery of an order,
file a complaint about an order, export the deliveries. The service page itself is clients'
(/clients/<id>/service/), which shows grading's orders panel; these pages lead back to it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import complaints as workflow
from clients.forms import ComplaintForm
from clients.selectors import client_card
from crm.forms import add_service_errors
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets import formats
from grading import deliveries
from grading.forms import DeliveryForm
from grading.models import Delivery, SalesOrder
from grading.resources import DeliveryResource

FORMATS = {"csv": formats.CSV, "xlsx": formats.XLSX}


def _service_url(client_id: int) -> str:
    return reverse("clients:service", args=[client_id])


def _order(request: HttpRequest, pk: int) -> SalesOrder:
    return get_object_or_404(SalesOrder.objects.visible_to(request.user).select_related("client"), pk=pk)


@role_required(*CLIENT_ROLES)
def delivery_create(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = DeliveryForm(request.POST or None, instance=Delivery(order=order, shipped_on=timezone.localdate()))
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            deliveries.delivery_record(order=order, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Delivery recorded."))
            return redirect(_service_url(order.client_id))
    title = _("Record a delivery of order %(number)s") % {"number": order.number}
    return render(request, "grading/delivery_form.html", {"form": form, "order": order, "title": title})


@role_required(*CLIENT_ROLES)
def delivery_edit(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery.objects.visible_to(request.user).select_related("order__client"), pk=pk)
    order = delivery.order
    form = DeliveryForm(request.POST or None, instance=delivery)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        seen = form.cleaned_data["seen_status"] or delivery.status
        try:
            # The form's instance took the posted values: the service reads the stored row itself.
            deliveries.delivery_update(delivery=delivery, seen_status=seen, by=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Delivery updated."))
            return redirect(_service_url(order.client_id))
    title = _("Delivery of order %(number)s") % {"number": order.number}
    return render(request, "grading/delivery_form.html", {"form": form, "order": order, "title": title})


@role_required(*CLIENT_ROLES)
def order_complaint_create(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = ComplaintForm(request.POST or None, assignees=workflow.assignee_choices(order.client))
    if request.method == "POST" and form.is_valid():
        try:
            link = deliveries.order_complaint_file(order=order, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Complaint filed about order %(number)s.") % {"number": order.number})
            return redirect(link.complaint)
    title = _("File a complaint about order %(number)s") % {"number": order.number}
    return render(request, "grading/delivery_form.html", {"form": form, "order": order, "title": title})


@role_required(*CLIENT_ROLES)
def delivery_export(request: HttpRequest, pk: int) -> HttpResponse:
    """The client's deliveries, in the import's columns (update them and import them back)."""
    client = client_card(request.user, pk)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Http404
    resource = DeliveryResource(user=request.user)
    rows = resource.get_queryset().filter(order__client=client).order_by("order_id", "shipped_on", "pk")
    file_format = FORMATS[fmt]()
    content_type = file_format.get_content_type() + ("; charset=utf-8" if fmt == "csv" else "")
    response = HttpResponse(file_format.export_data(resource.export(rows)), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="deliveries-{client.code}.{fmt}"'
    return response


urlpatterns = [
    path("orders/<int:pk>/deliveries/new/", delivery_create, name="delivery_create"),
    path("deliveries/<int:pk>/", delivery_edit, name="delivery_edit"),
    path("orders/<int:pk>/complaints/new/", order_complaint_create, name="order_complaint_create"),
    path("clients/<int:pk>/deliveries/export/", delivery_export, name="delivery_export"),
]
