"""The race gate for surveys (MKT-4): two managers sending or closing the same survey at once,
and a question edited while the first answer comes in: one wins, the others are told."""

import pytest
from django.urls import reverse

from clients import surveys
from clients.models import Answer, Survey, SurveyInvitation
from crm.models import Notification
from tests.clients.survey_helpers import answers, make_survey
from tests.concurrency import RACERS, assert_one_winner, post_race
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def survey(manager, alice, bob):
    ClientFactory.create_batch(3, owner=alice)
    ClientFactory.create_batch(2, owner=bob)
    return make_survey(manager)


def test_sending_at_once_freezes_the_list_once(survey, manager, admin_user):
    url = reverse("surveys:send", args=[survey.pk])
    responses = post_race([(person, url, {}) for person in [manager, admin_user] * (RACERS // 2)])
    assert_one_winner(responses, loser_text="This survey has been sent already")
    assert SurveyInvitation.objects.filter(survey=survey).count() == 5
    assert Survey.objects.get(pk=survey.pk).status == "open"
    assert Notification.objects.filter(key=f"survey:{survey.pk}:sent").count() == 2


def test_closing_at_once_closes_once(survey, manager, admin_user):
    surveys.survey_send(survey=survey, by=manager, params={})
    url = reverse("surveys:close", args=[survey.pk])
    responses = post_race([(person, url, {}) for person in [manager, admin_user] * (RACERS // 2)])
    assert_one_winner(responses, loser_text="Only an open survey can be closed.")
    assert Survey.objects.get(pk=survey.pk).history.filter(status="closed").count() == 1


def test_a_question_removed_while_answers_come_in_leaves_a_consistent_survey(survey, manager, alice):
    surveys.survey_send(survey=survey, by=manager, params={})
    client_ = SurveyInvitation.objects.filter(client__owner=alice).first().client
    question = survey.questions.last()  # the optional text question
    remove = reverse("surveys:question_remove", args=[question.pk])
    fill = reverse("surveys:answer", args=[survey.pk, client_.pk])
    responses = post_race([(manager, remove, {}), (alice, fill, answers(survey))] * 3)
    assert all(response.status_code < 500 for response in responses)
    removed = not survey.questions.filter(pk=question.pk).exists()
    answered = Answer.objects.exists()
    # Either the question went first (the answers then keep to the other questions) or the answers
    # came first (and the question stayed): never answers to a question that is gone.
    assert removed or answered
    assert not Answer.objects.exclude(question__survey=survey).exists()
    if removed:
        assert not Answer.objects.filter(question_id=question.pk).exists()
