"""The archive's action pages, driven as a user would: change requests decided by a manager,
move-outs, the yearly archive and outgoing notices (ARC-5, ARC-7, ARC-8).

Each action: the allowed role does it through the page and exactly the expected rows change;
roles that may not get 403/404 and nothing is written; bad input is refused and saves nothing.
"""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from archives import services
from archives.models import ChangeRequest, Document, DocumentVersion, Tenancy
from crm.models import Notification
from crm.roles import Role
from tests.archives.conftest import pdf


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- Change requests to working documents (ARC-7) ------------------------------------------


@pytest.fixture
def change(working, desk):
    """Front desk asks for a new version of the emergency contacts (version 1 → 2)."""
    return services.change_request_submit(document=working, upload=pdf("contacts-v2.pdf"), reason="New phone", by=desk)


def decide(client, change, decision, **data):
    return client.post(reverse("archives:change_decide", args=[change.pk, decision]), data)


def test_the_approvals_page_lists_the_waiting_change_with_its_buttons_for_a_manager(client, manager, change):
    client.force_login(manager)
    response = client.get(reverse("archives:approvals"))
    assert list(response.context["changes"]) == [change]
    body = response.content.decode()
    assert "Emergency contacts" in body and "New phone" in body
    assert reverse("archives:change_decide", args=[change.pk, "approve"]) in body
    assert reverse("archives:change_decide", args=[change.pk, "refuse"]) in body


def test_the_archivist_sees_waiting_changes_but_has_no_decision_buttons(client, archivist, change):
    client.force_login(archivist)
    response = client.get(reverse("archives:approvals"))
    assert list(response.context["changes"]) == [change]
    assert reverse("archives:change_decide", args=[change.pk, "approve"]) not in response.content.decode()


def test_a_decided_change_no_longer_waits_on_the_approvals_page(client, manager, change):
    client.force_login(manager)
    decide(client, change, "refuse", note="Wrong number")
    assert list(client.get(reverse("archives:approvals")).context["changes"]) == []


@pytest.mark.parametrize("approver", ["manager", "admin_user"])
def test_a_manager_approves_a_change_and_a_new_version_is_stored(client, request, desk, working, change, approver):
    manager = request.getfixturevalue(approver)
    client.force_login(manager)
    response = decide(client, change, "approve", note="Checked with the tenant")

    assert response.status_code == 302 and response.url == reverse("archives:approvals")
    assert messages_of(response) == ["Decision recorded."]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("approved", manager, "Checked with the tenant")
    assert change.decided_at is not None
    versions = list(working.versions.order_by("number").values_list("number", "original_name", "note", "approved_by"))
    assert versions == [(1, "contacts.pdf", "", None), (2, "contacts-v2.pdf", "New phone", manager.pk)]
    v2 = working.versions.get(number=2)
    assert (v2.created_by, v2.sha256, v2.stored_name) == (desk, change.sha256, change.stored_name)
    # The audit row says who decided.
    last = change.history.order_by("-history_date", "-history_id").first()
    assert (last.status, last.history_user) == ("approved", manager)
    # The requester, and only the requester, is told.
    [notification] = Notification.objects.all()
    assert notification.recipient == desk
    assert notification.key == f"archive-change:{change.pk}:approved"
    assert notification.title == "Your change to “Emergency contacts” was approved"
    assert notification.body == "Checked with the tenant"
    assert notification.link == reverse("archives:document", args=[working.pk])


def test_the_document_page_shows_the_approved_version_as_the_newest(client, manager, working, change):
    client.force_login(manager)
    decide(client, change, "approve")
    response = client.get(reverse("archives:document", args=[working.pk]))
    assert [v.number for v in response.context["versions"]] == [2, 1]
    assert [r.status for r in response.context["requests"]] == ["approved"]


