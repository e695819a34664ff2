"""The race gate for the key-account pipeline: two people moving (or signing) the same card at
once from the same page: one wins, the others are told and change nothing (MKT-3)."""

import pytest
from django.urls import reverse

from clients import pipeline
from clients.models import Client, Lead, LeadStageChange
from tests.concurrency import RACERS, assert_one_winner, post_race

pytestmark = pytest.mark.django_db(transaction=True)

S = Lead.Stage
LOSER = "Someone else moved this card first"


@pytest.fixture
def lead(alice):
    lead = pipeline.lead_create(by=alice, owner=alice, name="广东美的电器")
    return pipeline.lead_move(lead=lead, stage=S.CONTACTED, seen=S.PROSPECT, by=alice)


def test_the_same_move_requested_at_once_is_applied_once(lead, alice, manager):
    url = reverse("clients:lead_move", args=[lead.pk])
    people = [alice, manager] * (RACERS // 2)
    responses = post_race([(person, url, {"seen": "contacted", "stage": "negotiating"}) for person in people])
    assert_one_winner(responses, loser_text=LOSER)
    assert Lead.objects.get(pk=lead.pk).stage == S.NEGOTIATING
    assert LeadStageChange.objects.filter(lead=lead, to_stage=S.NEGOTIATING).count() == 1


def test_two_different_moves_of_the_same_card_have_one_winner(lead, alice, manager):
    url = reverse("clients:lead_move", args=[lead.pk])
    moves = [
        (alice, url, {"seen": "contacted", "stage": "negotiating"}),
        (manager, url, {"seen": "contacted", "stage": "lost", "lost_reason": "Budget frozen"}),
    ] * (RACERS // 2)
    winner = assert_one_winner(post_race(moves), loser_text=LOSER)
    assert Lead.objects.get(pk=lead.pk).stage == winner.wsgi_request.POST["stage"]
    assert LeadStageChange.objects.filter(lead=lead, from_stage=S.CONTACTED).count() == 1


def test_signing_at_once_creates_one_client(lead, alice, manager):
    lead = pipeline.lead_move(lead=lead, stage=S.NEGOTIATING, seen=S.CONTACTED, by=alice)
    url = reverse("clients:lead_move", args=[lead.pk])
    responses = post_race(
        [(person, url, {"seen": "negotiating", "stage": "signed"}) for person in [alice, manager] * (RACERS // 2)]
    )
    assert_one_winner(responses, loser_text=LOSER)
    client = Client.objects.get()
    assert (client.name, client.is_key_account) == ("广东美的电器", True)
    assert Lead.objects.get(pk=lead.pk).client == client
    assert client.history.count() == 1
