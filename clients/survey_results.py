"""A survey's results (MKT-4): response rate, tallies, breakdowns, free text and the export.

Every read goes through the invitations' and answers' gate: an account manager's results are
their clients' answers, a manager's their team's, an administrator's all. Counting is done by
the database, a fixed number of queries whatever the number of answers: one GROUP BY over the
answer rows per table (each option chosen is a row, see clients.models.surveys).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, F, Max, Min, Q, QuerySet
from django.utils.translation import gettext as _

from clients.models import Answer, Question, Survey, SurveyInvitation
from clients.models.surveys import SCALE
from crm.models import User

K = Question.Kind
COUNTED = (K.SINGLE, K.MULTIPLE, K.SCALE)  # the kinds shown as bars of a chart
BREAKDOWNS = {"territory": "invitation__client__territory__name", "level": "invitation__client__level"}


@dataclass
class Tally:
    question: Question
    answered: int = 0  # respondents who answered this question
    labels: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    mean: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def charted(self) -> bool:
        return self.question.kind in COUNTED

    @property
    def rows(self) -> list[tuple[str, int]]:
        return list(zip(self.labels, self.counts, strict=True))


def labels(question: Question) -> list[str]:
    if question.is_choice:
        return list(question.choices)
    if question.kind == K.SCALE:
        return [str(value) for value in range(SCALE[0], SCALE[1] + 1)]
    return []


def _slot(question: Question, choice: int | None, number: Decimal | None) -> int | None:
    """Which bar an answer row counts towards."""
    if question.is_choice:
        return choice if choice is not None and choice < len(question.choices) else None
    if question.kind == K.SCALE and number is not None:
        return int(number) - SCALE[0]
    return None


def answers_of(user: User, survey: Survey) -> QuerySet[Answer]:
    return Answer.objects.visible_to(user).filter(question__survey=survey)


def invitations_of(user: User, survey: Survey) -> QuerySet[SurveyInvitation]:
    return SurveyInvitation.objects.visible_to(user).filter(survey=survey)


def response_rate(user: User, survey: Survey) -> dict[str, Any]:
    """Invited, answered (by staff and through the link) and the rate: one query."""
    figures = invitations_of(user, survey).aggregate(
        invited=Count("pk"),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
        by_staff=Count("pk", filter=Q(answered_via=SurveyInvitation.Via.STAFF)),
        by_link=Count("pk", filter=Q(answered_via=SurveyInvitation.Via.LINK)),
    )
    invited = figures["invited"]
    figures["rate"] = round(100 * figures["answered"] / invited, 1) if invited else None
    return figures


def tallies(user: User, survey: Survey, questions: list[Question]) -> list[Tally]:
    """Each question's counts per option (or scale value), and for numbers and scales the mean,
    smallest and largest: two queries."""
    answers = answers_of(user, survey)
    result = {q.pk: Tally(question=q, labels=labels(q), counts=[0] * len(labels(q))) for q in questions}
    summary = answers.values("question_id").annotate(
        answered=Count("invitation", distinct=True), mean=Avg("number"), low=Min("number"), high=Max("number")
    )
    for row in summary.order_by():
        tally = result.get(row["question_id"])
        if tally is not None:
            tally.answered = row["answered"]
            if tally.question.kind in (K.NUMBER, K.SCALE) and row["mean"] is not None:
                tally.mean, tally.low, tally.high = (
                    Decimal(row["mean"]).quantize(Decimal("0.01")),
                    row["low"],
                    row["high"],
                )
    counted = answers.filter(question__kind__in=COUNTED).values("question_id", "choice", "number")
    for row in counted.annotate(n=Count("pk")).order_by():
        tally = result.get(row["question_id"])
        slot = _slot(tally.question, row["choice"], row["number"]) if tally else None
        if slot is not None and 0 <= slot < len(tally.counts):
            tally.counts[slot] += row["n"]
    return [result[q.pk] for q in questions]


def breakdown(user: User, survey: Survey, questions: list[Question], by: str) -> list[dict[str, Any]]:
    """For each charted question, the counts per option in each territory (or client level):
    one query. Levels are the clients' current ones."""
    counted = [q for q in questions if q.kind in COUNTED]
    if not counted:
        return []
    rows = (
        answers_of(user, survey)
        .filter(question__kind__in=COUNTED)
        .values("question_id", "choice", "number", group=F(BREAKDOWNS[by]))
        .annotate(n=Count("pk"))
        .order_by()
    )
    none = _("No territory") if by == "territory" else _("Not graded")
    grid: dict[int, dict[str, list[int]]] = {q.pk: {} for q in counted}
    by_pk = {q.pk: q for q in counted}
    for row in rows:
        question = by_pk.get(row["question_id"])
        if question is None:
            continue
        slot = _slot(question, row["choice"], row["number"])
        counts = grid[question.pk].setdefault(row["group"] or none, [0] * len(labels(question)))
        if slot is not None and 0 <= slot < len(counts):
            counts[slot] += row["n"]
    return [
        {"question": q, "labels": labels(q), "groups": sorted(grid[q.pk].items(), key=lambda item: item[0])}
        for q in counted
    ]


def text_answers(user: User, survey: Survey) -> QuerySet[Answer]:
    """The free-text answers, question by question, newest first (a page at a time)."""
    return (
        answers_of(user, survey)
        .filter(question__kind=K.TEXT)
        .select_related("question", "invitation__client")
        .order_by("question__position", "-invitation__answered_at", "pk")
    )


def chart_data(items: list[Tally]) -> list[dict[str, Any]]:
    """What the page's script draws: one bar chart per charted question."""
    return [{"canvas": f"chart-{t.question.pk}", "labels": t.labels, "counts": t.counts} for t in items if t.charted]


def response_rows(user: User, survey: Survey, questions: list[Question]) -> Iterator[list[Any]]:
    """One row per answered invitation: the client, who answered how and when, then one cell per
    question (the options of a multiple choice joined with "; "). Two queries."""
    invitations = (
        invitations_of(user, survey)
        .filter(answered_at__isnull=False)
        .select_related("client", "client__owner", "client__territory", "answered_by")
        .order_by("answered_at", "pk")
    )
    cells: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
    by_pk = {q.pk: q for q in questions}
    rows = answers_of(user, survey).filter(invitation__answered_at__isnull=False).order_by("choice", "pk")
    for invitation_id, question_id, choice, number, text in rows.values_list(
        "invitation_id", "question_id", "choice", "number", "text"
    ):
        question = by_pk.get(question_id)
        if question is None:
            continue
        if question.is_choice:
            value: Any = question.choices[choice] if choice is not None and choice < len(question.choices) else choice
        elif number is not None:
            value = int(number) if question.kind == K.SCALE else number
        else:
            value = text
        cells[invitation_id][question_id].append(value)
    for invitation in invitations:
        client = invitation.client
        answered = cells.get(invitation.pk, {})
        yield [
            client.code,
            client.name,
            str(client.owner),
            client.territory.name if client.territory else "",
            client.level,
            invitation.answered_at,
            invitation.get_answered_via_display(),
            str(invitation.answered_by or ""),
            *(_cell(answered.get(q.pk, [])) for q in questions),
        ]


def _cell(values: list[Any]) -> Any:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return "; ".join(str(value) for value in values)
