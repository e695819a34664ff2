"""The three-part slip (REP-6): one A4 page, the signatures, the currency, and its PDF filed in
the unit's archive after the completion commits (handbook 3.7)."""

import re
import zlib
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation
from kombu.exceptions import OperationalError

from archives.models import Document
from crm.models import OutboxMessage
from repairs import workflow
from repairs.models import RepairEvent, RepairOrder, RepairSettings, RepairSlipFiling
from repairs.slips import repair_slip_file, slip_pdf
from repairs.workflow import LineInput
from tests.repairs.test_workflow import to_status
from tests.services import weasyprint_ready

S = RepairOrder.Status
CLIENT_SIGNATURE = "M 10 10 L 200 80 L 300 20"
TECH_SIGNATURE = "M 40 150 L 120 40 L 260 160"
A4_POINTS = (595, 842)


def pdf_bytes_inflated(pdf: bytes) -> bytes:
    """The PDF with every Flate stream inflated (WeasyPrint packs objects into compressed streams)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf_bytes_inflated(pdf)))


def page_sizes(pdf: bytes) -> set[tuple[int, int]]:
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf_bytes_inflated(pdf))
    return {(round(float(box[2])), round(float(box[3]))) for box in boxes}


def has_text(pdf: bytes, text: str) -> bool:
    """Whether the PDF's fonts map glyphs to every character of ``text`` (their ToUnicode maps)."""
    inflated = pdf_bytes_inflated(pdf).upper()
    return all(f"<{ord(char):04X}>".encode() in inflated for char in text)


def complete(order, tech, *, technician_signature: str | None = TECH_SIGNATURE):
    return workflow.complete(
        order=order,
        by=tech.user,
        work_notes="更换水龙头，测试无漏水，现场已清理。",
        signature=CLIENT_SIGNATURE,
        signed_by="王律师",
        technician_signature=technician_signature,
    )


