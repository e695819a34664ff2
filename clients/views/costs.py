"""Costs of a key account (招商及运营成本, MKT-3): entering them, the list, the Excel export."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from clients import costs, selectors
from clients.key_account_forms import CostForm
from clients.models import Client, KeyAccountCost
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets.export import xlsx_append, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _key_account(request: HttpRequest, pk: int) -> Client:
    """The client through its gate; costs are kept for key accounts only (404 for others)."""
    client = selectors.client_card(request.user, pk)
    if not client.is_key_account:
        raise Http404
    return client


@role_required(*CLIENT_ROLES)
def cost_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The account's cost entries and, above them, the form to enter one."""
    client = _key_account(request, pk)
    form = CostForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                with transaction.atomic():
                    costs.key_account_cost_record(client=client, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Cost entered."))
                return redirect("clients:costs", pk=client.pk)
        messages.error(request, _("Please correct the errors below; nothing was saved."))
    year = timezone.localdate().year
    by_kind = costs.costs_by_kind(client, year)
    context = {
        "client": client,
        "form": form,
        "page_obj": paginate(request, costs.cost_list(request.user, client)),
        "year": year,
        "by_kind": [(label, by_kind[kind]) for kind, label in KeyAccountCost.Kind.choices],
        "year_total": sum(by_kind.values()),
    }
    return render(request, "clients/cost_list.html", context)


EXPORT_FIELDS = ("incurred_on", "kind", "amount", "note", "recorded_by", "recorded_at")


@role_required(*CLIENT_ROLES)
def cost_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every cost entry of the account, in one sheet (X-3)."""
    client = _key_account(request, pk)
    book = Workbook()
    sheet = book.active
    sheet.title = _("Costs")
    xlsx_append(sheet, [client.name, client.code])
    xlsx_append(sheet, [str(KeyAccountCost._meta.get_field(name).verbose_name) for name in EXPORT_FIELDS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for cost in costs.cost_list(request.user, client).order_by("incurred_on", "pk"):
        xlsx_append(
            sheet,
            [
                cost.incurred_on,
                cost.get_kind_display(),
                cost.amount,
                cost.note,
                str(cost.recorded_by),
                timezone.localtime(cost.recorded_at).replace(tzinfo=None),
            ],
        )
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="costs-{client.code}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


urlpatterns = [
    path("<int:pk>/costs/", cost_list, name="costs"),
    path("<int:pk>/costs/export/", cost_export, name="cost_export"),
]
