"""The three-part repair slip (REP-6): its content for the page and the PDF filed in the archive."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from archives.models import Category as DocumentCategory
from archives.models import Document
from archives.services import document_file
from repairs.models import RepairEvent, RepairOrder, RepairSettings, RepairSlipFiling

logger = logging.getLogger(__name__)

# The archive's copy is filed in the company's working language, whoever completed the job.
ARCHIVE_LANGUAGE = "zh-hans"
# Three copies share a page: a long list of fees is cut on the slip (the total stays whole).
LINES_PER_COPY = 6


def slip_context(order: RepairOrder, *, pdf: bool = False) -> dict[str, Any]:
    """What the slip shows: the order, its lines, its last signatures, the copies and the layout."""
    lines = list(order.lines.all())
    one_per_page = RepairSettings.current().slip_one_copy_per_page
    shown = lines if one_per_page else lines[:LINES_PER_COPY]
    return {
        "order": order,
        "lines": shown,
        "lines_cut": len(lines) - len(shown),
        "signatures": order.signatures.latest_by_signer(),
        "copies": [
            _("1st copy · client"),
            _("2nd copy · engineering archive"),
            _("3rd copy · finance (via front desk)"),
        ],
        "one_per_page": one_per_page,
        "pdf": pdf,
    }


def slip_pdf(order: RepairOrder) -> bytes:
    """The slip as an A4 PDF (WeasyPrint; the CSS names the CJK font the machine has)."""
    from weasyprint import CSS, HTML  # imported here: its native libraries load only where a PDF is made

    html = render_to_string("repairs/order_slip.html", slip_context(order, pdf=True))
    return HTML(string=html).write_pdf(stylesheets=[CSS(filename=finders.find("css/slip.css"))])


def repair_slip_file(*, event: RepairEvent) -> RepairSlipFiling:
    """File the slip of one completion as an original document of the unit's repair records.
    Idempotent: a second run for the same completion returns the first filing."""
    done = RepairSlipFiling.objects.filter(event=event).select_related("document").first()
    if done:
        return done
    order = RepairOrder.objects.select_related("unit__floor__building", "client", "technician__user").get(
        pk=event.order_id
    )
    with translation.override(ARCHIVE_LANGUAGE):
        content = slip_pdf(order)
        title = _("Repair order %(number)s, signed %(date)s") % {
            "number": order.number,
            "date": f"{timezone.localtime(event.at):%Y-%m-%d %H:%M}",
        }
    upload = SimpleUploadedFile(f"{order.number}-{event.pk}.pdf", content, content_type="application/pdf")
    with transaction.atomic():
        # Two workers with the same message: the second waits here, then finds the first's filing.
        RepairEvent.objects.select_for_update().filter(pk=event.pk).first()
        done = RepairSlipFiling.objects.filter(event=event).first()
        if done:
            return done
        document = document_file(
            unit=order.unit,
            upload=upload,
            title=title[:200],
            category=DocumentCategory.REPAIRS,
            dated=timezone.localdate(event.at),
            kind=Document.Kind.ORIGINAL,
            by=event.actor,
        )
        return RepairSlipFiling.objects.create(event=event, order=order, document=document)
