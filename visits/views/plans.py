"""My plan (today, this week, this month), the plans of a team, one plan and its visits (VIS-1, VIS-4)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from clients.models import Client
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.redirects import on_site
from crm.roles import CLIENT_ROLES, Role
from visits import campaign_tasks, selectors, services
from visits.calendar import parse_day
from visits.filters import PlanFilter
from visits.forms import (
    AddVisitForm,
    DecisionForm,
    MarketInfoForm,
    MoveForm,
    OpenMonthForm,
    PolicyForm,
    RemoveForm,
    VisitLogForm,
)
from visits.models import CalendarDay, MonthPlan, Visit, VisitPolicy

PLAN_PAGE_SIZE = 100


@role_required(*CLIENT_ROLES)
def home(request: HttpRequest) -> HttpResponse:
    """An account manager's own plan; a manager's (or an administrator's) team plans."""
    if request.user.role == Role.ACCOUNT_MANAGER:
        return my_plan(request)
    return plan_list(request, team_view=True)


def my_plan(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    view = request.GET.get("view", "today")
    context = {"view": view, "today": today}
    if view == "week":
        day = parse_day(request.GET.get("day")) or today
        context.update(days=selectors.my_week(request.user, day), week_start=selectors.week_of(day)[0])
        context["previous_week"] = context["week_start"] - timezone.timedelta(days=7)
        context["next_week"] = context["week_start"] + timezone.timedelta(days=7)
    elif view == "month":
        plans = list(MonthPlan.objects.visible_to(request.user).filter(owner=request.user).order_by("-month")[:6])
        counts = selectors.plan_counts(plans, today)
        for plan in plans:
            plan.counts = counts[plan.pk]
        context["plans"] = plans
    else:
        context["view"] = "today"
        context.update(selectors.my_today(request.user, today))
        context.update(campaign_tasks.today_tasks(request.user, today))
        page = paginate(request, context["todays"], default_size=selectors.TODAY_PAGE_SIZE)
        page.object_list = list(page.object_list)
        selectors.with_log_urls(page.object_list)
        context.update(todays=page.object_list, page_obj=page)
    return render(request, "visits/my_plan.html", context)


@role_required(*CLIENT_ROLES)
def plan_list(request: HttpRequest, team_view: bool = False) -> HttpResponse:
    """Plans by month, status and account manager; managers open a month from here."""
    data = request.GET.copy()
    if team_view:
        data.setdefault("month", f"{timezone.localdate():%Y-%m}")
    plans = MonthPlan.objects.visible_to(request.user).select_related("owner", "decided_by")
    filterset = PlanFilter(data, queryset=plans.order_by("-month", "owner__username"), user=request.user)
    page = paginate(request, filterset.qs)
    page.object_list = list(page.object_list)
    counts = selectors.plan_counts(page.object_list)
    for plan in page.object_list:
        plan.counts = counts[plan.pk]
    open_form = None
    if request.user.role in (Role.MANAGER, Role.ADMIN):
        open_form = OpenMonthForm(user=request.user)
    return render(
        request,
        "visits/plan_list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "open_form": open_form,
            "team_view": team_view,
        },
    )


@role_required(Role.MANAGER)
def month_open(request: HttpRequest) -> HttpResponse:
    """The manager opens a month for the team and generates the draft plans (VIS-1)."""
    form = OpenMonthForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.month_open(
                team=data["team"],
                month=data["month"],
                by=request.user,
                focus_territories=data["focus_territories"],
                focus_product=data["focus_product"],
                min_coverage=data["min_coverage"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if result.plan_ids:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d draft plan generated with %(items)d visits and follow-ups.",
                        "%(count)d draft plans generated with %(items)d visits and follow-ups.",
                        len(result.plan_ids),
                    )
                    % {"count": len(result.plan_ids), "items": result.items},
                )
            if result.kept_owner_ids:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d account manager already had a plan for this month; it was kept as it is.",
                        "%(count)d account managers already had a plan for this month; they were kept as they are.",
                        len(result.kept_owner_ids),
                    )
                    % {"count": len(result.kept_owner_ids)},
                )
            return redirect(f"{reverse('visits:home')}?month={data['month']:%Y-%m}")
    return render(request, "visits/month_open.html", {"form": form})


def _plan_or_404(request: HttpRequest, pk: int) -> MonthPlan:
    return get_visible_or_404(
        MonthPlan.objects.select_related("owner", "team_month", "decided_by"), request.user, pk=pk
    )


