"""The race gate for campaigns (MKT-1): a launch clicked twice (two tabs, a double click) freezes
the list once; contacts recorded at once all count."""

import pytest
from django.urls import reverse

from clients.campaigns import launch
from clients.models import CampaignContact, CampaignMember
from crm.models import Notification
from tests.concurrency import RACERS, assert_one_winner, post_race
from tests.factories import CampaignFactory, ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_launch_requested_at_once_freezes_the_list_once(manager, admin_user, alice, bob):
    for owner in (alice, alice, bob):
        ClientFactory(owner=owner, status="active")
    campaign = CampaignFactory(created_by=manager, holdout_percent=0)
    url = reverse("campaigns:launch", args=[campaign.pk])
    responses = post_race([(person, url, {"status": "active"}) for person in [manager, admin_user] * (RACERS // 2)])
    assert_one_winner(responses, loser_text="This campaign was already launched; its list is frozen.")
    campaign.refresh_from_db()
    assert campaign.launched_at is not None
    assert CampaignMember.objects.filter(campaign=campaign).count() == 3
    assert Notification.objects.filter(key=f"campaign:{campaign.pk}:launch").count() == 2


def test_contacts_recorded_at_once_all_count(manager, alice):
    target = ClientFactory(owner=alice, status="active")
    campaign = CampaignFactory(created_by=manager, channel="phone")
    launch(campaign=campaign, params={}, by=manager)
    member = CampaignMember.objects.get(campaign=campaign, client=target)
    url = reverse("campaigns:member", args=[campaign.pk, member.pk])
    responses = post_race(
        [(person, url, {"method": "phone", "response": "no_answer"}) for person in [alice, manager] * (RACERS // 2)]
    )
    assert all(response.status_code == 302 for response in responses), [r.status_code for r in responses]
    member.refresh_from_db()
    assert member.attempts == CampaignContact.objects.filter(member=member).count() == RACERS
    assert (member.reached_at, member.response) == (None, "")
