"""Campaign contacts show as tasks of an account manager's day (MKT-1 × VIS)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.campaigns import record_contact
from clients.models import CampaignMember
from tests.factories import CampaignFactory, ClientFactory
from visits.campaign_tasks import TASK_LIMIT, campaign_tasks


def running(manager, **fields):
    today = timezone.localdate()
    defaults = {"starts_on": today - timedelta(days=2), "ends_on": today + timedelta(days=5), "channel": "phone"}
    return CampaignFactory(created_by=manager, launched_at=timezone.now(), **{**defaults, **fields})


def member(campaign, client, group="target"):
    return CampaignMember.objects.create(campaign=campaign, client=client, group=group, added_by=campaign.created_by)


@pytest.fixture
def today():
    return timezone.localdate()


def test_only_my_unreached_targets_of_running_personal_campaigns_are_tasks(alice, bob, manager, today):
    mine, other = ClientFactory(owner=alice, name="甲商行"), ClientFactory(owner=alice, name="乙商行")
    phone, visit = running(manager, channel="phone"), running(manager, channel="traditional")
    task = member(phone, mine)
    also = member(visit, other)
    member(phone, other, group="holdout")  # the hold-out is never contacted
    member(phone, ClientFactory(owner=bob))  # bob's client
    member(running(manager, channel="sms"), mine)  # broadcast: sent at launch, no task
    member(running(manager, starts_on=today - timedelta(days=20), ends_on=today - timedelta(days=1)), mine)  # ended
    member(CampaignFactory(created_by=manager), other)  # a draft: not launched
    future = running(manager, starts_on=today + timedelta(days=1), ends_on=today + timedelta(days=9))
    member(future, mine)
    assert list(campaign_tasks(alice, today)) == [task, also]


def test_a_reached_client_is_done_and_a_no_answer_stays_a_task(alice, manager, today):
    campaign = running(manager)
    first, second = member(campaign, ClientFactory(owner=alice)), member(campaign, ClientFactory(owner=alice))
    record_contact(member=first, by=alice, method="phone", response="no_answer")
    record_contact(member=second, by=alice, method="phone", response="declined")
    assert list(campaign_tasks(alice, today)) == [first]


def test_the_today_page_lists_the_tasks_with_a_link_to_record_each(client, alice, manager):
    campaign = running(manager, name="冷链电话推广")
    task = member(campaign, ClientFactory(owner=alice, name="<b>华联</b>超市"))
    client.force_login(alice)
    page = client.get(reverse("visits:home"))
    html = page.content.decode()
    assert page.context["campaign_task_count"] == 1
    assert reverse("campaigns:member", args=[campaign.pk, task.pk]) in html
    assert "冷链电话推广" in html and "&lt;b&gt;华联&lt;/b&gt;超市" in html


def test_a_long_task_list_is_cut_and_counted(client, alice, manager, django_assert_max_num_queries):
    campaign = running(manager)
    for _ in range(TASK_LIMIT + 3):
        member(campaign, ClientFactory(owner=alice))
    client.force_login(alice)
    page = client.get(reverse("visits:home"))
    assert len(page.context["campaign_tasks"]) == TASK_LIMIT
    assert page.context["campaign_task_count"] == TASK_LIMIT + 3
    assert "?status=running" in page.content.decode()


def test_an_opted_out_client_is_flagged_on_the_card_and_can_opt_back_in(client, alice, manager):
    campaign = running(manager)
    card = ClientFactory(owner=alice)
    record_contact(member=member(campaign, card), by=alice, method="phone", response="opt_out")
    card.refresh_from_db()
    assert card.contact_opt_out_at is not None
    client.force_login(alice)
    page = client.get(card.get_absolute_url()).content.decode()
    assert 'data-testid="opt-out"' in page
    response = client.post(reverse("campaigns:opt_in", args=[card.pk]))
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.contact_opt_out_at is None
    assert card.history.first().history_user == alice, "the change is in the card's history"
    assert 'data-testid="opt-out"' not in client.get(card.get_absolute_url()).content.decode()
