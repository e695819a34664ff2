"""The incoming correspondence register's pages (ARC-8): the list (filter, export), logging a
letter, its page (route, answer) and its scan, served only after a permission check."""

from __future__ import annotations

import csv
import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from archives import correspondence, files
from archives.correspondence_forms import AnswerForm, LetterFilter, LetterForm, RouteForm
from archives.models import IncomingLetter
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CORRESPONDENCE_ROLES
from crm.spreadsheets.export import inert, xlsx_append, xlsx_bytes

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _letters(user):
    return IncomingLetter.objects.visible_to(user).select_related(
        "unit__floor__building", "handler", "answered_by", "tenancy"
    )


@role_required(*CORRESPONDENCE_ROLES)
def letter_list(request: HttpRequest) -> HttpResponse:
    """The register; ``?format=csv`` or ``xlsx`` exports every row the filters keep."""
    filterset = LetterFilter(request.GET or None, queryset=_letters(request.user), user=request.user)
    letters = filterset.qs
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        return _export(letters, export)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, letters),
        "waiting": IncomingLetter.objects.visible_to(request.user).waiting_for(request.user).count(),
        "today": timezone.localdate(),
    }
    return render(request, "archives/correspondence_list.html", context)


def _columns() -> list[str]:
    return [
        _("Received"),
        _("Unit"),
        _("From"),
        _("Subject"),
        _("Kind"),
        _("Status"),
        _("Handler"),
        _("Answer due"),
        _("Answered on"),
        _("Answered by"),
        _("Answer"),
        _("Overdue"),
    ]


def _cells(letter: IncomingLetter) -> list[object]:
    return [
        letter.received_on.isoformat(),
        str(letter.unit),
        letter.sender,
        letter.subject,
        letter.get_kind_display(),
        letter.get_status_display(),
        str(letter.handler or ""),
        letter.due_on.isoformat() if letter.due_on else "",
        letter.answered_on.isoformat() if letter.answered_on else "",
        str(letter.answered_by or ""),
        letter.answer,
        _("yes") if letter.is_overdue else "",
    ]


def _export(letters, export: str) -> HttpResponse:
    name = f"correspondence-{timezone.localdate():%Y%m%d}.{export}"
    if export == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with a BOM
        writer = csv.writer(response)
        writer.writerow(_columns())
        for letter in letters.iterator(chunk_size=2000):
            writer.writerow([inert(cell) for cell in _cells(letter)])
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = _("Incoming correspondence")
        xlsx_append(sheet, _columns())
        for letter in letters.iterator(chunk_size=2000):
            xlsx_append(sheet, _cells(letter))
        response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*CORRESPONDENCE_ROLES)
def letter_create(request: HttpRequest) -> HttpResponse:
    unit_id = request.GET.get("unit", "")
    initial = {"unit": unit_id} if unit_id.isascii() and unit_id.isdigit() else {}
    form = LetterForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            letter = correspondence.letter_log(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Letter logged."))
            return redirect(letter)
    return render(request, "archives/correspondence_form.html", {"form": form})


@role_required(*CORRESPONDENCE_ROLES)
def letter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_visible_or_404(_letters(request.user), request.user, pk=pk)
    action = request.POST.get("action") if request.method == "POST" else None
    route_form = RouteForm(
        request.POST if action == "route" else None,
        initial={
            "handler": letter.handler_id,
            "due_on": letter.due_on or correspondence.default_due(letter.received_on),
        },
    )
    answer_form = AnswerForm(request.POST if action == "answer" else None)
    form = {"route": route_form, "answer": answer_form}.get(action or "")
    if form is not None and form.is_valid():
        letter.version = form.cleaned_data.pop("version")  # what the user saw, not what is stored now
        step = correspondence.letter_route if action == "route" else correspondence.letter_answer
        try:
            step(letter=letter, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Letter routed.") if action == "route" else _("Answer recorded."))
            return redirect(letter)
    context = {
        "letter": letter,
        "route_form": route_form,
        "answer_form": answer_form,
        "can_route": letter.status != IncomingLetter.Status.ANSWERED and correspondence.may_keep(request.user),
        "can_answer": correspondence.may_answer(request.user, letter),
        "history": letter.history.select_related("history_user").order_by("history_date", "history_id"),
    }
    return render(request, "archives/correspondence_detail.html", context)


@role_required(*CORRESPONDENCE_ROLES)
def letter_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan, only to those who may see the letter, and only if it is the file that was stored."""
    letter = get_visible_or_404(IncomingLetter.objects.exclude(stored_name=""), request.user, pk=pk)
    try:
        handle = files.open_verified(letter.stored_name, letter.sha256)
    except files.StoredFileChanged as error:
        logger.error("Refused to serve the scan of letter %s to user %s: %s", letter.pk, request.user.pk, error)
        context = {"letter": letter, "missing": error.found is None}
        return render(request, "archives/correspondence_scan_changed.html", context, status=409)
    response = FileResponse(handle, content_type=letter.content_type, as_attachment=True, filename=letter.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
