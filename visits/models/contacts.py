"""Each client's latest contacts, kept in step with its interactions and done visits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from clients.models import Client


class ContactSummary(models.Model):
    """The latest interaction and done visit of a client, any and on site (``visits.contacts``
    keeps them). The coverage page of a period that has not ended reads these four columns
    instead of probing a million interactions; a client without a row was never contacted."""

    client = models.OneToOneField(
        Client, verbose_name=_("client"), primary_key=True, on_delete=models.CASCADE, related_name="contact_summary"
    )
    last_interaction_at = models.DateTimeField(_("last interaction"), null=True, blank=True)
    last_onsite_interaction_at = models.DateTimeField(_("last on-site interaction"), null=True, blank=True)
    last_visit_on = models.DateField(_("last visit done"), null=True, blank=True)
    last_onsite_visit_on = models.DateField(_("last on-site visit done"), null=True, blank=True)

    class Meta:
        verbose_name = _("contact summary")
        verbose_name_plural = _("contact summaries")

    def __str__(self) -> str:
        return str(self.client_id)
