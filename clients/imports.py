"""The user-facing import (X-3): upload → preview with row errors → save all rows or none.

The uploaded file waits under MEDIA_ROOT/imports/ with a server-made name between the preview
and the confirmation; only the user who uploaded it can confirm it.
"""

from __future__ import annotations

import contextlib
import re
import time
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

# kind -> (label, resource). Apps built on clients add theirs (grading: the sales ledger).
RESOURCES = {"clients": ClientResource, "contacts": ContactResource}
LABELS: dict[str, str] = {}


def register(kind: str, resource, label) -> None:
    RESOURCES[kind] = resource
    LABELS[kind] = label


STALE_AFTER_SECONDS = 24 * 3600


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
        dataset = _load(raw, "xlsx")
    else:
        for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError(_("The CSV file is neither UTF-8 nor GBK text."))
        dataset = _load(text, "csv")
    if not dataset.headers:
        raise ValidationError(_("The file has no header row. Export a file first to see the expected columns."))
    return dataset


def _load(content, fmt: str) -> tablib.Dataset:
    try:
        return tablib.Dataset().load(content, format=fmt)
    except Exception as exc:  # tablib and openpyxl raise many kinds: a row too long, a broken zip…
        raise ValidationError(_("The file could not be read: %(error)s") % {"error": exc}) from exc


def import_upload(*, user: User, kind: str, upload: UploadedFile) -> str:
    """Keep the uploaded file for preview; returns its token. Abandoned uploads older than a
    day are removed on the way, so client data does not pile up on disk."""
    _remove_stale_uploads()
    token = f"{user.pk}-{kind}-{uuid.uuid4().hex}"
    suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
    with open(_folder() / f"{token}{suffix}", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return token


def _remove_stale_uploads() -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for path in _folder().iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def import_discard(*, user: User, token: str) -> None:
    with contextlib.suppress(ValidationError):
        _path(user, token).unlink(missing_ok=True)


def _path(user: User, token: str) -> Path:
    if not re.fullmatch(rf"{user.pk}-({'|'.join(RESOURCES)})-[0-9a-f]{{32}}", token):
        raise ValidationError(_("This import does not exist or has expired. Upload the file again."))
    for suffix in (".csv", ".xlsx"):
        path = _folder() / f"{token}{suffix}"
        if path.exists():
            return path
    raise ValidationError(_("This import does not exist or has expired. Upload the file again."))


def _run(*, user: User, token: str, dry_run: bool) -> tuple[Result, tablib.Dataset]:
    path = _path(user, token)  # validates the token before it is taken apart
    resource = RESOURCES[token.split("-")[1]](user=user)
    dataset = _dataset(path)
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
