"""Migration 0011 turns the promotions of CLI-8 into campaigns (MKT-1): every promotion and every
notice is kept, the notices as target members reached when they were notified."""

from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import F
from django.utils import timezone

# Migrating back and forth takes a while and rebuilds tables: one worker runs these one after the
# other (`make test` distributes with --dist loadgroup).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("migrations")]

BEFORE = [("clients", "0010_catalogue_and_contact_opt_out")]
AFTER = [("clients", "0011_campaigns")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())  # back to the current schema for the next tests


def test_promotions_and_their_notices_become_campaigns_and_members(old_apps):
    User = old_apps.get_model("crm", "User")
    Team = old_apps.get_model("crm", "Team")
    Territory = old_apps.get_model("crm", "Territory")
    Client = old_apps.get_model("clients", "Client")
    Promotion = old_apps.get_model("clients", "Promotion")
    Notice = old_apps.get_model("clients", "PromotionNotice")
    tz = timezone.get_current_timezone()

    team = Team.objects.create(name="东区")
    north = Territory.objects.create(code="north", name="北区", team=team)
    boss = User.objects.create(username="boss", role="manager", team=team)
    alice = User.objects.create(username="alice", role="account_manager", team=team)
    bob = User.objects.create(username="bob", role="account_manager", team=team)
    first = Client.objects.create(code="M1", name="华信科技", owner=alice, territory=north)
    second = Client.objects.create(code="M2", name="长城贸易", owner=bob)
    third = Client.objects.create(code="M3", name="无通知客户", owner=bob)

    spring = Promotion.objects.create(
        name="春季促销",
        description="第二件八折",
        starts_on=date(2025, 3, 1),
        ends_on=date(2025, 3, 31),
        created_by=boss,
        created_at=datetime(2025, 2, 20, 9, 0, tzinfo=tz),
    )
    summer = Promotion.objects.create(
        name="夏季新品",
        description="新品试用装",
        starts_on=date(2025, 6, 1),
        ends_on=date(2025, 6, 30),
        created_by=boss,
        created_at=datetime(2025, 5, 20, 9, 0, tzinfo=tz),
    )
    early = datetime(2025, 3, 2, 10, 15, tzinfo=tz)
    notices = {
        first.pk: (early + timedelta(days=3), alice),
        second.pk: (early, bob),  # the earliest notice: the launch
    }
    for client_pk, (at, by) in notices.items():
        Notice.objects.create(promotion=spring, client_id=client_pk, notified_at=at, notified_by=by)

    new_apps = migrate(AFTER)
    Campaign = new_apps.get_model("clients", "Campaign")
    Member = new_apps.get_model("clients", "CampaignMember")

    assert Campaign.objects.count() == 2
    launched = Campaign.objects.get(pk=spring.pk)
    assert (launched.name, launched.offer, launched.starts_on, launched.ends_on) == (
        "春季促销",
        "第二件八折",
        date(2025, 3, 1),
        date(2025, 3, 31),
    )
    assert (launched.created_by_id, launched.created_at) == (boss.pk, spring.created_at)
    assert (launched.launched_at, launched.launched_by_id) == (early, boss.pk)
    assert (launched.channel, launched.holdout_percent, launched.attribution_days) == ("traditional", 0, 30)
    assert (launched.budget, launched.actual_cost) == (0, 0)

    members = {m.client_id: m for m in Member.objects.filter(campaign=launched)}
    assert set(members) == {first.pk, second.pk}  # nothing lost, nobody added
    for client_pk, (at, by) in notices.items():
        m = members[client_pk]
        assert (m.added_at, m.added_by_id, m.reached_at, m.group) == (at, by.pk, at, "target")
        assert (m.response, m.attempts, m.responded_at) == ("", 0, None)
    assert (members[first.pk].owner_id, members[first.pk].territory_id) == (alice.pk, north.pk)
    assert (members[second.pk].owner_id, members[second.pk].territory_id) == (bob.pk, None)
    assert not Member.objects.filter(client_id=third.pk).exists()

    draft = Campaign.objects.get(pk=summer.pk)
    assert (draft.name, draft.offer, draft.starts_on, draft.ends_on, draft.created_by_id) == (
        "夏季新品",
        "新品试用装",
        date(2025, 6, 1),
        date(2025, 6, 30),
        boss.pk,
    )
    assert (draft.launched_at, draft.launched_by_id) == (None, None)
    assert not Member.objects.filter(campaign=draft).exists()


