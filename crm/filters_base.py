"""A FilterSet whose widgets carry Bootstrap classes, so list pages render them cheaply."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

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

    @property
    def form(self) -> forms.Form:
        form = super().form
        if not getattr(form, "_styled", False):
            for name, field in form.fields.items():
                if isinstance(field.widget, forms.NullBooleanSelect):
                    # Django's "Unknown" reads as a value here; an empty yes/no filter is "all".
                    field.widget.choices = [("unknown", _("All")), ("true", _("Yes")), ("false", _("No"))]
                css = SELECT_CSS if isinstance(field.widget, forms.Select) else INPUT_CSS
                if self.is_bound and name in form.errors:
                    css += " is-invalid"
                field.widget.attrs["class"] = css
            form._styled = True
        return form
