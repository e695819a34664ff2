"""The unit archive pages (ARC-1…9). Technicians and finance have no access: 404."""

from __future__ import annotations

import csv
import logging
from collections import defaultdict
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from archives import files, selectors, services
from archives.forms import ChangeRequestForm, DecisionForm, DocumentForm, LoanRequestForm, MoveOutForm, NoticeForm
from archives.models import (
    Building,
    ChangeRequest,
    Document,
    DocumentVersion,
    Loan,
    Notice,
    Tenancy,
    TenantProfile,
    Unit,
    YearlyArchive,
)
from crm.pagination import paginate
from crm.panels import unit_panels
from crm.permissions import get_visible_or_404, user_has_role
from crm.roles import ARCHIVE_APPROVER_ROLES, ARCHIVE_ROLES, CLIENT_ROLES, CLIENT_SERVICES_ROLES, Role
from crm.spreadsheets.export import inert

logger = logging.getLogger(__name__)

# Administrators pass every one of these (crm.permissions.user_has_role).
READ_ROLES = ARCHIVE_ROLES
FILE_ROLES = (Role.FRONT_DESK, Role.CLIENT_SERVICES_SUPERVISOR)  # upload, request changes
KEEPER_ROLES = CLIENT_SERVICES_ROLES  # move-outs, yearly archive, returns, the approvals page
APPROVER_ROLES = ARCHIVE_APPROVER_ROLES  # decide on loans and changes (ARC-6, ARC-7)
NOTICE_ROLES = (*KEEPER_ROLES, Role.FRONT_DESK)


def archive_view(*roles: str) -> Callable:
    """Log-in required; roles outside the archive get a 404, as if it did not exist; archive
    roles without this page's duty a 403 that says so. ``allowed_roles`` is the rule links use
    (crm.permissions.may_open), so no page links to a page its viewer is refused."""
    allowed = roles or READ_ROLES

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not user_has_role(request.user, allowed):
                if user_has_role(request.user, READ_ROLES):
                    raise PermissionDenied(_("This part of the unit archives is for other roles than yours."))
                raise Http404
            return view(request, *args, **kwargs)

        wrapped.allowed_roles = allowed
        return wrapped

    return decorator


@archive_view()
def index(request: HttpRequest) -> HttpResponse:
    """Buildings → floors → units with occupancy and the current tenant; search (ARC-1, ARC-9)."""
    query = request.GET.get("q", "").strip()
    units = Unit.objects.visible_to(request.user).with_current_tenancy()
    if query:
        units = units.filter(
            Q(number__icontains=query)
            | Q(file_label__icontains=query)
            | Q(tenancies__company_name__icontains=query)
            | Q(tenancies__client__name__icontains=query)
        ).distinct()
    building_code = request.GET.get("building")
    buildings = list(Building.objects.order_by("code"))
    if building_code and not query:
        units = units.filter(floor__building__code=building_code)
    elif not query and buildings and request.user.role != Role.ACCOUNT_MANAGER:
        building_code = buildings[0].code
        units = units.filter(floor__building__code=building_code)
    grid: dict = defaultdict(list)
    for unit in units.order_by("floor__building__code", "-floor__number", "number")[:600]:
        grid[(unit.floor.building, unit.floor.number)].append(unit)
    context = {"grid": dict(grid), "buildings": buildings, "building_code": building_code, "query": query}
    return render(request, "archives/index.html", context)


def _mine(user, queryset, client_path: str):
    """Account managers and sales managers see only what concerns their (team's) clients, not
    earlier tenants'."""
    if user.role not in CLIENT_ROLES:
        return queryset
    from clients.models import Client

    return queryset.filter(**{f"{client_path}__in": Client.objects.visible_to(user).values("pk")})