def test_a_refusal_keeps_the_document_and_records_the_reason(client, manager, desk, working, change):
    client.force_login(manager)
    response = decide(client, change, "refuse", note="The number is the old one")

    assert response.url == reverse("archives:approvals")
    assert messages_of(response) == ["Decision recorded."]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("refused", manager, "The number is the old one")
    assert list(working.versions.values_list("number", "original_name")) == [(1, "contacts.pdf")]
    assert DocumentVersion.objects.count() == 1
    last = change.history.order_by("-history_date", "-history_id").first()
    assert (last.status, last.history_user, last.decision_note) == ("refused", manager, "The number is the old one")
    [notification] = Notification.objects.filter(recipient=desk)
    assert (notification.recipient, notification.key) == (desk, f"archive-change:{change.pk}:refused")
    assert notification.title == "Your change to “Emergency contacts” was refused"
    assert notification.body == "The number is the old one"


@pytest.mark.parametrize("first", ["approve", "refuse"])
@pytest.mark.parametrize("second", ["approve", "refuse"])
def test_a_decided_change_cannot_be_decided_again(client, manager, second_manager, working, change, first, second):
    client.force_login(manager)
    decide(client, change, first, note="first")
    client.get(reverse("archives:approvals"))  # the manager reads the first "Decision recorded."
    change.refresh_from_db()
    decided = (change.status, change.decided_by, change.decided_at, change.decision_note)
    versions = list(DocumentVersion.objects.values_list("pk", flat=True))
    history = change.history.count()

    client.force_login(second_manager)
    response = decide(client, change, second, note="second")

    assert response.url == reverse("archives:approvals")
    assert messages_of(response) == ["This change request was already decided."]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_at, change.decision_note) == decided
    assert list(DocumentVersion.objects.values_list("pk", flat=True)) == versions
    assert change.history.count() == history
    assert Notification.objects.filter(key__startswith="archive-change:").count() == 1


def test_a_manager_cannot_approve_their_own_change_through_the_page(client, manager, working):
    own = services.change_request_submit(document=working, upload=pdf("mine.pdf"), reason="Mine", by=manager)
    client.force_login(manager)
    response = decide(client, own, "approve")
    assert messages_of(response) == ["You cannot approve your own change; another manager must."]
    own.refresh_from_db()
    assert (own.status, own.decided_by) == ("pending", None)
    assert working.versions.count() == 1 and not Notification.objects.filter(key__startswith="archive-change:").exists()


def test_approving_a_change_made_on_an_old_version_is_refused_and_rolled_back(
    client, manager, archivist, desk, working, change
):
    newer = services.change_request_submit(document=working, upload=pdf("other.pdf"), reason="Other", by=archivist)
    client.force_login(manager)
    decide(client, newer, "approve")
    client.get(reverse("archives:approvals"))
    response = decide(client, change, "approve")
    assert messages_of(response) == [
        "This change was made on version 1, but the document is now at version 2. "
        "Refuse it and ask for a change of the current version."
    ]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decided_at) == ("pending", None, None)
    assert list(working.versions.order_by("number").values_list("original_name", flat=True)) == [
        "contacts.pdf",
        "other.pdf",
    ]
    assert not Notification.objects.filter(recipient=desk).exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.CLIENT_SERVICES_SUPERVISOR, 403),
        (Role.FRONT_DESK, 403),
        (Role.ENGINEERING_SUPERVISOR, 403),
        (Role.ACCOUNT_MANAGER, 403),
        (Role.TECHNICIAN, 404),
        (Role.FINANCE, 404),
    ],
)
@pytest.mark.parametrize("decision", ["approve", "refuse"])
def test_only_managers_decide_changes(client, make_user, working, change, role, status, decision):
    client.force_login(make_user(role, username=f"who-{role}"))
    response = decide(client, change, decision, note="not mine to decide")
    assert response.status_code == status
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("pending", None, "")
    assert working.versions.count() == 1
    assert change.history.count() == 1  # only its creation
    assert not Notification.objects.exists()


def test_a_decision_needs_a_post_and_a_known_word(client, manager, working, change):
    client.force_login(manager)
    assert client.get(reverse("archives:change_decide", args=[change.pk, "approve"])).status_code == 405
    assert decide(client, change, "aprove").status_code == 404
    change.refresh_from_db()
    assert change.status == "pending" and working.versions.count() == 1


def test_an_unknown_change_request_is_404(client, manager, change):
    client.force_login(manager)
    assert client.post(reverse("archives:change_decide", args=[change.pk + 1000, "approve"])).status_code == 404
    assert ChangeRequest.objects.get().status == "pending"


