"""Pre-launch product surveys (MKT-4): building one, sending it to a segment, answering for a
client, the results and their export, the client card's panel, and who may see what."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clients import surveys
from clients.models import Answer, Question, Survey, SurveyInvitation
from clients.models.surveys import token_hash
from crm.models import Notification
from tests.clients.survey_helpers import QUESTIONS, answer, answers, cleaned, make_survey
from tests.factories import ClientFactory, ProductFactory, QuestionFactory, SurveyFactory, TerritoryFactory

S = Survey.Status


@pytest.fixture
def survey(manager):
    return make_survey(manager)


@pytest.fixture
def bobs_client(bob):
    return ClientFactory(owner=bob, name="明达贸易", code="MD001")


@pytest.fixture
def charlies_client(charlie):
    return ClientFactory(owner=charlie, name="恒通物流", code="HT001")


@pytest.fixture
def sent(survey, manager, alices_client, bobs_client, charlies_client):
    """Sent by the manager of alice's and bob's team: charlie's client is outside the segment."""
    surveys.survey_send(survey=survey, by=manager, params={})
    survey.refresh_from_db()
    return survey


def invitation_of(survey, client):
    return SurveyInvitation.objects.get(survey=survey, client=client)


def page(name, *args):
    return reverse(f"surveys:{name}", args=args)


# --- building ---


def test_a_new_survey_is_a_draft_with_its_questions_in_order_and_audited(survey, manager):
    assert survey.status == S.DRAFT and survey.sent_at is None
    assert survey.product.code == "HM-XP-01"
    assert [(q.position, q.text, q.kind) for q in survey.questions.all()] == [
        (n, q["text"], q["kind"]) for n, q in enumerate(QUESTIONS, start=1)
    ]
    assert survey.history.get().history_user == manager
    assert survey.questions.first().history.get().history_user == manager


def test_a_deadline_before_today_is_refused_next_to_the_field(manager):
    with pytest.raises(ValidationError) as error:
        surveys.survey_create(by=manager, title="X", deadline=timezone.localdate() - timedelta(days=1))
    assert error.value.message_dict == {"deadline": ["The deadline cannot be before today."]}
    assert not Survey.objects.exists()


def test_the_new_survey_page_creates_a_draft(client, manager):
    product = ProductFactory()
    client.force_login(manager)
    deadline = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        page("create"), {"title": " 新品口味调查 ", "product": product.pk, "intro": "谢谢", "deadline": deadline}
    )
    survey = Survey.objects.get()
    assert response.status_code == 302 and response.url == survey.get_absolute_url()
    assert (survey.title, survey.product, survey.created_by, survey.status) == (
        "新品口味调查",
        product,
        manager,
        "draft",
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"deadline": "yesterday"}, "deadline", "The deadline cannot be before today."),
        ({"deadline": "2026-02-30"}, "deadline", "Enter a valid date."),
        ({"product": "999999"}, "product", "Select a valid choice. That choice is not one of the available choices."),
    ],
)
def test_bad_input_on_a_new_survey_is_shown_next_to_the_field_and_nothing_is_saved(
    client, manager, data, field, message
):
    client.force_login(manager)
    base = {"title": "调查", "deadline": (timezone.localdate() + timedelta(days=3)).isoformat()}
    if data.get("deadline") == "yesterday":
        data = {"deadline": (timezone.localdate() - timedelta(days=1)).isoformat()}
    response = client.post(page("create"), {**base, **data})
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message]
    assert "nothing was saved yet" in response.content.decode()
    assert not Survey.objects.exists()


def test_editing_a_survey_keeps_an_old_deadline_but_refuses_a_new_past_one(client, manager, survey):
    Survey.objects.filter(pk=survey.pk).update(deadline=timezone.localdate() - timedelta(days=2))
    client.force_login(manager)
    old = (timezone.localdate() - timedelta(days=2)).isoformat()
    response = client.post(page("edit", survey.pk), {"title": "新标题", "deadline": old})
    assert response.status_code == 302
    assert Survey.objects.get(pk=survey.pk).title == "新标题"
    earlier = (timezone.localdate() - timedelta(days=5)).isoformat()
    response = client.post(page("edit", survey.pk), {"title": "再改", "deadline": earlier})
    assert response.context["form"].errors["deadline"] == ["The deadline cannot be before today."]
    assert Survey.objects.get(pk=survey.pk).title == "新标题"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": "single", "choices": ["只有一个"]}, "choices", "Give at least two choices, one per line."),
        ({"kind": "multiple", "choices": ["甲", "甲"]}, "choices", "Each choice must be different."),
        ({"kind": "single", "choices": [str(n) for n in range(21)]}, "choices", "Give at most 20 choices."),
        ({"kind": "single", "choices": ["x" * 201, "y"]}, "choices", "A choice can be at most 200 characters long."),
        (
            {"kind": "number", "min_value": Decimal("10"), "max_value": Decimal("1")},
            "max_value",
            "The largest number cannot be below the smallest.",
        ),
        ({"kind": "text", "text": "   "}, "text", "Write the question."),
    ],
)
def test_a_question_breaking_a_rule_is_refused_with_the_field_named(survey, manager, fields, field, message):
    before = survey.questions.count()
    with pytest.raises(ValidationError) as error:
        surveys.question_add(survey=survey, by=manager, **{"text": "问题", **fields})
    assert error.value.message_dict == {field: [message]}
    assert survey.questions.count() == before


