"""The incoming correspondence register (ARC-8, 上行下达): log, route, answer, overdue; the scan's
checks and its protected download; the unit file; the list's filters, export and query count."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from archives import correspondence
from archives.models import IncomingLetter
from crm.models import Notification
from crm.roles import Role
from tests.archives.conftest import PDF, pdf

S = IncomingLetter.Status


@pytest.fixture
def propmanager(make_user):
    return make_user(Role.CLIENT_SERVICES_MANAGER, username="propmanager")


@pytest.fixture
def letter(tenancy, desk):
    return correspondence.letter_log(
        unit=tenancy.unit,
        received_on=timezone.localdate() - timedelta(days=2),
        sender="华泰律师事务所 王律师",
        subject="申请延长空调供应时间",
        kind=IncomingLetter.Kind.REQUEST,
        summary="周六加班需要空调到晚上九点。",
        scan=pdf("request.pdf"),
        by=desk,
    )


def test_logging_keeps_the_letter_its_tenant_and_its_scan(letter, tenancy, desk):
    assert (letter.status, letter.unit, letter.tenancy, letter.logged_by) == (S.RECEIVED, tenancy.unit, tenancy, desk)
    assert (letter.original_name, letter.content_type, letter.size) == ("request.pdf", "application/pdf", len(PDF))
    assert letter.history.get().history_user == desk, "the audit row says who logged it"


def test_the_front_desk_logs_a_letter_from_the_page_and_routes_it_at_once(client, desk, archivist, tenancy):
    client.force_login(desk)
    url = reverse("archives:letter_create")
    assert client.get(url, {"unit": tenancy.unit.pk}).context["form"]["unit"].value() == str(tenancy.unit.pk)
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "unit": tenancy.unit.pk,
            "received_on": today.isoformat(),
            "sender": "王律师",
            "subject": "关于停车位的报告",
            "kind": "report",
            "scan": SimpleUploadedFile("report.png", b"\x89PNG\r\n\x1a\n" + b"0" * 10),
            "handler": archivist.pk,
        },
    )
    letter = IncomingLetter.objects.get()
    assert response["Location"] == letter.get_absolute_url()
    assert (letter.status, letter.handler, letter.due_on) == (S.ROUTED, archivist, today + timedelta(days=7))
    assert Notification.objects.filter(recipient=archivist, link=letter.get_absolute_url()).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.exe", b"MZ\x90\x00", "Upload a PDF"),
        ("scan.pdf", b"MZ\x90\x00 not a pdf", "This file is a program"),
        ("scan.pdf", b"plain text pretending", "does not match"),
    ],
)
def test_a_scan_of_a_bad_type_is_refused_next_to_the_field(client, desk, tenancy, name, content, message):
    client.force_login(desk)
    response = client.post(
        reverse("archives:letter_create"),
        {
            "unit": tenancy.unit.pk,
            "received_on": timezone.localdate().isoformat(),
            "sender": "x",
            "subject": "y",
            "kind": "letter",
            "scan": SimpleUploadedFile(name, content),
        },
    )
    assert response.status_code == 200 and message in str(response.context["form"].errors["scan"])
    assert not IncomingLetter.objects.exists()


def test_a_scan_too_large_is_refused(client, desk, tenancy, settings, monkeypatch):
    from archives import files

    monkeypatch.setattr(files, "MAX_BYTES", 10)
    client.force_login(desk)
    response = client.post(
        reverse("archives:letter_create"),
        {
            "unit": tenancy.unit.pk,
            "received_on": timezone.localdate().isoformat(),
            "sender": "x",
            "subject": "y",
            "kind": "letter",
            "scan": SimpleUploadedFile("big.pdf", PDF + b"0" * 20),
        },
    )
    assert "scan" in response.context["form"].errors
    assert not IncomingLetter.objects.exists()


def test_route_then_answer_with_who_and_when(client, letter, desk, archivist):
    due = timezone.localdate() + timedelta(days=3)
    client.force_login(desk)
    client.post(
        letter.get_absolute_url(), {"action": "route", "version": 1, "handler": archivist.pk, "due_on": due.isoformat()}
    )
    letter.refresh_from_db()
    assert (letter.status, letter.handler, letter.due_on) == (S.ROUTED, archivist, due)
    client.force_login(archivist)
    page = client.get(letter.get_absolute_url())
    assert page.context["can_answer"] is True
    today = timezone.localdate().isoformat()
    client.post(
        letter.get_absolute_url(),
        {"action": "answer", "version": 2, "answer": "已同意，延长至21点。", "answered_on": today},
    )
    letter.refresh_from_db()
    assert (letter.status, letter.answer, letter.answered_by, letter.answered_on.isoformat()) == (
        S.ANSWERED,
        "已同意，延长至21点。",
        archivist,
        today,
    )
    assert [row.history_user for row in letter.history.order_by("history_date")] == [desk, desk, archivist]


def test_an_answer_needs_text_and_a_sensible_date(letter, desk, archivist):
    letter = correspondence.letter_route(letter=letter, handler=archivist, due_on=timezone.localdate(), by=desk)
    with pytest.raises(ValidationError):
        correspondence.letter_answer(letter=letter, answer=" ", answered_on=timezone.localdate(), by=archivist)
    with pytest.raises(ValidationError):
        correspondence.letter_answer(
            letter=letter, answer="ok", answered_on=timezone.localdate() + timedelta(days=1), by=archivist
        )


def test_a_letter_not_routed_cannot_be_answered(letter, archivist):
    with pytest.raises(PermissionDenied):
        correspondence.letter_answer(letter=letter, answer="ok", answered_on=timezone.localdate(), by=archivist)


def test_two_routings_at_once_one_wins(letter, desk, archivist, propmanager):
    stale = IncomingLetter.objects.get(pk=letter.pk)
    correspondence.letter_route(letter=letter, handler=archivist, due_on=timezone.localdate(), by=desk)
    with pytest.raises(ValidationError, match="Someone else"):
        correspondence.letter_route(letter=stale, handler=propmanager, due_on=timezone.localdate(), by=desk)
    assert IncomingLetter.objects.get(pk=letter.pk).handler == archivist


def test_only_property_staff_take_letters(letter, desk, alice):
    with pytest.raises(ValidationError):
        correspondence.letter_route(letter=letter, handler=alice, due_on=timezone.localdate(), by=desk)
    with pytest.raises(PermissionDenied):
        correspondence.letter_log(
            unit=letter.unit, received_on=timezone.localdate(), sender="x", subject="y", kind="letter", by=alice
        )


def test_overdue_when_not_answered_by_the_due_date(letter, desk, archivist):
    yesterday = timezone.localdate() - timedelta(days=1)
    letter = correspondence.letter_route(letter=letter, handler=archivist, due_on=yesterday, by=desk)
    assert letter.is_overdue and list(IncomingLetter.objects.overdue()) == [letter]
    correspondence.letter_answer(letter=letter, answer="ok", answered_on=timezone.localdate(), by=archivist)
    letter.refresh_from_db()
    assert not letter.is_overdue and not IncomingLetter.objects.overdue().exists()


def test_the_list_filters_waiting_for_my_answer_and_overdue(client, letter, tenancy, desk, archivist):
    correspondence.letter_route(
        letter=letter, handler=archivist, due_on=timezone.localdate() - timedelta(days=1), by=desk
    )
    correspondence.letter_log(
        unit=tenancy.unit, received_on=timezone.localdate(), sender="b", subject="另一封", kind="letter", by=desk
    )
    client.force_login(archivist)
    url = reverse("archives:correspondence")
    mine = client.get(url, {"state": "mine"})
    assert [row.subject for row in mine.context["page_obj"]] == ["申请延长空调供应时间"]
    assert mine.context["waiting"] == 1
    assert b'data-testid="overdue"' in mine.content
    assert [row.subject for row in client.get(url, {"state": "overdue"}).context["page_obj"]] == [letter.subject]
    assert len(client.get(url).context["page_obj"]) == 2


def test_the_list_exports_csv_and_excel(client, letter, desk):
    client.force_login(desk)
    url = reverse("archives:correspondence")
    text = client.get(url, {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Received", "Unit", "From", "Subject"] and rows[1][3] == "申请延长空调供应时间"
    book = load_workbook(io.BytesIO(client.get(url, {"format": "xlsx"}).content))
    sheet = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert sheet[1][2:5] == ["华泰律师事务所 王律师", "申请延长空调供应时间", "Request"]


def test_the_scan_is_served_to_the_register_keepers_only(client, letter, desk, make_user):
    client.force_login(desk)
    url = reverse("archives:letter_scan", args=[letter.pk])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["X-Content-Type-Options"] == "nosniff"
    for role in (Role.ACCOUNT_MANAGER, Role.TECHNICIAN, Role.ENGINEERING_SUPERVISOR, Role.MANAGER):
        client.force_login(make_user(role))
        assert client.get(url).status_code in (403, 404), role
    client.logout()
    assert client.get(url).status_code == 302


def test_an_altered_scan_is_not_sent(client, letter, desk):
    from archives import files

    files.path_of(letter.stored_name).write_bytes(b"%PDF-1.4 swapped")
    client.force_login(desk)
    assert client.get(reverse("archives:letter_scan", args=[letter.pk])).status_code == 409


def test_the_unit_file_shows_letters_beside_the_notices(client, letter, desk, alice):
    client.force_login(desk)
    page = client.get(reverse("archives:unit", args=[letter.unit_id])).content.decode()
    assert 'data-testid="unit-letters"' in page and letter.subject in page
    assert page.index("Notices sent") < page.index('data-testid="unit-letters"')
    client.force_login(alice)  # the tenant's account manager reads the unit file, not the register
    page = client.get(reverse("archives:unit", args=[letter.unit_id])).content.decode()
    assert letter.subject not in page


def test_the_list_query_count_does_not_grow(client, tenancy, desk, archivist, django_assert_max_num_queries):
    def log(count):
        for number in range(count):
            correspondence.letter_log(
                unit=tenancy.unit,
                received_on=timezone.localdate(),
                sender="s",
                subject=f"l{number}",
                kind="letter",
                by=desk,
                handler=archivist,
            )

    client.force_login(desk)
    log(1)
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("archives:correspondence"))
    log(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("archives:correspondence"))


def test_the_home_page_lists_letters_waiting_for_my_answer(client, letter, desk, archivist):
    correspondence.letter_route(letter=letter, handler=archivist, due_on=timezone.localdate(), by=desk)
    client.force_login(archivist)
    home = client.get(reverse("home"))
    assert b'data-testid="letters-panel"' in home.content and letter.subject.encode() in home.content
    client.force_login(desk)
    assert letter.subject.encode() not in client.get(reverse("home")).content, "routed to someone else"