def test_the_refuse_button_asks_for_the_reason(client, manager, change):
    client.force_login(manager)
    body = client.get(reverse("archives:approvals")).content.decode()
    refuse = body.split(f'action="{reverse("archives:change_decide", args=[change.pk, "refuse"])}"')[1]
    refuse_form = refuse.split("</form>")[0]
    assert 'name="note"' in refuse_form and 'maxlength="300"' in refuse_form


def test_a_reason_too_long_is_refused_and_the_change_stays_pending(client, manager, working, change):
    client.force_login(manager)
    response = decide(client, change, "refuse", note="x" * 301)
    assert response.url == reverse("archives:approvals")
    assert messages_of(response) == ["Ensure this value has at most 300 characters (it has 301)."]
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("pending", None, "")
    assert working.versions.count() == 1 and not Notification.objects.filter(key__startswith="archive-change:").exists()


def test_the_document_page_shows_a_refusal_with_its_reason(client, manager, desk, working, change):
    client.force_login(manager)
    decide(client, change, "refuse", note="The number is the old one")
    client.force_login(desk)
    response = client.get(reverse("archives:document", args=[working.pk]))
    [shown] = response.context["requests"]
    assert (shown.status, shown.decision_note) == ("refused", "The number is the old one")
    assert "The number is the old one" in response.content.decode()


# --- Asking for a change through the document page (ARC-7) ---------------------------------


def ask(client, document, **data):
    return client.post(
        reverse("archives:document", args=[document.pk]),
        {"reason": "New phone", "upload": pdf("contacts-v2.pdf"), **data},
    )


@pytest.mark.parametrize("who", ["desk", "archivist"])
def test_filing_staff_ask_for_a_change_of_a_working_document(client, request, working, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = ask(client, working)
    assert response.status_code == 302 and response.url == reverse("archives:document", args=[working.pk])
    assert messages_of(response) == ["Change request sent to the client-services manager for approval."]
    change = ChangeRequest.objects.get()
    assert (change.document, change.reason, change.requested_by, change.base_version, change.status) == (
        working,
        "New phone",
        user,
        1,
        "pending",
    )
    assert change.original_name == "contacts-v2.pdf"
    assert working.versions.count() == 1, "nothing changes before a manager approves"


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"reason": ""}, "reason", "This field is required."),
        ({"reason": "x" * 301}, "reason", "Ensure this value has at most 300 characters (it has 301)."),
        ({"upload": ""}, "upload", "This field is required."),
    ],
)
def test_an_incomplete_change_request_shows_the_error_and_saves_nothing(
    client, desk, working, settings, data, field, error
):
    client.force_login(desk)
    response = ask(client, working, **data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert not ChangeRequest.objects.exists() and working.versions.count() == 1
    assert len(list((settings.MEDIA_ROOT / "archives").iterdir())) == 1  # the first version's file only


def test_an_original_is_not_revised_through_the_page(client, desk, original):
    client.force_login(desk)
    response = ask(client, original)
    assert response.status_code == 200 and response.context["form"] is None
    assert not ChangeRequest.objects.exists() and original.versions.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.ACCOUNT_MANAGER, 403), (Role.CLIENT_SERVICES_MANAGER, 403), (Role.MANAGER, 404), (Role.TECHNICIAN, 404)],
)
def test_other_roles_cannot_ask_for_a_change(client, make_user, alice, working, role, status):
    user = alice if role == Role.ACCOUNT_MANAGER else make_user(role, username=f"who-{role}")
    client.force_login(user)
    assert ask(client, working).status_code == status
    assert not ChangeRequest.objects.exists() and working.versions.count() == 1


# --- Move-out (ARC-5) ----------------------------------------------------------------------


def move_out(client, tenancy, **data):
    return client.post(reverse("archives:tenancy_end", args=[tenancy.pk]), data)


def test_the_unit_file_offers_the_move_out_to_keepers_only(client, archivist, desk, tenancy):
    action = reverse("archives:tenancy_end", args=[tenancy.pk])
    client.force_login(archivist)
    assert action in client.get(reverse("archives:unit", args=[tenancy.unit_id])).content.decode()
    client.force_login(desk)
    assert action not in client.get(reverse("archives:unit", args=[tenancy.unit_id])).content.decode()