def test_choices_are_kept_only_for_choice_questions_and_ranges_only_for_numbers(survey, manager):
    question = surveys.question_add(
        survey=survey, by=manager, text="Score", kind="scale", choices=["a", "b"], min_value=Decimal("3")
    )
    assert (question.choices, question.min_value, question.position) == ([], None, 6)


def test_the_question_page_adds_edits_and_shows_errors_in_place(client, manager, survey):
    client.force_login(manager)
    response = client.post(
        page("question_add", survey.pk),
        {"text": "包装偏好", "kind": "single", "choices": "盒装\n\n 袋装 \n", "required": "on"},
    )
    assert response.status_code == 302
    question = survey.questions.last()
    assert (question.text, question.choices, question.required) == ("包装偏好", ["盒装", "袋装"], True)
    response = client.get(page("question_edit", question.pk))
    assert response.context["form"].initial["choices"] == "盒装\n袋装"
    response = client.post(page("question_edit", question.pk), {"text": "包装", "kind": "single", "choices": "盒装"})
    assert response.status_code == 200
    assert response.context["form"].errors == {"choices": ["Give at least two choices, one per line."]}
    assert Question.objects.get(pk=question.pk).text == "包装偏好"
    response = client.post(page("question_edit", question.pk), {"text": "包装", "kind": "text", "choices": "盒装"})
    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.text, question.kind, question.choices, question.required) == ("包装", "text", [], False)


def test_questions_move_up_and_down_and_the_order_holds(client, manager, survey):
    first, second, third = list(survey.questions.all())[:3]
    client.force_login(manager)
    client.post(page("question_move", second.pk), {"direction": "up"})
    client.post(page("question_move", first.pk), {"direction": "down"})  # now 3rd → swaps with third
    assert [q.pk for q in survey.questions.all()][:3] == [second.pk, third.pk, first.pk]
    assert surveys.question_move(question=second, by=manager, up=True) is False  # already first
    assert second.history.first().history_user == manager


def test_removing_a_question_keeps_the_others_in_order(client, manager, survey):
    questions = list(survey.questions.all())
    client.force_login(manager)
    response = client.post(page("question_remove", questions[1].pk))
    assert response.status_code == 302
    assert [q.pk for q in survey.questions.all()] == [q.pk for q in questions if q != questions[1]]
    new = surveys.question_add(survey=survey, by=manager, text="最后", kind="text")
    assert list(survey.questions.all())[-1] == new


def test_questions_cannot_change_once_answers_exist(client, manager, sent, alices_client, alice):
    answer(invitation_of(sent, alices_client), by=alice)
    question = sent.questions.first()
    for call in (
        lambda: surveys.question_add(survey=sent, by=manager, text="新问题", kind="text"),
        lambda: surveys.question_update(question=question, by=manager, text="改"),
        lambda: surveys.question_remove(question=question, by=manager),
        lambda: surveys.question_move(question=question, by=manager, up=False),
    ):
        with pytest.raises(ValidationError, match="Answers have come in"):
            call()
    client.force_login(manager)
    response = client.post(page("question_remove", question.pk), follow=True)
    assert "the questions can no longer be changed" in response.content.decode()
    assert sent.questions.count() == len(QUESTIONS)
    detail = client.get(page("detail", sent.pk))
    assert detail.context["editable"] is False
    assert 'data-testid="questions-frozen"' in detail.content.decode()
    form = client.get(page("question_edit", question.pk))
    assert 'data-testid="frozen"' in form.content.decode()


def test_the_database_holds_the_question_rules(survey):
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(survey=survey, position=1, text="Same place", kind="text")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(survey=survey, position=99, text="?", kind="essay")
    with pytest.raises(IntegrityError), transaction.atomic():
        Question.objects.create(survey=survey, position=98, text="?", kind="number", min_value=5, max_value=1)


# --- sending ---


def test_sending_freezes_one_invitation_per_client_of_the_segment_and_tells_their_owners(
    sent, manager, alices_client, bobs_client, alice, bob
):
    assert sent.status == S.OPEN and sent.sent_by == manager and sent.sent_at is not None
    invited = SurveyInvitation.objects.filter(survey=sent)
    assert set(invited.values_list("client", flat=True)) == {alices_client.pk, bobs_client.pk}
    assert not invited.filter(token_hash__isnull=False).exists()  # links are made on demand
    assert sent.history.first().history_user == manager
    assert invited.first().history.get().history_user == manager
    told = Notification.objects.filter(key=f"survey:{sent.pk}:sent")
    assert set(told.values_list("recipient__username", flat=True)) == {"alice", "bob"}
    assert "1 of your clients was invited" in told.get(recipient=alice).title


