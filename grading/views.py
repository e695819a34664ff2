"""The managers' grading dashboard, the policy, runs on demand, potential assessments (GRD-3…7)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from clients.selectors import client_card
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CLIENT_ROLES, Role
from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from grading import selectors, services
from grading.filters import CorrectionFilter, GradeFilter
from grading.forms import (
    CorrectionDecisionForm,
    CorrectionRequestForm,
    PaymentForm,
    PolicyForm,
    PotentialForm,
    ReceivableForm,
    SalesOrderForm,
)
from grading.models import ClientScore, GradingPolicy, GradingRun, LedgerCorrection, Receivable, SalesOrder


@role_required(*CLIENT_ROLES)
def dashboard(request: HttpRequest) -> HttpResponse:
    filterset = GradeFilter(request.GET, queryset=ClientScore.objects.none())
    filters = filterset.form.cleaned_data if filterset.is_valid() else {}
    context = selectors.dashboard(request.user, team=filters.get("team"), territory=filters.get("territory"))
    context.update(
        filter=filterset,
        running=GradingRun.objects.filter(status=GradingRun.Status.RUNNING).first(),
        policy=GradingPolicy.current(),
    )
    return render(request, "grading/dashboard.html", context)


@require_POST
@role_required(Role.MANAGER)
def run_start(request: HttpRequest) -> HttpResponse:
    try:
        run = services.grading_run_start(by=request.user, execute_later=True)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("grading:dashboard")
    if run.status == GradingRun.Status.RUNNING:
        messages.info(request, _("Grading started; this page shows its progress."))
    else:
        messages.info(
            request,
            _(
                "Nothing changed since today's run: the ledger, the potentials and the policy are as it graded "
                "them, so its grades stand."
            ),
        )
    return redirect("grading:dashboard")


@role_required(*CLIENT_ROLES)
def run_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress line, polled by htmx while a run is going."""
    run = get_object_or_404(GradingRun, pk=pk)
    response = render(request, "grading/includes/run_status.html", {"running": run})
    if run.status != GradingRun.Status.RUNNING:
        response["HX-Refresh"] = "true"  # reload the dashboard with the new grades
    return response


@role_required(Role.MANAGER)
def policy(request: HttpRequest) -> HttpResponse:
    current = GradingPolicy.current()
    form = PolicyForm(
        request.POST or None,
        instance=GradingPolicy(
            **{
                f.name: getattr(current, f.name)
                for f in GradingPolicy._meta.fields
                if f.name not in ("id", "created_at")
            }
        ),
    )
    if request.method == "POST" and form.is_valid():
        services.policy_update(
            changes={name: form.cleaned_data[name] for name in PolicyForm.Meta.fields}, by=request.user
        )
        messages.success(request, _("Policy saved. The next grading run uses it."))
        return redirect("grading:policy")
    history = GradingPolicy.objects.select_related("created_by")[:20]
    return render(request, "grading/policy.html", {"form": form, "history": history})


