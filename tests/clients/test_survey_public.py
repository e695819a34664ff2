"""The client's personal survey link, /s/<token>/ (MKT-4): answering without an account, and
what a used, expired, guessed or tampered link, a script, a flood of requests and two submits at
once get."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clients import surveys
from clients.models import Answer, Survey, SurveyInvitation
from clients.views import survey_public
from tests.clients.survey_helpers import answer, answers, make_survey
from tests.concurrency import race

INVALID = 'data-testid="link-invalid"'


@pytest.fixture(autouse=True)
def fresh_counts():
    """The request counters live in the cache, shared by every test of the process."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(manager, alices_client):
    survey = make_survey(manager)
    surveys.survey_send(survey=survey, by=manager, params={})
    return survey


@pytest.fixture
def invitation(survey, alices_client):
    return SurveyInvitation.objects.get(survey=survey, client=alices_client)


@pytest.fixture
def link(invitation, alice):
    return reverse("survey_public:answer", args=[surveys.invitation_link_renew(invitation=invitation, by=alice)])


def test_the_link_opens_the_survey_without_logging_in_and_on_a_page_of_its_own(client, link, survey):
    response = client.get(link)
    assert response.status_code == 200
    body = response.content.decode()
    assert survey.title in body and 'data-testid="public-form"' in body
    assert "<nav" not in body and "<a " not in body  # no menu, no link into the application
    assert "华信科技" not in body  # the client's own name is not needed to answer
    assert "<script" not in body
    assert "sessionid" not in response.cookies
    assert "no-store" in response["Cache-Control"]
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_answering_through_the_link_records_the_response_once_and_kills_the_link(client, link, invitation, survey):
    response = client.post(link, answers(survey))
    assert response.status_code == 302 and response.url == reverse("survey_public:thanks")
    thanks = client.get(response.url)
    assert thanks.status_code == 200 and 'data-testid="thanks"' in thanks.content.decode()
    invitation.refresh_from_db()
    assert (invitation.answered_via, invitation.answered_by, invitation.token_hash) == ("link", None, None)
    assert invitation.answers.count() == 6
    assert invitation.history.first().history_user is None
    again = client.post(link, answers(survey, q1="2"))
    assert again.status_code == 404 and INVALID in again.content.decode()
    assert client.get(link).status_code == 404
    assert invitation.answers.filter(question__kind="single").get().choice == 1