def test_the_segment_is_the_client_lists_filters_and_skips_opted_out_and_moved_out_clients(
    survey, manager, alice, alices_client
):
    quiet = ClientFactory(owner=alice, status="active", contact_opt_out_at=timezone.now())
    ClientFactory(owner=alice, status="moved_out")
    prospect = ClientFactory(owner=alice, status="prospect")
    count = surveys.survey_send(survey=survey, by=manager, params={"status": "prospect", "search": "ignored"})
    assert count == 1
    assert list(SurveyInvitation.objects.values_list("client", flat=True)) == [prospect.pk]
    survey.refresh_from_db()
    assert survey.segment == {"status": "prospect"}
    assert not SurveyInvitation.objects.filter(client=quiet).exists()


def test_a_segment_without_clients_sends_nothing_and_says_so(client, manager, survey):
    client.force_login(manager)
    response = client.post(page("send", survey.pk), {"kind": "tenant"}, follow=True)
    assert "No client is in this segment" in response.content.decode()
    survey.refresh_from_db()
    assert survey.status == S.DRAFT and not SurveyInvitation.objects.exists()
    assert not Notification.objects.exists()


def test_the_segment_preview_counts_the_clients_before_sending(client, manager, survey, alices_client, bobs_client):
    client.force_login(manager)
    response = client.get(page("detail", survey.pk), {"owner": alices_client.owner_id, "preview": "1"})
    assert response.context["preview_count"] == 1
    assert "Send to 1 client" in response.content.decode()
    response = client.get(page("detail", survey.pk), {"kind": "tenant", "preview": "1"})
    assert response.context["preview_count"] == 0
    assert 'data-testid="empty-segment"' in response.content.decode()
    response = client.get(page("detail", survey.pk), {"owner": "not-a-user", "preview": "1"})
    assert "preview_count" not in response.context


@pytest.mark.parametrize("problem", ["no_questions", "past_deadline", "sent_already", "bad_filter"])
def test_sending_is_refused_with_a_clear_message(client, manager, alices_client, problem):
    survey = SurveyFactory(created_by=manager)
    expected = {
        "no_questions": "Add at least one question before sending the survey.",
        "past_deadline": "The deadline has passed: move it to today or later before sending.",
        "sent_already": "This survey has been sent already; its invitation list is fixed.",
        "bad_filter": "The client filter is not valid.",
    }[problem]
    if problem != "no_questions":
        surveys.question_add(survey=survey, by=manager, text="?", kind="text")
    if problem == "past_deadline":
        Survey.objects.filter(pk=survey.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    if problem == "sent_already":
        surveys.survey_send(survey=survey, by=manager, params={})
    before = SurveyInvitation.objects.count()
    client.force_login(manager)
    data = {"level": "Z"} if problem == "bad_filter" else {}
    response = client.post(page("send", survey.pk), data, follow=True)
    assert expected in response.content.decode()
    assert SurveyInvitation.objects.count() == before


def test_the_database_keeps_one_invitation_per_client_and_survey(sent, alices_client):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyInvitation.objects.create(survey=sent, client=alices_client)


def test_a_survey_cannot_be_open_without_having_been_sent(manager):
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyFactory(created_by=manager, status="open")


def test_closing_stops_answers_and_is_refused_twice(client, manager, sent, alices_client, alice):
    client.force_login(manager)
    response = client.post(page("close", sent.pk), follow=True)
    assert "Survey closed" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == S.CLOSED and sent.history.first().history_user == manager
    response = client.post(page("close", sent.pk), follow=True)
    assert "Only an open survey can be closed." in response.content.decode()
    with pytest.raises(ValidationError, match="no longer accepts answers"):
        answer(invitation_of(sent, alices_client), by=alice)


# --- answering for a client ---


def test_the_owner_fills_in_the_answers_of_a_client(client, alice, sent, alices_client):
    client.force_login(alice)
    url = page("answer", sent.pk, alices_client.pk)
    assert client.get(url).status_code == 200
    response = client.post(url, answers(sent))
    assert response.status_code == 302 and response.url == sent.get_absolute_url()
    invitation = invitation_of(sent, alices_client)
    assert (invitation.answered_via, invitation.answered_by) == ("staff", alice)
    assert invitation.history.first().history_user == alice
    stored = [(a.question.kind, a.display) for a in invitation.answers.select_related("question")]
    assert stored == [
        ("single", "适中"),
        ("multiple", "电话"),
        ("multiple", "网上"),
        ("scale", "4"),
        ("number", "120"),
        ("text", "希望有小包装"),
    ]
    again = client.get(url)
    assert again.context["form"] is None
    assert 'data-testid="answer-list"' in again.content.decode()


@pytest.mark.parametrize(
    ("changes", "question", "message"),
    [
        ({"q1": "7"}, 1, "Select a valid choice. 7 is not one of the available choices."),
        ({"q1": None}, 1, "This field is required."),
        ({"q2": ["0", "9"]}, 2, "Select a valid choice. 9 is not one of the available choices."),
        ({"q3": "6"}, 3, "Select a valid choice. 6 is not one of the available choices."),
        ({"q4": "1001"}, 4, "Ensure this value is less than or equal to 1000.00."),
        ({"q4": "-1"}, 4, "Ensure this value is greater than or equal to 0.00."),
        ({"q4": "一百"}, 4, "Enter a number."),
        ({"q4": "Infinity"}, 4, "Enter a number."),
        ({"q5": "x" * 10_000}, 5, "Ensure this value has at most 2000 characters (it has 10000)."),
    ],
)
def test_bad_answers_are_shown_next_to_the_question_and_nothing_is_saved(
    client, alice, sent, alices_client, changes, question, message
):
    client.force_login(alice)
    response = client.post(page("answer", sent.pk, alices_client.pk), answers(sent, **changes))
    assert response.status_code == 200
    name = list(sent.questions.all())[question - 1].field_name
    assert response.context["form"].errors == {name: [message]}
    assert "nothing was saved yet" in response.content.decode()
    assert not Answer.objects.exists()
    assert invitation_of(sent, alices_client).answered_at is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"q1": 5}, "Choose one of the answers offered."),
        ({"q1": [0, 1]}, "Choose one answer."),
        ({"q2": ["x"]}, "Choose one of the answers offered."),
        ({"q3": 0}, "Choose a value from 1 to 5."),
        ({"q3": Decimal("2.5")}, "Choose a value from 1 to 5."),
        ({"q4": "NaN"}, "Enter a number."),
        ({"q4": Decimal("1000.01")}, "Enter a number of at most 1000.00."),
        ({"q4": Decimal("-0.01")}, "Enter a number of at least 0.00."),
        ({"q5": "字" * 2001}, "Keep the answer under 2000 characters."),
        ({"q1": "  "}, "This question needs an answer."),
    ],
)
def test_the_service_holds_any_caller_to_the_same_rules_and_saves_nothing_half(
    sent, alices_client, alice, changes, message
):
    invitation = invitation_of(sent, alices_client)
    data = cleaned(sent)
    data.update({list(sent.questions.all())[int(k[1:]) - 1].field_name: v for k, v in changes.items()})
    with pytest.raises(ValidationError) as error:
        surveys.response_submit(invitation=invitation, answers=data, via="staff", by=alice)
    assert list(error.value.message_dict.values()) == [[message]]
    assert not Answer.objects.exists()
    assert invitation_of(sent, alices_client).answered_at is None


