"""Edge cases found in review: stale rights, races, backdating, hostile or broken input."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from clients import complaints as workflow
from clients import services
from clients.models import CampaignMember, Client, Complaint
from tests.factories import CampaignFactory, ClientFactory
from tests.imports import confirm, csv_bytes, last_job, upload


@pytest.fixture
def assigned(alice, bob, alices_client):
    complaint = workflow.complaint_file(
        client=alices_client, subject="Late", description="x", channel="phone", by=alice
    )
    return workflow.complaint_assign(complaint=complaint, assignee=bob, by=alice)


def test_an_assignee_who_changed_team_loses_the_complaint(client, assigned, bob, other_team):
    bob.team = other_team
    bob.save()
    client.force_login(bob)
    assert client.get(assigned.get_absolute_url()).status_code == 404


def test_reopening_for_an_assignee_who_left_goes_back_to_received(assigned, alice, bob, other_team):
    workflow.complaint_resolve(complaint=assigned, resolution="done", by=bob)
    bob.team = other_team
    bob.save()
    complaint = workflow.complaint_reopen(complaint=Complaint.objects.get(pk=assigned.pk), by=alice, note="again")
    assert complaint.status == Complaint.Status.RECEIVED and complaint.assignee is None


def test_a_reassigned_person_can_no_longer_resolve(assigned, alice, bob):
    stale = Complaint.objects.get(pk=assigned.pk)
    workflow.complaint_assign(complaint=assigned, assignee=alice, by=alice)
    with pytest.raises(ValidationError, match="Someone else changed this complaint first") as refused:
        workflow.complaint_resolve(complaint=stale, resolution="mine", by=bob)
    assert alice.get_full_name() in str(refused.value), "the message names who holds it now"
    current = Complaint.objects.get(pk=assigned.pk)
    assert (current.status, current.assignee, current.resolution) == (Complaint.Status.ASSIGNED, alice, "")
    with pytest.raises(PermissionDenied):  # and on the fresh record he is no longer its assignee
        workflow.complaint_resolve(complaint=current, resolution="mine", by=bob)
    assert Complaint.objects.get(pk=assigned.pk).resolution == ""


def test_a_race_on_the_complaint_page_shows_a_message_not_an_error(client, assigned, alice, bob):
    workflow.complaint_resolve(complaint=assigned, resolution="done", by=bob)
    client.force_login(alice)
    response = client.post(
        assigned.get_absolute_url(), {"action": "resolved", "note": "me too", "version": assigned.version}
    )
    assert response.status_code == 200
    assert "the step was not applied" in response.content.decode()


def test_a_backdated_interaction_keeps_the_later_follow_up(alice, alices_client):
    planned = timezone.localdate() + timedelta(days=10)
    services.interaction_log(client=alices_client, kind="visit", outcome="today", by=alice, next_contact_date=planned)
    services.interaction_log(
        client=alices_client,
        kind="call",
        outcome="last month",
        by=alice,
        occurred_at=timezone.now() - timedelta(days=30),
    )
    alices_client.refresh_from_db()
    assert alices_client.next_contact_date == planned


def test_import_never_sets_the_grade(client, manager, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager)
    upload(client, csv_bytes("g1,Graded,corporate,active,online,alice,,,,,,,0,A,"))
    confirm(client, last_job())
    assert Client.objects.get(code="G1").level == ""


def test_import_owner_must_be_an_active_account_manager_in_scope(
    client, manager, front_desk, charlie, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(manager)
    upload(
        client,
        csv_bytes(
            f"g2,Desk,corporate,active,online,{front_desk.username},,,,,,,0,,",
            f"g3,Other team,corporate,active,online,{charlie.username},,,,,,,0,,",
        ),
    )
    assert all("not an active account manager" in row["errors"][0] for row in last_job().rows)


def test_an_export_with_an_invalid_filter_exports_nothing(client, manager, charlie):
    client.force_login(manager)
    response = client.get(reverse("clients:export", args=["clients"]), {"format": "csv", "owner": charlie.pk})
    assert response.status_code == 302


def test_a_huge_stale_days_value_is_a_form_error(client, alice):
    client.force_login(alice)
    response = client.get(reverse("clients:list"), {"stale_days": 99999999})
    assert response.status_code == 200
    assert "stale_days" in response.context["filter"].errors


def test_campaign_counts_only_my_teams_clients_and_ended_campaigns_cannot_launch(client, manager, alice, charlie):
    campaign = CampaignFactory(created_by=manager, launched_at=timezone.now())
    CampaignMember.objects.create(campaign=campaign, client=ClientFactory(owner=alice), added_by=manager)
    CampaignMember.objects.create(campaign=campaign, client=ClientFactory(owner=charlie), added_by=manager)
    client.force_login(manager)
    assert client.get(reverse("campaigns:list")).context["page_obj"].object_list[0].counts["targeted"] == 1
    ended = CampaignFactory(created_by=manager, starts_on=date(2020, 1, 1), ends_on=date(2020, 1, 31))
    ClientFactory(owner=alice)
    client.post(reverse("campaigns:launch", args=[ended.pk]), {})
    assert not CampaignMember.objects.filter(campaign=ended).exists()


def test_a_zero_visit_cadence_is_explained(client, alice, alices_client):
    from tests.clients.test_client_card import card_data

    first = alices_client.contacts.get()
    data = card_data(
        code="HX001",
        name="华信科技",
        is_key_account="on",
        **{
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "1",
            "contacts-0-id": str(first.pk),
            "contacts-0-name": first.name,
            "contacts-0-phone": first.phone,
            "ka-visit_cadence_days": "0",
        },
    )
    client.force_login(alice)
    response = client.post(reverse("clients:edit", args=[alices_client.pk]), data)
    assert "visit_cadence_days" in response.context["key_account"].errors


def test_codes_are_stored_in_one_spelling_whatever_the_path(alice):
    assert ClientFactory(owner=alice, code=" ab12 ").code == "AB12"
