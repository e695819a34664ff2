"""The brand catalogue and brand cultivation plans (品牌培育, MKT-4): the lists and the forms.
The plan page itself, with its progress from the ledger, is grading.brand_views."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import brand_plans, brand_selectors, segments
from clients.brand_forms import BrandForm, BrandPlanForm, MilestoneForm, ProductForm, TargetAddForm
from clients.filters import BrandFilter
from clients.models import Brand, BrandPlan, BrandPlanMilestone, BrandPlanTarget, Product
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CLIENT_ROLES, Role

# Account managers read the catalogue and their team's plans; managers (and administrators) write.
PLANNERS = (Role.MANAGER,)


def _invalid(request: HttpRequest) -> None:
    messages.error(request, _("Please correct the errors below; nothing was saved."))


def _form_page(request: HttpRequest, form: BaseForm, title: str, cancel_url: str, **context) -> HttpResponse:
    return render(
        request, "clients/brand_form.html", {"form": form, "title": title, "cancel_url": cancel_url, **context}
    )


@role_required(*CLIENT_ROLES)
def brand_list(request: HttpRequest) -> HttpResponse:
    filterset = BrandFilter(request.GET, queryset=brand_selectors.brand_list(request.user))
    page = paginate(request, filterset.qs)
    return render(request, "clients/brand_list.html", {"filter": filterset, "page_obj": page})


@role_required(*CLIENT_ROLES)
def brand_detail(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_object_or_404(Brand, pk=pk)
    context = {
        "brand": brand,
        "page_obj": paginate(request, brand_selectors.brand_products(brand)),
        "plans": brand_selectors.brand_plans(request.user, brand),
    }
    return render(request, "clients/brand_detail.html", context)


def _save_catalogue(request: HttpRequest, form: BaseForm, save, message: str) -> HttpResponse | None:
    """Save a brand or product form through its service; None when the form is to be shown again."""
    if request.method != "POST":
        return None
    if form.is_valid():
        try:
            record = save(form.save(commit=False), by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message % {"name": record.name})
            return redirect("brands:detail", pk=record.pk if isinstance(record, Brand) else record.brand_id)
    _invalid(request)
    return None


def _save_brand(brand: Brand, *, by) -> Brand:
    return brand_plans.brand_save(brand=brand, by=by)


def _save_product(product: Product, *, by) -> Product:
    return brand_plans.product_save(product=product, by=by)


def brand_url(brand: Brand) -> str:
    return reverse("brands:detail", args=[brand.pk])


@role_required(*PLANNERS)
def brand_create(request: HttpRequest) -> HttpResponse:
    form = BrandForm(request.POST or None)
    done = _save_catalogue(request, form, _save_brand, _("Brand %(name)s added."))
    return done or _form_page(request, form, _("New brand"), reverse("brands:list"))


@role_required(*PLANNERS)
def brand_edit(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_object_or_404(Brand, pk=pk)
    form = BrandForm(request.POST or None, instance=brand)
    done = _save_catalogue(request, form, _save_brand, _("Brand %(name)s saved."))
    return done or _form_page(request, form, _("Edit brand"), brand_url(brand), brand=brand)


@role_required(*PLANNERS)
def product_create(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_object_or_404(Brand, pk=pk)
    form = ProductForm(request.POST or None, instance=Product(brand=brand))
    done = _save_catalogue(request, form, _save_product, _("Product %(name)s added."))
    return done or _form_page(request, form, _("New product"), brand_url(brand), brand=brand)


@role_required(*PLANNERS)
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = get_object_or_404(Product.objects.select_related("brand"), pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    done = _save_catalogue(request, form, _save_product, _("Product %(name)s saved."))
    return done or _form_page(request, form, _("Edit product"), brand_url(product.brand), brand=product.brand)


def plan_queryset() -> QuerySet[BrandPlan]:
    return BrandPlan.objects.select_related("brand", "team", "created_by")


@role_required(*PLANNERS)
def plan_create(request: HttpRequest, pk: int) -> HttpResponse:
    brand = get_object_or_404(Brand, pk=pk)
    form = BrandPlanForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = {"team": request.user.team, **form.cleaned_data}
            try:
                if data["team"] is None:
                    raise ValidationError(_("You belong to no team: an administrator must add you to one."))
                plan = brand_plans.brand_plan_create(brand=brand, by=request.user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Plan %(name)s created: now choose its target clients.") % {"name": plan})
                return redirect("brands:plan_targets", pk=plan.pk)
        _invalid(request)
    return _form_page(request, form, _("New brand plan"), brand_url(brand), brand=brand)


@role_required(*PLANNERS)
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(plan_queryset(), request.user, pk=pk)
    form = BrandPlanForm(request.POST or None, instance=plan, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            try:
                brand_plans.brand_plan_update(plan=plan, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                plan.refresh_from_db()
                add_service_errors(form, error)
            else:
                messages.success(request, _("Plan saved."))
                return redirect(plan)
        _invalid(request)
    return _form_page(request, form, _("Edit brand plan"), plan.get_absolute_url(), brand=plan.brand, plan=plan)


@role_required(*PLANNERS)
def plan_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose target clients with the client list's filters: GET previews how many match, POST
    adds them to the plan (frozen: later changes to those clients do not change the list)."""
    plan = get_visible_or_404(plan_queryset(), request.user, pk=pk)
    data = request.POST if request.method == "POST" else request.GET
    params = segments.segment_params(data)
    filterset = segments.segment_filter(request.user, params)
    error = None
    if request.method == "POST":
        try:
            added = brand_plans.brand_plan_targets_freeze(plan=plan, by=request.user, params=params)
        except ValidationError as refused:
            error = " ".join(refused.messages)  # shown above the segment, where it was chosen
        else:
            messages.success(request, _("%(count)d clients added to the plan's targets.") % {"count": added})
            return redirect(plan)
    preview = None
    if params and filterset.is_valid():
        preview = brand_plans.segment_preview(plan=plan, by=request.user, params=params)
    context = {
        "plan": plan,
        "filter": filterset,
        "params": params,
        "preview": preview,
        "description": segments.segment_description(request.user, params),
        "error": error,
        "target_count": plan.targets.count(),
        "add_form": TargetAddForm(),
    }
    return render(request, "clients/brand_plan_targets.html", context)


