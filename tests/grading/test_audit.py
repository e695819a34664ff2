"""Grade changes are audited (X-2): every client whose level a run changes gets a history row,
shown on the client's timeline; clients whose level stays get none."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from clients.models import Client
from clients.services import GRADING_REASON
from grading import services
from grading.models import SalesOrder
from tests.factories import ClientFactory


def order(client, amount, on=date(2026, 6, 1)):
    SalesOrder.objects.create(client=client, ordered_on=on, amount=Decimal(amount), margin=Decimal("0.1"))


def grade_rows(client):
    return list(client.history.filter(history_change_reason__startswith=GRADING_REASON).order_by("history_date"))


def test_a_run_writes_one_history_row_per_client_whose_level_changes(alice):
    big, small, idle = (ClientFactory(owner=alice, code=c) for c in ("G1", "G2", "G3"))
    order(big, 9000)
    order(small, 10)
    services.grading_run(as_of=date(2026, 11, 28))
    assert [(r.level, r.discount_tier) for r in grade_rows(big)] == [("A", "8%")]
    assert [r.level for r in grade_rows(small)] == ["D"]
    assert grade_rows(idle) == [], "no history, no level, no row"
    assert all(r.history_user is None and r.history_type == "~" for r in grade_rows(big))


def test_a_second_run_records_only_the_clients_that_moved(alice):
    clients = [ClientFactory(owner=alice, code=f"G{n}") for n in range(4)]
    for client, amount in zip(clients, (9000, 10, 500, 20000), strict=True):
        order(client, amount)
    services.grading_run(as_of=date(2026, 11, 28))
    before = {c.pk: c.level for c in Client.objects.filter(pk__in=[c.pk for c in clients])}
    order(clients[1], 50000, on=date(2026, 11, 28))  # the smallest buyer becomes the biggest
    services.grading_run(as_of=date(2026, 11, 29))
    after = {c.pk: c.level for c in Client.objects.filter(pk__in=[c.pk for c in clients])}
    moved = {pk for pk in after if after[pk] != before[pk]}
    assert moved and moved != set(after), "the data moves some clients and not others"
    for client in clients:
        expected = [before[client.pk], after[client.pk]] if client.pk in moved else [before[client.pk]]
        assert [r.level for r in grade_rows(client)] == expected


def test_losing_a_level_is_recorded_too(alice):
    client = ClientFactory(owner=alice, code="G1")
    Client.objects.filter(pk=client.pk).update(level="B", discount_tier="5%")
    other = ClientFactory(owner=alice, code="G2")
    order(other, 100)
    services.grading_run(as_of=date(2026, 11, 28))
    assert [(r.level, r.discount_tier) for r in grade_rows(client)] == [("", "")]


def test_the_timeline_names_the_grade_change(client, alice):
    big, small = ClientFactory(owner=alice, code="G1"), ClientFactory(owner=alice, code="G2")
    order(big, 9000)
    order(small, 10)
    run = services.grading_run(as_of=date(2026, 11, 28))
    client.force_login(alice)
    page = client.get(reverse("clients:detail", args=[small.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Level set by grading run #{run.pk}: not graded → D" in page
