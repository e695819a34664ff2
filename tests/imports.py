"""Helpers for tests of the import pages: upload, confirm, and the job they made.

Celery runs eagerly in tests and the outbox publishes after the commit, so running the commit
callbacks runs the worker's half at once; pass ``run=False`` to see a job before a worker has it.
"""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse

from clients.models import ImportJob

CLIENT_HEADER = (
    "code,name,kind,status,channel,owner,territory,employer,position,address,phone,email,is_key_account,level,notes"
)


def upload(client, content: bytes, *, name: str = "clients.csv", kind: str = "clients", run: bool = True):
    with TestCase.captureOnCommitCallbacks(execute=run):
        return client.post(reverse("clients:import"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def confirm(client, job: ImportJob, *, run: bool = True):
    with TestCase.captureOnCommitCallbacks(execute=run):
        return client.post(reverse("clients:import_job_confirm", args=[job.pk]), follow=True)


def last_job() -> ImportJob:
    return ImportJob.objects.latest("pk")


def csv_bytes(*rows: str, header: str = CLIENT_HEADER) -> bytes:
    return "\n".join([header, *rows, ""]).encode()


def xlsx_bytes(*rows: list) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
