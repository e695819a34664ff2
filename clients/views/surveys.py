"""Product surveys (MKT-4): the list, building and sending one, answering for a client, results."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from clients import survey_results, surveys
from clients.filters import SurveyFilter
from clients.models import Question, Survey, SurveyInvitation
from clients.models.querysets import client_scope, may_plan
from clients.segments import segment_clients, segment_description, segment_filter, segment_params
from clients.survey_forms import AnswerForm, QuestionForm, SurveyForm
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CLIENT_ROLES, Role
from crm.spreadsheets.export import xlsx_append, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BUILDERS = (Role.MANAGER,)  # and administrators, who pass every role check


def _survey(request: HttpRequest, pk: int) -> Survey:
    return get_visible_or_404(Survey.objects.select_related("product", "created_by", "sent_by"), request.user, pk=pk)


def _planned_survey(request: HttpRequest, pk: int) -> Survey:
    """A survey the user may change or send: their team's (or any, for an administrator). A
    company-wide survey or another team's is read-only to a manager (403)."""
    survey = _survey(request, pk)
    if not may_plan(request.user, survey):
        raise PermissionDenied
    return survey


def _is_builder(request: HttpRequest) -> bool:
    return request.user.role in (Role.MANAGER, Role.ADMIN)


@role_required(*CLIENT_ROLES)
def survey_list(request: HttpRequest) -> HttpResponse:
    scope = client_scope(request.user, "invitations__client__")
    mine = Q() if scope is None else scope
    rows = (
        Survey.objects.visible_to(request.user)
        .select_related("product", "created_by")
        .annotate(
            invited=Count("invitations", filter=mine),
            answered=Count("invitations", filter=mine & Q(invitations__answered_at__isnull=False)),
        )
        .order_by("-created_at", "-pk")
    )
    filterset = SurveyFilter(request.GET, queryset=rows)
    context = {"filter": filterset, "page_obj": paginate(request, filterset.qs), "is_builder": _is_builder(request)}
    return render(request, "clients/surveys/survey_list.html", context)


