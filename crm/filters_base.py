"""A FilterSet whose widgets carry Bootstrap classes, so list pages render them cheaply."""

import django_filters
from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

ALL = _("All")

SELECT_CSS = "form-select form-select-sm"
INPUT_CSS = "form-control form-control-sm"


class StyledFilterSet(django_filters.FilterSet):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Each instance's filters are deep copies of the class's; a form field built on the class's
        # filter once (the fuzz test reads their widgets) is copied too, and would keep the empty
        # queryset a subclass replaces in its __init__ (an owner filter refusing every owner).
        for flt in self.filters.values():
            flt.__dict__.pop("_field", None)
            if isinstance(flt, django_filters.OrderingFilter):
                flt.extra["choices"] = _sort_choices(flt.extra["choices"])

    @property
    def form(self) -> forms.Form:
        form = super().form
        if not getattr(form, "_styled", False):
            for name, field in form.fields.items():
                if isinstance(field.widget, forms.NullBooleanSelect):
                    # Django's "Unknown" reads as a value here; an empty yes/no filter is "all".
                    field.widget.choices = [("unknown", ALL), ("true", _("Yes")), ("false", _("No"))]
                elif isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple):
                    _empty_choice_is_all(field)
                css = SELECT_CSS if isinstance(field.widget, forms.Select) else INPUT_CSS
                if self.is_bound and name in form.errors:
                    css += " is-invalid"
                field.widget.attrs["class"] = css
            form._styled = True
        return form


def _sort_choices(choices: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """django-filter writes "Name (descending)" once, in English, when the class is defined, and
    ships no zh_Hans catalogue: the descending labels are rebuilt here, in the reader's language."""
    labels = dict(choices)
    return [
        (value, format_lazy(_("{} (descending)"), labels[value[1:]]) if value[1:] in labels else label)
        if value.startswith("-")
        else (value, label)
        for value, label in choices
    ]


def _empty_choice_is_all(field: forms.Field) -> None:
    """An empty choice keeps every row: it reads "All", not Django's "---------"."""
    if isinstance(field, forms.ModelChoiceField):
        field.empty_label = ALL
    elif getattr(field, "empty_label", None) is not None:
        # django-filter's choice fields add their empty label when the choices are set.
        field.empty_label = ALL
        field.choices = [(value, label) for value, label in field.choices if value != ""]
    elif isinstance(field, forms.ChoiceField):
        field.choices = [(value, ALL if value == "" else label) for value, label in field.choices]
