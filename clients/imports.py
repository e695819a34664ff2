"""The user-facing import (X-3) as background jobs: upload → a worker checks the file into a
preview with row errors → its owner confirms → a worker saves every row or none.

The web request only stores the upload (under MEDIA_ROOT/imports/, outside the web root, with
a name the server makes), runs the cheap caps of ``crm.spreadsheets.reading`` and records the
job with its task in the outbox: a broker outage delays the check, never fails the upload.
Both tasks start from the status they expect (a conditional UPDATE, a locked read), so a
message delivered twice does the work once. The resources keep their scope rules: a worker
imports as the user who uploaded the file.
"""

from __future__ import annotations

import logging
import time
import uuid
from pathlib import Path
from typing import Any

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.results import Result

from clients.models import ImportJob
from clients.models.imports import IMPORT_PREVIEW_LIFETIME
from clients.resources import ClientResource, ContactResource, GatedResource
from crm.models import User
from crm.outbox import outbox_enqueue
from crm.spreadsheets.reading import Caps, check_upload, is_xlsx, read_table

logger = logging.getLogger(__name__)

# kind -> resource and label. Apps built on clients add theirs (grading: the sales ledger).
RESOURCES: dict[str, type[GatedResource]] = {"clients": ClientResource, "contacts": ContactResource}
LABELS: dict[str, Any] = {"clients": gettext_lazy("Clients"), "contacts": gettext_lazy("Contacts")}

# What became of a row (django-import-export's names), for the preview.
OUTCOMES: dict[str, Any] = {
    "new": gettext_lazy("New"),
    "update": gettext_lazy("Update"),
    "skip": gettext_lazy("Unchanged"),
    "delete": gettext_lazy("Delete"),
    "invalid": gettext_lazy("Invalid"),
    "error": gettext_lazy("Error"),
}
CHECK_TASK = "clients.tasks.import_job_check_task"
SAVE_TASK = "clients.tasks.import_job_save_task"
PREVIEW_CHARACTERS = 100  # of each cell, enough to recognise the row
Status = ImportJob.Status


# kind -> what the upload form says about the file, when not the clients' default text.
HELP: dict[str, Any] = {}


def ledger_kinds() -> dict[str, Any]:
    """Kinds registered by later apps (grading's orders, receivables) whose rows belong to a client:
    the client list exports them for the clients of its filters, as it does the contacts."""
    return {
        kind: LABELS[kind]
        for kind, resource in RESOURCES.items()
        if kind not in ("clients", "contacts")
        and any(field.name == "client" for field in resource._meta.model._meta.get_fields())
    }


def register(kind: str, resource: type[GatedResource], label: Any, help_text: Any = None) -> None:
    RESOURCES[kind] = resource
    LABELS[kind] = label
    if help_text is not None:
        HELP[kind] = help_text


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def import_job_create(*, user: User, kind: str, upload: UploadedFile) -> ImportJob:
    """Keep the upload, refuse it past the caps, and queue its check; all or nothing."""
    if kind not in RESOURCES:
        raise ValidationError(_("Choose what the file holds."))
    _remove_stale_files()
    stored_name = f"{uuid.uuid4().hex}{'.xlsx' if is_xlsx(upload.name or '') else '.csv'}"
    path = _folder() / stored_name
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with path.open("rb") as file:
            check_upload(file, name=stored_name, caps=Caps.from_settings())
        with transaction.atomic():
            job = ImportJob.objects.create(
                created_by=user, kind=kind, file_name=(upload.name or "")[:255], stored_name=stored_name
            )
            outbox_enqueue(CHECK_TASK, args=[job.pk])
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return job


def _remove_stale_files() -> None:
    """Files of previews nobody confirmed; client data does not pile up on disk."""
    cutoff = time.time() - IMPORT_PREVIEW_LIFETIME.total_seconds()
    for path in _folder().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def import_job_check(*, job_id: int) -> ImportJob | None:
    """The worker's first half: read the file, run the import without saving, keep the preview.
    Reading again after a lost worker is harmless, so a job still "checking" is taken again."""
    if not ImportJob.objects.filter(pk=job_id, status__in=[Status.QUEUED, Status.CHECKING]).update(
        status=Status.CHECKING, progress=0
    ):
        return None
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        resource, dataset, numbers = _prepare(job)
        result = _import(resource, dataset, dry_run=True)
    except ValidationError as error:
        return _finish(job, Status.INVALID, was=Status.CHECKING, errors=error.messages)
    except Exception:
        logger.exception("import job %s: the check failed", job.pk)
        return _finish(
            job, Status.FAILED, was=Status.CHECKING, errors=[_("The file could not be checked. Upload it again.")]
        )
    clean = not (result.has_errors() or result.has_validation_errors())
    fields = {"headers": list(dataset.headers), "rows": _preview(dataset, numbers, result), "totals": _totals(result)}
    status = Status.READY if clean else Status.INVALID
    return _finish(job, status, was=Status.CHECKING, errors=_base_errors(result), **fields)