@pytest.fixture
def completed(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    return complete(order, tech)


@pytest.fixture
def pdf_ready():
    weasyprint_ready()


def test_the_slip_pdf_puts_three_copies_on_one_a4_page(completed, pdf_ready):
    pdf = slip_pdf(completed)
    assert pdf.startswith(b"%PDF-")
    assert page_count(pdf) == 1
    assert page_sizes(pdf) == {A4_POINTS}


def test_three_copies_with_six_fee_lines_still_fit_one_page(new_order, supervisor, tech, fees, pdf_ready):
    order = to_status(new_order, S.ARRIVED, supervisor, tech, fees)
    items = [fees["labour"], fees["tap"]] * 4  # eight lines: the slip shows six and says so
    order = workflow.quote(order=order, lines=[LineInput(item, Decimal("1")) for item in items], by=tech.user)
    order = complete(workflow.consent(order=order, by=tech.user), tech)
    assert page_count(slip_pdf(order)) == 1


def test_one_copy_per_page_setting_prints_three_pages(completed, pdf_ready):
    settings = RepairSettings.current()
    settings.slip_one_copy_per_page = True
    settings.save()
    pdf = slip_pdf(completed)
    assert page_count(pdf) == 3
    assert page_sizes(pdf) == {A4_POINTS}


def test_the_pdf_embeds_a_cjk_font_with_the_chinese_text(completed, pdf_ready):
    with translation.override("zh-hans"):
        pdf = slip_pdf(completed)
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+Noto-?Sans-?CJK", pdf_bytes_inflated(pdf)), "Noto Sans CJK embedded"
    assert has_text(pdf, "华泰律师事务所"), "the client's name is in the PDF"
    assert has_text(pdf, "王律师")


def test_the_slip_shows_completion_time_amounts_in_yuan_and_both_signatures(client, completed, supervisor):
    client.force_login(supervisor)
    body = client.get(reverse("repairs:slip", args=[completed.pk])).content.decode()
    assert body.count('data-testid="slip-copy"') == 3
    completed_at = re.search(r'data-testid="slip-completed">([^<]+)<', body).group(1)
    assert completed_at.strip() not in ("", "—")
    assert "¥80.00" in body, "the labour line's amount with its currency"
    assert body.count(f'd="{CLIENT_SIGNATURE}"') == 3 and body.count(f'd="{TECH_SIGNATURE}"') == 3
    assert "Technician&#x27;s signature" in body or "Technician's signature" in body


def test_the_print_button_and_back_link_are_marked_not_to_print(client, completed, supervisor):
    client.force_login(supervisor)
    body = client.get(reverse("repairs:slip", args=[completed.pk])).content.decode()
    tools = re.search(r'<div class="([^"]*)"[^>]*data-testid="slip-tools"', body).group(1).split()
    assert {"no-print", "d-print-none"} <= set(tools)
    with open("static/css/slip.css") as css:
        assert "display: none !important" in css.read(), "beats Bootstrap's d-flex when printing"


def test_the_pdf_leaves_out_the_print_button_and_back_link(completed, pdf_ready):
    from django.template.loader import render_to_string

    from repairs.slips import slip_context

    html = render_to_string("repairs/order_slip.html", slip_context(completed, pdf=True))
    assert "data-print" not in html and "slip-tools" not in html


def test_completion_queues_the_slip_filing_and_files_nothing_itself(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    with mock.patch("repairs.slips.slip_pdf") as render:
        order = complete(order, tech)
    render.assert_not_called()  # completion never waits on the PDF
    event = order.events.get(action="complete")
    message = OutboxMessage.objects.get(task="repairs.tasks.repair_slip_file_task")
    assert message.args == [event.pk]
    assert not Document.objects.filter(unit=order.unit).exists()


def test_a_broker_outage_does_not_fail_the_completion_page(
    client, new_order, supervisor, tech, fees, django_capture_on_commit_callbacks
):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    client.force_login(tech.user)
    data = {
        "version": order.version,
        "work_notes": "Fixed",
        "signed_by": "王",
        "signature": CLIENT_SIGNATURE,
        "technician_signature": TECH_SIGNATURE,
        "compensation": "0",
        "lines-TOTAL_FORMS": "0",
        "lines-INITIAL_FORMS": "0",
    }
    with (
        mock.patch("repairs.tasks.repair_slip_file_task.apply_async", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("repairs:step", args=[order.pk, "complete"]), data)
    assert response.status_code == 302
    assert RepairOrder.objects.get(pk=order.pk).status == S.COMPLETED
    message = OutboxMessage.objects.get(task="repairs.tasks.repair_slip_file_task")
    assert message.published_at is None and message.attempts == 1, "the relay publishes it later"


def test_after_the_commit_the_slip_is_filed_as_an_original_repair_document(
    new_order, supervisor, tech, fees, django_capture_on_commit_callbacks, pdf_ready
):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    with django_capture_on_commit_callbacks(execute=True):
        order = complete(order, tech)
    document = Document.objects.get(unit=order.unit)
    assert (document.category, document.kind) == ("repairs", "original")
    assert order.number in document.title and document.tenancy == order.unit.current_tenancy
    version = document.versions.get()
    assert version.content_type == "application/pdf" and version.original_name.endswith(".pdf")
    from archives import files

    with files.open_verified(version.stored_name, version.sha256) as handle:
        assert page_count(handle.read()) == 1
    filing = RepairSlipFiling.objects.get(order=order)
    assert filing.document == document and filing.event.action == "complete"


def test_filing_the_same_completion_twice_files_one_document(completed, pdf_ready):
    event = completed.events.get(action="complete")
    first = repair_slip_file(event=event)
    again = repair_slip_file(event=event)
    assert first.pk == again.pk
    assert Document.objects.filter(unit=completed.unit).count() == 1


def test_a_completion_after_a_reopen_files_a_new_pdf_and_keeps_the_old(completed, supervisor, tech, fees, pdf_ready):
    first = repair_slip_file(event=completed.events.get(action="complete"))
    order = workflow.reopen(order=completed, by=supervisor, note="Leaks again")
    order = workflow.arrive(order=order, by=tech.user)
    order = workflow.quote(order=order, lines=[LineInput(fees["labour"], Decimal("1"))], by=tech.user)
    order = complete(workflow.consent(order=order, by=tech.user), tech)
    second = repair_slip_file(event=order.events.filter(action="complete").latest("pk"))
    assert first.document_id != second.document_id
    assert set(Document.objects.filter(unit=order.unit).values_list("pk", flat=True)) == {
        first.document_id,
        second.document_id,
    }


def test_the_task_files_by_the_event_id(completed, pdf_ready):
    from repairs.tasks import repair_slip_file_task

    event = RepairEvent.objects.get(order=completed, action="complete")
    filing_id = repair_slip_file_task(event.pk)
    assert RepairSlipFiling.objects.get(pk=filing_id).event == event


def test_amounts_on_the_slip_carry_the_currency_in_the_readers_language(client, completed, supervisor):
    client.force_login(supervisor)
    body = client.get(reverse("repairs:slip", args=[completed.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "80.00 元" in body


@pytest.mark.parametrize("lines", [1, 6])
def test_the_slip_page_runs_a_constant_number_of_queries(
    client, new_order, supervisor, tech, fees, lines, django_assert_max_num_queries
):
    order = to_status(new_order, S.ARRIVED, supervisor, tech, fees)
    order = workflow.quote(order=order, lines=[LineInput(fees["tap"], Decimal("1"))] * lines, by=tech.user)
    order = complete(workflow.consent(order=order, by=tech.user), tech)
    client.force_login(supervisor)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("repairs:slip", args=[order.pk])).status_code == 200
