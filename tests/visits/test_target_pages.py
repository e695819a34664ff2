"""/targets/ (MKT-2): who sees which rows, the manager's split, the export, the compute button,
the home panel, bad input and query counts."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from crm.models import OutboxMessage
from crm.roles import Role
from tests.factories import UserFactory
from visits.models import ActualFigure, Metric, Target, TargetSettings

pytestmark = pytest.mark.django_db

URL = reverse("targets:home")
EXPORT = reverse("targets:export")
SPLIT = reverse("targets:split")
PERIOD = "2026-12"
DECEMBER = date(2026, 12, 1)


def sales() -> Metric:
    return Metric.objects.get(code="sales_amount")


def give(person, target: str = "1000", actual: str = "500") -> None:
    Target.objects.create(
        period_kind="month", period_start=DECEMBER, account_manager=person, metric=sales(), value=target
    )
    ActualFigure.objects.create(account_manager=person, metric=sales(), month=DECEMBER, value=actual)


def shown(response) -> set[str]:
    return {row.account_manager.username for row in response.context["report"].rows}


@pytest.fixture
def figures(alice, bob, charlie):
    for person in (alice, bob, charlie):
        give(person)


def test_an_account_manager_sees_only_their_own_row(client, alice, figures):
    client.force_login(alice)
    response = client.get(URL, {"period": PERIOD})
    assert shown(response) == {"alice"}
    assert "bob" not in response.content.decode()


def test_a_manager_sees_the_team_and_not_the_other_team(client, manager, figures):
    client.force_login(manager)
    assert shown(client.get(URL, {"period": PERIOD})) == {"alice", "bob"}


def test_an_administrator_sees_everyone(client, admin_user, figures):
    client.force_login(admin_user)
    assert shown(client.get(URL, {"period": PERIOD})) == {"alice", "bob", "charlie"}


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.TECHNICIAN, Role.FINANCE, Role.ENGINEERING_SUPERVISOR])
def test_other_roles_are_refused(client, role):
    client.force_login(UserFactory(role=role))
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_a_teammate_cannot_filter_to_alices_row(client, bob, alice, figures):
    client.force_login(bob)
    response = client.get(URL, {"period": PERIOD, "account_manager": alice.pk})
    assert "account_manager" in response.context["form"].errors
    assert shown(response) == {"bob"}


def test_the_period_in_the_path_and_an_unknown_one(client, alice, figures):
    client.force_login(alice)
    response = client.get(reverse("targets:period", args=[PERIOD]))
    assert response.context["report"].period.code == PERIOD
    assert client.get(reverse("targets:period", args=["2026-13"])).status_code == 404
    bad = client.get(URL, {"period": "soon"})
    assert bad.context["form"].errors["period"]


def test_the_export_matches_the_page_with_its_filters(client, manager, alice, bob, figures):
    client.force_login(manager)
    response = client.get(EXPORT, {"period": PERIOD, "account_manager": alice.pk, "metric": sales().pk})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Period", PERIOD)
    assert len(rows) == 3  # the period, the header, alice's sales row
    assert rows[2][1] == str(alice) and rows[2][4:7] == (500, 1000, 50)


@pytest.mark.parametrize("user", ["bob", "charlie"])
def test_the_export_never_holds_another_account_managers_row(client, request, user, figures, alice):
    client.force_login(request.getfixturevalue(user))
    sheet = load_workbook(io.BytesIO(client.get(EXPORT, {"period": PERIOD}).content)).active
    assert str(alice) not in {row[1] for row in sheet.iter_rows(values_only=True)}


def grow(team, count: int) -> None:
    for n in range(count):
        give(UserFactory(username=f"am-{team.pk}-{n}-{count}", team=team), actual=str(n))


@pytest.mark.parametrize("url", [URL, EXPORT])
def test_the_page_and_export_run_a_constant_number_of_queries(
    client, manager, team, url, django_assert_max_num_queries
):
    client.force_login(manager)
    grow(team, 1)
    with django_assert_max_num_queries(12):
        assert client.get(url, {"period": PERIOD}).status_code == 200
    grow(team, 30)
    with django_assert_max_num_queries(12):
        response = client.get(url, {"period": PERIOD})
    assert response.status_code == 200


def test_the_account_managers_home_panel_counts_targets_on_track(client, alice):
    this_month = timezone.localdate().replace(day=1)
    Target.objects.create(
        period_kind="month", period_start=this_month, account_manager=alice, metric=sales(), value="0"
    )
    ActualFigure.objects.create(account_manager=alice, metric=sales(), month=this_month, value="0")
    rate = Metric.objects.get(code="collection_rate")
    Target.objects.create(period_kind="month", period_start=this_month, account_manager=alice, metric=rate, value="90")
    client.force_login(alice)
    panel = client.get(reverse("home")).content.decode()
    assert 'data-testid="targets-panel"' in panel
    # 0 ≥ 0 × elapsed; no collection figure yet: a target set, not on track
    assert "1 of 2 targets on track" in panel
    ActualFigure.objects.filter(metric=sales()).delete()
    assert "0 of 2 targets on track" in client.get(reverse("home")).content.decode()  # no figure is not on track


def test_the_navbar_has_targets_for_managers_and_account_managers(client, manager, alice):
    for user in (manager, alice):
        client.force_login(user)
        assert f'href="{URL}"' in client.get(reverse("home")).content.decode()


# --- the manager's split --------------------------------------------------------------------


def split_data(alice, bob, team_value="1000", a="600", b="400", **extra) -> dict:
    return {
        "period": PERIOD,
        "metric": sales().pk,
        "team_value": team_value,
        f"am_{alice.pk}": a,
        f"am_{bob.pk}": b,
        **extra,
    }


def test_a_manager_sets_and_splits_a_team_target(client, manager, alice, bob, team):
    client.force_login(manager)
    response = client.post(SPLIT, split_data(alice, bob))
    assert response.status_code == 302
    targets = {t.account_manager_id or "team": t.value for t in Target.objects.all()}
    assert targets == {"team": Decimal("1000"), alice.pk: Decimal("600"), bob.pk: Decimal("400")}
    team_target = Target.objects.get(team=team)
    assert team_target.set_by == manager


def test_a_split_that_does_not_add_up_is_refused_with_the_difference(client, manager, alice, bob):
    client.force_login(manager)
    response = client.post(SPLIT, split_data(alice, bob, b="300"))
    assert response.status_code == 200
    errors = response.context["form"].errors["team_value"][0]
    assert "900" in errors and "-100" in errors
    assert not Target.objects.exists()


def test_a_confirmed_difference_is_saved(client, manager, alice, bob):
    client.force_login(manager)
    client.post(SPLIT, split_data(alice, bob, b="300", confirm_difference="on"))
    assert Target.objects.get(account_manager=bob).value == Decimal("300")


@pytest.mark.parametrize(
    ("field", "value"), [("team_value", "-5"), ("team_value", "lots"), ("am", "-1"), ("am", "1e400"), ("am", "NaN")]
)
def test_negative_or_non_numeric_values_are_refused_next_to_the_field(client, manager, alice, bob, field, value):
    client.force_login(manager)
    data = split_data(alice, bob)
    key = f"am_{alice.pk}" if field == "am" else field
    data[key] = value
    response = client.post(SPLIT, data)
    assert response.context["form"].errors[key]
    assert not Target.objects.exists()


def test_a_metric_of_the_other_set_is_refused(client, manager, alice, bob):
    assert TargetSettings.current().metric_set == "trade"
    client.force_login(manager)
    data = split_data(alice, bob, metric=Metric.objects.get(code="deposit_avg_balance").pk)
    response = client.post(SPLIT, data)
    assert "other metric set" in response.context["form"].errors["metric"][0]
    assert not Target.objects.exists()


def test_each_change_is_audited_with_who_and_the_old_value(client, manager, alice, bob):
    client.force_login(manager)
    client.post(SPLIT, split_data(alice, bob))
    client.post(SPLIT, split_data(alice, bob, team_value="1200", a="800"))
    target = Target.objects.get(account_manager=alice)
    history = list(target.history.order_by("history_date"))
    assert [h.value for h in history] == [Decimal("600"), Decimal("800")]
    assert {h.history_user for h in history} == {manager}
    assert Target.objects.get(account_manager=bob).history.count() == 1  # unchanged: no empty audit row


def test_the_split_form_shows_the_stored_targets(client, manager, alice, bob):
    client.force_login(manager)
    client.post(SPLIT, split_data(alice, bob, team_value="100", a="60", b="40"))
    response = client.get(SPLIT, {"period": PERIOD, "metric": sales().pk})
    initial = response.context["form"].initial
    assert (initial["team_value"], initial[f"am_{alice.pk}"], initial[f"am_{bob.pk}"]) == (100, 60, 40)
    assert 'value="60.00"' in response.content.decode()


def test_a_blank_share_keeps_its_stored_target_in_the_add_up_check(client, manager, alice, bob):
    """Team 100 split 60/40; the team target becomes 120 and only B is typed (60): A keeps 60,
    so the split adds up to 120."""
    client.force_login(manager)
    client.post(SPLIT, split_data(alice, bob, team_value="100", a="60", b="40"))
    response = client.post(SPLIT, split_data(alice, bob, team_value="120", a="", b="60"))
    assert response.status_code == 302
    assert Target.objects.get(team__isnull=False).value == Decimal("120")
    assert Target.objects.get(account_manager=alice).value == Decimal("60")
    assert Target.objects.get(account_manager=bob).value == Decimal("60")
    response = client.post(SPLIT, split_data(alice, bob, team_value="150", a="", b="60"))
    assert "120" in response.context["form"].errors["team_value"][0]  # 60 kept + 60, 30 short


def test_a_manager_cannot_split_to_another_teams_account_manager(client, manager, alice, bob, charlie):
    client.force_login(manager)
    data = split_data(alice, bob)
    data[f"am_{charlie.pk}"] = "5"  # not a field of the form: ignored
    client.post(SPLIT, data)
    assert not Target.objects.filter(account_manager=charlie).exists()


def test_account_managers_cannot_set_targets(client, alice, bob):
    client.force_login(alice)
    assert client.get(SPLIT).status_code == 403
    assert client.post(SPLIT, split_data(alice, bob)).status_code == 403


def test_compute_now_is_queued_through_the_outbox(client, manager, alice, django_capture_on_commit_callbacks):
    client.force_login(manager)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("targets:compute"), {"period": "2026-Q4"})
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.task == "visits.tasks.actuals_compute_task"
    assert message.kwargs == {"months": ["2026-10-01", "2026-11-01", "2026-12-01"]}
    client.force_login(alice)
    assert client.post(reverse("targets:compute"), {"period": PERIOD}).status_code == 403


@pytest.mark.parametrize("odd", ["²", "١٢", "１"])
def test_a_non_ascii_digit_in_the_team_or_metric_is_read_as_none_not_a_500(client, manager, alice, bob, odd):
    # "²".isdigit() is True but int("²") fails: the fuzz test found the split page answering 500.
    client.force_login(manager)
    assert client.get(SPLIT, {"team": odd, "metric": odd}).status_code == 200
    assert client.post(SPLIT, {**split_data(alice, bob), "team": odd}).status_code in (200, 302)
