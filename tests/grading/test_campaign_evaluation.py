"""A campaign's evaluation against the ledger (MKT-1), computed by hand: reach and response, the
attribution window's edges, the target group against the hold-out (lift, incremental revenue),
cost per response and per order, ROI; by account manager and territory; the page, its Excel and
the comparison of campaigns; who sees what; a constant number of queries."""

import io
import json
import re
from datetime import date, datetime
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clients.models import CampaignContact, CampaignMember
from grading.campaign_evaluation import evaluate
from grading.models import SalesOrder
from tests.factories import CampaignFactory, ClientFactory, TerritoryFactory

G = CampaignMember.Group
BOOKED, CANCELLED, REFUNDED = SalesOrder.Status.BOOKED, SalesOrder.Status.CANCELLED, SalesOrder.Status.REFUNDED


def local(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.get_current_timezone())


def order(client_, day: date, amount: str, status: str = BOOKED) -> SalesOrder:
    return SalesOrder.objects.create(
        client=client_, ordered_on=day, amount=Decimal(amount), margin=Decimal("0.1"), status=status
    )


def member(campaign, client_, group=G.TARGET, reached_at=None, response="", attempts=0, by=None):
    return CampaignMember.objects.create(
        campaign=campaign,
        client=client_,
        group=group,
        owner=client_.owner,
        territory=client_.territory,
        added_by=by or campaign.created_by,
        added_at=campaign.launched_at,
        reached_at=reached_at,
        response=response,
        attempts=attempts,
    )


@pytest.fixture
def north(db):
    return TerritoryFactory(name="North 北区")


@pytest.fixture
def south(db):
    return TerritoryFactory(name="South 南区")


@pytest.fixture
def world(manager, alice, bob, north, south):
    """A phone campaign launched on 2 March 2026, ending 31 March, a 30-day window, 600.00 spent.

    Comparison window: 2 March – 30 April (the end plus 30 days).

    Target (5): T1 alice/north reached 5 March 00:30 (local; still 4 March in UTC), interested:
    100 on the day reached, 200 on reached+30 (both attributed), 50 on reached+31 (only in the
    comparison). T2 alice/north reached 10 March, ordered: 80 the day before (comparison only),
    600 on 20 March (attributed), a cancelled 999 and a refunded 555 (ignored). T3 bob/south
    reached 6 March, declined, no order. T4 bob/south not reached (one unanswered call): 1395 on
    15 March (comparison only). T5 bob/no territory reached 3 March without an answer, no order
    but 700 on 1 March, the day before launch (ignored).

    Hold-out (4): H1 alice/north 300 on 15 March; H2 bob/south 200 on 30 April (the last day)
    and 500 on 1 May (after the window); H3 bob/south and H4 alice/none nothing.

    An alice client outside the campaign ordered 9999 on 10 March (ignored).
    """
    campaign = CampaignFactory(
        name="春季电话营销",
        channel="phone",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        attribution_days=30,
        budget=Decimal("1000.00"),
        actual_cost=Decimal("600.00"),
        holdout_percent=40,
        created_by=manager,
        launched_by=manager,
        launched_at=local(2026, 3, 2, 9, 0),
    )
    c = {
        "T1": ClientFactory(owner=alice, territory=north, name="T1 华信"),
        "T2": ClientFactory(owner=alice, territory=north, name="T2 长城"),
        "T3": ClientFactory(owner=bob, territory=south, name="T3 东方"),
        "T4": ClientFactory(owner=bob, territory=south, name="T4 南洋"),
        "T5": ClientFactory(owner=bob, territory=None, name="T5 西部"),
        "H1": ClientFactory(owner=alice, territory=north, name="H1"),
        "H2": ClientFactory(owner=bob, territory=south, name="H2"),
        "H3": ClientFactory(owner=bob, territory=south, name="H3"),
        "H4": ClientFactory(owner=alice, territory=None, name="H4"),
        "outside": ClientFactory(owner=alice, territory=north, name="不在活动中"),
    }
    member(campaign, c["T1"], reached_at=local(2026, 3, 5, 0, 30), response="interested", attempts=1)
    member(campaign, c["T2"], reached_at=local(2026, 3, 10, 14, 0), response="ordered", attempts=2)
    member(campaign, c["T3"], reached_at=local(2026, 3, 6, 11, 0), response="declined", attempts=1)
    member(campaign, c["T4"], attempts=1)
    member(campaign, c["T5"], reached_at=local(2026, 3, 3, 16, 0))
    for name in ("H1", "H2", "H3", "H4"):
        member(campaign, c[name], group=G.HOLDOUT)

    order(c["T1"], date(2026, 3, 5), "100.00")  # the day reached
    order(c["T1"], date(2026, 4, 4), "200.00")  # reached + 30: the window's last day
    order(c["T1"], date(2026, 4, 5), "50.00")  # reached + 31
    order(c["T2"], date(2026, 3, 9), "80.00")  # the day before reaching
    order(c["T2"], date(2026, 3, 20), "600.00")
    order(c["T2"], date(2026, 3, 21), "999.00", CANCELLED)
    order(c["T2"], date(2026, 3, 22), "555.00", REFUNDED)
    order(c["T4"], date(2026, 3, 15), "1395.00")
    order(c["T5"], date(2026, 3, 1), "700.00")  # before the launch
    order(c["H1"], date(2026, 3, 15), "300.00")
    order(c["H2"], date(2026, 4, 30), "200.00")  # the comparison's last day
    order(c["H2"], date(2026, 5, 1), "500.00")  # after it
    order(c["outside"], date(2026, 3, 10), "9999.00")
    return campaign