@role_required(*CLIENT_ROLES)
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One plan cut into its weeks (周计划); the owner adjusts and submits, a manager decides."""
    return _plan_page(request, _plan_or_404(request, pk))


def _plan_page(
    request: HttpRequest,
    plan: MonthPlan,
    *,
    add_form: AddVisitForm | None = None,
    decision_form: DecisionForm | None = None,
) -> HttpResponse:
    """The plan page; a form that failed comes back bound, its errors next to its fields."""
    weeks = selectors.plan_weeks(plan)
    week = request.GET.get("week", "")
    visits = (
        plan.visits.select_related("client", "territory")
        .annotate(day=Coalesce("done_on", "planned_for"))  # the day the page shows
        .order_by("day", "territory__name", "client__name")
    )
    if week.isascii() and week.isdigit() and int(week) < len(weeks):
        start, end = weeks[int(week)]
        visits = visits.filter(
            Q(planned_for__range=(start, end)) | Q(planned_for__isnull=True, done_on__range=(start, end))
        )
    status = request.GET.get("status", "")
    if status in Visit.Status.values:
        visits = visits.filter(status=status)
    page = paginate(request, visits, default_size=PLAN_PAGE_SIZE)
    counts = selectors.plan_counts([plan])[plan.pk]
    planned, portfolio = selectors.planned_coverage(plan)
    is_owner = plan.owner_id == request.user.pk
    can_decide = plan.decidable_by(request.user)
    return render(
        request,
        "visits/plan_detail.html",
        {
            "plan": plan,
            "weeks": weeks,
            "week": week,
            "status": status,
            "page_obj": page,
            "counts": counts,
            "planned_clients": planned,
            "portfolio": portfolio,
            "coverage": round(100 * planned / portfolio) if portfolio else None,
            "is_owner": is_owner,
            "can_edit": is_owner and plan.status != MonthPlan.Status.SUBMITTED,
            "can_decide": can_decide,
            "add_form": add_form
            or (AddVisitForm(owner=plan.owner) if is_owner and plan.status != MonthPlan.Status.SUBMITTED else None),
            "decision_form": decision_form or DecisionForm(),
            "today": timezone.localdate(),
        },
    )


@require_POST
@role_required(Role.ACCOUNT_MANAGER)
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    try:
        services.plan_submit(plan=plan, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Plan submitted; your manager approves it or returns it with a comment."))
    return redirect(plan)


@require_POST
@role_required(Role.MANAGER)
def plan_decide(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or return the plan."))
        return redirect(plan)
    approve = form.cleaned_data["decision"] == "approve"
    decide = services.plan_approve if approve else services.plan_return
    try:
        decide(plan=plan, by=request.user, note=form.cleaned_data["note"])
    except ValidationError as error:
        if hasattr(error, "error_dict"):  # a field's rule (the comment): shown next to it
            add_service_errors(form, error)
            return _plan_page(request, plan, decision_form=form)
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Plan approved.") if approve else _("Plan returned to the account manager."))
    return redirect(plan)


@require_POST
@role_required(Role.ACCOUNT_MANAGER)
def visit_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _plan_or_404(request, pk)
    form = AddVisitForm(request.POST, owner=plan.owner)
    if form.is_valid():
        try:
            services.visit_add(plan=plan, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Visit added to the plan."))
            return redirect(plan)
    return _plan_page(request, plan, add_form=form)


def _visit_or_404(request: HttpRequest, pk: int) -> Visit:
    return get_visible_or_404(
        Visit.objects.select_related("client", "plan", "territory", "client__key_account"), request.user, pk=pk
    )


def _next(request: HttpRequest, default: str) -> str:
    """Where to go back to: the page the user came from when it is one of ours, else ``default``."""
    return on_site(request, request.POST.get("next") or request.GET.get("next") or "") or default


def _back(visit: Visit, request: HttpRequest) -> str:
    return _next(request, visit.plan.get_absolute_url() if visit.plan else reverse("visits:home"))


@role_required(Role.ACCOUNT_MANAGER)
def visit_move(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(request, pk)
    form = MoveForm(request.POST or None, initial={"day": visit.planned_for})
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_move(visit=visit, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Visit moved to %(day)s.") % {"day": visit.planned_for})
            return redirect(_back(visit, request))
    return render(
        request,
        "visits/visit_change.html",
        {"visit": visit, "form": form, "action": "move", "next": _back(visit, request)},
    )


@role_required(Role.ACCOUNT_MANAGER)
def visit_remove(request: HttpRequest, pk: int) -> HttpResponse:
    visit = _visit_or_404(request, pk)
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.visit_remove(visit=visit, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Visit removed from the plan."))
            return redirect(_back(visit, request))
    return render(
        request,
        "visits/visit_change.html",
        {"visit": visit, "form": form, "action": "remove", "next": _back(visit, request)},
    )


def _log(request: HttpRequest, client: Client, visit: Visit | None) -> HttpResponse:
    kind = visit.kind if visit else request.GET.get("kind", Visit.Kind.ONSITE)
    kind = kind if kind in Visit.Kind.values else Visit.Kind.ONSITE
    today = timezone.localdate()
    suggested = services.suggested_next_date(client=client, kind=kind, after=today)
    form = VisitLogForm(
        request.POST or None, initial={"kind": kind, "occurred_on": today, "next_contact_date": suggested}
    )
    market_form = MarketInfoForm(request.POST or None, prefix="market")
    if request.method == "POST" and form.is_valid() and market_form.is_valid():
        market = {name: market_form.cleaned_data[name] for name in MarketInfoForm.Meta.fields}
        try:
            services.visit_log(client=client, by=request.user, visit=visit, market=market, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            booked = form.cleaned_data["next_contact_date"]
            if booked:
                messages.success(request, _("Logged. Next contact booked for %(day)s.") % {"day": booked})
            else:
                messages.success(request, _("Logged."))
            return redirect(_next(request, reverse("visits:home")))
    overdue = visit is not None and visit.status == Visit.Status.PLANNED and visit.planned_for < today
    return render(
        request,
        "visits/visit_log.html",
        {
            "client": client,
            "visit": visit,
            "form": form,
            "market_form": market_form,
            "overdue": overdue,
            "next": _next(request, reverse("visits:home")),
        },
    )


@role_required(Role.ACCOUNT_MANAGER)
def visit_log(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a planned visit (VIS-4): one form, the next visit pre-booked at the cadence's date."""
    visit = _visit_or_404(request, pk)
    if visit.status != Visit.Status.PLANNED:
        messages.info(request, _("This visit is already logged or removed."))
        return redirect(_back(visit, request))
    return _log(request, visit.client, visit)