def test_an_optional_question_may_stay_empty(sent, alices_client, alice):
    invitation = answer(invitation_of(sent, alices_client), by=alice, q5=None)
    assert not invitation.answers.filter(question__kind="text").exists()
    assert invitation.answered_at is not None


def test_a_client_is_answered_once_and_the_second_response_changes_nothing(client, alice, manager, sent, alices_client):
    answer(invitation_of(sent, alices_client), by=alice, q1="0")
    before = list(Answer.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="the first answers were kept"):
        answer(invitation_of(sent, alices_client), by=manager, q1="2")
    assert list(Answer.objects.values_list("pk", flat=True)) == before
    assert invitation_of(sent, alices_client).answered_by == alice


def test_a_response_posted_on_an_out_of_date_page_is_told_it_came_second(client, alice, sent, alices_client):
    client.force_login(alice)
    url = page("answer", sent.pk, alices_client.pk)
    form_page = client.get(url)
    assert form_page.context["form"] is not None
    answer(invitation_of(sent, alices_client), by=alice, q1="0")  # meanwhile, in another tab
    response = client.post(url, answers(sent), follow=True)
    assert "These answers were not saved: the client has answered already" in response.content.decode()
    assert Answer.objects.filter(question__kind="single").get().choice == 0


def test_after_the_deadline_no_answer_is_taken(client, alice, sent, alices_client):
    Survey.objects.filter(pk=sent.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    client.force_login(alice)
    response = client.post(page("answer", sent.pk, alices_client.pk), answers(sent))
    assert 'data-testid="not-accepting"' in response.content.decode()
    assert not Answer.objects.exists()


def test_the_database_refuses_an_empty_or_overlong_answer_and_an_inconsistent_invitation(sent, alices_client, alice):
    invitation = invitation_of(sent, alices_client)
    question = sent.questions.get(kind="text")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(invitation=invitation, question=question, text="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(invitation=invitation, question=question, text="x" * 2001)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyInvitation.objects.filter(pk=invitation.pk).update(answered_at=timezone.now(), answered_via="staff")


def test_script_in_questions_and_answers_is_shown_as_text(client, manager, alice, alices_client):
    script = "<script>alert(1)</script>"
    survey = make_survey(manager, title=f"标题{script}")
    surveys.question_add(
        survey=survey, by=manager, text=f"问{script}", kind="single", choices=[script, "正常"], required=False
    )
    surveys.survey_send(survey=survey, by=manager, params={})
    answer(invitation_of(survey, alices_client), by=alice, q5=script)
    client.force_login(alice)
    for url in (
        page("list"),
        page("detail", survey.pk),
        page("results", survey.pk),
        page("answer", survey.pk, alices_client.pk),
        reverse("clients:detail", args=[alices_client.pk]),
    ):
        body = client.get(url).content.decode()
        assert script not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url


# --- the personal link, from the staff side ---


def test_getting_a_link_shows_it_once_and_kills_the_previous_one(client, alice, sent, alices_client):
    invitation = invitation_of(sent, alices_client)
    client.force_login(alice)
    first = client.post(page("invitation_link", invitation.pk))
    link = first.context["link"]
    assert first.status_code == 200 and link.startswith("http://testserver/s/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43 and token not in str(SurveyInvitation.objects.values_list("token_hash", flat=True))
    assert invitation_of(sent, alices_client).token_hash == token_hash(token)
    second = client.post(page("invitation_link", invitation.pk)).context["link"]
    assert second != link
    assert client.get(link).status_code == 404  # the old one is dead
    assert client.get(second).status_code == 200
    assert not any(h.token_hash for h in invitation.history.all() if hasattr(h, "token_hash"))


def test_no_link_for_an_answered_client_or_a_closed_survey(client, alice, manager, sent, alices_client, bobs_client):
    answer(invitation_of(sent, alices_client), by=alice)
    client.force_login(manager)
    response = client.post(page("invitation_link", invitation_of(sent, alices_client).pk), follow=True)
    assert "This client has answered already" in response.content.decode()
    surveys.survey_close(survey=sent, by=manager)
    response = client.post(page("invitation_link", invitation_of(sent, bobs_client).pk), follow=True)
    assert "This survey no longer accepts answers." in response.content.decode()
    assert not SurveyInvitation.objects.filter(token_hash__isnull=False).exists()


# --- results and export ---


@pytest.fixture
def answered(sent, alice, bob, alices_client, bobs_client):
    east = TerritoryFactory(name="东城")
    alices_client.territory, alices_client.level = east, "A"
    alices_client.save()
    answer(invitation_of(sent, alices_client), by=alice, q1="0", q2=["0", "1"], q3="5", q4="100", q5="<b>好</b>")
    answer(invitation_of(sent, bobs_client), q1="0", q2=["1"], q3="3", q4="50", q5=None)  # through the link
    return sent


def test_results_count_each_option_and_the_response_rate(client, manager, answered):
    client.force_login(manager)
    response = client.get(page("results", answered.pk))
    assert response.status_code == 200
    tallies = response.context["tallies"]
    assert [t.rows for t in tallies[:3]] == [
        [("偏淡", 2), ("适中", 0), ("偏浓", 0)],
        [("电话", 1), ("上门", 2), ("网上", 0)],
        [("1", 0), ("2", 0), ("3", 1), ("4", 0), ("5", 1)],
    ]
    assert [t.answered for t in tallies] == [2, 2, 2, 2, 1]
    assert (tallies[2].mean, tallies[3].mean, tallies[3].low, tallies[3].high) == (
        Decimal("4.00"),
        Decimal("75.00"),
        Decimal("50"),
        Decimal("100"),
    )
    rate = response.context["rate"]
    assert (rate["invited"], rate["answered"], rate["by_staff"], rate["by_link"], rate["rate"]) == (2, 2, 1, 1, 100.0)
    charts = response.context["charts"]
    assert [c["counts"] for c in charts] == [[2, 0, 0], [1, 2, 0], [0, 0, 1, 0, 1]]
    body = response.content.decode()
    assert (
        'id="survey-charts"' in body and "chart.umd.min.js" in body and "<script>" not in body.split("survey-charts")[0]
    )


def test_results_break_down_by_territory_and_level(client, manager, answered):
    client.force_login(manager)
    context = client.get(page("results", answered.pk)).context
    first = context["by_territory"][0]
    assert first["labels"] == ["偏淡", "适中", "偏浓"]
    assert first["groups"] == [("No territory", [1, 0, 0]), ("东城", [1, 0, 0])]
    scale = context["by_level"][2]
    assert scale["groups"] == [("A", [0, 0, 0, 0, 1]), ("Not graded", [0, 0, 1, 0, 0])]


def test_free_text_answers_are_listed_and_paginated(client, manager, sent, alice):
    clients_ = ClientFactory.create_batch(30, owner=alice)
    # The survey is sent already (its list is fixed): the invitations are added as rows.
    for client_ in clients_:
        invitation = SurveyInvitation.objects.create(survey=sent, client=client_)
        answer(invitation, by=alice, q5=f"建议 {client_.code}")
    client.force_login(manager)
    response = client.get(page("results", sent.pk))
    page_obj = response.context["page_obj"]
    assert (len(page_obj.object_list), page_obj.paginator.count) == (25, 30)
    assert client.get(page("results", sent.pk), {"page": 2}).context["page_obj"].object_list[0].text.startswith("建议")


def test_an_account_manager_sees_only_their_own_clients_answers(client, alice, answered, alices_client):
    client.force_login(alice)
    context = client.get(page("results", answered.pk)).context
    assert context["rate"]["invited"] == 1 and context["rate"]["answered"] == 1
    assert context["tallies"][0].rows[0] == ("偏淡", 1)
    detail = client.get(page("detail", answered.pk))
    assert [i.client for i in detail.context["page_obj"].object_list] == [alices_client]
    assert "明达贸易" not in detail.content.decode()
    book = load_workbook(io.BytesIO(client.get(page("export", answered.pk)).content))
    assert [row[0] for row in book["Responses"].iter_rows(min_row=2, values_only=True)] == [alices_client.code]


def test_the_export_has_one_row_per_response_and_one_column_per_question(client, manager, answered):
    Answer.objects.filter(question__kind="text").update(text="=HYPERLINK(1)")
    client.force_login(manager)
    response = client.get(page("export", answered.pk))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["Responses"].iter_rows(values_only=True))
    assert rows[0][8:] == tuple(f"{n}. {q['text']}" for n, q in enumerate(QUESTIONS, start=1))
    assert [(r[0], r[6], r[8:]) for r in rows[1:]] == [
        ("HX001", "Account manager", ("偏淡", "电话; 上门", 5, 100, "=HYPERLINK(1)")),
        ("MD001", "Client, through the link", ("偏淡", "上门", 3, 50, None)),
    ]
    assert book["Responses"].cell(row=2, column=13).data_type == "s"  # a formula stays text
    tallies = list(book["Tallies"].iter_rows(values_only=True))
    assert ("您对新品的口味期望？", "偏淡", 2) in tallies
    assert ("您对新品的兴趣有多大？", "Mean", 4) in tallies


@pytest.mark.parametrize("rows", [1, 40])
@pytest.mark.parametrize("name", ["results", "export", "detail"])
def test_results_export_and_detail_run_a_constant_number_of_queries(
    client, manager, sent, alice, rows, name, django_assert_max_num_queries
):
    for client_ in ClientFactory.create_batch(rows, owner=alice):
        answer(SurveyInvitation.objects.create(survey=sent, client=client_), by=alice)
    client.force_login(manager)
    with django_assert_max_num_queries(16):
        response = client.get(page(name, sent.pk), {"per_page": 50})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 40])