@require_POST
@role_required(*PLANNERS)
def plan_target_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(plan_queryset(), request.user, pk=pk)
    form = TargetAddForm(request.POST)
    if form.is_valid():
        try:
            target = brand_plans.brand_plan_target_add(plan=plan, by=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s added to the targets.") % {"name": target.client.name})
            return redirect(plan)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("brands:plan_targets", pk=plan.pk)


@require_POST
@role_required(*PLANNERS)
def plan_target_remove(request: HttpRequest, pk: int, target_pk: int) -> HttpResponse:
    plan = get_visible_or_404(plan_queryset(), request.user, pk=pk)
    target = get_object_or_404(
        BrandPlanTarget.objects.visible_to(request.user).select_related("client"), plan=plan, pk=target_pk
    )
    brand_plans.brand_plan_target_remove(target=target, by=request.user)
    messages.success(request, _("%(name)s removed from the targets.") % {"name": target.client.name})
    return redirect(plan)


@role_required(*PLANNERS)
def milestone_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_visible_or_404(plan_queryset(), request.user, pk=pk)
    return _milestone_form(request, plan, None)


@role_required(*PLANNERS)
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_visible_or_404(BrandPlanMilestone.objects.select_related("plan__brand"), request.user, pk=pk)
    return _milestone_form(request, milestone.plan, milestone)


def _milestone_form(request: HttpRequest, plan: BrandPlan, milestone: BrandPlanMilestone | None) -> HttpResponse:
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST":
        if form.is_valid():
            try:
                brand_plans.milestone_save(plan=plan, by=request.user, milestone=milestone, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Milestone saved."))
                return redirect(plan)
        _invalid(request)
    title = _("Edit milestone") if milestone else _("New milestone")
    return _form_page(request, form, title, plan.get_absolute_url(), brand=plan.brand, plan=plan)


@require_POST
@role_required(*PLANNERS)
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_visible_or_404(BrandPlanMilestone.objects.select_related("plan"), request.user, pk=pk)
    brand_plans.milestone_delete(milestone=milestone, by=request.user)
    messages.success(request, _("Milestone deleted."))
    return redirect(milestone.plan)


urlpatterns = [
    path("", brand_list, name="list"),
    path("new/", brand_create, name="create"),
    path("<int:pk>/", brand_detail, name="detail"),
    path("<int:pk>/edit/", brand_edit, name="edit"),
    path("<int:pk>/products/new/", product_create, name="product_create"),
    path("products/<int:pk>/edit/", product_edit, name="product_edit"),
    path("<int:pk>/plans/new/", plan_create, name="plan_create"),
    path("plans/<int:pk>/edit/", plan_edit, name="plan_edit"),
    path("plans/<int:pk>/targets/", plan_targets, name="plan_targets"),
    path("plans/<int:pk>/targets/add/", plan_target_add, name="plan_target_add"),
    path("plans/<int:pk>/targets/<int:target_pk>/remove/", plan_target_remove, name="plan_target_remove"),
    path("plans/<int:pk>/milestones/new/", milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/edit/", milestone_edit, name="milestone_edit"),
    path("milestones/<int:pk>/delete/", milestone_delete, name="milestone_delete"),
]