def test_bad_answers_are_shown_next_to_the_question_in_the_clients_language(client, link, survey):
    response = client.post(link, answers(survey, q4="很多", q5="x" * 10_000), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    errors = response.context["form"].errors
    names = [q.field_name for q in survey.questions.all()]
    assert set(errors) == {names[3], names[4]}
    assert response.context["LANGUAGE_CODE"] == "zh-hans"
    assert not Answer.objects.exists()
    assert not SurveyInvitation.objects.filter(answered_at__isnull=False).exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"q1": "99"}, "Select a valid choice. 99 is not one of the available choices."),
        ({"q3": None}, "This field is required."),
        ({"q4": "abc"}, "Enter a number."),
        ({"q4": "5000"}, "Ensure this value is less than or equal to 1000.00."),
        ({"q5": "字" * 10_000}, "Ensure this value has at most 2000 characters (it has 10000)."),
    ],
)
def test_each_bad_answer_gets_its_message_and_nothing_is_saved(client, link, survey, changes, message):
    response = client.post(link, answers(survey, **changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert [message] in response.context["form"].errors.values()
    assert not Answer.objects.exists()


def test_a_script_typed_as_an_answer_is_kept_as_text_and_shown_escaped(client, link, survey, manager):
    script = "<script>alert('x')</script>"
    assert client.post(link, answers(survey, q5=script)).status_code == 302
    assert Answer.objects.get(question__kind="text").text == script
    staff = Client()
    staff.force_login(manager)
    body = staff.get(reverse("surveys:results", args=[survey.pk])).content.decode()
    assert script not in body and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body


def test_a_script_in_the_survey_is_escaped_on_the_public_page(client, manager, alices_client, alice):
    script = "<script>alert(1)</script>"
    survey = make_survey(manager, title=script)
    Survey.objects.filter(pk=survey.pk).update(intro=script)
    surveys.survey_send(survey=survey, by=manager, params={})
    invitation = SurveyInvitation.objects.get(survey=survey)
    token = surveys.invitation_link_renew(invitation=invitation, by=alice)
    body = client.get(reverse("survey_public:answer", args=[token])).content.decode()
    assert script not in body and body.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2


def _same_answer(response) -> tuple[int, str]:
    """What a visitor learns: the status and the page's message (the footer's language switch
    holds the page's own address and a CSRF token)."""
    body = response.content.decode()
    return response.status_code, body[body.index("<main") : body.index("</main>")]


@pytest.mark.parametrize("case", ["guessed", "tampered", "expired", "closed", "answered", "renewed", "huge"])
def test_a_link_that_does_not_work_gets_one_page_that_tells_nothing(client, link, invitation, survey, manager, case):
    token = link.rstrip("/").rsplit("/", 1)[1]
    if case == "guessed":
        link = reverse("survey_public:answer", args=["A" * 43])
    elif case == "tampered":
        link = reverse("survey_public:answer", args=[token[:-1] + ("A" if token[-1] != "A" else "B")])
    elif case == "expired":
        Survey.objects.filter(pk=survey.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    elif case == "closed":
        surveys.survey_close(survey=survey, by=manager)
    elif case == "answered":
        answer(invitation, by=invitation.client.owner)
    elif case == "renewed":
        surveys.invitation_link_renew(invitation=invitation, by=manager)
    elif case == "huge":
        link = reverse("survey_public:answer", args=["A" * 5000])
    unknown = client.get(reverse("survey_public:answer", args=["B" * 43]))
    for response in (client.get(link), client.post(link, answers(survey))):
        assert _same_answer(response) == _same_answer(unknown)
        assert response.status_code == 404 and INVALID in response.content.decode()
        assert survey.title not in response.content.decode()
    assert Answer.objects.count() == (6 if case == "answered" else 0)


def test_the_link_works_on_its_last_day(client, link, survey):
    Survey.objects.filter(pk=survey.pk).update(deadline=timezone.localdate())
    assert client.get(link).status_code == 200


def test_too_many_requests_from_one_address_are_refused_for_a_while(client, link, monkeypatch):
    monkeypatch.setattr(survey_public, "PER_ADDRESS", 3)
    guesses = [reverse("survey_public:answer", args=[f"{n:043d}"]) for n in range(3)]
    assert [client.get(url).status_code for url in guesses] == [404, 404, 404]
    refused = client.get(link)  # even a good link: the address is guessing
    assert refused.status_code == 429 and 'data-testid="rate-limited"' in refused.content.decode()
    elsewhere = Client(REMOTE_ADDR="10.0.0.9")
    assert elsewhere.get(link).status_code == 200
    cache.clear()  # the window is over
    assert client.get(link).status_code == 200


def test_too_many_requests_with_one_link_are_refused_from_any_address(link, monkeypatch):
    monkeypatch.setattr(survey_public, "PER_LINK", 2)
    statuses = [Client(REMOTE_ADDR=f"10.0.0.{n}").get(link).status_code for n in range(1, 4)]
    assert statuses == [200, 200, 429]


def test_the_form_keeps_csrf_protection_without_a_session(link, survey):
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(link, answers(survey)).status_code == 403
    page = browser.get(link)
    token = page.cookies["csrftoken"].value
    response = browser.post(link, {**answers(survey), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert "sessionid" not in response.cookies


def test_the_public_pages_take_only_get_and_post(client, link):
    assert client.put(link).status_code == 405
    assert client.post(reverse("survey_public:thanks")).status_code == 405


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_link_at_once_keep_exactly_one_response(manager, alice):
    from tests.factories import ClientFactory

    client_ = ClientFactory(owner=alice)
    survey = make_survey(manager)
    surveys.survey_send(survey=survey, by=manager, params={})
    invitation = SurveyInvitation.objects.get(client=client_)
    url = reverse("survey_public:answer", args=[surveys.invitation_link_renew(invitation=invitation, by=alice)])
    data = answers(survey)
    browsers = [Client() for _ in range(6)]
    responses = race([lambda b=b: b.post(url, data) for b in browsers])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302, 404, 404, 404, 404, 404], statuses
    assert Answer.objects.filter(invitation=invitation).count() == 6
    assert SurveyInvitation.objects.get(pk=invitation.pk).answered_via == "link"


@pytest.mark.django_db(transaction=True)
def test_the_link_and_the_account_manager_at_once_keep_exactly_one_response(manager, alice):
    from tests.concurrency import logged_in
    from tests.factories import ClientFactory

    client_ = ClientFactory(owner=alice)
    survey = make_survey(manager)
    surveys.survey_send(survey=survey, by=manager, params={})
    invitation = SurveyInvitation.objects.get(client=client_)
    public = reverse("survey_public:answer", args=[surveys.invitation_link_renew(invitation=invitation, by=alice)])
    staff = reverse("surveys:answer", args=[survey.pk, client_.pk])
    data = answers(survey)
    browsers = [(Client(), public) for _ in range(3)] + [(logged_in(alice), staff) for _ in range(3)]
    calls = [lambda b=b, url=url: b.post(url, data) for b, url in browsers]
    responses = race(calls)
    assert all(r.status_code < 500 for r in responses)
    assert Answer.objects.filter(invitation=invitation).count() == 6
    done = {reverse("survey_public:thanks"), survey.get_absolute_url()}
    winners = [r for r in responses if r.status_code == 302 and r.url in done]
    assert len(winners) == 1, [(r.status_code, r.get("Location")) for r in responses]
    stored = SurveyInvitation.objects.get(pk=invitation.pk)
    assert (winners[0].url == reverse("survey_public:thanks")) == (stored.answered_via == "link")