def test_the_list_runs_a_constant_number_of_queries(client, manager, rows, django_assert_max_num_queries):
    for survey in SurveyFactory.create_batch(rows, created_by=manager, product=ProductFactory()):
        QuestionFactory(survey=survey, kind="text")
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        response = client.get(page("list"), {"per_page": 50})
    assert len(response.context["page_obj"].object_list) == rows


def test_the_list_filters_by_status_and_product_and_searches(client, manager, survey):
    other = SurveyFactory(created_by=manager, title="包装调查", product=ProductFactory(code="XX-1", name_zh="别的"))
    client.force_login(manager)

    def titles(**query):
        return [s.title for s in client.get(page("list"), query).context["page_obj"].object_list]

    assert set(titles()) == {survey.title, other.title}
    assert titles(product=survey.product_id) == [survey.title]
    assert titles(q="包装") == [other.title]
    assert titles(q="hm-xp") == [survey.title]
    assert titles(status="open") == []
    assert client.get(page("list"), {"status": "nonsense"}).status_code == 200


# --- who may see what ---


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("bob", 200),
        ("charlie", 404),  # none of his clients was invited
        ("manager", 200),
        ("other_manager", 404),  # another team's survey
        ("admin_user", 200),
        ("front_desk", 403),
    ],
)
@pytest.mark.parametrize("name", ["detail", "results", "export"])
def test_survey_pages_follow_the_gate(client, request, sent, name, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(page(name, sent.pk)).status_code == status


@pytest.mark.parametrize("name", ["detail", "results", "export", "edit", "question_add"])
def test_anonymous_visitors_of_a_survey_are_sent_to_log_in(client, sent, name):
    response = client.get(page(name, sent.pk))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    response = client.get(page("answer", sent.pk, sent.invitations.first().client_id))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_detail_page_describes_the_segment_it_was_sent_to(client, manager, survey, alices_client):
    surveys.survey_send(survey=survey, by=manager, params={"status": "active"})
    client.force_login(manager)
    response = client.get(page("detail", survey.pk))
    assert response.context["segment"] == [("Status", "Active")]
    assert 'data-testid="segment-panel"' not in response.content.decode()  # the list is fixed


def test_other_managers_see_none_of_another_teams_clients(client, other_manager, answered):
    client.force_login(other_manager)
    assert client.get(page("results", answered.pk)).status_code == 404, "another team's survey"
    # A company-wide survey (an administrator's) is read by every manager, for their own team only.
    Survey.objects.filter(pk=answered.pk).update(team=None)
    response = client.get(page("results", answered.pk))
    assert response.context["rate"]["invited"] == 0
    assert "华信科技" not in response.content.decode()
    book = load_workbook(io.BytesIO(client.get(page("export", answered.pk)).content))
    assert book["Responses"].max_row == 1


def test_a_draft_is_seen_only_by_managers(client, alice, manager, survey):
    client.force_login(alice)
    assert client.get(page("detail", survey.pk)).status_code == 404
    assert survey not in client.get(page("list")).context["page_obj"].object_list


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 404), ("charlie", 404), ("manager", 200), ("other_manager", 404), ("admin_user", 200)],
)
def test_the_answer_page_is_the_clients_owner_and_their_managers(client, request, sent, alices_client, who, status):
    client.force_login(request.getfixturevalue(who))
    url = page("answer", sent.pk, alices_client.pk)
    assert client.get(url).status_code == status
    assert client.post(url, answers(sent)).status_code in ({200: 302}.get(status, status),)
    assert Answer.objects.exists() == (status == 200)


