"""The user-facing import (X-3): upload → preview with row errors → save all rows or none.

The uploaded file waits under MEDIA_ROOT/imports/ with a server-made name between the preview
and the confirmation; only the user who uploaded it can confirm it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _
from import_export.results import Result

from clients.resources import ClientResource, ContactResource
from crm.models import User

RESOURCES = {"clients": ClientResource, "contacts": ContactResource}


@dataclass
class PreviewRow:
    number: int
    kind: str  # new, update, skip, invalid, error
    values: list[str]
    errors: list[str]


def _folder() -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _dataset(path: Path) -> tablib.Dataset:
    raw = path.read_bytes()
    if path.suffix == ".xlsx":
        try:
            return tablib.Dataset().load(raw, format="xlsx")
        except Exception as exc:
            raise ValidationError(_("The Excel file could not be read: %(error)s") % {"error": exc}) from exc
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            return tablib.Dataset().load(raw.decode(encoding), format="csv")
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("The CSV file is neither UTF-8 nor GBK text."))


def import_upload(*, user: User, kind: str, upload: UploadedFile) -> str:
    """Keep the uploaded file for preview; returns its token."""
    token = f"{user.pk}-{kind}-{uuid.uuid4().hex}"
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    with open(_folder() / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def _path(user: User, token: str) -> Path:
    if not token.startswith(f"{user.pk}-") or "/" in token or ".." in token:
        raise ValidationError(_("This import does not exist or has expired. Upload the file again."))
    for suffix in (".csv", ".xlsx"):
        path = _folder() / f"{token}{suffix}"
        if path.exists():
            return path
    raise ValidationError(_("This import does not exist or has expired. Upload the file again."))


def _run(*, user: User, token: str, dry_run: bool) -> tuple[Result, tablib.Dataset]:
    kind = token.split("-")[1]
    resource = RESOURCES[kind](user=user)
    dataset = _dataset(_path(user, token))
    missing = [name for name in resource.get_import_id_fields() if _column(resource, name) not in dataset.headers]
    if missing:
        raise ValidationError(
            _("The file has no column %(columns)s. Export a file first to see the expected columns.")
            % {"columns": ", ".join(_column(resource, name) for name in missing)}
        )
    result = resource.import_data(
        dataset, dry_run=dry_run, use_transactions=True, rollback_on_validation_errors=True, raise_errors=False
    )
    return result, dataset


def _column(resource, name: str) -> str:
    return resource.fields[name].column_name


def import_preview(*, user: User, token: str) -> tuple[list[str], list[PreviewRow], bool]:
    """Run the import without saving; returns headers, one row per line, and whether it is clean."""
    result, dataset = _run(user=user, token=token, dry_run=True)
    rows = []
    for number, (row, row_result) in enumerate(zip(dataset.dict, result.rows, strict=False), start=1):
        errors = [str(error.error) for error in row_result.errors]
        if row_result.validation_error is not None:
            errors += _messages(row_result.validation_error)
        rows.append(PreviewRow(number, row_result.import_type, [str(v or "") for v in row.values()], errors))
    errors = [str(error.error) for error in result.base_errors]
    if errors:
        rows.insert(0, PreviewRow(0, "error", [], errors))
    clean = not result.has_errors() and not result.has_validation_errors()
    return list(dataset.headers or []), rows, clean


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [
        f"{field}: {'; '.join(messages)}" if field != "__all__" else "; ".join(messages)
        for field, messages in error.message_dict.items()
    ]


def import_commit(*, user: User, token: str) -> dict[str, int]:
    """Save every row or none; returns the counts per outcome."""
    with transaction.atomic():
        result = _run(user=user, token=token, dry_run=False)[0]
        if result.has_errors() or result.has_validation_errors():
            transaction.set_rollback(True)
            raise ValidationError(_("The file has errors; nothing was saved. Correct them and upload again."))
    _path(user, token).unlink(missing_ok=True)
    return {name: count for name, count in result.totals.items() if count}
