from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A preview not confirmed within a day expires; its file is removed (clients.imports).
IMPORT_PREVIEW_LIFETIME = timedelta(days=1)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> ImportJobQuerySet:
        """Only the person who uploaded the file: the preview shows rows of their own scope."""
        return self.filter(created_by_id=user.pk) if user.is_authenticated else self.none()


class ImportJob(models.Model):
    """One uploaded file on its way in (X-3): a worker checks it into a preview, its owner
    confirms, a worker saves every row or none. States change only through clients.imports.

        queued ──> checking ──> ready ──(confirm)──> saving ──> saved
                       │                                  └──> failed
                       └──> invalid (file or row errors)
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        CHECKING = "checking", _("Reading and checking the rows")
        READY = "ready", _("Ready to save")
        INVALID = "invalid", _("Has errors")
        SAVING = "saving", _("Saving")
        SAVED = "saved", _("Saved")
        FAILED = "failed", _("Failed")

    # While a job is in one of these, its page polls for progress.
    RUNNING = (Status.QUEUED, Status.CHECKING, Status.SAVING)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(_("kind"), max_length=20)
    file_name = models.CharField(_("file name"), max_length=255)
    # The upload under MEDIA_ROOT/imports/, named by the server; removed when the job is done.
    stored_name = models.CharField(_("stored as"), max_length=64, unique=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(_("rows read"), default=0)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    totals = models.JSONField(_("rows by outcome"), default=dict, blank=True)
    headers = models.JSONField(_("columns"), default=list, blank=True)
    # The preview: one {"number", "kind", "values", "errors"} per row of the file.
    rows = models.JSONField(_("preview"), default=list, blank=True)
    errors = models.JSONField(_("file errors"), default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["created_by", "-created_at"], name="clients_importjob_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "checking", "ready", "invalid", "saving", "saved", "failed"]),
                name="clients_importjob_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("clients:import_job", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_expired(self) -> bool:
        return self.created_at < timezone.now() - IMPORT_PREVIEW_LIFETIME