def test_the_evaluation_by_hand(world, manager):
    ev = evaluate(world, manager)
    t = ev.total
    assert (ev.comparison_start, ev.comparison_end) == (date(2026, 3, 2), date(2026, 4, 30))
    # Responded: interest or an order (T1, T2); T3 declined: reached, not a response.
    assert (t.targeted, t.reached, t.responded) == (5, 4, 2)
    assert t.response_rate == Decimal("0.5")
    assert t.reach_rate == Decimal("0.8")
    assert (t.ordered, t.revenue) == (2, Decimal("900.00"))  # T1 100 + 200, T2 600
    assert (t.target_buyers, t.target_revenue) == (3, Decimal("2425.00"))  # T1 350, T2 680, T4 1395
    assert (t.held_out, t.holdout_buyers, t.holdout_revenue) == (4, 2, Decimal("500.00"))  # H1 300, H2 200
    assert t.target_conversion == Decimal("0.6")
    assert t.holdout_conversion == Decimal("0.5")
    assert t.lift == Decimal("0.1")
    assert t.incremental_revenue == Decimal("1800")  # 2425 − 500 / 4 × 5
    assert ev.cost == Decimal("600.00")
    assert ev.cost_per_response == Decimal("300")
    assert ev.cost_per_order == Decimal("300")
    assert ev.roi == Decimal("0.5")  # (900 − 600) / 600
    assert ev.incremental_roi == Decimal("2")  # (1800 − 600) / 600


