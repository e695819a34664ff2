"""Campaigns (MKT-1): planning one, previewing and launching its segment (the frozen list, the
random hold-out, opted-out and moved-out clients left out), recording contacts and responses,
the pages' gate, filters and query counts, and the old promotion addresses."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clients import campaigns
from clients.campaigns import CampaignError, holdout_size, launch, record_contact, segment_preview
from clients.models import Campaign, CampaignContact, CampaignMember, Client
from clients.models.campaigns import Response
from crm.models import Notification
from tests.factories import CampaignFactory, ClientFactory, TerritoryFactory

SCRIPT = "<script>alert(1)</script>"
G = CampaignMember.Group


@pytest.fixture
def clients_(alice, bob, charlie):
    """Alice has three active clients, Bob two, Charlie (another team) one."""
    return {
        "alice": [ClientFactory(owner=alice, name=f"阿里客户{i}", code=f"A{i}") for i in range(3)],
        "bob": [ClientFactory(owner=bob, name=f"鲍勃客户{i}", code=f"B{i}") for i in range(2)],
        "charlie": [ClientFactory(owner=charlie, name="查理客户", code="C0")],
    }


@pytest.fixture
def campaign(manager):
    return CampaignFactory(name="春季促销", channel=Campaign.Channel.PHONE, created_by=manager)


def form_data(**changes):
    today = timezone.localdate()
    data = {
        "name": "夏季新品推广",
        "channel": "phone",
        "product": "",
        "offer": "第二件八折",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=20)).isoformat(),
        "budget": "5000.00",
        "actual_cost": "1200.50",
        "attribution_days": "30",
        "holdout_percent": "10",
    }
    data.update(changes)
    return data


def launched(campaign, by, params=None, rng=None):
    result = launch(
        campaign=campaign, params={"status": "active"} if params is None else params, by=by, rng=rng or random.Random(1)
    )
    campaign.refresh_from_db()
    return result


def member_of(campaign, client_):
    return CampaignMember.objects.get(campaign=campaign, client=client_)


# --- creating and editing ---


def test_a_manager_creates_a_campaign_with_its_figures(client, manager):
    client.force_login(manager)
    response = client.post(reverse("campaigns:create"), form_data())
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert (campaign.name, campaign.channel, campaign.offer, campaign.created_by) == (
        "夏季新品推广",
        "phone",
        "第二件八折",
        manager,
    )
    assert (campaign.budget, campaign.actual_cost, campaign.attribution_days, campaign.holdout_percent) == (
        Decimal("5000.00"),
        Decimal("1200.50"),
        30,
        10,
    )
    assert campaign.launched_at is None and campaign.status == Campaign.Status.DRAFT
    assert not campaign.members.exists()


@pytest.mark.parametrize("name", ["campaigns:create", "campaigns:list"])
def test_an_account_manager_may_not_plan_a_campaign(client, alice, name):
    client.force_login(alice)
    if name == "campaigns:create":
        assert client.get(reverse(name)).status_code == 403
        assert client.post(reverse(name), form_data()).status_code == 403
        assert not Campaign.objects.exists()
    else:  # the list is theirs to read, without the "new campaign" button
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert reverse("campaigns:create") not in response.content.decode()


def test_an_account_manager_may_not_edit_or_launch(client, alice, clients_, campaign):
    client.force_login(alice)
    assert client.get(reverse("campaigns:edit", args=[campaign.pk])).status_code == 403
    assert client.post(reverse("campaigns:launch", args=[campaign.pk]), {"status": "active"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.launched_at is None and not campaign.members.exists()


def test_a_campaign_that_ends_before_it_starts_is_refused_next_to_the_end_and_nothing_saved(client, manager):
    today = timezone.localdate()
    client.force_login(manager)
    response = client.post(reverse("campaigns:create"), form_data(ends_on=(today - timedelta(days=1)).isoformat()))
    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_on": ["The campaign must end on or after its start."]}
    assert "The campaign must end on or after its start." in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("holdout_percent", "51"), ("attribution_days", "0"), ("budget", "-1"), ("actual_cost", "-0.01"), ("name", "")],
)
def test_out_of_range_figures_are_refused_and_nothing_saved(client, manager, field, value):
    client.force_login(manager)
    response = client.post(reverse("campaigns:create"), form_data(**{field: value}))
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert not Campaign.objects.exists()


def test_a_launched_campaign_keeps_its_channel_and_hold_out_share(client, manager, clients_, campaign):
    launched(campaign, manager)
    client.force_login(manager)
    response = client.post(
        reverse("campaigns:edit", args=[campaign.pk]),
        form_data(name="改名", channel="sms", holdout_percent="50", actual_cost="99"),
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.name, campaign.channel, campaign.holdout_percent, campaign.actual_cost) == (
        "改名",
        "phone",
        0,
        Decimal("99"),
    )


def test_script_tags_in_the_name_and_offer_are_shown_as_text(client, manager, alice, clients_):
    client.force_login(manager)
    client.post(reverse("campaigns:create"), form_data(name=f"促销{SCRIPT}", offer=f"优惠{SCRIPT}"))
    campaign = Campaign.objects.get()
    assert campaign.name == f"促销{SCRIPT}"  # kept as typed, escaped when shown
    launched(campaign, manager)
    member = member_of(campaign, clients_["alice"][0])
    record_contact(member=member, by=alice, method="phone", response=Response.INTERESTED, note=SCRIPT)
    pages = [
        (manager, reverse("campaigns:list")),
        (manager, campaign.get_absolute_url()),
        (alice, reverse("campaigns:member", args=[campaign.pk, member.pk])),
        (alice, reverse("clients:detail", args=[member.client_id])),
        (manager, reverse("campaign_evaluation:evaluation", args=[campaign.pk])),
        (manager, reverse("campaign_evaluation:compare") + f"?c={campaign.pk}"),
    ]
    for user, url in pages:
        client.force_login(user)
        html = client.get(url).content.decode()
        assert SCRIPT not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


# --- the segment: preview and launch ---


def test_holdout_size_rounds_down_and_always_targets_someone():
    assert [holdout_size(n, 10) for n in (0, 1, 9, 10, 19, 20, 25)] == [0, 0, 0, 1, 1, 2, 2]
    assert holdout_size(1, 50) == 0  # one client: targeted, not held out
    assert holdout_size(3, 50) == 1
    assert holdout_size(7, 33) == 2  # 2.31 rounded down


def test_the_preview_counts_the_segment_in_the_managers_scope(manager, clients_):
    assert segment_preview(by=manager, params={"status": "active"}, holdout_percent=20) == (5, 1)
    assert segment_preview(by=manager, params={"owner": str(clients_["alice"][0].owner_id)}) == (3, 0)
    Client.objects.filter(pk=clients_["bob"][0].pk).update(status=Client.Status.MOVED_OUT)
    Client.objects.filter(pk=clients_["bob"][1].pk).update(contact_opt_out_at=timezone.now())
    assert segment_preview(by=manager, params={"status": "active"}) == (3, 0)


def test_the_preview_page_shows_the_count_and_the_launch_button(client, manager, clients_, campaign):
    client.force_login(manager)
    response = client.get(campaign.get_absolute_url(), {"status": "active", "preview": "1"})
    assert response.context["preview"] == (5, 0)
    html = response.content.decode()
    assert "5 clients match; 0 will be held out." in html
    assert 'data-testid="launch-button"' in html
    assert '<input type="hidden" name="status" value="active">' in html
    everyone = client.get(campaign.get_absolute_url(), {"preview": "1"})  # no filter: all clients in scope
    assert everyone.context["preview"] == (5, 0)
    assert "The client filter is not valid." not in everyone.content.decode()
    empty = client.get(campaign.get_absolute_url(), {"status": "dormant", "preview": "1"})
    assert empty.context["preview"] == (0, 0)
    assert "No client matches this segment; widen the filters." in empty.content.decode()


def test_launching_freezes_each_client_of_the_managers_scope_once(manager, clients_, campaign):
    moved = ClientFactory(owner=clients_["alice"][0].owner, status=Client.Status.MOVED_OUT)
    opted = ClientFactory(owner=clients_["bob"][0].owner, contact_opt_out_at=timezone.now())
    targeted, held = launched(campaign, manager, params={})  # no filter: all clients in scope
    expected = {c.pk for c in clients_["alice"] + clients_["bob"]}
    members = list(campaign.members.all())
    assert (targeted, held) == (5, 0)
    assert sorted(m.client_id for m in members) == sorted(expected)  # each once, Charlie's not
    assert moved.pk not in {m.client_id for m in members} and opted.pk not in {m.client_id for m in members}
    assert campaign.launched_by == manager and campaign.launched_at is not None
    assert campaign.status == Campaign.Status.RUNNING
    assert campaign.segment == {}


def test_the_members_keep_the_owner_and_territory_they_had_at_launch(manager, alice, bob, campaign):
    east = TerritoryFactory(name="浦东")
    client_ = ClientFactory(owner=alice, territory=east, status="active")
    launched(campaign, manager)
    Client.objects.filter(pk=client_.pk).update(owner=bob, territory=None)  # transferred later
    member = member_of(campaign, client_)
    assert (member.owner, member.territory, member.added_by, member.group) == (alice, east, manager, G.TARGET)


def test_the_hold_out_is_a_random_share_rounded_down_and_recorded(manager, alice):
    for i in range(23):
        ClientFactory(owner=alice, status="active", code=f"H{i:02d}")
    campaign = CampaignFactory(holdout_percent=15, created_by=manager)
    targeted, held = launched(campaign, manager, rng=random.Random(1))
    assert (targeted, held) == (20, 3)  # floor(23 * 15 / 100) = 3
    holdout = set(campaign.members.filter(group=G.HOLDOUT).values_list("client_id", flat=True))
    assert len(holdout) == 3 and campaign.members.filter(group=G.TARGET).count() == 20
    # The same seed draws the same clients (the draw is over the segment in a fixed order).
    pks = sorted(Client.objects.values_list("pk", flat=True))
    assert holdout == set(random.Random(1).sample(pks, 3))
    again = CampaignFactory(holdout_percent=15, created_by=manager)
    launched(again, manager, rng=random.Random(1))
    assert set(again.members.filter(group=G.HOLDOUT).values_list("client_id", flat=True)) == holdout
    other = CampaignFactory(holdout_percent=15, created_by=manager)
    launched(other, manager, rng=random.Random(2))
    assert set(other.members.filter(group=G.HOLDOUT).values_list("client_id", flat=True)) != holdout


def test_a_second_launch_is_refused_and_the_list_stays_as_frozen(client, manager, alice, clients_, campaign):
    launched(campaign, manager)
    before = sorted(campaign.members.values_list("client_id", flat=True))
    ClientFactory(owner=alice, status="active")
    with pytest.raises(CampaignError, match="already launched"):
        launch(campaign=campaign, params={"status": "active"}, by=manager)
    client.force_login(manager)
    response = client.post(reverse("campaigns:launch", args=[campaign.pk]), {"status": "active"}, follow=True)
    assert "This campaign was already launched; its list is frozen." in response.content.decode()
    assert sorted(campaign.members.values_list("client_id", flat=True)) == before


def test_a_campaign_whose_period_has_ended_is_not_launched(manager, clients_):
    today = timezone.localdate()
    campaign = CampaignFactory(
        starts_on=today - timedelta(days=10), ends_on=today - timedelta(days=1), created_by=manager
    )
    with pytest.raises(CampaignError, match="period has ended"):
        launch(campaign=campaign, params={}, by=manager)
    campaign.refresh_from_db()
    assert campaign.launched_at is None and not campaign.members.exists()
    ends_today = CampaignFactory(starts_on=today, ends_on=today, created_by=manager)
    assert launched(ends_today, manager) == (5, 0)  # the last day still counts


def test_an_empty_segment_is_refused_with_a_message_and_nothing_saved(client, manager, clients_, campaign):
    with pytest.raises(CampaignError, match="No client matches this segment"):
        launch(campaign=campaign, params={"status": "dormant"}, by=manager)
    client.force_login(manager)
    response = client.post(reverse("campaigns:launch", args=[campaign.pk]), {"status": "dormant"})
    assert response.status_code == 302
    assert response["Location"] == f"{campaign.get_absolute_url()}?status=dormant"  # the segment kept
    page = client.get(response["Location"])
    assert "No client matches this segment; widen the filters." in page.content.decode()
    campaign.refresh_from_db()
    assert campaign.launched_at is None and campaign.segment == {}
    assert not CampaignMember.objects.exists() and not Notification.objects.exists()


def test_an_invalid_filter_value_is_refused_not_a_server_error(client, manager, clients_, campaign):
    with pytest.raises(CampaignError):
        launch(campaign=campaign, params={"level": "Z"}, by=manager)
    client.force_login(manager)
    response = client.post(reverse("campaigns:launch", args=[campaign.pk]), {"level": "Z"}, follow=True)
    assert response.status_code == 200
    assert "The client filter is not valid." in response.content.decode()
    assert not CampaignMember.objects.exists()


def test_the_launch_page_launches_and_says_how_many(client, manager, alice, clients_):
    campaign = CampaignFactory(created_by=manager, holdout_percent=20)
    client.force_login(manager)
    owner = str(alice.pk)
    response = client.post(reverse("campaigns:launch", args=[campaign.pk]), {"owner": owner}, follow=True)
    assert "Campaign launched: 3 clients targeted, 0 held out for comparison." in response.content.decode()
    campaign.refresh_from_db()
    assert campaign.segment == {"owner": owner}
    assert campaign.members.count() == 3
    assert str(alice) in response.context["segment"][0][1]


@pytest.mark.parametrize(
    ("channel", "reached"),
    [("email", True), ("sms", True), ("wechat", True), ("phone", False), ("traditional", False), ("event", False)],
)
def test_broadcast_channels_reach_the_target_at_launch(manager, alice, channel, reached):
    for _i in range(10):
        ClientFactory(owner=alice, status="active")
    campaign = CampaignFactory(channel=channel, holdout_percent=20, created_by=manager)
    launched(campaign, manager)
    target = campaign.members.filter(group=G.TARGET)
    assert target.count() == 8
    if reached:
        assert all(m.reached_at == campaign.launched_at for m in target)
    else:
        assert not target.filter(reached_at__isnull=False).exists()
    assert not campaign.members.filter(group=G.HOLDOUT, reached_at__isnull=False).exists()


def test_each_owner_is_told_once_of_their_targeted_clients(manager, alice, bob, charlie, clients_, campaign):
    launched(campaign, manager)
    notes = {n.recipient.username: n for n in Notification.objects.filter(key=f"campaign:{campaign.pk}:launch")}
    assert sorted(notes) == ["alice", "bob"]
    assert notes["alice"].title == "3 of your clients are to be contacted for “春季促销”"
    assert notes["bob"].title == "2 of your clients are to be contacted for “春季促销”"
    assert notes["alice"].link == campaign.get_absolute_url()
    assert Notification.objects.count() == 2


def test_an_owner_whose_clients_are_all_held_out_is_not_told(manager, alice, bob):
    ClientFactory(owner=alice, status="active")
    ClientFactory(owner=bob, status="active")
    campaign = CampaignFactory(channel="sms", holdout_percent=50, created_by=manager)
    launched(campaign, manager)
    held = campaign.members.get(group=G.HOLDOUT)
    told = Notification.objects.filter(key=f"campaign:{campaign.pk}:launch")
    assert [n.recipient for n in told] == [campaign.members.get(group=G.TARGET).owner]
    assert held.owner not in [n.recipient for n in told]
    assert told.get().title.startswith("1 of your clients was sent")


# --- contacts and responses ---


@pytest.fixture
def running(manager, clients_, campaign):
    launched(campaign, manager)
    return campaign


def test_each_attempt_counts_and_the_first_answer_reaches_the_client(alice, clients_, running):
    member = member_of(running, clients_["alice"][0])
    record_contact(member=member, by=alice, method="phone", response=Response.NO_ANSWER)
    member.refresh_from_db()
    assert (member.attempts, member.reached_at, member.response) == (1, None, "")
    answer = record_contact(member=member, by=alice, method="phone", response=Response.INTERESTED, note="要报价")
    member.refresh_from_db()
    assert (member.attempts, member.reached_at, member.response, member.responded_at) == (
        2,
        answer.at,
        Response.INTERESTED,
        answer.at,
    )
    later = record_contact(member=member, by=alice, method="traditional", response=Response.ORDERED)
    member.refresh_from_db()
    assert member.reached_at == answer.at  # reached once, at the first answer
    assert (member.response, member.responded_at, member.attempts) == (Response.ORDERED, later.at, 3)
    assert [(c.response, c.by) for c in member.contacts.all()] == [
        (Response.ORDERED, alice),
        (Response.INTERESTED, alice),
        (Response.NO_ANSWER, alice),
    ]


def test_a_later_no_answer_keeps_the_earlier_answer(alice, clients_, running):
    member = member_of(running, clients_["alice"][0])
    answer = record_contact(member=member, by=alice, method="phone", response=Response.DECLINED)
    record_contact(member=member, by=alice, method="phone", response=Response.NO_ANSWER)
    member.refresh_from_db()
    assert (member.response, member.responded_at, member.reached_at, member.attempts) == (
        Response.DECLINED,
        answer.at,
        answer.at,
        2,
    )


def test_a_client_who_opts_out_is_left_out_of_later_campaigns(manager, alice, clients_, running):
    opted = clients_["alice"][0]
    record_contact(member=member_of(running, opted), by=alice, method="phone", response=Response.OPT_OUT)
    opted.refresh_from_db()
    assert opted.contact_opt_out_at is not None
    assert opted.history.first().history_change_reason == f"campaign:{running.pk}"
    later = CampaignFactory(created_by=manager)
    assert launched(later, manager) == (4, 0)
    assert not later.members.filter(client=opted).exists()
    campaigns.clear_opt_out(client=opted, by=manager)
    assert opted.contact_opt_out_at is None
    assert segment_preview(by=manager, params={"status": "active"}) == (5, 0)


def test_the_hold_out_group_cannot_be_contacted(client, alice, manager):
    for _i in range(4):
        ClientFactory(owner=alice, status="active")
    campaign = CampaignFactory(holdout_percent=25, created_by=manager)
    launched(campaign, manager)
    held = campaign.members.get(group=G.HOLDOUT)
    with pytest.raises(CampaignError, match="hold-out group are not contacted"):
        record_contact(member=held, by=alice, method="phone", response=Response.INTERESTED)
    client.force_login(alice)
    url = reverse("campaigns:member", args=[campaign.pk, held.pk])
    page = client.get(url)
    assert 'data-testid="holdout-note"' in page.content.decode()
    assert 'data-testid="contact-form"' not in page.content.decode()
    response = client.post(url, {"method": "phone", "response": "interested", "note": ""})
    assert response.status_code == 200
    assert "nothing was saved" in response.content.decode()
    assert 'data-testid="holdout-note"' in response.content.decode()
    held.refresh_from_db()
    assert (held.attempts, held.reached_at, held.response) == (0, None, "")
    assert not CampaignContact.objects.exists()


def test_the_member_page_records_a_contact(client, alice, clients_, running):
    member = member_of(running, clients_["alice"][1])
    client.force_login(alice)
    url = reverse("campaigns:member", args=[running.pk, member.pk])
    assert client.get(url).context["form"].initial["method"] == "phone"  # the campaign's channel
    response = client.post(url, {"method": "phone", "response": "ordered", "note": "下单两箱"})
    assert response.status_code == 302
    contact = CampaignContact.objects.get()
    assert (contact.member, contact.by, contact.response, contact.note) == (member, alice, "ordered", "下单两箱")
    bad = client.post(url, {"method": "phone", "response": "maybe", "note": ""})
    assert bad.status_code == 200 and "response" in bad.context["form"].errors
    assert CampaignContact.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 404), ("charlie", 404), ("manager", 200)])
def test_the_member_page_is_for_the_clients_account_manager_and_their_manager(
    client, request, clients_, running, who, status
):
    member = member_of(running, clients_["alice"][0])
    client.force_login(request.getfixturevalue(who))
    url = reverse("campaigns:member", args=[running.pk, member.pk])
    assert client.get(url).status_code == status
    posted = client.post(url, {"method": "phone", "response": "interested"})
    assert posted.status_code == (302 if status == 200 else 404)
    assert CampaignContact.objects.filter(member=member).count() == (1 if status == 200 else 0)


def test_a_member_is_only_reached_through_its_own_campaign(client, alice, manager, clients_, running):
    other = CampaignFactory(created_by=manager)
    member = member_of(running, clients_["alice"][0])
    client.force_login(alice)
    assert client.get(reverse("campaigns:member", args=[other.pk, member.pk])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("charlie", 404), ("manager", 200)])
def test_the_campaign_page_gate(client, request, clients_, running, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(running.get_absolute_url()).status_code == status


def test_an_account_manager_sees_only_their_clients_of_a_campaign(client, alice, bob, clients_, running):
    client.force_login(alice)
    response = client.get(running.get_absolute_url())
    assert {m.client.owner for m in response.context["page_obj"].object_list} == {alice}
    assert response.context["counts"]["targeted"] == 3
    assert clients_["bob"][0].name not in response.content.decode()
    assert 'data-testid="launch-panel"' not in response.content.decode()


def test_the_client_card_timeline_shows_a_recorded_campaign_contact(client, alice, clients_, running):
    target = clients_["alice"][0]
    record_contact(member=member_of(running, target), by=alice, method="phone", response="interested", note="再联系")
    client.force_login(alice)
    response = client.get(reverse("clients:detail", args=[target.pk]))
    entries = [e for e in response.context["timeline"] if e.kind == "campaign"]
    assert [(e.title, e.body, e.actor, e.link) for e in entries] == [
        ("Campaign 春季促销: Interested", "再联系", alice, running.get_absolute_url())
    ]
    assert "Campaign 春季促销: Interested" in response.content.decode()


def test_the_client_card_timeline_shows_a_broadcast_reaching_the_client(client, alice, manager, clients_):
    campaign = CampaignFactory(name="微信群发", channel="wechat", created_by=manager)
    launched(campaign, manager)
    client.force_login(alice)
    response = client.get(reverse("clients:detail", args=[clients_["alice"][0].pk]))
    titles = [e.title for e in response.context["timeline"] if e.kind == "campaign"]
    assert titles == ["Reached by campaign: 微信群发"]


# --- the list ---


def test_the_list_counts_only_the_viewers_clients(client, alice, bob, charlie, manager, clients_, running):
    record_contact(member=member_of(running, clients_["alice"][0]), by=alice, method="phone", response="ordered")
    record_contact(member=member_of(running, clients_["bob"][0]), by=bob, method="phone", response="declined")
    seen = {}
    for user in (alice, bob, manager, charlie):
        client.force_login(user)
        rows = client.get(reverse("campaigns:list")).context["page_obj"].object_list
        seen[user.username] = [(c.pk, c.counts["targeted"], c.counts["reached"], c.counts["responded"]) for c in rows]
    assert seen == {
        "alice": [(running.pk, 3, 1, 1)],
        "bob": [(running.pk, 2, 1, 0)],  # declined: reached, not a response
        "boss": [(running.pk, 5, 2, 1)],
        "charlie": [],
    }


def test_the_list_filters_by_status_channel_and_search(client, manager):
    today = timezone.localdate()
    draft = CampaignFactory(name="草稿活动", channel="sms", created_by=manager)
    running = CampaignFactory(name="进行中活动", channel="phone", offer="满千减百", created_by=manager)
    Campaign.objects.filter(pk=running.pk).update(launched_at=timezone.now())
    finished = CampaignFactory(
        name="已结束活动",
        channel="sms",
        starts_on=today - timedelta(days=40),
        ends_on=today - timedelta(days=1),
        created_by=manager,
    )
    Campaign.objects.filter(pk=finished.pk).update(launched_at=timezone.now() - timedelta(days=40))
    client.force_login(manager)

    def names(**query):
        return {c.name for c in client.get(reverse("campaigns:list"), query).context["page_obj"].object_list}

    assert names() == {"草稿活动", "进行中活动", "已结束活动"}
    assert names(status="draft") == {"草稿活动"}
    assert names(status="running") == {"进行中活动"}
    assert names(status="finished") == {"已结束活动"}
    assert names(channel="sms") == {"草稿活动", "已结束活动"}
    assert names(channel="sms", status="finished") == {"已结束活动"}
    assert names(q="满千") == {"进行中活动"}  # the offer is searched too
    assert names(q="结束") == {"已结束活动"}
    assert names(q="无此活动") == set()
    html = client.get(reverse("campaigns:list"), {"status": "draft"}).content.decode()
    assert "Draft" in html
    # Only launched campaigns can be ticked for the comparison.
    assert f'name="c" value="{draft.pk}"' not in html
    all_html = client.get(reverse("campaigns:list")).content.decode()
    assert f'name="c" value="{running.pk}"' in all_html and f'name="c" value="{finished.pk}"' in all_html


def make_launched_campaigns(count, manager, clients):
    now = timezone.now()
    for i in range(count):
        campaign = CampaignFactory(created_by=manager, launched_at=now, launched_by=manager, name=f"活动{i:02d}")
        CampaignMember.objects.bulk_create(
            CampaignMember(campaign=campaign, client=c, owner=c.owner, added_by=manager, reached_at=now)
            for c in clients
        )


def count_queries(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # warm: the first request after logging in also touches the session
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_runs_a_constant_number_of_queries(client, manager, alice, django_assert_max_num_queries):
    clients = [ClientFactory(owner=alice, status="active") for _i in range(3)]
    make_launched_campaigns(5, manager, clients)
    client.force_login(manager)
    url = reverse("campaigns:list") + "?per_page=50"
    few = count_queries(client, url, django_assert_max_num_queries, 30)
    make_launched_campaigns(25, manager, clients)
    many = count_queries(client, url, django_assert_max_num_queries, few)
    assert many == few
    assert len(client.get(url).context["page_obj"].object_list) == 30


def test_the_campaign_page_runs_a_constant_number_of_queries(
    client, manager, alice, bob, django_assert_max_num_queries
):
    for i in range(30):
        ClientFactory(owner=alice if i % 2 else bob, status="active", code=f"Q{i:02d}")
    small = CampaignFactory(created_by=manager)
    launched(small, manager)
    CampaignMember.objects.filter(campaign=small).exclude(
        pk__in=list(small.members.values_list("pk", flat=True)[:5])
    ).delete()
    large = CampaignFactory(created_by=manager)
    launched(large, manager)
    assert (small.members.count(), large.members.count()) == (5, 30)
    client.force_login(manager)
    few = count_queries(client, small.get_absolute_url() + "?per_page=50", django_assert_max_num_queries, 30)
    many = count_queries(client, large.get_absolute_url() + "?per_page=50", django_assert_max_num_queries, few)
    assert many == few


# --- old addresses ---


def test_the_old_promotion_addresses_lead_to_the_campaigns(client, alice, running):
    client.force_login(alice)
    response = client.get("/clients/promotions/")
    assert (response.status_code, response["Location"]) == (301, reverse("campaigns:list"))
    response = client.get(f"/clients/promotions/{running.pk}/")
    assert (response.status_code, response["Location"]) == (301, f"/campaigns/{running.pk}/")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        {"status": "bogus", "channel": "fax", "product": "99999999999999999999999"},
        {"preview": "1", "owner": "99999999999999999999999"},
        {"preview": "1", "territory": "abc", "level": "Z"},
        {"response": "bogus", "group": "x", "owner": "99999999999999999999999", "page": "abc"},
    ],
)
def test_tampered_filter_values_are_not_a_server_error(client, manager, clients_, campaign, query):
    client.force_login(manager)
    url = reverse("campaigns:list") if "status" in query else campaign.get_absolute_url()
    response = client.get(url, query)
    assert response.status_code == 200
    if query.get("preview"):
        assert "preview" not in response.context  # refused with a message, no count shown
        assert "The client filter is not valid." in response.content.decode()


def test_the_campaign_page_filters_its_clients_and_describes_its_segment(client, manager, alice, clients_, running):
    record_contact(member=member_of(running, clients_["alice"][0]), by=alice, method="phone", response="declined")
    client.force_login(manager)

    def names(**query):
        page = client.get(running.get_absolute_url(), query).context["page_obj"]
        return {m.client.name for m in page.object_list}

    everyone = {c.name for c in clients_["alice"] + clients_["bob"]}
    assert names() == everyone
    assert names(response="none") == everyone - {"阿里客户0"}  # where the contact form sends you back
    assert names(response="declined") == {"阿里客户0"}
    assert names(owner=str(alice.pk)) == {"阿里客户0", "阿里客户1", "阿里客户2"}
    assert names(q="鲍勃客户1") == {"鲍勃客户1"}
    assert names(group="holdout") == set()
    segment = client.get(running.get_absolute_url()).content.decode()
    assert 'data-testid="segment"><span class="badge text-bg-light border me-1">Status: Active</span>' in segment
    everything = CampaignFactory(created_by=manager)
    launched(everything, manager, params={})
    assert "All clients in scope" in client.get(everything.get_absolute_url()).content.decode()


# --- teams: a manager plans their team's campaigns; an administrator's are company-wide ---


def test_another_teams_campaign_is_hidden_and_a_company_wide_one_is_read_only(
    client, manager, other_manager, admin_user, clients_
):
    ours = CampaignFactory(name="一组活动", created_by=manager)
    assert ours.team_id == manager.team_id
    client.force_login(admin_user)
    client.post(reverse("campaigns:create"), form_data(name="全公司活动"))
    company = Campaign.objects.get(name="全公司活动")
    assert company.team_id is None, "an administrator's campaign is company-wide"
    launched(company, admin_user, params={})

    client.force_login(other_manager)
    assert client.get(ours.get_absolute_url()).status_code == 404
    assert client.post(reverse("campaigns:launch", args=[ours.pk]), {}).status_code == 404
    listed = client.get(reverse("campaigns:list")).context["page_obj"].object_list
    assert [c.name for c in listed] == ["全公司活动"]
    assert client.get(company.get_absolute_url()).status_code == 200
    assert client.get(reverse("campaigns:edit", args=[company.pk])).status_code == 403
    assert client.post(reverse("campaigns:edit", args=[company.pk]), form_data(actual_cost="1")).status_code == 403
    assert client.post(reverse("campaigns:launch", args=[company.pk]), {}).status_code == 403
    company.refresh_from_db()
    assert company.actual_cost == Decimal("1200.50")
    # Their evaluation of it holds only their team's clients (charlie's).
    evaluation = client.get(reverse("campaign_evaluation:evaluation", args=[company.pk])).context["ev"]
    assert evaluation.total.targeted + evaluation.total.held_out == 1

    client.force_login(manager)
    page = client.get(company.get_absolute_url())
    assert page.context["can_plan"] is False
    assert reverse("campaigns:edit", args=[company.pk]) not in page.content.decode()
    assert client.get(ours.get_absolute_url()).context["can_plan"] is True


def test_an_edit_saved_while_a_launch_ran_keeps_the_launch(client, manager, clients_, campaign, monkeypatch):
    """The page read the campaign as a draft; a launch committed before its save: the save writes
    the form's fields only, so the campaign stays launched with its list."""
    from clients import campaign_forms

    validate = campaign_forms.CampaignForm.is_valid

    def launch_meanwhile(form):
        launched(campaign, manager)
        return validate(form)

    monkeypatch.setattr(campaign_forms.CampaignForm, "is_valid", launch_meanwhile)
    client.force_login(manager)
    response = client.post(reverse("campaigns:edit", args=[campaign.pk]), form_data(actual_cost="999.00"))
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.actual_cost == Decimal("999.00")
    assert campaign.launched_at is not None and campaign.launched_by == manager
    assert campaign.segment == {"status": "active"} and campaign.members.count() == 5
    latest = campaign.history.first()
    assert (latest.actual_cost, latest.history_user) == (Decimal("999.00"), manager)
    assert latest.launched_at is not None, "the audit row records the campaign as it stands, launched"