@pytest.mark.parametrize("keeper", ["archivist", "manager", "admin_user"])
def test_a_keeper_records_a_move_out_and_the_unit_is_vacant(client, request, tenancy, original, keeper):
    user = request.getfixturevalue(keeper)
    client.force_login(user)
    response = move_out(client, tenancy, move_out="2026-06-30")

    assert response.status_code == 302 and response.url == reverse("archives:unit", args=[tenancy.unit_id])
    assert messages_of(response) == ["Move-out recorded; the tenant's documents are closed."]
    tenancy.refresh_from_db()
    assert tenancy.move_out == date(2026, 6, 30)
    assert tenancy.move_in == date(2025, 1, 1) and tenancy.company_name == "华泰律师事务所"
    last = tenancy.history.order_by("-history_date", "-history_id").first()
    assert (last.move_out, last.history_user) == (date(2026, 6, 30), user)
    assert tenancy.history.count() == 2  # created, then ended

    page = client.get(reverse("archives:unit", args=[tenancy.unit_id]))
    assert page.context["current"] is None
    assert 'badge text-bg-secondary fs-6">Vacant<' in page.content.decode()
    # The history is kept: the tenancy is listed and its documents are closed, not gone.
    assert list(page.context["tenancies"]) == [tenancy]
    assert page.context["by_category"] == {}
    assert page.context["closed"] == {tenancy: [original]}
    assert "Closed file of 华泰律师事务所" in page.content.decode()
    assert list(Document.objects.values_list("pk", "tenancy_id")) == [(original.pk, tenancy.pk)]
    assert original.versions.count() == 1


def test_after_a_move_out_the_index_shows_the_unit_vacant(client, archivist, tenancy):
    client.force_login(archivist)
    move_out(client, tenancy, move_out="2026-06-30")
    index = client.get(reverse("archives:index"), {"building": tenancy.unit.floor.building.code})
    [[unit]] = index.context["grid"].values()
    assert unit.pk == tenancy.unit_id and unit.current_tenancy is None
    assert "华泰律师事务所" not in index.content.decode()


def test_the_next_tenant_starts_with_an_empty_file(client, archivist, tenancy, original):
    client.force_login(archivist)
    move_out(client, tenancy, move_out="2026-06-30")
    following = Tenancy.objects.create(
        unit=tenancy.unit, client=tenancy.client, company_name="Next Co", move_in=date(2026, 7, 1)
    )
    page = client.get(reverse("archives:unit", args=[tenancy.unit_id]))
    assert page.context["current"] == following
    assert page.context["by_category"] == {}
    assert page.context["closed"] == {tenancy: [original]}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.FRONT_DESK, 403),
        (Role.ENGINEERING_SUPERVISOR, 403),
        (Role.ACCOUNT_MANAGER, 403),
        (Role.TECHNICIAN, 404),
        (Role.FINANCE, 404),
    ],
)
def test_other_roles_cannot_record_a_move_out(client, make_user, tenancy, role, status):
    client.force_login(make_user(role, username=f"who-{role}"))
    assert move_out(client, tenancy, move_out="2026-06-30").status_code == status
    tenancy.refresh_from_db()
    assert tenancy.move_out is None and tenancy.history.count() == 1


def test_the_tenants_own_account_manager_cannot_record_its_move_out(client, alice, tenancy):
    client.force_login(alice)
    assert move_out(client, tenancy, move_out="2026-06-30").status_code == 403
    assert Tenancy.objects.get(pk=tenancy.pk).move_out is None


def test_a_move_out_before_the_move_in_is_refused(client, archivist, tenancy):
    client.force_login(archivist)
    response = move_out(client, tenancy, move_out="2024-12-31")
    assert response.url == reverse("archives:unit", args=[tenancy.unit_id])
    assert messages_of(response) == ["The move-out cannot be before the move-in."]
    tenancy.refresh_from_db()
    assert tenancy.move_out is None and tenancy.history.count() == 1