def test_the_evaluation_by_account_manager_and_territory(world, manager, alice, bob, north, south):
    ev = evaluate(world, manager)

    def figures(f):
        return (
            f.targeted,
            f.reached,
            f.responded,
            f.ordered,
            f.revenue,
            f.target_buyers,
            f.target_revenue,
            f.held_out,
            f.holdout_buyers,
            f.holdout_revenue,
        )

    owners = {who: figures(f) for who, f in ev.by_owner}
    assert owners == {
        alice: (2, 2, 2, 2, Decimal("900.00"), 2, Decimal("1030.00"), 2, 1, Decimal("300.00")),
        bob: (3, 2, 0, 0, Decimal("0"), 1, Decimal("1395.00"), 2, 1, Decimal("200.00")),
    }
    places = {where: figures(f) for where, f in ev.by_territory}
    assert places == {
        north: (2, 2, 2, 2, Decimal("900.00"), 2, Decimal("1030.00"), 1, 1, Decimal("300.00")),
        south: (2, 1, 0, 0, Decimal("0"), 1, Decimal("1395.00"), 2, 1, Decimal("200.00")),
        None: (1, 1, 0, 0, Decimal("0"), 0, Decimal("0"), 1, 0, Decimal("0")),
    }
    alices = dict(ev.by_owner)[alice]
    assert (alices.response_rate, alices.target_conversion, alices.holdout_conversion, alices.lift) == (
        Decimal("1"),
        Decimal("1"),
        Decimal("0.5"),
        Decimal("0.5"),
    )


def test_an_account_managers_evaluation_covers_only_their_clients(world, alice, bob, charlie):
    ev = evaluate(world, alice)
    t = ev.total
    assert (t.targeted, t.reached, t.responded, t.ordered, t.revenue) == (2, 2, 2, 2, Decimal("900.00"))
    assert (t.held_out, t.holdout_buyers, t.holdout_revenue) == (2, 1, Decimal("300.00"))
    assert [who for who, _f in ev.by_owner] == [alice]
    # Her share of the cost by targeted clients: 600 × 2 / 5 = 240; (900 − 240) / 240.
    assert ev.cost == Decimal("240.00")
    assert ev.roi == Decimal("2.75")
    bobs = evaluate(world, bob).total
    assert (bobs.targeted, bobs.held_out, bobs.ordered, bobs.target_revenue) == (3, 2, 0, Decimal("1395.00"))
    assert evaluate(world, charlie).total.targeted == 0


def test_a_wider_window_counts_the_later_order(world, manager):
    world.attribution_days = 31
    world.save()
    t = evaluate(world, manager).total
    assert (t.ordered, t.revenue) == (2, Decimal("950.00"))  # T1's order on reached + 31 now counts
    assert evaluate(world, manager).comparison_end == date(2026, 5, 1)
    assert (t.holdout_buyers, t.holdout_revenue) == (2, Decimal("1000.00"))  # H2's 1 May 500 too


def test_no_hold_out_and_no_cost_leave_the_ratios_empty(manager, alice):
    campaign = CampaignFactory(
        channel="sms",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 31),
        actual_cost=Decimal("0"),
        created_by=manager,
        launched_at=local(2026, 3, 2, 9, 0),
    )
    buyer = ClientFactory(owner=alice)
    member(campaign, buyer, reached_at=campaign.launched_at)
    order(buyer, date(2026, 3, 3), "120.00")
    ev = evaluate(campaign, manager)
    assert (ev.total.targeted, ev.total.reached, ev.total.responded, ev.total.ordered) == (1, 1, 0, 1)
    assert ev.total.response_rate == Decimal("0")
    assert ev.total.revenue == Decimal("120.00")
    assert (ev.total.holdout_conversion, ev.total.lift, ev.total.incremental_revenue) == (None, None, None)
    assert (ev.cost_per_response, ev.cost_per_order, ev.roi, ev.incremental_roi) == (None, None, None, None)


def test_a_draft_has_nothing_to_evaluate(client, manager):
    draft = CampaignFactory(created_by=manager)
    ev = evaluate(draft, manager)
    assert (ev.comparison_start, ev.total.targeted) == (None, 0)
    client.force_login(manager)
    response = client.get(reverse("campaign_evaluation:evaluation", args=[draft.pk]))
    assert 'data-testid="not-launched"' in response.content.decode()


