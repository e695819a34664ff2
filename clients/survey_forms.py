"""Forms of product surveys (MKT-4): the survey, a question, and the answers of one client."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.forms import DATE
from clients.models import Product, Question, Survey
from clients.models.surveys import SCALE, TEXT_ANSWER_MAX
from clients.surveys import MAX_CHOICES

K = Question.Kind


class SurveyForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["title", "product", "intro", "deadline"]
        widgets = {"deadline": DATE, "intro": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).select_related("brand")
        self.fields["product"].help_text = _("The catalogue product the survey prepares the launch of, if any.")
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()


class QuestionForm(forms.Form):
    text = forms.CharField(label=_("Question"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=K.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False, initial=True)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("For a single or multiple choice: one choice per line, at most %(count)d.")
        % {"count": MAX_CHOICES},
    )
    min_value = forms.DecimalField(label=_("Smallest number"), required=False, max_digits=12, decimal_places=2)
    max_value = forms.DecimalField(label=_("Largest number"), required=False, max_digits=12, decimal_places=2)

    def __init__(self, data: Any = None, *, question: Question | None = None, **kwargs: Any) -> None:
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "text": question.text,
                "kind": question.kind,
                "required": question.required,
                "choices": "\n".join(question.choices),
                "min_value": question.min_value,
                "max_value": question.max_value,
            }
        super().__init__(data, **kwargs)
        self.fields["min_value"].help_text = _("For a number: leave empty for no limit.")

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]


class AnswerForm(forms.Form):
    """The answers of one client, one field per question (named ``q<id>``), with the questions'
    rules: a field error next to each answer that is missing or not allowed."""

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.field_name] = _field(question)

    def answers(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


def _field(question: Question) -> forms.Field:
    common = {"label": question.text, "required": question.required}
    if question.kind == K.SINGLE:
        return forms.TypedChoiceField(
            coerce=int, choices=list(enumerate(question.choices)), widget=forms.RadioSelect, empty_value=None, **common
        )
    if question.kind == K.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            coerce=int, choices=list(enumerate(question.choices)), widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == K.SCALE:
        values = [(value, str(value)) for value in range(SCALE[0], SCALE[1] + 1)]
        return forms.TypedChoiceField(
            coerce=int,
            choices=values,
            widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
            empty_value=None,
            help_text=_("1 = not at all, 5 = very much"),
            **common,
        )
    if question.kind == K.NUMBER:
        return forms.DecimalField(
            max_digits=12,
            decimal_places=2,
            min_value=question.min_value,
            max_value=question.max_value,
            **common,
        )
    return forms.CharField(
        max_length=TEXT_ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_ANSWER_MAX}),
        help_text=_("At most %(count)d characters.") % {"count": TEXT_ANSWER_MAX},
        **common,
    )