def test_the_migrated_campaign_is_evaluated_and_shown(old_apps, client):
    """After the migration the current code reads the old promotion: its page and evaluation."""
    User = old_apps.get_model("crm", "User")
    Team = old_apps.get_model("crm", "Team")
    Client = old_apps.get_model("clients", "Client")
    Promotion = old_apps.get_model("clients", "Promotion")
    Notice = old_apps.get_model("clients", "PromotionNotice")
    tz = timezone.get_current_timezone()
    team = Team.objects.create(name="东区")
    boss = User.objects.create(username="boss", role="manager", team=team)
    alice = User.objects.create(username="alice", role="account_manager", team=team)
    buyer = Client.objects.create(code="M1", name="华信科技", owner=alice)
    promotion = Promotion.objects.create(
        name="老促销", description="满千减百", starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 31), created_by=boss
    )
    Notice.objects.create(
        promotion=promotion, client=buyer, notified_at=datetime(2025, 3, 2, 10, 0, tzinfo=tz), notified_by=alice
    )
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    from clients.models import Campaign
    from crm.models import User as CurrentUser
    from grading.campaign_evaluation import evaluate
    from grading.models import SalesOrder

    SalesOrder.objects.create(client_id=buyer.pk, ordered_on=date(2025, 3, 20), amount=500, margin="0.1")
    campaign = Campaign.objects.get(pk=promotion.pk)
    manager = CurrentUser.objects.get(pk=boss.pk)
    ev = evaluate(campaign, manager)
    assert (ev.total.targeted, ev.total.reached, ev.total.ordered, ev.total.revenue) == (1, 1, 1, 500)
    client.force_login(manager)
    assert client.get(f"/clients/promotions/{promotion.pk}/").status_code == 301
    page = client.get(campaign.get_absolute_url())
    assert page.status_code == 200 and "老促销" in page.content.decode()


def test_on_a_copy_of_the_demo_data_every_promotion_and_notice_is_kept(settings, tmp_path):
    from django.core.management import call_command

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    leaf = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        apps = migrate(BEFORE)
        Client = apps.get_model("clients", "Client")
        User = apps.get_model("crm", "User")
        Promotion = apps.get_model("clients", "Promotion")
        Notice = apps.get_model("clients", "PromotionNotice")
        tables = ("clients.Client", "clients.Contact", "clients.Interaction", "crm.User", "crm.Territory")
        before = {name: apps.get_model(name).objects.count() for name in tables}
        assert before["clients.Client"] > 10
        # The demo's own campaigns, stepped back to promotions, come forward again too.
        demo = set(Promotion.objects.values_list("pk", flat=True))
        manager = User.objects.get(username="manager")
        tz = timezone.get_current_timezone()
        expected = {}
        for index, owner in enumerate(User.objects.filter(role="account_manager").order_by("pk")[:3]):
            promotion = Promotion.objects.create(
                name=f"演示促销{index}",
                description="满千减百",
                starts_on=date(2025, 4, 1),
                ends_on=date(2025, 4, 30),
                created_by=manager,
            )
            notified = {}
            for offset, client_ in enumerate(Client.objects.filter(owner=owner).order_by("pk")[:8]):
                at = datetime(2025, 4, 2, 9, 0, tzinfo=tz) + timedelta(hours=offset)
                Notice.objects.create(promotion=promotion, client=client_, notified_at=at, notified_by=owner)
                notified[client_.pk] = (at, owner.pk, client_.owner_id, client_.territory_id)
            expected[promotion.pk] = notified
        quiet = Promotion.objects.create(
            name="未发出", description="-", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 2), created_by=manager
        )
        assert sum(len(n) for n in expected.values()) > 3

        apps = migrate(AFTER)
        Campaign = apps.get_model("clients", "Campaign")
        Member = apps.get_model("clients", "CampaignMember")
        assert {name: apps.get_model(name).objects.count() for name in tables} == before
        assert set(Campaign.objects.values_list("pk", flat=True)) == {*demo, *expected, quiet.pk}
        for pk, notified in expected.items():
            campaign = Campaign.objects.get(pk=pk)
            assert campaign.launched_at == min(at for at, *_rest in notified.values())
            members = {
                m.client_id: (m.added_at, m.added_by_id, m.owner_id, m.territory_id)
                for m in Member.objects.filter(campaign_id=pk, group="target", reached_at=F("added_at"))
            }
            assert members == notified
        assert Campaign.objects.get(pk=quiet.pk).launched_at is None
    finally:
        migrate(leaf)