def import_job_confirm(*, job: ImportJob, by: User) -> None:
    """Queue the save. Of two confirmations (a double click, two tabs) exactly one does."""
    with transaction.atomic():
        won = ImportJob.objects.filter(
            pk=job.pk,
            created_by=by,
            status=Status.READY,
            created_at__gte=timezone.now() - IMPORT_PREVIEW_LIFETIME,
        ).update(status=Status.SAVING, progress=0)
        if won:
            outbox_enqueue(SAVE_TASK, args=[job.pk])
    if not won:
        job.refresh_from_db(fields=["status"])
        if job.status in (Status.SAVING, Status.SAVED):
            raise ValidationError(_("This import was confirmed already."))
        if job.status == Status.READY:
            raise ValidationError(_("This preview has expired; upload the file again."))
        raise ValidationError(_("This import cannot be saved; upload a corrected file."))


def import_job_save(*, job_id: int) -> ImportJob | None:
    """The worker's second half: every row or none, in one transaction."""
    job = ImportJob.objects.select_related("created_by").filter(pk=job_id, status=Status.SAVING).first()
    if job is None:
        return None
    try:
        resource, dataset, numbers = _prepare(job)  # before the transaction: no lock while parsing
        with transaction.atomic():
            if not ImportJob.objects.select_for_update().filter(pk=job.pk, status=Status.SAVING).exists():
                return None  # the same message, delivered twice, saved it meanwhile
            result = _import(resource, dataset, dry_run=False)
            saved = not (result.has_errors() or result.has_validation_errors())
            if saved:
                ImportJob.objects.filter(pk=job.pk).update(
                    status=Status.SAVED, totals=_totals(result), finished_at=timezone.now()
                )
            else:
                transaction.set_rollback(True)
    except ValidationError as error:
        return _finish(job, Status.FAILED, was=Status.SAVING, errors=error.messages)
    except Exception:
        logger.exception("import job %s: the save failed", job.pk)
        return _finish(
            job,
            Status.FAILED,
            was=Status.SAVING,
            errors=[_("The import failed; nothing was saved. Upload the file again.")],
        )
    if saved:
        _remove_file(job)
        job.refresh_from_db()
        return job
    # The data changed since the preview (another user took a code, a client left the scope).
    message = _("Rows have errors that the preview did not have; nothing was saved. Correct them and upload again.")
    return _finish(
        job,
        Status.FAILED,
        was=Status.SAVING,
        errors=[message, *_base_errors(result)],
        rows=_preview(dataset, numbers, result),
    )


def _prepare(job: ImportJob) -> tuple[GatedResource, tablib.Dataset, list[int]]:
    """The file as a dataset of the columns the resource knows, with each row's number in the file."""
    resource = RESOURCES[job.kind](user=job.created_by)
    try:
        with (_folder() / job.stored_name).open("rb") as file:
            table = read_table(file, name=job.stored_name, caps=Caps.from_settings(), progress=_progress(job))
    except FileNotFoundError:
        raise ValidationError(_("This import has expired. Upload the file again.")) from None
    columns = {field.column_name for field in resource.fields.values()}
    missing = [resource.fields[name].column_name for name in resource.get_import_id_fields()]
    missing = [column for column in missing if column not in table.headers]
    if missing:
        raise ValidationError(
            _("The file has no column %(columns)s. Export a file first to see the expected columns.")
            % {"columns": ", ".join(missing)}
        )
    if not table.rows:
        raise ValidationError(_("The file has no rows under its header."))
    keep = [index for index, header in enumerate(table.headers) if header in columns]
    ImportJob.objects.filter(pk=job.pk).update(row_count=len(table.rows), progress=len(table.rows))
    dataset = tablib.Dataset(*([row[i] for i in keep] for row in table.rows), headers=[table.headers[i] for i in keep])
    return resource, dataset, table.numbers


def _progress(job: ImportJob):
    def report(rows_read: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(progress=rows_read)

    return report


def _import(resource: GatedResource, dataset: tablib.Dataset, *, dry_run: bool) -> Result:
    return resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
    )


def _finish(job: ImportJob, status: str, *, was: str, **fields: Any) -> ImportJob:
    """The job's outcome, if it is still where this worker found it (a duplicate delivery of the
    check must not turn a job the user confirmed meanwhile back into "ready"). The file goes
    once nothing will read it again."""
    if status != Status.READY:
        fields["finished_at"] = timezone.now()
    if ImportJob.objects.filter(pk=job.pk, status=was).update(status=status, **fields) and status != Status.READY:
        _remove_file(job)
    job.refresh_from_db()
    return job


def _remove_file(job: ImportJob) -> None:
    (_folder() / job.stored_name).unlink(missing_ok=True)


def _preview(dataset: tablib.Dataset, numbers: list[int], result: Result) -> list[dict[str, Any]]:
    rows = []
    for number, row, row_result in zip(numbers, dataset, result.rows, strict=False):
        errors = [str(error.error) for error in row_result.errors]
        if row_result.validation_error is not None:
            errors += _messages(row_result.validation_error)
        values = ["" if value is None else str(value)[:PREVIEW_CHARACTERS] for value in row]
        rows.append({"number": number, "kind": row_result.import_type, "values": values, "errors": errors})
    return rows


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        f"{field}: {'; '.join(messages)}" if field != "__all__" else "; ".join(messages)
        for field, messages in error.message_dict.items()
    ]


def _base_errors(result: Result) -> list[str]:
    return [str(error.error) for error in result.base_errors]


def _totals(result: Result) -> dict[str, int]:
    return {name: count for name, count in result.totals.items() if count}
