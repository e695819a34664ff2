"""The key-account service page (MKT-3) and its yearly service plan: the gate, the message for a
client that is not a key account, the plan's rules next to their fields, its races and history,
the cadence panel visits contributes."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients import service
from clients.models import Interaction, KeyAccountProfile, ServicePlan
from tests.factories import ClientFactory

YEAR = timezone.localdate().year


@pytest.fixture
def account(alice):
    client = ClientFactory(owner=alice, is_key_account=True, name="华润万家", code="KA001", status="active")
    KeyAccountProfile.objects.create(client=client, visit_cadence_days=14)
    return client


def plan_data(**changes) -> dict:
    return {
        "commitments": "每月上门拜访一次",
        "our_contacts": "客户经理 王芳",
        "client_contacts": "采购部 李明",
        "mid_year_review": f"{YEAR}-06-30",
        "year_end_review": f"{YEAR}-12-15",
        **changes,
    }


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("alice", 200),
        ("bob", 404),
        ("charlie", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("admin_user", 200),
        ("front_desk", 403),
    ],
)
@pytest.mark.parametrize("page", ["service", "service_plan"])
def test_the_service_page_and_plan_follow_the_client_gate(client, request, account, who, expected, page):
    client.force_login(request.getfixturevalue(who))
    args = [account.pk] if page == "service" else [account.pk, YEAR]
    response = client.get(reverse(f"clients:{page}", args=args))
    assert response.status_code == expected
    if expected == 200 and page == "service":
        html = response.content.decode()
        assert 'data-testid="service-plan"' in html and 'data-testid="service-orders"' in html
        assert 'data-testid="service-cadence"' in html


def test_a_client_that_is_not_a_key_account_gets_a_clear_message(client, alice):
    plain = ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.get(reverse("clients:service", args=[plain.pk]))
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="not-key-account"' in html
    assert 'data-testid="service-orders"' not in html
    response = client.post(reverse("clients:service_plan", args=[plain.pk, YEAR]), plan_data())
    assert response.status_code == 302 and not ServicePlan.objects.exists()


def test_the_card_of_a_key_account_links_to_its_service_page(client, alice, account):
    client.force_login(alice)
    html = client.get(account.get_absolute_url()).content.decode()
    assert reverse("clients:service", args=[account.pk]) in html


def test_the_owner_writes_the_plan_and_the_manager_edits_it_with_history(client, alice, manager, account):
    url = reverse("clients:service_plan", args=[account.pk, YEAR])
    client.force_login(alice)
    assert client.post(url, plan_data()).status_code == 302
    plan = ServicePlan.objects.get()
    assert (plan.year, plan.version, plan.updated_by, plan.mid_year_review) == (YEAR, 1, alice, date(YEAR, 6, 30))
    client.force_login(manager)
    form = client.get(url).context["form"]
    assert form["version"].value() == 1
    assert client.post(url, plan_data(commitments="每两周上门一次", version=1)).status_code == 302
    plan.refresh_from_db()
    assert (plan.commitments, plan.version, plan.updated_by) == ("每两周上门一次", 2, manager)
    assert [h.history_user for h in plan.history.all()] == [manager, alice]
    page = client.get(reverse("clients:service", args=[account.pk])).content.decode()
    assert "每两周上门一次" in page


def test_a_save_over_a_newer_plan_is_refused_and_changes_nothing(client, alice, manager, account):
    service.service_plan_save(client=account, year=YEAR, by=alice, version=None, **_fields())
    service.service_plan_save(client=account, year=YEAR, by=manager, version=1, **_fields(commitments="newer"))
    client.force_login(alice)
    response = client.post(
        reverse("clients:service_plan", args=[account.pk, YEAR]), plan_data(commitments="stale", version=1)
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert ServicePlan.objects.get().commitments == "newer"


def test_two_new_plans_for_the_same_year_make_one(alice, manager, account):
    service.service_plan_save(client=account, year=YEAR, by=alice, version=None, **_fields())
    with pytest.raises(ValidationError):
        service.service_plan_save(client=account, year=YEAR, by=manager, version=None, **_fields(commitments="x"))
    assert ServicePlan.objects.get().commitments == "每月上门拜访一次"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mid_year_review": f"{YEAR + 1}-06-30"}, "mid_year_review"),  # outside the plan's year
        ({"mid_year_review": f"{YEAR}-11-30", "year_end_review": f"{YEAR}-06-30"}, "year_end_review"),
        ({"commitments": ""}, "commitments"),
        ({"year_end_review": "not a date"}, "year_end_review"),
    ],
)
def test_bad_plan_input_is_refused_next_to_its_field(client, alice, account, changes, field):
    client.force_login(alice)
    response = client.post(reverse("clients:service_plan", args=[account.pk, YEAR]), plan_data(**changes))
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not ServicePlan.objects.exists()


def test_a_year_out_of_range_is_not_found(client, alice, account):
    client.force_login(alice)
    assert client.get(reverse("clients:service_plan", args=[account.pk, 1999])).status_code == 404


def test_the_cadence_panel_says_when_the_key_account_is_overdue(client, alice, account):
    client.force_login(alice)
    url = reverse("clients:service", args=[account.pk])
    assert 'data-testid="cadence-late"' in client.get(url).content.decode()  # never visited
    Interaction.objects.create(
        client=account, kind="visit", outcome="ok", occurred_at=timezone.now() - timedelta(days=20), recorded_by=alice
    )
    panel = next(p for p in client.get(url).context["panels"] if p["template"] == "visits/service_cadence_panel.html")
    assert (panel["late"], panel["days_since"], panel["days_late"]) == (True, 20, 6)
    Interaction.objects.create(
        client=account, kind="visit", outcome="ok", occurred_at=timezone.now() - timedelta(days=3), recorded_by=alice
    )
    html = client.get(url).content.decode()
    assert 'data-testid="cadence-ok"' in html


def test_the_service_plans_of_other_years_are_listed(client, alice, account):
    for year in (YEAR - 1, YEAR - 2):
        service.service_plan_save(
            client=account, year=year, by=alice, version=None, **_fields(mid_year_review=None, year_end_review=None)
        )
    client.force_login(alice)
    response = client.get(reverse("clients:service", args=[account.pk]))
    assert response.context["plan"] is None
    assert [p.year for p in response.context["other_plans"]] == [YEAR - 1, YEAR - 2]


def _fields(**changes) -> dict:
    data = plan_data(**changes)
    for name in ("mid_year_review", "year_end_review"):
        if isinstance(data[name], str):
            data[name] = date.fromisoformat(data[name])
    return data
