"""Grading runs over time (GRD-6): the list of runs, the movers between any two runs (with their
Excel export), and one client's levels over the runs."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from clients.selectors import client_card
from crm.pagination import paginate
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from grading import selectors
from grading.filters import MoverFilter, RunFilter
from grading.models import ClientScore, GradingRun

RUN_CHOICES = 200  # the run pickers offer the newest 200 finished runs (more than half a year of nights)


class RunChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, run: GradingRun) -> str:
        mark = _(" (superseded)") if run.superseded_by_id else ""
        return f"#{run.pk} · {run.as_of:%Y-%m-%d} {run.started_at:%H:%M}{mark}"


class RunPairForm(forms.Form):
    """The two runs compared; both default to the two newest standing runs."""

    earlier = RunChoiceField(label=gettext_lazy("From run"), queryset=GradingRun.objects.none(), required=False)
    later = RunChoiceField(label=gettext_lazy("To run"), queryset=GradingRun.objects.none(), required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        done = GradingRun.objects.filter(status=GradingRun.Status.DONE)
        choices = done.filter(pk__in=done.values("pk")[:RUN_CHOICES])
        for field in self.fields.values():
            field.queryset = choices
            field.empty_label = None
            field.widget.attrs["class"] = "form-select form-select-sm"

    def runs(self) -> tuple[GradingRun | None, GradingRun | None]:
        later, earlier = selectors.latest_runs()
        if self.is_valid():
            earlier = self.cleaned_data["earlier"] or earlier
            later = self.cleaned_data["later"] or later
        return earlier, later


@role_required(*CLIENT_ROLES)
def run_list(request: HttpRequest) -> HttpResponse:
    """Every grading run: who started it (or the schedule), when, with which policy, how many
    clients it graded and how many moved level; superseded runs are marked."""
    filterset = RunFilter(request.GET, queryset=selectors.runs_list())
    page = paginate(request, filterset.qs)
    return render(request, "grading/run_list.html", {"filter": filterset, "page_obj": page})


@role_required(*CLIENT_ROLES)
def movers(request: HttpRequest) -> HttpResponse:
    """Clients whose level differs between two runs the user picks (by default the last two),
    within the user's scope; ?format=xlsx exports the filtered rows."""
    pair = RunPairForm(request.GET or None)
    earlier, later = pair.runs()
    rows = ClientScore.objects.none()
    if earlier and later:
        rows = selectors.movers_between(request.user, earlier, later).order_by("client__name", "pk")
    filterset = MoverFilter(request.GET, queryset=rows)
    if request.GET.get("format") == "xlsx":
        return _movers_xlsx(filterset.qs, earlier, later)
    context = {"filter": filterset, "pair": pair, "earlier": earlier, "later": later, "page_obj": None}
    context["page_obj"] = paginate(request, filterset.qs)
    return render(request, "grading/movers.html", context)


def _movers_xlsx(rows, earlier: GradingRun | None, later: GradingRun | None) -> HttpResponse:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Movers")
    xlsx_append(
        sheet,
        [
            _("Client code"),
            _("Client"),
            _("Account manager"),
            _("From level"),
            _("To level"),
            _("Composite before"),
            _("Composite after"),
        ],
    )
    for row in rows.iterator(chunk_size=2000):
        xlsx_append(
            sheet,
            [
                row.client.code,
                row.client.name,
                str(row.owner or ""),
                row.before,
                row.level,
                selectors.rounded(row.before_composite),
                selectors.rounded(row.composite),
            ],
        )
    response = HttpResponse(
        xlsx_bytes(book), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"movers-{earlier.pk if earlier else 0}-{later.pk if later else 0}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@role_required(*CLIENT_ROLES)
def level_history(request: HttpRequest, pk: int) -> HttpResponse:
    """One client's level and scores over the runs, a chart and a table (newest first)."""
    client = client_card(request.user, pk)
    page = paginate(request, selectors.level_history(client))
    points = [
        {"date": f"{s.run.as_of:%Y-%m-%d}", "level": s.level, "composite": selectors.rounded(s.composite)}
        for s in reversed(page.object_list)
    ]
    return render(request, "grading/level_history.html", {"client": client, "page_obj": page, "points": points})