@role_required(*BUILDERS)
def survey_create(request: HttpRequest) -> HttpResponse:
    form = SurveyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                survey = surveys.survey_create(by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Survey created. Now add its questions."))
                return redirect(survey)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    return render(request, "clients/surveys/survey_form.html", {"form": form, "survey": None})


@role_required(*BUILDERS)
def survey_edit(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _planned_survey(request, pk)
    form = SurveyForm(request.POST or None, instance=survey)
    if request.method == "POST":
        if form.is_valid():
            try:
                surveys.survey_update(survey=survey, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Survey saved."))
                return redirect(survey)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    return render(request, "clients/surveys/survey_form.html", {"form": form, "survey": survey})


@role_required(*CLIENT_ROLES)
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The questions, the segment (chosen and previewed here while a draft), the invitations
    the user may see with their state, and the way to the results."""
    survey = _survey(request, pk)
    builder = _is_builder(request) and may_plan(request.user, survey)
    invitations = (
        survey_results.invitations_of(request.user, survey)
        .select_related("client", "client__owner", "answered_by")
        .order_by("client__name", "pk")
    )
    context = {
        "survey": survey,
        "questions": list(survey.questions.all()),
        "is_builder": builder,
        "editable": builder and surveys.questions_editable(survey),
        "rate": survey_results.response_rate(request.user, survey),
        "page_obj": paginate(request, invitations),
        "accepting": survey.accepts_answers(),
        "today": timezone.localdate(),
    }
    if survey.status == Survey.Status.DRAFT and builder:
        params = segment_params(request.GET)
        filterset = segment_filter(request.user, params)
        context["segment_filter"] = filterset
        context["segment_params"] = params
        if request.GET.get("preview") and filterset.is_valid():
            context["preview_count"] = segment_clients(request.user, params).count()
    elif survey.status != Survey.Status.DRAFT:
        # Described with the reader's filters: an owner they cannot see is left out of the description.
        context["segment"] = segment_description(request.user, survey.segment) if survey.segment else []
    return render(request, "clients/surveys/survey_detail.html", context)


@require_POST
@role_required(*BUILDERS)
def survey_send(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _planned_survey(request, pk)
    try:
        count = surveys.survey_send(survey=survey, by=request.user, params=request.POST)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("Survey sent to %(count)d clients; their account managers were told.") % {"count": count}
        )
    return redirect(survey)


@require_POST
@role_required(*BUILDERS)
def survey_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _planned_survey(request, pk)
    try:
        surveys.survey_close(survey=survey, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Survey closed: no more answers are accepted and the links stop working."))
    return redirect(survey)


# --- questions ---


@role_required(*BUILDERS)
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _planned_survey(request, pk)
    return _question_form(request, survey, None)


@role_required(*BUILDERS)
def question_edit(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    return _question_form(request, question.survey, question)


def _question(request: HttpRequest, pk: int) -> Question:
    question = get_object_or_404(Question.objects.select_related("survey"), pk=pk)
    _planned_survey(request, question.survey_id)  # through the survey's gate, and its team's
    return question


def _question_form(request: HttpRequest, survey: Survey, question: Question | None) -> HttpResponse:
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST":
        if form.is_valid():
            try:
                if question is None:
                    surveys.question_add(survey=survey, by=request.user, **form.cleaned_data)
                else:
                    surveys.question_update(question=question, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Question saved."))
                return redirect(survey)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    context = {"form": form, "survey": survey, "question": question, "editable": surveys.questions_editable(survey)}
    return render(request, "clients/surveys/question_form.html", context)


@require_POST
@role_required(*BUILDERS)
def question_remove(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    try:
        surveys.question_remove(question=question, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Question removed."))
    return redirect(question.survey)


@require_POST
@role_required(*BUILDERS)
def question_move(request: HttpRequest, pk: int) -> HttpResponse:
    question = _question(request, pk)
    try:
        surveys.question_move(question=question, by=request.user, up=request.POST.get("direction") == "up")
    except ValidationError as error:
        messages.error(request, error.messages[0])
    return redirect(question.survey)


# --- answers ---


def _invitation(request: HttpRequest, **lookup: int) -> SurveyInvitation:
    queryset = SurveyInvitation.objects.select_related("survey", "survey__product", "client", "answered_by")
    return get_visible_or_404(queryset, request.user, **lookup)


@role_required(*CLIENT_ROLES)
def answer_fill(request: HttpRequest, pk: int, client_id: int) -> HttpResponse:
    """The account manager enters a client's answers, on a visit or a call."""
    invitation = _invitation(request, survey_id=pk, client_id=client_id)
    survey = invitation.survey
    questions = list(survey.questions.all())
    open_ = invitation.answered_at is None and survey.accepts_answers()
    form = AnswerForm(request.POST or None, questions=questions) if open_ else None
    if request.method == "POST" and form is None:
        # Answered meanwhile (another tab, or the client through the link) or closed: say so.
        messages.error(
            request,
            _(
                "These answers were not saved: the client has answered already, "
                "or the survey no longer accepts answers."
            ),
        )
    elif request.method == "POST":
        if form.is_valid():
            try:
                surveys.response_submit(
                    invitation=invitation, answers=form.answers(), via=SurveyInvitation.Via.STAFF, by=request.user
                )
            except ValidationError as error:
                if not hasattr(error, "error_dict"):  # answered meanwhile, or closed: nothing to fix here
                    messages.error(request, error.messages[0])
                    return redirect(request.path)
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("The answers of %(client)s were saved.") % {"client": invitation.client.name}
                )
                return redirect(survey)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    context = {
        "survey": survey,
        "invitation": invitation,
        "form": form,
        "answers": invitation.answers.select_related("question") if invitation.answered_at else [],
    }
    return render(request, "clients/surveys/answer_form.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def invitation_link(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a new personal link for a client and show it once (only its hash is stored)."""
    invitation = _invitation(request, pk=pk)
    try:
        token = surveys.invitation_link_renew(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect(invitation.survey)
    link = request.build_absolute_uri(reverse("survey_public:answer", args=[token]))
    return render(request, "clients/surveys/invitation_link.html", {"invitation": invitation, "link": link})


# --- results ---


@role_required(*CLIENT_ROLES)
def survey_results_page(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _survey(request, pk)
    questions = list(survey.questions.all())
    tallies = survey_results.tallies(request.user, survey, questions)
    context = {
        "survey": survey,
        "rate": survey_results.response_rate(request.user, survey),
        "tallies": tallies,
        "charts": survey_results.chart_data(tallies),
        "by_territory": survey_results.breakdown(request.user, survey, questions, "territory"),
        "by_level": survey_results.breakdown(request.user, survey, questions, "level"),
        "page_obj": paginate(request, survey_results.text_answers(request.user, survey)),
        "has_text": any(q.kind == Question.Kind.TEXT for q in questions),
    }
    return render(request, "clients/surveys/survey_results.html", context)


@role_required(*CLIENT_ROLES)
def survey_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every response the user may see, one row each and one column per question; and the
    tallies on a second sheet (X-3)."""
    survey = _survey(request, pk)
    questions = list(survey.questions.all())
    book = Workbook()
    sheet = book.active
    sheet.title = _("Responses")
    header = [
        _("Client code"),
        _("Client"),
        _("Account manager"),
        _("Territory"),
        _("Level"),
        _("Answered"),
        _("Answered by"),
        _("Entered by"),
        *(f"{n}. {q.text}" for n, q in enumerate(questions, start=1)),
    ]
    xlsx_append(sheet, header)
    for row in survey_results.response_rows(request.user, survey, questions):
        row[5] = timezone.localtime(row[5]).replace(tzinfo=None)
        xlsx_append(sheet, row)
    tallies = book.create_sheet(_("Tallies"))
    xlsx_append(tallies, [_("Question"), _("Answer"), _("Count")])
    for tally in survey_results.tallies(request.user, survey, questions):
        for label, count in tally.rows:
            xlsx_append(tallies, [tally.question.text, label, count])
        if tally.mean is not None:
            xlsx_append(tallies, [tally.question.text, _("Mean"), tally.mean])
        xlsx_append(tallies, [tally.question.text, _("Answered"), tally.answered])
    for page in (sheet, tallies):
        for cell in page[1]:
            cell.font = Font(bold=True)
    response = HttpResponse(xlsx_bytes(book), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