@role_required(Role.ACCOUNT_MANAGER)
def visit_log_unplanned(request: HttpRequest, pk: int) -> HttpResponse:
    """Log a visit that was not in the plan; it fulfils the client's planned one due that day."""
    client = get_visible_or_404(Client.objects.select_related("key_account"), request.user, pk=pk)
    return _log(request, client, None)


@role_required(Role.MANAGER)
def policy(request: HttpRequest) -> HttpResponse:
    """The visit policy (a new row per change) and the holiday calendar."""
    current = VisitPolicy.current()
    initial = {name: getattr(current, name) for name in PolicyForm.Meta.fields}
    form = PolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.policy_update(changes={n: form.cleaned_data[n] for n in PolicyForm.Meta.fields}, by=request.user)
        messages.success(request, _("Visit policy saved. Plans generated from now on use it."))
        return redirect("visits:policy")
    year = timezone.localdate().year
    return render(
        request,
        "visits/policy.html",
        {
            "form": form,
            "history": VisitPolicy.objects.select_related("created_by")[:10],
            "calendar_days": CalendarDay.objects.filter(date__year__in=[year, year + 1]),
            "year": year,
        },
    )


urlpatterns = [
    path("", home, name="home"),
    path("plans/", plan_list, name="plans"),
    path("open/", month_open, name="open_month"),
    path("plans/<int:pk>/", plan_detail, name="plan"),
    path("plans/<int:pk>/submit/", plan_submit, name="plan_submit"),
    path("plans/<int:pk>/decide/", plan_decide, name="plan_decide"),
    path("plans/<int:pk>/add/", visit_add, name="visit_add"),
    path("<int:pk>/log/", visit_log, name="log"),
    path("<int:pk>/move/", visit_move, name="move"),
    path("<int:pk>/remove/", visit_remove, name="remove"),
    path("log/<int:pk>/", visit_log_unplanned, name="log_unplanned"),
    path("policy/", policy, name="policy"),
]
