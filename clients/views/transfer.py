"""Export (with the list's filters) and import with preview, as background jobs (X-3)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import imports, selectors
from clients.filters import ClientFilter
from clients.forms import ImportForm
from clients.models import ImportJob
from clients.resources import ClientResource, ContactResource
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets import formats

FORMATS = {"csv": formats.CSV, "xlsx": formats.XLSX}


@role_required(*CLIENT_ROLES)
def client_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The clients of the current filters (or their contacts, orders, receivables), within the
    user's gate."""
    fmt = request.GET.get("format", "xlsx")
    if fmt not in FORMATS or kind not in ("clients", "contacts", *imports.ledger_kinds()):
        raise Http404
    filterset = ClientFilter(request.GET, queryset=selectors.client_list(request.user), user=request.user)
    if not filterset.is_valid():
        # django-filter would drop the invalid filter and export more than the list shows.
        messages.error(request, _("The filters are not valid; nothing was exported."))
        return redirect(f"{reverse('clients:list')}?{request.GET.urlencode()}")
    clients = filterset.qs.order_by("code")
    if kind == "clients":
        dataset = ClientResource(user=request.user).export(clients.select_related("owner", "territory"))
    elif kind == "contacts":
        contacts = ContactResource(user=request.user).get_queryset().filter(client__in=clients.values("pk"))
        dataset = ContactResource(user=request.user).export(contacts.order_by("client__code", "name"))
    else:
        resource = imports.RESOURCES[kind](user=request.user)
        rows = resource.get_queryset().filter(client__in=clients.values("pk")).order_by("client__code", "pk")
        dataset = resource.export(rows)
    file_format = FORMATS[fmt]()
    content_type = file_format.get_content_type() + ("; charset=utf-8" if fmt == "csv" else "")
    response = HttpResponse(file_format.export_data(dataset), content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{stamp}.{fmt}"'
    return response


@role_required(*CLIENT_ROLES)
def client_import(request: HttpRequest) -> HttpResponse:
    """The upload form; a file within the caps becomes an import job, checked by a worker."""
    kind = request.GET.get("kind") or request.POST.get("kind") or "clients"
    if kind not in imports.RESOURCES:
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_job_create(user=request.user, kind=kind, upload=form.cleaned_data["file"])
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect(job)
    context = {
        "form": form,
        "kind": kind,
        "kinds": list(imports.LABELS.items()),
        "help_text": imports.HELP.get(kind),
        "jobs": ImportJob.objects.visible_to(request.user).only(*STATUS_FIELDS)[:10],
    }
    return render(request, "clients/client_import.html", context)


# What the status line needs; the preview rows can be thousands and stay in the database.
STATUS_FIELDS = ("kind", "file_name", "status", "progress", "row_count", "totals", "created_at", "created_by_id")


@role_required(*CLIENT_ROLES)
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's progress while a worker has it, then its preview (errors first) or its outcome."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    error_rows = [row for row in job.rows if row["errors"]]
    errors_only = bool(error_rows) and request.GET.get("rows") != "all"
    context = {
        "job": job,
        "page_obj": Paginator(error_rows if errors_only else job.rows, 100).get_page(request.GET.get("page")),
        "errors_only": errors_only,
        "error_count": len(error_rows),
    }
    return render(request, "clients/import_job.html", context)


@role_required(*CLIENT_ROLES)
def import_job_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress line, polled by htmx; once the worker is done the page reloads."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).only(*STATUS_FIELDS), pk=pk)
    response = render(request, "clients/includes/import_job_status.html", {"job": job})
    if not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(*CLIENT_ROLES)
def import_job_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.visible_to(request.user).only(*STATUS_FIELDS), pk=pk)
    try:
        imports.import_job_confirm(job=job, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saving; this page shows when it is done."))
    return redirect(job)