@archive_view()
def unit_file(request: HttpRequest, pk: int) -> HttpResponse:
    """一户一档: the current tenant's documents by category, newest first, and the unit's history."""
    unit = get_visible_or_404(Unit.objects.with_current_tenancy(), request.user, pk=pk)
    current = unit.current_tenancy
    documents = (
        Document.objects.visible_to(request.user)
        .filter(unit=unit)
        .select_related("created_by", "tenancy")
        .prefetch_related(Prefetch("versions", queryset=DocumentVersion.objects.order_by("-number")))
    )
    by_category: dict = defaultdict(list)
    closed: dict = defaultdict(list)
    for document in documents:
        if document.tenancy_id and document.tenancy.move_out is not None:
            closed[document.tenancy].append(document)
        else:
            by_category[document.get_category_display()].append(document)
    label_mismatch = bool(current and unit.file_label and unit.file_label.strip() != current.company_name.strip())
    context = {
        "unit": unit,
        "current": current,
        "by_category": dict(by_category),
        "closed": dict(closed),
        "tenancies": _mine(request.user, unit.tenancies.select_related("client", "profile"), "client").order_by(
            "-move_in"
        ),
        "label_mismatch": label_mismatch,
        "current_profile": TenantProfile.objects.filter(tenancy=current).first() if current else None,
        "loans": Loan.objects.visible_to(request.user).filter(unit=unit).select_related("borrower", "decided_by")[:10],
        "notices": _mine(
            request.user, unit.notice_deliveries.select_related("notice", "notice__sent_by"), "tenancy__client"
        ).order_by("-notice__sent_at")[:10],
        "panels": unit_panels.for_user(request.user, unit),
        "can_file": user_has_role(request.user, FILE_ROLES),
        "can_keep": user_has_role(request.user, KEEPER_ROLES),
        "can_profile": user_has_role(request.user, CLIENT_SERVICES_ROLES),
        "upload_form": DocumentForm() if user_has_role(request.user, FILE_ROLES) else None,
        "loan_form": LoanRequestForm(),
        "move_out_form": MoveOutForm(),
    }
    return render(request, "archives/unit_file.html", context)


@require_POST
@archive_view(*FILE_ROLES)
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects.with_current_tenancy(), request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        services.document_file(
            unit=unit,
            upload=data["upload"],
            title=data["title"],
            category=data["category"],
            dated=data["dated"],
            kind=data["kind"],
            by=request.user,
        )
        messages.success(request, _("Document filed."))
        return redirect("archives:unit", pk=unit.pk)
    messages.error(request, _("The document was not filed; see the messages below."))
    return render(request, "archives/upload_form.html", {"unit": unit, "form": form}, status=200)