@require_POST
@role_required(Role.ACCOUNT_MANAGER, Role.MANAGER)
def potential_create(request: HttpRequest, pk: int) -> HttpResponse:
    client = client_card(request.user, pk)
    form = PotentialForm(request.POST)
    if form.is_valid():
        try:
            services.potential_record(client=client, by=request.user, **form.cleaned_data)
            messages.success(request, _("Potential recorded; the next grading run uses it."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Choose a score and write the reason."))
    return redirect(client)


@role_required(*CLIENT_ROLES)
def export(request: HttpRequest) -> HttpResponse:
    """The grades of the newest run with the dashboard's filters (the same FilterSet): the rows
    the page counts. Scores are rounded to one decimal, as the pages show them."""
    current, _previous = selectors.latest_runs()
    book = Workbook()
    sheet = book.active
    sheet.title = _("Grades")
    xlsx_append(
        sheet,
        [
            _("Client code"),
            _("Client"),
            _("Account manager"),
            _("Level"),
            _("Composite"),
            _("Credit"),
            _("Late payments"),
            _("Days late (total)"),
            _("Volume"),
            _("Volume rank"),
            _("Profit"),
            _("Profit rank"),
            _("Potential"),
        ],
    )
    if current:
        scores = GradeFilter(request.GET, queryset=selectors.scores_for(request.user, current)).qs
        for s in scores.select_related("client__owner").order_by("client__code").iterator(chunk_size=2000):
            xlsx_append(
                sheet,
                [
                    s.client.code,
                    s.client.name,
                    str(s.client.owner),
                    s.level,
                    selectors.rounded(s.composite),
                    selectors.rounded(s.credit_score),
                    s.late_payments,
                    s.days_late_total,
                    float(s.volume),
                    s.volume_rank,
                    float(s.profit),
                    s.profit_rank,
                    selectors.rounded(s.potential_score),
                ],
            )
    response = HttpResponse(
        xlsx_bytes(book), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="grades.xlsx"'
    return response


@role_required(*CLIENT_ROLES)
def ledger(request: HttpRequest, pk: int) -> HttpResponse:
    """A client's ledger: the latest orders and receivables, entered or corrected by hand."""
    client = client_card(request.user, pk)
    order_form = SalesOrderForm(request.POST if request.POST.get("form") == "order" else None, prefix="order")
    receivable_form = ReceivableForm(
        request.POST if request.POST.get("form") == "receivable" else None, prefix="receivable"
    )
    if request.method == "POST":
        form = order_form if request.POST.get("form") == "order" else receivable_form
        add = services.ledger_order_add if form is order_form else services.ledger_receivable_add
        if form.is_valid():
            try:
                add(client=client, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Ledger row saved; the next grading run uses it."))
                return redirect("grading:ledger", pk=client.pk)
    context = {
        "client": client,
        "orders": client.sales_orders.all()[:50],
        "receivables": client.receivables.all()[:50],
        "order_form": order_form,
        "receivable_form": receivable_form,
        "payment_form": PaymentForm(),
    }
    return render(request, "grading/ledger.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def record_payment(request: HttpRequest, pk: int) -> HttpResponse:
    receivable = get_object_or_404(Receivable.objects.visible_to(request.user), pk=pk)
    form = PaymentForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give the payment date."))
        services.receivable_record_payment(receivable=receivable, by=request.user, **form.cleaned_data)
        messages.success(request, _("Payment recorded."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("grading:ledger", pk=receivable.client_id)


@role_required(*CLIENT_ROLES)
def correction_request(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Ask for a recorded order or payment to be corrected (issue 9): a manager decides."""
    model = Receivable if kind == "receivable" else SalesOrder
    record = get_visible_or_404(model.objects.select_related("client"), request.user, pk=pk)
    form = CorrectionRequestForm(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid():
        try:
            services.ledger_correction_request(record=record, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Correction requested; a manager will approve or refuse it."))
            return redirect("grading:ledger", pk=record.client_id)
    pending = record.corrections.pending().select_related("requested_by")
    return render(
        request,
        "grading/correction_form.html",
        {"record": record, "client": record.client, "form": form, "pending": pending},
    )


@role_required(*CLIENT_ROLES)
def corrections(request: HttpRequest) -> HttpResponse:
    """Ledger corrections: managers decide their team's, account managers follow their own."""
    data = request.GET.copy()
    data.setdefault("status", LedgerCorrection.Status.PENDING)
    filterset = CorrectionFilter(data, queryset=selectors.corrections_for(request.user))
    page = paginate(request, filterset.qs)
    page.object_list = list(page.object_list)
    for correction in page.object_list:
        correction.can_decide = correction.decidable_by(request.user)
    return render(
        request,
        "grading/correction_list.html",
        {"filter": filterset, "page_obj": page, "decision_form": CorrectionDecisionForm()},
    )


@require_POST
@role_required(Role.MANAGER)
def correction_decide(request: HttpRequest, pk: int) -> HttpResponse:
    correction = get_visible_or_404(
        LedgerCorrection.objects.select_related("client", "requested_by", "receivable", "sales_order"),
        request.user,
        pk=pk,
    )
    form = CorrectionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or refuse."))
        return redirect("grading:corrections")
    approve = form.cleaned_data["decision"] == "approve"
    decide = services.ledger_correction_approve if approve else services.ledger_correction_refuse
    try:
        decide(correction=correction, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Correction approved and applied.") if approve else _("Correction refused."))
    return redirect("grading:corrections")
