"""The client's personal survey link (MKT-4): /s/<token>/, no log-in and no session.

It opens one survey for one client and nothing else: a page of its own (no menu, no link into
the application), the same "no longer valid" page for an unknown, used, expired or closed link
(whoever holds one learns nothing from it), and a count of requests per address and per link
so that tokens cannot be guessed by trying (a 256-bit token is not guessable anyway; the limit
keeps a leaked link and a scan from loading the database). CSRF protection stays on: its cookie
needs no session.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clients import surveys
from clients.models import SurveyInvitation
from clients.survey_forms import AnswerForm
from crm import ratelimit
from crm.forms import add_service_errors

WINDOW = 10 * 60  # seconds
PER_ADDRESS = 60  # requests from one address in a window (an office behind one address answers too)
PER_LINK = 30  # requests with one link in a window: a client reloads a few times, a script many
TOKEN_MAX = 100  # characters; ours have 43


def _refused(request: HttpRequest, token: str) -> HttpResponse | None:
    within = ratelimit.allow("survey-address", ratelimit.client_address(request), limit=PER_ADDRESS, window=WINDOW)
    within = ratelimit.allow("survey-link", token[:TOKEN_MAX], limit=PER_LINK, window=WINDOW) and within
    if not within:
        return render(request, "clients/surveys/public_limited.html", status=429)
    return None


def _invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "clients/surveys/public_invalid.html", status=404)


@never_cache
@require_http_methods(["GET", "POST"])
def public_answer(request: HttpRequest, token: str) -> HttpResponse:
    refused = _refused(request, token)
    if refused is not None:
        return refused
    invitation = surveys.invitation_for_token(token) if len(token) <= TOKEN_MAX else None
    if invitation is None:
        return _invalid(request)
    survey = invitation.survey
    form = AnswerForm(request.POST or None, questions=list(survey.questions.all()))
    if request.method == "POST" and form.is_valid():
        try:
            surveys.response_submit(invitation=invitation, answers=form.answers(), via=SurveyInvitation.Via.LINK)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # answered a moment ago, or just closed
                return _invalid(request)
            add_service_errors(form, error)
        else:
            return redirect("survey_public:thanks")
    return render(request, "clients/surveys/public_form.html", {"survey": survey, "form": form})


@never_cache
@require_GET
def public_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "clients/surveys/public_thanks.html")
