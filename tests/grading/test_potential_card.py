"""A recorded potential (GRD-3) on the card and the timeline; clients with booked orders are not
asked for one."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from grading import services
from grading.models import PotentialAssessment, SalesOrder
from tests.factories import ClientFactory


@pytest.fixture
def newcomer(alice):
    return ClientFactory(owner=alice, name="新客户", code="PN1")


def card(client, user, target) -> str:
    client.force_login(user)
    return client.get(reverse("clients:detail", args=[target.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_card_shows_the_recorded_potential_and_its_reason(client, newcomer, alice):
    services.potential_record(client=newcomer, score=4, reason="园区扩建，明年采购量大", by=alice)
    page = card(client, alice, newcomer)
    assert 'data-testid="potential"' in page
    assert "Potential <strong>4</strong> of 5" in page and "园区扩建，明年采购量大" in page


def test_the_timeline_shows_the_potential_assessment(client, newcomer, alice):
    services.potential_record(client=newcomer, score=3, reason="刚接触，意向中等", by=alice)
    page = card(client, alice, newcomer)
    assert 'data-kind="potential"' in page and "Potential assessed: 3 of 5" in page


def test_a_client_without_orders_is_asked_for_a_potential(client, newcomer, alice):
    assert reverse("grading:potential", args=[newcomer.pk]) in card(client, alice, newcomer)


def test_a_client_with_booked_orders_is_not_asked_for_a_potential(client, newcomer, alice):
    SalesOrder.objects.create(client=newcomer, ordered_on=date(2026, 6, 1), amount=Decimal(10), margin=Decimal("0.1"))
    page = card(client, alice, newcomer)
    assert reverse("grading:potential", args=[newcomer.pk]) not in page
    assert "Record potential" not in page


def test_a_cancelled_order_alone_still_asks_for_a_potential(client, newcomer, alice):
    SalesOrder.objects.create(
        client=newcomer, ordered_on=date(2026, 6, 1), amount=Decimal(10), margin=Decimal("0.1"), status="cancelled"
    )
    assert reverse("grading:potential", args=[newcomer.pk]) in card(client, alice, newcomer)


def test_the_service_refuses_a_potential_for_a_client_with_orders(newcomer, alice):
    SalesOrder.objects.create(client=newcomer, ordered_on=date(2026, 6, 1), amount=Decimal(10), margin=Decimal("0.1"))
    with pytest.raises(ValidationError, match="booked orders"):
        services.potential_record(client=newcomer, score=5, reason="x", by=alice)
    assert not PotentialAssessment.objects.exists()


def test_posting_a_potential_for_a_client_with_orders_saves_nothing_and_says_why(client, newcomer, alice):
    SalesOrder.objects.create(client=newcomer, ordered_on=date(2026, 6, 1), amount=Decimal(10), margin=Decimal("0.1"))
    client.force_login(alice)
    response = client.post(
        reverse("grading:potential", args=[newcomer.pk]),
        {"score": 5, "reason": "很有潜力"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "booked orders" in response.content.decode()
    assert not PotentialAssessment.objects.exists()


def test_an_older_potential_is_shown_as_unused_once_the_client_orders(client, newcomer, alice):
    services.potential_record(client=newcomer, score=2, reason="观望", by=alice)
    SalesOrder.objects.create(client=newcomer, ordered_on=date(2026, 6, 1), amount=Decimal(10), margin=Decimal("0.1"))
    page = card(client, alice, newcomer)
    assert "not used: the client has booked orders" in page
