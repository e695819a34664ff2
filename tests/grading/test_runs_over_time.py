"""Grading over time (GRD-6, GRD-7): "grade now" again after a change supersedes the day's run,
the list of runs, movers between any two runs, a client's level history, rounded scores."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from clients.models import Client
from grading import selectors, services
from grading.models import ClientScore, GradingPolicy, GradingRun, Receivable, SalesOrder
from tests.factories import ClientFactory

DAY = date(2026, 11, 28)


def order(client, amount, on=date(2026, 6, 1)):
    return SalesOrder.objects.create(client=client, ordered_on=on, amount=Decimal(amount), margin=Decimal("0.1"))


@pytest.fixture
def clients(alice, bob, charlie):
    made = {
        "big": ClientFactory(owner=alice, name="甲 Big", code="RB1"),
        "small": ClientFactory(owner=alice, name="乙 Small", code="RS1"),
        "bobs": ClientFactory(owner=bob, name="丙 Bob", code="RT1"),
        "outsider": ClientFactory(owner=charlie, name="丁 Charlie", code="RC1"),
    }
    for key, amount in (("big", 9000), ("small", 100), ("bobs", 5000), ("outsider", 7000)):
        order(made[key], amount)
    return made


def level(client) -> str:
    return Client.objects.get(pk=client.pk).level


# --- grade now after a change (GRD-6) ---


def test_grading_again_the_same_day_without_a_change_returns_the_days_run(clients, manager):
    first = services.grading_run(as_of=DAY, by=manager)
    again = services.grading_run_start(as_of=DAY, by=manager)
    assert again.pk == first.pk and GradingRun.objects.count() == 1


def test_a_ledger_change_allows_a_new_run_the_same_day_which_supersedes_the_first(clients, manager):
    first = services.grading_run(as_of=DAY, by=manager)
    assert level(clients["small"]) == "D"
    order(clients["small"], 90000, on=DAY)
    second = services.grading_run(as_of=DAY, by=manager)
    assert second.pk != first.pk and second.status == GradingRun.Status.DONE
    first.refresh_from_db()
    assert first.superseded_by_id == second.pk, "the earlier run is kept and marked"
    assert first.status == GradingRun.Status.DONE
    assert level(clients["small"]) == "A", "the levels are the newest run's"
    assert selectors.latest_runs()[0] == second


def test_a_corrected_ledger_row_counts_as_a_change(clients, manager):
    services.grading_run(as_of=DAY)
    receivable = Receivable.objects.create(
        client=clients["big"], invoice="F-1", amount=Decimal(10), due_on=date(2026, 6, 1)
    )
    second = services.grading_run(as_of=DAY)
    services.receivable_record_payment(
        receivable=receivable, paid_on=date(2026, 7, 1), delay_reason="资金周转", by=manager
    )
    third = services.grading_run(as_of=DAY)
    assert len({second.pk, third.pk}) == 2 and GradingRun.objects.filter(superseded_by__isnull=True).count() == 1


def test_a_recorded_potential_allows_a_new_run_the_same_day(alice, manager):
    newcomer = ClientFactory(owner=alice, code="RN1")
    order(ClientFactory(owner=alice, code="RN2"), 500)
    first = services.grading_run()
    services.potential_record(client=newcomer, score=5, reason="新开发区的大客户", by=alice)
    second = services.grading_run()
    assert second.pk != first.pk
    assert ClientScore.objects.get(run=second, client=newcomer).potential_score is not None


def test_a_policy_change_allows_a_new_run_the_same_day_and_supersedes(clients, manager):
    first = services.grading_run(as_of=DAY)
    services.policy_update(changes={"threshold_a": 90}, by=manager)
    second = services.grading_run(as_of=DAY)
    first.refresh_from_db()
    assert first.superseded_by == second


def test_a_run_of_another_day_supersedes_nothing(clients):
    first = services.grading_run(as_of=DAY)
    services.grading_run(as_of=date(2026, 11, 29))
    first.refresh_from_db()
    assert first.superseded_by_id is None


def test_the_database_refuses_two_runs_of_a_day_on_the_same_basis(clients):
    run = services.grading_run(as_of=DAY)
    with pytest.raises(IntegrityError), transaction.atomic():
        GradingRun.objects.create(as_of=DAY, policy=run.policy, basis=run.basis, status=GradingRun.Status.DONE)


def test_a_second_start_while_one_runs_is_refused_and_a_start_on_a_finished_basis_returns_it(clients, manager):
    running = services.grading_run_start(as_of=DAY, by=manager)
    with pytest.raises(ValidationError, match="in progress"):
        services.grading_run_start(as_of=DAY, by=manager)
    done = services.grading_run_execute(run=running)
    assert services.grading_run_start(as_of=DAY, by=manager) == done


def test_a_run_records_how_many_clients_moved(clients):
    first = services.grading_run(as_of=DAY)
    assert first.levels_moved == 0, "nothing to compare with"
    order(clients["small"], 90000, on=DAY)
    second = services.grading_run(as_of=date(2026, 11, 29))
    before = dict(ClientScore.objects.filter(run=first).values_list("client_id", "level"))
    after = dict(ClientScore.objects.filter(run=second).values_list("client_id", "level"))
    assert second.levels_moved == sum(1 for pk in after if pk in before and before[pk] != after[pk]) >= 1


def test_grade_now_after_a_change_says_it_runs_and_without_one_says_why_not(client, clients, manager):
    services.grading_run(as_of=None)
    client.force_login(manager)
    response = client.post(reverse("grading:run_start"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Nothing changed since today" in response.content.decode()
    order(clients["small"], 90000)
    response = client.post(reverse("grading:run_start"), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "Grading started" in response.content.decode()
    assert GradingRun.objects.filter(status=GradingRun.Status.RUNNING).count() == 1


# --- the list of runs ---


def test_the_run_list_shows_who_when_policy_graded_moved_and_superseded(client, clients, manager):
    first = services.grading_run(as_of=DAY, by=manager)
    order(clients["small"], 90000, on=DAY)
    second = services.grading_run(as_of=DAY)
    client.force_login(manager)
    response = client.get(reverse("grading:runs"), HTTP_ACCEPT_LANGUAGE="en")
    page = response.content.decode()
    assert [run.pk for run in response.context["page_obj"].object_list] == [second.pk, first.pk]
    assert f"Superseded by #{second.pk}" in page
    assert "Scheduled" in page and str(manager) in page
    assert f"#{first.policy_id}" in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=scheduled", {"second"}),
        ("kind=on_demand", {"first"}),
        ("superseded=true", {"first"}),
        ("", {"first", "second"}),
    ],
)
def test_the_run_list_filters(client, clients, manager, query, expected):
    runs = {"first": services.grading_run(as_of=DAY, by=manager)}
    order(clients["small"], 90000, on=DAY)
    runs["second"] = services.grading_run(as_of=DAY)
    client.force_login(manager)
    shown = {run.pk for run in client.get(reverse("grading:runs") + "?" + query).context["page_obj"].object_list}
    assert shown == {runs[name].pk for name in expected}


def test_the_run_list_costs_the_same_queries_for_one_run_and_for_many(client, manager, django_assert_max_num_queries):
    policy = GradingPolicy.current()
    GradingRun.objects.create(as_of=DAY, policy=policy, basis="x0", status="done", started_by=manager)
    client.force_login(manager)
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("grading:runs"))
    for n in range(1, 30):
        GradingRun.objects.create(as_of=DAY, policy=policy, basis=f"x{n}", status="done", started_by=manager)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(client.get(reverse("grading:runs")).context["page_obj"].object_list) == 25


# --- movers between two runs ---


@pytest.fixture
def three_runs(clients):
    runs = [services.grading_run(as_of=DAY)]
    order(clients["small"], 90000, on=DAY)
    runs.append(services.grading_run(as_of=date(2026, 11, 29)))
    order(clients["bobs"], 200000, on=DAY)
    runs.append(services.grading_run(as_of=date(2026, 11, 30)))
    return runs


def moved(response):
    return {row.client.code: (row.before, row.level) for row in response.context["page_obj"].object_list}


def test_movers_default_to_the_last_two_runs(client, three_runs, manager):
    client.force_login(manager)
    response = client.get(reverse("grading:movers"))
    assert (response.context["earlier"], response.context["later"]) == (three_runs[1], three_runs[2])
    expected = selectors.movers_between(manager, three_runs[1], three_runs[2])
    assert moved(response) == {row.client.code: (row.before, row.level) for row in expected}
    assert moved(response)["RT1"] == ("D", "A")
    assert "RC1" not in moved(response), "another team's client is outside the manager's scope"


def test_movers_between_any_two_runs_the_user_chooses(client, three_runs, manager):
    client.force_login(manager)
    query = f"?earlier={three_runs[0].pk}&later={three_runs[1].pk}"
    assert moved(client.get(reverse("grading:movers") + query))["RS1"] == ("D", "A")


def test_movers_filter_by_from_and_to_level(client, three_runs, manager):
    client.force_login(manager)
    query = f"?earlier={three_runs[0].pk}&later={three_runs[2].pk}"
    every = moved(client.get(reverse("grading:movers") + query))
    to_a = moved(client.get(reverse("grading:movers") + query + "&to_level=A"))
    from_d = moved(client.get(reverse("grading:movers") + query + "&from_level=D"))
    up = moved(client.get(reverse("grading:movers") + query + "&direction=up"))
    assert to_a == {code: move for code, move in every.items() if move[1] == "A"} and to_a
    assert from_d == {code: move for code, move in every.items() if move[0] == "D"} and from_d
    assert up == {code: move for code, move in every.items() if move[1] < move[0]} and up


def test_an_account_manager_sees_only_their_own_movers(client, three_runs, bob, alice):
    client.force_login(bob)
    query = f"?earlier={three_runs[0].pk}&later={three_runs[2].pk}"
    assert set(moved(client.get(reverse("grading:movers") + query))) <= {"RT1"}
    client.force_login(alice)
    assert "RT1" not in moved(client.get(reverse("grading:movers") + query))


def test_the_movers_export_holds_the_filtered_rows_with_rounded_scores(client, three_runs, manager):
    client.force_login(manager)
    query = f"?earlier={three_runs[0].pk}&later={three_runs[2].pk}&to_level=A"
    shown = moved(client.get(reverse("grading:movers") + query))
    response = client.get(reverse("grading:movers") + query + "&format=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert {row[0]: (row[3], row[4]) for row in rows} == shown
    for row in rows:
        assert all(value is None or round(value, 1) == value for value in row[5:7])


def test_movers_without_two_runs_say_so(client, manager):
    client.force_login(manager)
    response = client.get(reverse("grading:movers"), HTTP_ACCEPT_LANGUAGE="en")
    assert "Two finished grading runs are needed" in response.content.decode()


def test_the_movers_page_costs_the_same_queries_for_few_and_many_movers(
    client, alice, manager, django_assert_max_num_queries
):
    def grade_twice(n: int) -> None:
        for i in range(n):
            order(ClientFactory(owner=alice, code=f"RM{n}-{i}"), 100 + i)
        services.grading_run(as_of=DAY)
        for c in Client.objects.filter(code__startswith=f"RM{n}-"):
            order(c, 50000, on=DAY)
        order(ClientFactory(owner=alice, code=f"RZ{n}"), 900000, on=DAY)
        services.grading_run(as_of=date(2026, 11, 29 + (n > 2)))

    client.force_login(manager)
    grade_twice(2)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("grading:movers"))
    grade_twice(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("grading:movers"))


# --- a client's level history ---


def test_the_level_history_shows_each_standing_run_with_level_and_rounded_score(client, clients, alice):
    first = services.grading_run(as_of=DAY)
    order(clients["small"], 90000, on=DAY)
    superseding = services.grading_run(as_of=DAY)
    later = services.grading_run(as_of=date(2026, 11, 29))
    ClientScore.objects.filter(client=clients["small"], run=later).update(composite=57.46)
    client.force_login(alice)
    response = client.get(reverse("grading:level_history", args=[clients["small"].pk]))
    rows = list(response.context["page_obj"].object_list)
    assert [row.run for row in rows] == [later, superseding], "the superseded run is not the client's history"
    assert first not in [row.run for row in rows]
    assert response.context["points"][-1] == {"date": "2026-11-29", "level": rows[0].level, "composite": 57.5}
    assert "57.5" in response.content.decode() and "57.46" not in response.content.decode()


def test_a_teammates_manager_sees_the_level_history_and_an_outsider_gets_404(client, clients, manager, charlie):
    services.grading_run(as_of=DAY)
    url = reverse("grading:level_history", args=[clients["small"].pk])
    client.force_login(manager)
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_the_card_links_to_the_level_history(client, clients, alice):
    services.grading_run(as_of=DAY)
    client.force_login(alice)
    page = client.get(reverse("clients:detail", args=[clients["small"].pk])).content.decode()
    assert reverse("grading:level_history", args=[clients["small"].pk]) in page


def test_the_level_history_costs_the_same_queries_for_one_run_and_many(
    client, clients, alice, django_assert_max_num_queries
):
    services.grading_run(as_of=DAY)
    client.force_login(alice)
    url = reverse("grading:level_history", args=[clients["small"].pk])
    with django_assert_max_num_queries(12) as one:
        client.get(url)
    for day in range(1, 20):
        order(clients["big"], 10 + day, on=date(2026, 10, day))
        services.grading_run(as_of=date(2026, 10, day))
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


def test_the_timeline_names_the_run_that_changed_the_level(client, clients, alice):
    services.grading_run(as_of=DAY)
    order(clients["small"], 90000, on=DAY)
    second = services.grading_run(as_of=DAY)
    client.force_login(alice)
    page = client.get(reverse("clients:detail", args=[clients["small"].pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert f"Level set by grading run #{second.pk}: D → A" in page.content.decode()


# --- the dashboard's export and rounding ---


def test_the_export_follows_the_dashboards_filters(client, clients, manager, team, other_team):
    services.grading_run(as_of=DAY)
    Client.objects.filter(pk=clients["bobs"].pk).update(territory=None)
    client.force_login(manager)
    dashboard = client.get(reverse("grading:dashboard") + f"?team={team.pk}")
    assert f"?team={team.pk}" in dashboard.content.decode(), "the Excel link carries the filters"
    graded = dashboard.context["graded"]
    everything = load_workbook(BytesIO(client.get(reverse("grading:export")).content)).active
    filtered = load_workbook(BytesIO(client.get(reverse("grading:export") + f"?team={team.pk}").content)).active
    assert filtered.max_row - 1 == graded
    assert client.get(reverse("grading:dashboard") + f"?team={other_team.pk}").context["graded"] == 0
    none = load_workbook(BytesIO(client.get(reverse("grading:export") + f"?team={other_team.pk}").content)).active
    assert none.max_row == 1 and everything.max_row - 1 >= graded


def test_the_export_rounds_scores_to_one_decimal(client, clients, manager):
    run = services.grading_run(as_of=DAY)
    ClientScore.objects.filter(run=run, client=clients["big"]).update(composite=57.45, credit_score=66.66666)
    client.force_login(manager)
    sheet = load_workbook(BytesIO(client.get(reverse("grading:export")).content)).active
    row = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "RB1")
    assert (row[4], row[5]) == (57.5, 66.7)


def test_rounding_is_half_up_to_one_decimal():
    assert [selectors.rounded(v) for v in (57.45, 0.05, 99.94, None)] == [57.5, 0.1, 99.9, None]