def test_a_tenancy_cannot_be_ended_twice(client, archivist, manager, tenancy):
    client.force_login(archivist)
    move_out(client, tenancy, move_out="2026-06-30")
    client.get(reverse("archives:unit", args=[tenancy.unit_id]))  # reads the first message
    client.force_login(manager)
    response = move_out(client, tenancy, move_out="2026-07-31")
    assert messages_of(response) == ["This tenancy has ended already."]
    tenancy.refresh_from_db()
    assert tenancy.move_out == date(2026, 6, 30) and tenancy.history.count() == 2


@pytest.mark.parametrize(("value", "error"), [("", "This field is required."), ("30/06/2026x", "Enter a valid date.")])
def test_a_missing_or_bad_move_out_date_is_said_and_changes_nothing(client, archivist, tenancy, value, error):
    client.force_login(archivist)
    response = move_out(client, tenancy, move_out=value)
    assert response.url == reverse("archives:unit", args=[tenancy.unit_id])
    assert messages_of(response) == [error]
    tenancy.refresh_from_db()
    assert tenancy.move_out is None and tenancy.history.count() == 1


def test_an_unknown_tenancy_is_404(client, archivist, tenancy):
    client.force_login(archivist)
    response = client.post(reverse("archives:tenancy_end", args=[tenancy.pk + 1000]), {"move_out": "2026-06-30"})
    assert response.status_code == 404
    assert Tenancy.objects.get().move_out is None


# --- Yearly archive (ARC-5) ----------------------------------------------------------------


@pytest.fixture
def moved_out(desk, alice):
    """Two tenants who moved out in 2025 (floors 3 and 12), one in 2024, one still in, and a paper
    of a vacant unit with no tenant: only the 2025 tenants' documents belong to the 2025 archive."""
    from tests.factories import BuildingFactory, ClientFactory, FloorFactory, UnitFactory

    tower = BuildingFactory(code="t1", name="Tower One")
    third, twelfth = FloorFactory(building=tower, number=3), FloorFactory(building=tower, number=12)
    client = ClientFactory(owner=alice)

    def tenancy(floor, number, name, move_in, move_out=None):
        unit = UnitFactory(floor=floor, number=number)
        return Tenancy.objects.create(unit=unit, client=client, company_name=name, move_in=move_in, move_out=move_out)

    def file(tenancy, title, dated, unit=None):
        return services.document_file(
            unit=unit or tenancy.unit,
            tenancy=tenancy,
            upload=pdf(),
            title=title,
            category="move_in",
            dated=dated,
            kind="original",
            by=desk,
        )

    alpha = tenancy(third, "301", "Alpha Ltd", date(2023, 1, 1), date(2025, 6, 30))
    beta = tenancy(twelfth, "1201", "Beta Ltd", date(2024, 1, 1), date(2025, 12, 31))
    gamma = tenancy(third, "302", "Gamma Ltd", date(2022, 1, 1), date(2024, 11, 30))
    delta = tenancy(twelfth, "1202", "Delta Ltd", date(2025, 2, 1))
    vacant = UnitFactory(floor=third, number="303")
    return {
        "alpha_lease": file(alpha, "Alpha lease", date(2023, 1, 1)),
        "beta_lease": file(beta, "Beta lease", date(2024, 1, 1)),
        "beta_fitout": file(beta, "Beta fit-out", date(2024, 3, 15)),
        "gamma_lease": file(gamma, "Gamma lease", date(2022, 1, 1)),
        "delta_lease": file(delta, "Delta lease", date(2025, 2, 1)),
        "vacant_note": services.document_file(
            unit=vacant,
            upload=pdf(),
            title="Meter reading",
            category="other",
            dated=date(2025, 5, 1),
            kind="original",
            by=desk,
        ),
        "alpha": alpha,
        "beta": beta,
    }


def compile_year(client, year):
    return client.post(reverse("archives:yearly"), {"year": year})


def entries_of(year):
    from archives.models import YearlyArchive

    return set(
        YearlyArchive.objects.get(year=year).entries.values_list("document__title", "tenancy__company_name", "shelf")
    )


EXPECTED_2025 = {
    ("Alpha lease", "Alpha Ltd", "t1-03F"),
    ("Beta lease", "Beta Ltd", "t1-12F"),
    ("Beta fit-out", "Beta Ltd", "t1-12F"),
}