@archive_view()
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_visible_or_404(
        Document.objects.select_related("unit__floor__building", "created_by"), request.user, pk=pk
    )
    form = ChangeRequestForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if not user_has_role(request.user, FILE_ROLES):
            raise PermissionDenied(_("Only the front desk and the client-services supervisor propose changes."))
        if form.is_valid():
            try:
                services.change_request_submit(
                    document=document,
                    upload=form.cleaned_data["upload"],
                    reason=form.cleaned_data["reason"],
                    by=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Change request sent to the client-services manager for approval."))
                return redirect(document)
    context = {
        "document": document,
        "versions": document.versions.select_related("created_by", "approved_by").order_by("-number"),
        "requests": document.change_requests.select_related("requested_by", "decided_by"),
        "form": form if document.kind == Document.Kind.WORKING and user_has_role(request.user, FILE_ROLES) else None,
    }
    return render(request, "archives/document_detail.html", context)


@archive_view()
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """Files are served only here, after checking the user's right to the unit and the file's
    SHA-256 against the one recorded when it was stored (ARC-7): an altered file is not sent."""
    version = get_visible_or_404(DocumentVersion.objects.select_related("document"), request.user, pk=pk)
    try:
        handle = files.open_verified(version.stored_name, version.sha256)
    except files.StoredFileChanged as error:
        logger.error(
            "Refused to serve version %s of archive document %s to user %s: %s",
            version.pk,
            version.document_id,
            request.user.pk,
            error,
        )
        context = {"version": version, "missing": error.found is None}
        # 409: the stored file conflicts with its record. Not a 500: nothing is broken in the app.
        return render(request, "archives/file_changed.html", context, status=409)
    response = FileResponse(
        handle, content_type=version.content_type, as_attachment=True, filename=version.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@archive_view(*KEEPER_ROLES)
def approvals(request: HttpRequest) -> HttpResponse:
    """What waits for the client-services manager: change requests and loan requests; loans out
    and recently returned (for the archivist)."""
    context = {
        **selectors.waiting_for_approval(),
        "can_decide": user_has_role(request.user, APPROVER_ROLES),
        "loans_out": Loan.objects.active().select_related("unit__floor__building", "borrower").order_by("due_on"),
        "returned": Loan.objects.filter(status=Loan.Status.RETURNED)
        .select_related("unit__floor__building", "borrower", "returned_to")
        .order_by("-returned_at")[:10],
        "decision_form": DecisionForm(initial={"due_on": services.default_due_on()}),
        "today": timezone.localdate(),
    }
    return render(request, "archives/approvals.html", context)


@require_POST
@archive_view(*APPROVER_ROLES)
def change_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "refuse"):
        raise Http404
    change = get_object_or_404(ChangeRequest.objects.visible_to(request.user), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():  # a reason that cannot be kept is not silently dropped
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("archives:approvals")
    try:
        services.change_request_decide(
            request=change, approve=decision == "approve", by=request.user, note=form.cleaned_data.get("note", "")
        )
        messages.success(request, _("Decision recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("archives:approvals")


@require_POST
@archive_view()
def loan_request(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_or_404(Unit.objects, request.user, pk=pk)
    form = LoanRequestForm(request.POST)
    if form.is_valid():
        try:
            services.loan_request(
                unit=unit,
                purpose=form.cleaned_data["purpose"],
                in_office=form.cleaned_data["in_office"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Borrowing request sent to the client-services manager for approval."))
    else:
        messages.error(request, _("Say what you need the file for."))
    return redirect("archives:unit", pk=unit.pk)


@require_POST
@archive_view(*APPROVER_ROLES)
def loan_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("approve", "refuse"):
        raise Http404
    loan = get_object_or_404(Loan, pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.loan_decide(
            loan=loan, approve=decision == "approve", by=request.user, due_on=form.cleaned_data.get("due_on")
        )
        messages.success(request, _("Decision recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("archives:approvals")


@require_POST
@archive_view(*KEEPER_ROLES)
def loan_return(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.loan_return(loan=get_object_or_404(Loan, pk=pk), by=request.user)
        messages.success(request, _("Return recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("archives:approvals")


@require_POST
@archive_view(*KEEPER_ROLES)
def tenancy_end(request: HttpRequest, pk: int) -> HttpResponse:
    tenancy = get_object_or_404(Tenancy, pk=pk)
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            services.tenancy_end(tenancy=tenancy, move_out=form.cleaned_data["move_out"], by=request.user)
            messages.success(request, _("Move-out recorded; the tenant's documents are closed."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:  # no date or a bad one: say so, not a silent return to the file
        messages.error(request, " ".join(form.errors["move_out"]))
    return redirect("archives:unit", pk=tenancy.unit_id)


@archive_view(*KEEPER_ROLES)
def yearly(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
        except ValueError:
            year = 0  # not a year: refused below, not taken as last year
        if not 2000 <= year <= timezone.localdate().year:
            messages.error(request, _("Choose a year that has passed or the current one."))
        else:
            services.yearly_archive_compile(year=year)
            messages.success(request, _("The %(year)s archive is compiled.") % {"year": year})
        return redirect("archives:yearly")
    # Meta.ordering is not applied to a GROUP BY query: newest first is asked for here.
    archives = YearlyArchive.objects.annotate(documents=Count("entries")).order_by("-year")
    return render(request, "archives/yearly.html", {"archives": archives, "last_year": timezone.localdate().year - 1})


@archive_view(*KEEPER_ROLES)
def yearly_index(request: HttpRequest, year: int) -> HttpResponse:
    """The printable index (目录) of a year's archive, by floor; ?format=csv for a spreadsheet."""
    archive = get_object_or_404(YearlyArchive, year=year)
    entries = archive.entries.select_related("tenancy", "document__unit__floor__building").order_by(
        "shelf", "tenancy__company_name", "-document__dated"
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="archive-{year}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow([_("Shelf"), _("Unit"), _("Tenant"), _("Category"), _("Title"), _("Document date")])
        for e in entries:
            writer.writerow(
                inert(cell)
                for cell in [
                    e.shelf,
                    str(e.document.unit),
                    e.tenancy.company_name,
                    e.document.get_category_display(),
                    e.document.title,
                    e.document.dated.isoformat(),
                ]
            )
        return response
    shelves: dict = defaultdict(list)
    for entry in entries:
        shelves[entry.shelf].append(entry)
    return render(request, "archives/yearly_index.html", {"archive": archive, "shelves": dict(shelves)})


@archive_view(*NOTICE_ROLES)
def notices(request: HttpRequest) -> HttpResponse:
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.notice_send(
            title=data["title"],
            body=data["body"],
            scope=data["scope"],
            unit=data["unit"],
            floor=data["floor"],
            building=data["building"],
            by=request.user,
        )
        messages.success(request, _("Notice logged as sent."))
        return redirect("archives:notices")
    sent = Notice.objects.select_related("sent_by").annotate(units=Count("deliveries")).order_by("-sent_at", "-pk")
    return render(request, "archives/notices.html", {"form": form, "page_obj": paginate(request, sent)})