def test_the_by_method_rows_count_the_attempts(world, manager, alice):
    t1 = world.members.get(client__name="T1 华信")
    for response in ("no_answer", "interested"):
        CampaignContact.objects.create(member=t1, method="phone", response=response, by=alice)
    CampaignContact.objects.create(member=t1, method="traditional", response="ordered", by=alice)
    # (method, attempts, attempts that reached the client, attempts that got interest or an order)
    assert evaluate(world, manager).by_method == [("Phone", 2, 1, 1), ("On-site (traditional)", 1, 1, 1)]


# --- the pages ---


class Kpis(HTMLParser):
    """The text of each element carrying data-kpi (nested tags included)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self.open: list[list] = []  # [name, depth, text]

    def handle_starttag(self, tag, attrs):
        for entry in self.open:
            entry[1] += 1
        name = dict(attrs).get("data-kpi")
        if name:
            self.open.append([name, 1, ""])

    def handle_endtag(self, tag):
        for entry in list(self.open):
            entry[1] -= 1
            if entry[1] == 0:
                self.values[entry[0]] = " ".join(entry[2].split())
                self.open.remove(entry)

    def handle_data(self, data):
        for entry in self.open:
            entry[2] += data


def kpis(html: str) -> dict[str, str]:
    parser = Kpis()
    parser.feed(html)
    return parser.values


def test_the_page_shows_the_hand_computed_figures(client, world, manager, alice, bob):
    client.force_login(manager)
    response = client.get(reverse("campaign_evaluation:evaluation", args=[world.pk]))
    assert response.status_code == 200
    assert kpis(response.content.decode()) == {
        "reached": "4 / 5",
        "responded": "2",
        "response-rate": "50.0%",
        "ordered": "2",
        "revenue": "900.00",
        "cost-per-response": "300.00",
        "cost-per-order": "300.00",
        "roi": "50.0%",
        "incremental-roi": "200.0%",
        "target-conversion": "60.0%",
        "holdout-conversion": "50.0%",
        "lift": "+10.0",
        "incremental-revenue": "1,800.00",
    }
    html = response.content.decode()
    owners = re.search(r'data-testid="by-owner".*?</table>', html, re.S).group(0)
    assert str(alice) in owners and str(bob) in owners
    assert owners.count("<tr>") == 3  # the header and one row per account manager
    territories = re.search(r'data-testid="by-territory".*?</table>', html, re.S).group(0)
    assert "North 北区" in territories and "South 南区" in territories and territories.count("<tr>") == 4


def test_the_page_feeds_the_lift_chart(client, world, manager):
    client.force_login(manager)
    html = client.get(reverse("campaign_evaluation:evaluation", args=[world.pk])).content.decode()
    data = json.loads(re.search(r'<script id="lift-data" type="application/json">(.*?)</script>', html).group(1))
    assert data == {"labels": ["Target", "Hold-out"], "values": [60.0, 50.0]}


def summary_rows(content: bytes) -> tuple[dict, object]:
    book = load_workbook(io.BytesIO(content))
    rows = {row[0]: row[1] for row in book["Summary"].iter_rows(values_only=True)}
    return rows, book


def test_the_excel_export_holds_the_figures(client, world, manager, alice, bob):
    client.force_login(manager)
    response = client.get(reverse("campaign_evaluation:evaluation_export", args=[world.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="campaign-{world.pk}-evaluation.xlsx"'
    rows, book = summary_rows(response.content)
    assert rows["春季电话营销"] == "Phone"
    assert rows["Period"] == "2026-03-01 – 2026-03-31"
    assert (rows["Attribution window (days)"], rows["Budget"], rows["Actual cost"]) == (30, 1000, 600)
    assert (rows["Targeted"], rows["Reached"], rows["Responded"], rows["Response rate"]) == (5, 4, 2, 0.5)
    assert (rows["Ordered within window"], rows["Revenue within window"]) == (2, 900)
    assert (rows["Target group conversion"], rows["Hold-out"], rows["Hold-out conversion"]) == (0.6, 4, 0.5)
    assert rows["Lift (points)"] == pytest.approx(0.1)
    assert (rows["Target group revenue"], rows["Hold-out revenue"], rows["Incremental revenue"]) == (2425, 500, 1800)
    assert (rows["Cost per response"], rows["Cost per order"], rows["ROI"], rows["Incremental ROI"]) == (
        300,
        300,
        0.5,
        2,
    )
    owners = list(book["By account manager"].iter_rows(values_only=True))
    assert owners[0][0] == "Account manager"
    assert sorted(row[:7] for row in owners[1:]) == sorted(
        [(str(alice), 2, 2, 2, 1.0, 2, 900.0), (str(bob), 3, 2, 0, 0.0, 0, 0.0)]
    )
    territories = list(book["By territory"].iter_rows(values_only=True))
    assert sorted(row[0] for row in territories[1:]) == sorted(["North 北区", "South 南区", "—"])


def test_an_account_managers_export_holds_only_their_clients(client, world, alice, bob):
    client.force_login(alice)
    rows, book = summary_rows(client.get(reverse("campaign_evaluation:evaluation_export", args=[world.pk])).content)
    assert (rows["Targeted"], rows["Reached"], rows["Hold-out"], rows["Revenue within window"]) == (2, 2, 2, 900)
    names = [row[0] for row in book["By account manager"].iter_rows(values_only=True)][1:]
    assert names == [str(alice)]


@pytest.mark.parametrize(
    "name", ["campaign_evaluation:evaluation", "campaign_evaluation:evaluation_export", "campaigns:detail"]
)
@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 200), ("charlie", 404), ("manager", 200)])
def test_the_gate_of_the_evaluation_pages(client, request, world, name, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse(name, args=[world.pk])).status_code == status


def test_a_teammate_without_clients_in_the_campaign_does_not_see_it(client, world, make_user, team):
    carol = make_user(username="carol", team=team)
    client.force_login(carol)
    assert client.get(reverse("campaign_evaluation:evaluation", args=[world.pk])).status_code == 404
    response = client.get(reverse("campaign_evaluation:compare"), {"c": world.pk})
    assert response.context["evaluations"] == []


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    for name in ("campaign_evaluation:evaluation", "campaign_evaluation:evaluation_export"):
        response = client.get(reverse(name, args=[world.pk]))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_comparison_shows_campaigns_side_by_side_and_totals_by_channel(client, world, manager, alice):
    sms = CampaignFactory(
        name="短信提醒",
        channel="sms",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 4, 10),
        actual_cost=Decimal("50.00"),
        created_by=manager,
        launched_at=local(2026, 4, 1, 8, 0),
    )
    second_phone = CampaignFactory(
        name="回访电话",
        channel="phone",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 2, 10),
        actual_cost=Decimal("100.00"),
        created_by=manager,
        launched_at=local(2026, 2, 1, 8, 0),
    )
    draft = CampaignFactory(name="草稿", created_by=manager)
    for i in range(2):
        buyer = ClientFactory(owner=alice, name=f"短信客户{i}")
        member(sms, buyer, reached_at=sms.launched_at)
        if i == 0:
            order(buyer, date(2026, 4, 5), "100.00")
    called = ClientFactory(owner=alice, name="回访客户")
    member(second_phone, called, reached_at=local(2026, 2, 2, 10, 0), response="interested", attempts=1)
    client.force_login(manager)
    response = client.get(
        reverse("campaign_evaluation:compare"), {"c": [world.pk, sms.pk, second_phone.pk, draft.pk, "x"]}
    )
    assert response.status_code == 200
    assert [ev.campaign for ev in response.context["evaluations"]] == [sms, world, second_phone]  # no draft
    by_channel = {
        channel: (f.targeted, f.reached, f.responded, f.ordered, f.revenue, cost)
        for channel, f, cost in response.context["by_channel"]
    }
    assert by_channel == {
        "Phone": (6, 5, 3, 2, Decimal("900.00"), Decimal("700.00")),
        "SMS": (2, 2, 0, 1, Decimal("100.00"), Decimal("50.00")),
    }
    html = response.content.decode()
    table = re.search(r'data-testid="compare-table".*?</table>', html, re.S).group(0)
    assert "春季电话营销" in table and "短信提醒" in table and "回访电话" in table and "草稿" not in table
    assert "50.0%" in table and "+10.0" in table
    channels = re.search(r'data-testid="by-channel".*?</table>', html, re.S).group(0)
    assert "Phone" in channels and "SMS" in channels and "700.00" in channels


def test_the_comparison_keeps_to_the_viewers_scope(client, world, alice, charlie):
    client.force_login(charlie)
    assert client.get(reverse("campaign_evaluation:compare"), {"c": world.pk}).context["evaluations"] == []
    client.force_login(alice)
    (ev,) = client.get(reverse("campaign_evaluation:compare"), {"c": world.pk}).context["evaluations"]
    assert (ev.total.targeted, ev.total.held_out) == (2, 2)


def test_the_evaluation_page_runs_a_constant_number_of_queries(
    client, world, manager, alice, bob, north, django_assert_max_num_queries
):
    def queries() -> int:
        url = reverse("campaign_evaluation:evaluation", args=[world.pk])
        client.get(url)
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    client.force_login(manager)
    few = queries()
    others = [TerritoryFactory(name=f"区域{i}") for i in range(5)]
    for i in range(40):
        buyer = ClientFactory(owner=alice if i % 2 else bob, territory=others[i % 5], name=f"大量客户{i}")
        held = i % 4 == 0
        m = member(world, buyer, group=G.HOLDOUT if held else G.TARGET, reached_at=None if held else world.launched_at)
        order(buyer, date(2026, 3, 10), "10.00")
        if not held:
            CampaignContact.objects.create(member=m, method="phone", response="interested", by=alice)
    assert queries() == few


@pytest.mark.parametrize("tampered", ["99999999999999999999999", "²", "-1", "abc", ""])
def test_a_tampered_comparison_id_is_ignored_not_a_server_error(client, world, manager, tampered):
    client.force_login(manager)
    response = client.get(reverse("campaign_evaluation:compare"), {"c": [tampered, world.pk]})
    assert response.status_code == 200
    assert [ev.campaign for ev in response.context["evaluations"]] == [world]


def test_a_hostile_name_is_exported_as_text(client, world, manager):
    world.name = '=HYPERLINK("http://evil.example","点我")\x07'
    world.save()
    client.force_login(manager)
    content = client.get(reverse("campaign_evaluation:evaluation_export", args=[world.pk])).content
    sheet = load_workbook(io.BytesIO(content))["Summary"]
    cell = sheet["A1"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK(")  # text, not a formula
    assert "\x07" not in cell.value


def test_a_contact_logged_after_the_end_attributes_no_order_past_the_comparison(manager, alice):
    """Reached 20 days after the end (a late log): its 30-day window would run past the comparison's
    end (the end + 30 days); orders after that are not the campaign's."""
    campaign = CampaignFactory(
        channel="phone", starts_on=date(2026, 3, 1), ends_on=date(2026, 3, 31), attribution_days=30,
        created_by=manager, launched_at=local(2026, 3, 2, 9, 0),
    )  # fmt: skip
    late = ClientFactory(owner=alice)
    member(campaign, late, reached_at=local(2026, 4, 20, 10, 0), response="ordered", attempts=1)
    order(late, date(2026, 4, 30), "100.00")  # the comparison's last day: counted
    order(late, date(2026, 5, 5), "900.00")  # within the member's window, past the comparison
    t = evaluate(campaign, manager).total
    assert (t.ordered, t.revenue) == (1, Decimal("100.00"))
    assert (t.target_buyers, t.target_revenue) == (1, Decimal("100.00"))