@pytest.mark.parametrize("keeper", ["archivist", "manager", "admin_user"])
def test_a_keeper_compiles_the_years_moved_out_files_shelved_by_floor(client, request, moved_out, keeper):
    from archives.models import YearlyArchive

    client.force_login(request.getfixturevalue(keeper))
    response = compile_year(client, "2025")
    assert response.status_code == 302 and response.url == reverse("archives:yearly")
    assert messages_of(response) == ["The 2025 archive is compiled."]
    assert list(YearlyArchive.objects.values_list("year", flat=True)) == [2025]
    assert entries_of(2025) == EXPECTED_2025


def test_compiling_a_year_twice_gives_one_archive_with_the_same_entries(client, archivist, moved_out):
    from archives.models import YearlyArchive, YearlyArchiveEntry

    client.force_login(archivist)
    compile_year(client, "2025")
    first = YearlyArchive.objects.get()
    entries = sorted(first.entries.values_list("pk", "document_id", "shelf"))
    compile_year(client, "2025")
    again = YearlyArchive.objects.get()
    assert (again.pk, again.compiled_at) == (first.pk, first.compiled_at)
    assert sorted(again.entries.values_list("pk", "document_id", "shelf")) == entries
    assert YearlyArchiveEntry.objects.count() == 3


def test_a_rerun_adds_a_paper_filed_late_for_a_moved_out_tenant(client, archivist, desk, moved_out):
    client.force_login(archivist)
    compile_year(client, "2025")
    beta = moved_out["beta"]
    services.document_file(
        unit=beta.unit,
        tenancy=beta,
        upload=pdf(),
        title="Beta deposit refund",
        category="payments",
        dated=date(2026, 1, 10),
        kind="original",
        by=desk,
    )
    compile_year(client, "2025")
    assert entries_of(2025) == EXPECTED_2025 | {("Beta deposit refund", "Beta Ltd", "t1-12F")}


def test_the_yearly_page_lists_the_archives_with_their_size(client, archivist, moved_out, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 6, 15))
    client.force_login(archivist)
    for year in ("2024", "2025", "2023"):  # neither in the order of the years nor against it
        compile_year(client, year)
    response = client.get(reverse("archives:yearly"))
    assert [(a.year, a.documents) for a in response.context["archives"]] == [(2025, 3), (2024, 1), (2023, 0)]
    assert response.context["last_year"] == 2025
    body = response.content.decode()
    assert "3 documents" in body and "1 document " in body
    assert reverse("archives:yearly_index", args=[2025]) in body


def test_the_printable_index_is_by_shelf(client, archivist, moved_out):
    client.force_login(archivist)
    compile_year(client, "2025")
    response = client.get(reverse("archives:yearly_index", args=[2025]))
    shelves = {shelf: [e.document.title for e in entries] for shelf, entries in response.context["shelves"].items()}
    assert shelves == {"t1-03F": ["Alpha lease"], "t1-12F": ["Beta fit-out", "Beta lease"]}
    body = response.content.decode()
    assert "Shelf t1-03F" in body and "Shelf t1-12F" in body and "Gamma" not in body and "Delta" not in body


def test_the_index_as_csv(client, archivist, moved_out):
    import csv
    import io

    client.force_login(archivist)
    compile_year(client, "2025")
    response = client.get(reverse("archives:yearly_index", args=[2025]), {"format": "csv"})
    assert response["Content-Disposition"] == 'attachment; filename="archive-2025.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Shelf", "Unit", "Tenant", "Category", "Title", "Document date"],
        ["t1-03F", "t1-301", "Alpha Ltd", "Move-in data", "Alpha lease", "2023-01-01"],
        ["t1-12F", "t1-1201", "Beta Ltd", "Move-in data", "Beta fit-out", "2024-03-15"],
        ["t1-12F", "t1-1201", "Beta Ltd", "Move-in data", "Beta lease", "2024-01-01"],
    ]


def test_an_archive_not_compiled_is_404(client, archivist):
    client.force_login(archivist)
    assert client.get(reverse("archives:yearly_index", args=[2025])).status_code == 404