@pytest.mark.parametrize(
    ("who", "status"), [("bob", 404), ("charlie", 404), ("other_manager", 404), ("front_desk", 403)]
)
def test_outsiders_cannot_get_a_clients_link(client, request, sent, alices_client, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.post(page("invitation_link", invitation_of(sent, alices_client).pk)).status_code == status
    assert invitation_of(sent, alices_client).token_hash is None


@pytest.mark.parametrize("who", ["alice", "front_desk"])
@pytest.mark.parametrize("name", ["create", "edit", "question_add", "send", "close"])
def test_only_managers_build_send_and_close_surveys(client, request, survey, who, name):
    client.force_login(request.getfixturevalue(who))
    url = page(name) if name == "create" else page(name, survey.pk)
    assert client.get(url).status_code in (403, 405)
    assert client.post(url, {"title": "x"}).status_code == 403
    survey.refresh_from_db()
    assert survey.status == S.DRAFT


@pytest.mark.parametrize("name", ["list", "create"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(page(name))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


# --- the client card ---


def test_the_client_card_lists_the_surveys_the_client_was_sent(client, alice, sent, alices_client):
    client.force_login(alice)
    body = client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    assert 'data-testid="survey-panel"' in body and sent.title in body and "Fill in" in body
    answer(invitation_of(sent, alices_client), by=alice)
    body = client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    assert "Answered" in body and "Fill in" not in body.split('data-testid="survey-panel"')[1].split("</section>")[0]


def test_the_card_of_a_client_never_surveyed_has_no_survey_panel(client, alice, alices_client):
    client.force_login(alice)
    assert (
        'data-testid="survey-panel"'
        not in client.get(reverse("clients:detail", args=[alices_client.pk])).content.decode()
    )


# --- demo data ---


def test_the_demo_survey_has_answers_both_ways_and_a_second_run_adds_nothing(db):
    from clients import demo
    from crm.demo import seed_people

    seed_people()
    demo.seed()
    survey = Survey.objects.get(product__code="HM-XP-01")
    assert survey.status == S.OPEN and survey.product.name_zh == "黄山(新品)"
    vias = set(survey.invitations.exclude(answered_via="").values_list("answered_via", flat=True))
    assert vias == {"staff", "link"}
    assert survey.invitations.filter(answered_at__isnull=True).exists()
    counts = (
        Survey.objects.count(),
        SurveyInvitation.objects.count(),
        Answer.objects.count(),
        Question.objects.count(),
    )
    demo.seed()
    assert (
        Survey.objects.count(),
        SurveyInvitation.objects.count(),
        Answer.objects.count(),
        Question.objects.count(),
    ) == counts


# --- fuzzing ---


@pytest.mark.parametrize("target", ["question_add", "answer", "public", "detail"])
def test_no_posted_form_or_query_makes_a_survey_page_fail(client, manager, alice, sent, alices_client, target):
    from django.core.cache import cache
    from hypothesis import given

    from clients.segments import SEGMENT_FIELDS
    from clients.survey_forms import QuestionForm
    from tests.crm.test_fuzz import FUZZ, form_params, params

    cache.clear()  # the public page counts requests
    names = [q.field_name for q in sent.questions.all()]
    user, url, fields, method = {
        "question_add": (manager, page("question_add", sent.pk), form_params(QuestionForm), "post"),
        "answer": (alice, page("answer", sent.pk, alices_client.pk), names, "post"),
        "public": (None, None, names, "post"),
        "detail": (manager, page("detail", SurveyFactory(created_by=manager).pk), [*SEGMENT_FIELDS, "preview"], "get"),
    }[target]
    if user is None:
        token = surveys.invitation_link_renew(invitation=invitation_of(sent, alices_client), by=alice)
        url = reverse("survey_public:answer", args=[token])
    else:
        client.force_login(user)

    @FUZZ
    @given(data=params(fields))
    def fuzz(data: dict[str, str]) -> None:
        assert getattr(client, method)(url, data).status_code < 500, data

    fuzz()
    cache.clear()


# --- details of the rules and the results ---


def test_a_closed_survey_cannot_be_edited_nor_its_questions(client, manager, sent):
    surveys.survey_close(survey=sent, by=manager)
    with pytest.raises(ValidationError, match="A closed survey cannot be changed"):
        surveys.survey_update(survey=sent, by=manager, title="新")
    with pytest.raises(ValidationError, match="A closed survey cannot be changed"):
        surveys.question_add(survey=sent, by=manager, text="?", kind="text")
    client.force_login(manager)
    deadline = (timezone.localdate() + timedelta(days=3)).isoformat()
    response = client.post(page("edit", sent.pk), {"title": "新", "deadline": deadline})
    assert "A closed survey cannot be changed." in response.content.decode()
    assert Survey.objects.get(pk=sent.pk).title == sent.title
    assert f'href="/surveys/{sent.pk}/edit/"' not in client.get(page("detail", sent.pk)).content.decode()


def test_the_services_refuse_fields_they_do_not_edit(survey, manager):
    with pytest.raises(ValueError, match="status"):
        surveys.survey_update(survey=survey, by=manager, status="open")
    with pytest.raises(ValueError, match="survey"):
        surveys.question_update(question=survey.questions.first(), by=manager, survey=survey)
    with pytest.raises(ValueError, match="name who entered them"):
        surveys.response_submit(invitation=SurveyInvitation(survey=survey), answers={}, via="staff")


def test_the_link_hash_stays_out_of_the_audit_rows(sent, alices_client, alice):
    invitation = invitation_of(sent, alices_client)
    surveys.invitation_link_renew(invitation=invitation, by=alice)
    fields = {f.name for f in SurveyInvitation.history.model._meta.get_fields()}
    assert "token_hash" not in fields
    latest = invitation.history.first()
    assert (latest.history_user, latest.history_change_reason) == (alice, "A new personal link was made")


def test_an_unknown_token_and_an_expired_survey_open_nothing(sent, alices_client, alice):
    invitation = invitation_of(sent, alices_client)
    token = surveys.invitation_link_renew(invitation=invitation, by=alice)
    assert surveys.invitation_for_token(token) == invitation
    assert surveys.invitation_for_token(token + "x") is None
    Survey.objects.filter(pk=sent.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert surveys.invitation_for_token(token) is None


def test_results_of_a_survey_nobody_answered(client, manager, sent):
    client.force_login(manager)
    response = client.get(page("results", sent.pk))
    assert response.context["rate"]["answered"] == 0 and response.context["rate"]["rate"] == 0.0
    assert [t.answered for t in response.context["tallies"]] == [0] * len(QUESTIONS)
    assert all(t.mean is None for t in response.context["tallies"])
    assert 'data-testid="no-answers"' in response.content.decode()
    rows = list(load_workbook(io.BytesIO(client.get(page("export", sent.pk)).content))["Responses"].iter_rows())
    assert len(rows) == 1  # the header


def test_the_response_rate_of_nobody_invited_is_not_a_division_by_zero(client, other_manager, sent):
    from clients.survey_results import response_rate

    assert response_rate(other_manager, sent)["rate"] is None


def test_a_survey_of_free_text_only_has_no_charts_nor_breakdowns(client, manager, alices_client, alice):
    survey = SurveyFactory(created_by=manager)
    surveys.question_add(survey=survey, by=manager, text="意见", kind="text")
    surveys.survey_send(survey=survey, by=manager, params={})
    question = survey.questions.get()
    surveys.response_submit(
        invitation=invitation_of(survey, alices_client), answers={question.field_name: "好"}, via="staff", by=alice
    )
    client.force_login(manager)
    response = client.get(page("results", survey.pk))
    assert response.context["charts"] == [] and response.context["by_territory"] == []
    assert "No choice or scale questions to break down." in response.content.decode()
    assert [a.text for a in response.context["page_obj"].object_list] == ["好"]


def test_an_answer_reads_as_its_option_number_or_text(sent, alices_client, alice):
    invitation = answer(invitation_of(sent, alices_client), by=alice, q4="12.50")
    shown = {a.question.kind: a.display for a in invitation.answers.select_related("question")}
    assert shown["single"] == "适中" and shown["number"] == "12.5" and shown["scale"] == "4"
    assert str(invitation.answers.filter(question__kind="text").get()) == "其他建议: 希望有小包装"


def test_the_list_counts_only_the_users_own_invitations(client, alice, manager, answered):
    client.force_login(alice)
    row = client.get(page("list")).context["page_obj"].object_list[0]
    assert (row.invited, row.answered) == (1, 1)
    client.force_login(manager)
    row = client.get(page("list")).context["page_obj"].object_list[0]
    assert (row.invited, row.answered) == (2, 2)


def test_the_survey_page_offers_filling_in_and_links_only_while_answers_are_accepted(client, alice, manager, sent):
    client.force_login(alice)
    body = client.get(page("detail", sent.pk)).content.decode()
    assert "Fill in" in body and "Get link" in body
    surveys.survey_close(survey=sent, by=manager)
    body = client.get(page("detail", sent.pk)).content.decode()
    assert "Fill in" not in body and "Get link" not in body


def test_telling_the_owners_twice_creates_no_second_notification(sent, alice):
    from clients.surveys import _tell_owners

    _tell_owners(sent, {alice.pk: 1})
    assert Notification.objects.filter(recipient=alice, key=f"survey:{sent.pk}:sent").count() == 1


def test_a_company_wide_survey_is_read_only_to_managers_and_another_teams_is_hidden(
    client, manager, other_manager, admin_user
):
    mine = SurveyFactory(created_by=manager)
    assert mine.team_id == manager.team_id
    company = surveys.survey_create(by=admin_user, title="全公司调查", deadline=timezone.localdate())
    assert company.team_id is None
    client.force_login(manager)
    assert client.get(page("edit", company.pk)).status_code == 403
    assert client.post(page("send", company.pk), {}).status_code == 403
    assert client.post(page("close", company.pk)).status_code == 403
    assert client.get(page("detail", company.pk)).status_code == 200
    assert client.get(page("edit", mine.pk)).status_code == 200
    client.force_login(other_manager)
    assert client.get(page("detail", mine.pk)).status_code == 404
    assert mine not in client.get(page("list")).context["page_obj"].object_list
