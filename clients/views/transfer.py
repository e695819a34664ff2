"""Export (with the list's filters) and import with preview (X-3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import imports, selectors
from clients.filters import ClientFilter
from clients.forms import ImportForm
from clients.resources import ClientResource, ContactResource
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets import formats

FORMATS = {"csv": formats.CSV, "xlsx": formats.XLSX}


@role_required(*CLIENT_ROLES)
def client_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The clients (or their contacts) of the current filters, within the user's gate."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS or kind not in imports.RESOURCES:
        raise Http404
    filterset = ClientFilter(request.GET, queryset=selectors.client_list(request.user), user=request.user)
    if not filterset.is_valid():
        # django-filter would drop the invalid filter and export more than the list shows.
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect(f"{reverse('clients:list')}?{request.GET.urlencode()}")
    clients = filterset.qs.order_by("code")
    if kind == "clients":
        dataset = ClientResource(user=request.user).export(clients.select_related("owner", "territory"))
    else:
        contacts = ContactResource(user=request.user).get_queryset().filter(client__in=clients.values("pk"))
        dataset = ContactResource(user=request.user).export(contacts.order_by("client__code", "name"))
    file_format = FORMATS[fmt]()
    content_type = file_format.get_content_type() + ("; charset=utf-8" if fmt == "csv" else "")
    response = HttpResponse(file_format.export_data(dataset), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response


@role_required(*CLIENT_ROLES)
def client_import(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind") or request.POST.get("kind") or "clients"
    if kind not in imports.RESOURCES:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    kinds = [("clients", _("Clients")), ("contacts", _("Contacts")), *imports.LABELS.items()]
    context = {"form": form, "kind": kind, "kinds": kinds}
    if request.method == "POST" and form.is_valid():
        token = imports.import_upload(user=request.user, kind=kind, upload=form.cleaned_data["file"])
        try:
            headers, rows, clean = imports.import_preview(user=request.user, token=token)
        except ValidationError as error:
            imports.import_discard(user=request.user, token=token)
            form.add_error("file", error)
        else:
            context.update(token=token, headers=headers, rows=rows, clean=clean)
    return render(request, "clients/client_import.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def client_import_confirm(request: HttpRequest) -> HttpResponse:
    try:
        totals = imports.import_commit(user=request.user, token=request.POST.get("token", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("clients:import")
    summary = ", ".join(f"{name}: {count}" for name, count in totals.items()) or _("no changes")
    messages.success(request, _("Import saved (%(summary)s).") % {"summary": summary})
    return redirect("clients:list")
