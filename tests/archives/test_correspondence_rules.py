"""The register's rules beyond the happy path (ARC-8): rerouting, stale pages, who sees a letter,
the list's filters, the export's cells, the tenant of the day."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from archives import correspondence
from archives.models import IncomingLetter
from crm.models import Notification
from crm.roles import Role
from tests.factories import BuildingFactory, FloorFactory, UnitFactory

S = IncomingLetter.Status


@pytest.fixture
def propmanager(make_user):
    return make_user(Role.CLIENT_SERVICES_MANAGER, username="propmanager")


def log(unit, by, subject="来函", **extra):
    return correspondence.letter_log(
        unit=unit,
        received_on=extra.pop("received_on", timezone.localdate()),
        sender=extra.pop("sender", "租户"),
        subject=subject,
        kind=extra.pop("kind", "letter"),
        by=by,
        **extra,
    )


def test_rerouting_tells_the_new_handler_and_keeps_the_letter_waiting(tenancy, desk, archivist, propmanager):
    letter = log(tenancy.unit, desk, handler=archivist)
    letter = correspondence.letter_route(letter=letter, handler=propmanager, due_on=timezone.localdate(), by=desk)
    assert (letter.status, letter.handler) == (S.ROUTED, propmanager)
    assert Notification.objects.filter(recipient=propmanager).count() == 1
    assert Notification.objects.filter(recipient=archivist).count() == 1, "the first handler was told once"


def test_routing_to_oneself_sends_no_notification(tenancy, desk):
    log(tenancy.unit, desk, handler=desk)
    assert not Notification.objects.exists()


def test_an_answered_letter_is_not_rerouted_or_answered_again(tenancy, desk, archivist):
    letter = log(tenancy.unit, desk, handler=archivist)
    letter = correspondence.letter_answer(letter=letter, answer="好", answered_on=timezone.localdate(), by=archivist)
    with pytest.raises(ValidationError):
        correspondence.letter_route(letter=letter, handler=desk, due_on=timezone.localdate(), by=desk)
    with pytest.raises(PermissionDenied):
        correspondence.letter_answer(letter=letter, answer="again", answered_on=timezone.localdate(), by=archivist)
    letter.refresh_from_db()
    assert (letter.answer, letter.handler) == ("好", archivist)


def test_the_answer_cannot_be_due_before_the_letter_came(tenancy, desk, archivist):
    received = timezone.localdate() - timedelta(days=5)
    with pytest.raises(ValidationError):
        log(tenancy.unit, desk, received_on=received, handler=archivist, due_on=received - timedelta(days=1))
    assert not IncomingLetter.objects.exists(), "nothing half-saved"


def test_a_letter_received_in_the_future_is_refused(client, tenancy, desk):
    client.force_login(desk)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    data = {"unit": tenancy.unit.pk, "received_on": tomorrow, "sender": "x", "subject": "y", "kind": "letter"}
    response = client.post(reverse("archives:letter_create"), data)
    assert "received_on" in response.context["form"].errors and not IncomingLetter.objects.exists()


def test_a_keeper_records_an_answer_the_handler_gave_by_phone(tenancy, desk, archivist):
    letter = log(tenancy.unit, desk, handler=archivist)
    assert correspondence.may_answer(desk, letter), "the front desk may record an answer given by phone"
    letter = correspondence.letter_answer(letter=letter, answer="电话答复", answered_on=timezone.localdate(), by=desk)
    assert letter.answered_by == desk


def test_a_stale_page_is_told_and_changes_nothing(client, tenancy, desk, archivist, propmanager):
    letter = log(tenancy.unit, desk)
    correspondence.letter_route(letter=letter, handler=archivist, due_on=timezone.localdate(), by=desk)
    client.force_login(desk)
    due = timezone.localdate().isoformat()
    response = client.post(
        letter.get_absolute_url(), {"action": "route", "version": 1, "handler": propmanager.pk, "due_on": due}
    )
    assert response.status_code == 200
    assert "Someone else changed this letter first" in response.content.decode()
    assert IncomingLetter.objects.get(pk=letter.pk).handler == archivist


def test_an_unknown_step_changes_nothing(client, tenancy, desk):
    letter = log(tenancy.unit, desk)
    client.force_login(desk)
    response = client.post(letter.get_absolute_url(), {"action": "delete", "version": 1})
    assert response.status_code == 200
    assert IncomingLetter.objects.get(pk=letter.pk).version == 1


@pytest.mark.parametrize("role", [Role.MANAGER, Role.ACCOUNT_MANAGER, Role.ENGINEERING_SUPERVISOR, Role.TECHNICIAN])
def test_roles_outside_the_register_cannot_open_it(client, tenancy, desk, make_user, role):
    letter = log(tenancy.unit, desk)
    client.force_login(make_user(role))
    assert client.get(reverse("archives:correspondence")).status_code == 403
    assert client.get(letter.get_absolute_url()).status_code == 403
    assert not IncomingLetter.objects.visible_to(make_user(role, username=f"{role}-2")).exists()


def test_a_letter_stays_with_the_tenant_of_the_day(tenancy, desk):
    letter = log(tenancy.unit, desk, received_on=timezone.localdate() - timedelta(days=3))
    assert letter.tenancy == tenancy
    vacant = UnitFactory(number="0909")
    assert log(vacant, desk).tenancy is None, "a vacant unit's letter has no tenant"


def test_the_list_filters_by_building_kind_and_dates(client, tenancy, desk):
    other_building = UnitFactory(number="0101", floor=FloorFactory(building=BuildingFactory(code="W")))
    today = timezone.localdate()
    log(tenancy.unit, desk, "A 座报告", kind="report", received_on=today - timedelta(days=10))
    log(other_building, desk, "W 座申请", kind="request", received_on=today)
    client.force_login(desk)
    url = reverse("archives:correspondence")

    def subjects(**query):
        return sorted(letter.subject for letter in client.get(url, query).context["page_obj"])

    assert subjects(building=other_building.floor.building_id) == ["W 座申请"]
    assert subjects(kind="report") == ["A 座报告"]
    assert subjects(received_from=(today - timedelta(days=1)).isoformat()) == ["W 座申请"]
    assert subjects(received_to=(today - timedelta(days=1)).isoformat()) == ["A 座报告"]
    assert subjects(q="申请") == ["W 座申请"]
    assert subjects(state="received") == ["A 座报告", "W 座申请"]


def test_the_export_keeps_a_hostile_sender_as_text(client, tenancy, desk):
    log(tenancy.unit, desk, sender='=HYPERLINK("http://evil.example")')
    client.force_login(desk)
    text = client.get(reverse("archives:correspondence"), {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][2] == '\'=HYPERLINK("http://evil.example")'


def test_the_export_follows_the_filters(client, tenancy, desk, archivist):
    log(tenancy.unit, desk, "等我回复", handler=desk)
    log(tenancy.unit, desk, "别人的", handler=archivist)
    client.force_login(desk)
    text = client.get(reverse("archives:correspondence"), {"format": "csv", "state": "mine"}).content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert [row[3] for row in rows[1:]] == ["等我回复"]


def test_the_unit_file_link_logs_a_letter_for_that_unit(client, tenancy, desk):
    client.force_login(desk)
    page = client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()
    assert f"{reverse('archives:letter_create')}?unit={tenancy.unit.pk}" in page


def test_a_letter_without_a_scan_has_no_download(client, tenancy, desk):
    letter = log(tenancy.unit, desk)
    client.force_login(desk)
    assert client.get(reverse("archives:letter_scan", args=[letter.pk])).status_code == 404
    assert b'data-testid="letter-scan"' not in client.get(letter.get_absolute_url()).content


def test_the_detail_page_shows_the_audit_trail(client, tenancy, desk, archivist):
    letter = log(tenancy.unit, desk, handler=archivist)
    client.force_login(archivist)
    page = client.get(letter.get_absolute_url())
    assert len(page.context["history"]) == 2
    assert page.context["can_answer"] and page.context["can_route"]


def test_overdue_counts_only_letters_past_their_due_date(tenancy, desk, archivist):
    today = timezone.localdate()
    early = log(tenancy.unit, desk, "过期", received_on=today - timedelta(days=9), handler=archivist)
    log(tenancy.unit, desk, "今天到期", handler=archivist, due_on=today)
    log(tenancy.unit, desk, "未分派")
    assert list(IncomingLetter.objects.overdue()) == [early]
    assert early.due_on == today - timedelta(days=2), "seven days after it was received"
    assert {letter.subject for letter in IncomingLetter.objects.waiting_for(archivist)} == {"过期", "今天到期"}


def test_an_administrator_keeps_the_register_too(client, tenancy, desk, admin_user):
    letter = log(tenancy.unit, desk)
    client.force_login(admin_user)
    assert client.get(reverse("archives:correspondence")).status_code == 200
    page = client.get(letter.get_absolute_url())
    assert page.status_code == 200 and page.context["can_route"] is True


def test_the_excel_export_is_named_for_the_day_and_lists_the_overdue(client, tenancy, desk, archivist):
    today = timezone.localdate()
    log(tenancy.unit, desk, "过期未复", received_on=today - timedelta(days=9), handler=archivist)
    client.force_login(desk)
    response = client.get(reverse("archives:correspondence"), {"format": "xlsx"})
    assert response["Content-Disposition"] == f'attachment; filename="correspondence-{today:%Y%m%d}.xlsx"'
    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[1][3] == "过期未复" and rows[1][-1] == "yes"


def test_the_list_shows_an_empty_state(client, desk):
    client.force_login(desk)
    page = client.get(reverse("archives:correspondence"))
    assert b'data-testid="empty"' in page.content and page.context["waiting"] == 0
