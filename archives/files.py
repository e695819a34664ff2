"""Storing and serving archive files: checked by size and content, kept outside the web root
under server-made names, never overwritten, and read back only through permission checks."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024

# Extension -> (content type, what the first bytes must be). Judged by content, not by name.
KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    ".txt": ("text/plain; charset=utf-8", ()),
}
EXECUTABLE_MAGIC = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")


class StoredFileChanged(Exception):
    """A stored file is missing, or its content no longer has the SHA-256 recorded when it was stored."""

    def __init__(self, stored_name: str, *, expected: str, found: str | None) -> None:
        self.stored_name, self.expected, self.found = stored_name, expected, found
        state = "is missing" if found is None else f"has SHA-256 {found}"
        super().__init__(f"stored file {stored_name} {state}, recorded {expected}")


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    original_name: str
    content_type: str
    size: int
    sha256: str


def folder() -> Path:
    path = Path(settings.MEDIA_ROOT) / "archives"
    path.mkdir(parents=True, exist_ok=True)
    return path


def check(upload: UploadedFile) -> tuple[str, str]:
    """Validate an upload; returns (extension, content type) or raises a ValidationError."""
    name = upload.name or ""
    if "/" in name or "\\" in name or ".." in name or name.startswith("."):
        raise ValidationError(_("The file name must not contain a path."))
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    extension = Path(name).suffix.lower()
    if extension not in KINDS:
        raise ValidationError(_("Upload a PDF, an image (PNG, JPEG), a Word or Excel file, or plain text."))
    head = upload.read(2048)
    upload.seek(0)
    if head.startswith(EXECUTABLE_MAGIC):
        raise ValidationError(_("This file is a program, not a document."))
    content_type, magics = KINDS[extension]
    if magics and not head.startswith(magics):
        raise ValidationError(_("The content of the file does not match its “%(ext)s” name.") % {"ext": extension})
    if not magics:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # A multi-byte character may be cut at the 2,048th byte; only a NUL or a bad start is fatal.
            if b"\x00" in head or not head[:16].decode("utf-8", errors="ignore"):
                raise ValidationError(_("A text file must be UTF-8 text.")) from None
    return extension, content_type


def store(upload: UploadedFile) -> StoredFile:
    """Check and write the upload once, under a new server-made name ("x" mode: never overwrites)."""
    extension, content_type = check(upload)
    stored_name = f"{uuid.uuid4().hex}{extension}"
    digest = hashlib.sha256()
    with open(folder() / stored_name, "xb") as out:
        for chunk in upload.chunks():
            digest.update(chunk)
            out.write(chunk)
    return StoredFile(stored_name, Path(upload.name).name[:200], content_type, upload.size, digest.hexdigest())


def path_of(stored_name: str) -> Path:
    path = (folder() / stored_name).resolve()
    if path.parent != folder().resolve():
        raise ValidationError(_("Unknown file."))
    return path


def open_verified(stored_name: str, sha256: str) -> BinaryIO:
    """Open a stored file to be served, after checking its content against the recorded SHA-256.

    The handle that was checked is the one returned, rewound: a file swapped on disk after the
    check is not the one sent. Raises StoredFileChanged for a missing or altered file."""
    try:
        handle = open(path_of(stored_name), "rb")  # noqa: SIM115 - returned open, the caller closes it
    except FileNotFoundError:
        raise StoredFileChanged(stored_name, expected=sha256, found=None) from None
    found = hashlib.file_digest(handle, "sha256").hexdigest()
    if not hmac.compare_digest(found, sha256):
        handle.close()
        raise StoredFileChanged(stored_name, expected=sha256, found=found)
    handle.seek(0)
    return handle
