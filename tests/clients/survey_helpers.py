"""Building blocks of the survey tests (MKT-4): a survey with one question of each kind, and
the answers a client would give to it, through the services as the pages do."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from clients import surveys
from clients.models import Survey, SurveyInvitation
from tests.factories import ProductFactory

QUESTIONS = [
    {"text": "您对新品的口味期望？", "kind": "single", "choices": ["偏淡", "适中", "偏浓"]},
    {"text": "您会通过哪些渠道订货？", "kind": "multiple", "choices": ["电话", "上门", "网上"]},
    {"text": "您对新品的兴趣有多大？", "kind": "scale"},
    {"text": "预计每月订货量（条）", "kind": "number", "min_value": Decimal("0"), "max_value": Decimal("1000")},
    {"text": "其他建议", "kind": "text", "required": False},
]


def make_survey(by, *, product: Any = "new", title: str = "黄山新品上市前调查", days: int = 14) -> Survey:
    if product == "new":
        product = ProductFactory(code="HM-XP-01", name_zh="黄山(新品)", name_en="Huangshan (new)")
    survey = surveys.survey_create(
        by=by,
        title=title,
        product=product,
        intro="请花两分钟回答。",
        deadline=timezone.localdate() + timedelta(days=days),
    )
    for question in QUESTIONS:
        surveys.question_add(survey=survey, by=by, **question)
    return survey


def answers(survey: Survey, **changes: Any) -> dict[str, Any]:
    """Form data of a complete response; ``changes`` by position: ``q1="2"``, ``q5=None`` drops."""
    questions = list(survey.questions.all())
    data: dict[str, Any] = {
        questions[0].field_name: "1",
        questions[1].field_name: ["0", "2"],
        questions[2].field_name: "4",
        questions[3].field_name: "120",
        questions[4].field_name: "希望有小包装",
    }
    for key, value in changes.items():
        name = questions[int(key[1:]) - 1].field_name
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def cleaned(survey: Survey, **changes: Any) -> dict[str, Any]:
    """The same response as the service takes it (what the form's cleaning gives)."""
    data = answers(survey, **changes)
    kinds = {q.field_name: q.kind for q in survey.questions.all()}
    out: dict[str, Any] = {}
    for name, value in data.items():
        kind = kinds[name]
        if kind == "multiple":
            out[name] = [int(v) for v in value]
        elif kind in ("single", "scale"):
            out[name] = int(value)
        elif kind == "number":
            out[name] = Decimal(value)
        else:
            out[name] = value
    return out


def answer(invitation: SurveyInvitation, by=None, **changes: Any) -> SurveyInvitation:
    via = SurveyInvitation.Via.STAFF if by is not None else SurveyInvitation.Via.LINK
    return surveys.response_submit(invitation=invitation, answers=cleaned(invitation.survey, **changes), via=via, by=by)