@pytest.mark.parametrize("year", ["1999", "2999", "abc", ""])
def test_a_year_outside_the_range_or_not_a_year_compiles_nothing(client, archivist, moved_out, year):
    from archives.models import YearlyArchive, YearlyArchiveEntry

    client.force_login(archivist)
    response = compile_year(client, year)
    assert response.url == reverse("archives:yearly")
    assert messages_of(response) == ["Choose a year that has passed or the current one."]
    assert not YearlyArchive.objects.exists() and not YearlyArchiveEntry.objects.exists()


def test_a_move_out_still_to_come_is_not_archived_with_the_current_year(
    client, archivist, desk, moved_out, monkeypatch
):
    """On 15 June 2026 a tenant who gave notice for 30 September is still in the unit: compiling
    2026 takes the tenant who left on 31 March, not the one still there."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 6, 15))
    alpha = moved_out["alpha"]

    def tenancy_with_a_paper(number, name, move_out):
        from tests.factories import UnitFactory

        unit = UnitFactory(floor=alpha.unit.floor, number=number)
        tenancy = Tenancy.objects.create(
            unit=unit, client=alpha.client, company_name=name, move_in=date(2025, 7, 1), move_out=move_out
        )
        services.document_file(
            unit=unit,
            tenancy=tenancy,
            upload=pdf(),
            title=f"{name} lease",
            category="move_in",
            dated=date(2025, 7, 1),
            kind="original",
            by=desk,
        )

    tenancy_with_a_paper("304", "Left Ltd", date(2026, 3, 31))
    tenancy_with_a_paper("305", "Leaving Ltd", date(2026, 9, 30))
    client.force_login(archivist)
    compile_year(client, "2026")
    assert entries_of(2026) == {("Left Ltd lease", "Left Ltd", "t1-03F")}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.FRONT_DESK, 403),
        (Role.ENGINEERING_SUPERVISOR, 403),
        (Role.ACCOUNT_MANAGER, 403),
        (Role.TECHNICIAN, 404),
        (Role.FINANCE, 404),
    ],
)
def test_other_roles_can_neither_see_nor_compile_the_yearly_archive(
    client, make_user, archivist, moved_out, role, status
):
    from archives.models import YearlyArchive

    services.yearly_archive_compile(year=2024)
    client.force_login(make_user(role, username=f"who-{role}"))
    assert client.get(reverse("archives:yearly")).status_code == status
    assert client.get(reverse("archives:yearly_index", args=[2024])).status_code == status
    assert compile_year(client, "2025").status_code == status
    assert list(YearlyArchive.objects.values_list("year", flat=True)) == [2024]
    assert entries_of(2024) == {("Gamma lease", "Gamma Ltd", "t1-03F")}


# --- Outgoing notices (ARC-8) --------------------------------------------------------------


@pytest.fixture
def estate(alice):
    """Tower One: floor 3 (301 let, 302 vacant after a tenant left), floor 12 (1201 let);
    Tower Two: 501 let."""
    from tests.factories import BuildingFactory, ClientFactory, FloorFactory, UnitFactory

    one, two = BuildingFactory(code="t1", name="Tower One"), BuildingFactory(code="t2", name="Tower Two")
    third, twelfth = FloorFactory(building=one, number=3), FloorFactory(building=one, number=12)
    fifth = FloorFactory(building=two, number=5)
    client = ClientFactory(owner=alice)
    units = {n: UnitFactory(floor=f, number=n) for n, f in (("301", third), ("302", third), ("1201", twelfth))}
    units["501"] = UnitFactory(floor=fifth, number="501")

    def let(number, name, **dates):
        return Tenancy.objects.create(
            unit=units[number],
            client=client,
            company_name=name,
            move_in=dates.get("move_in", date(2025, 1, 1)),
            move_out=dates.get("move_out"),
        )

    tenants = {
        "301": let("301", "Alpha Ltd"),
        "302-old": let("302", "Gone Ltd", move_in=date(2023, 1, 1), move_out=date(2024, 12, 31)),
        "1201": let("1201", "Beta Ltd"),
        "501": let("501", "Gamma Ltd"),
    }
    return {"one": one, "third": third, "units": units, "tenants": tenants}


def send(client, **data):
    return client.post(reverse("archives:notices"), {"title": "Water off Sunday", "body": "From 9 to 12.", **data})


def deliveries(notice):
    return {(d.unit.number, d.tenancy.company_name if d.tenancy else None) for d in notice.deliveries.all()}


@pytest.mark.parametrize(
    ("scope", "target", "expected"),
    [
        ("unit", {"unit": "301"}, {("301", "Alpha Ltd")}),
        ("floor", {"floor": "third"}, {("301", "Alpha Ltd"), ("302", None)}),
        ("building", {"building": "one"}, {("301", "Alpha Ltd"), ("302", None), ("1201", "Beta Ltd")}),
        ("all", {}, {("301", "Alpha Ltd"), ("302", None), ("1201", "Beta Ltd"), ("501", "Gamma Ltd")}),
    ],
)
def test_a_notice_is_logged_for_exactly_the_units_it_went_to(client, desk, estate, scope, target, expected):
    from archives.models import Notice

    field = {"unit": estate["units"].get("301"), "floor": estate["third"], "building": estate["one"]}
    data = {name: field[name].pk for name in target}
    client.force_login(desk)
    response = send(client, scope=scope, **data)

    assert response.status_code == 302 and response.url == reverse("archives:notices")
    assert messages_of(response) == ["Notice logged as sent."]
    notice = Notice.objects.get()
    assert (notice.title, notice.body, notice.scope, notice.sent_by) == (
        "Water off Sunday",
        "From 9 to 12.",
        scope,
        desk,
    )
    # Each unit's file gets it, with the tenant of the day; the tenant who left is not addressed.
    assert deliveries(notice) == expected
    # The notice goes to tenants on paper: logging it notifies no user of the CRM.
    assert not Notification.objects.exists()


def test_the_notice_shows_in_the_files_it_reached_and_not_in_the_others(client, archivist, estate):
    client.force_login(archivist)
    send(client, scope="floor", floor=estate["third"].pk)
    units = estate["units"]
    for number in ("301", "302"):
        page = client.get(reverse("archives:unit", args=[units[number].pk]))
        assert [d.notice.title for d in page.context["notices"]] == ["Water off Sunday"]
    for number in ("1201", "501"):
        page = client.get(reverse("archives:unit", args=[units[number].pk]))
        assert list(page.context["notices"]) == []


def test_the_notices_page_lists_what_was_sent_newest_first(client, manager, estate):
    client.force_login(manager)
    send(client, scope="unit", unit=estate["units"]["301"].pk, title="Lift service")
    send(client, scope="all", title="New year hours")
    response = client.get(reverse("archives:notices"))
    assert [(n.title, n.units, n.sent_by) for n in response.context["page_obj"].object_list] == [
        ("New year hours", 4, manager),
        ("Lift service", 1, manager),
    ]
    body = response.content.decode()
    assert "4 units" in body and "1 unit " in body


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"scope": "unit"}, "unit", "Choose where the notice goes."),
        ({"scope": "floor"}, "floor", "Choose where the notice goes."),
        ({"scope": "building"}, "building", "Choose where the notice goes."),
        ({"scope": "all", "title": ""}, "title", "This field is required."),
        ({"scope": "all", "body": ""}, "body", "This field is required."),
        ({"scope": "everyone"}, "scope", "Select a valid choice. everyone is not one of the available choices."),
    ],
)
def test_an_incomplete_notice_is_shown_again_with_the_error_and_not_logged(client, desk, estate, data, field, error):
    from archives.models import Notice, NoticeDelivery

    client.force_login(desk)
    response = send(client, **data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [error]
    assert not Notice.objects.exists() and not NoticeDelivery.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ENGINEERING_SUPERVISOR, 403),
        (Role.ACCOUNT_MANAGER, 403),
        (Role.TECHNICIAN, 404),
        (Role.FINANCE, 404),
    ],
)
def test_other_roles_can_neither_see_nor_send_notices(client, make_user, estate, role, status):
    from archives.models import Notice, NoticeDelivery

    client.force_login(make_user(role, username=f"who-{role}"))
    assert client.get(reverse("archives:notices")).status_code == status
    assert send(client, scope="all").status_code == status
    assert not Notice.objects.exists() and not NoticeDelivery.objects.exists()
