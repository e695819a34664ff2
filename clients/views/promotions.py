"""Promotions (CLI-8): managers define them and pick the clients to notify by filter."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import selectors, services
from clients.filters import ClientFilter
from clients.forms import PromotionForm
from clients.models import Promotion, PromotionNotice
from clients.models.querysets import client_scope
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required
from crm.roles import CLIENT_ROLES, Role


@role_required(*CLIENT_ROLES)
def promotion_list(request: HttpRequest) -> HttpResponse:
    promotions = (
        Promotion.objects.visible_to(request.user)
        .select_related("created_by")
        .annotate(notice_count=Count("notices", filter=client_scope(request.user, "notices__client__")))
        .order_by("-starts_on", "-pk")
    )
    return render(request, "clients/promotion_list.html", {"page_obj": paginate(request, promotions)})


@role_required(Role.MANAGER)
def promotion_create(request: HttpRequest) -> HttpResponse:
    form = PromotionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        promotion = form.save(commit=False)
        promotion.created_by = request.user
        promotion.save()
        messages.success(request, _("Promotion created. Now choose the clients to notify."))
        return redirect(promotion)
    return render(request, "clients/promotion_form.html", {"form": form})


@role_required(*CLIENT_ROLES)
def promotion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_visible_or_404(Promotion.objects.select_related("created_by"), request.user, pk=pk)
    notices = PromotionNotice.objects.visible_to(request.user).filter(promotion=promotion)
    notices = notices.select_related("client", "client__owner", "notified_by")
    context = {"promotion": promotion, "page_obj": paginate(request, notices)}
    if request.user.role in (Role.MANAGER, Role.ADMIN):
        filterset = ClientFilter(request.GET, queryset=selectors.client_list(request.user), user=request.user)
        context.update(filter=filterset, selected_count=filterset.qs.count() if request.GET.get("preview") else None)
    return render(request, "clients/promotion_detail.html", context)


@require_POST
@role_required(Role.MANAGER)
def promotion_notify(request: HttpRequest, pk: int) -> HttpResponse:
    promotion = get_visible_or_404(Promotion.objects, request.user, pk=pk)
    filterset = ClientFilter(request.POST, queryset=selectors.client_list(request.user), user=request.user)
    if not filterset.is_valid():
        messages.error(request, _("The client filter is not valid."))
        return redirect(promotion)
    if promotion.ends_on < timezone.localdate():
        messages.error(request, _("This promotion has ended; clients can no longer be notified of it."))
        return redirect(promotion)
    count = services.promotion_notify(promotion=promotion, clients=filterset.qs, by=request.user)
    messages.success(request, _("%(count)d clients notified; their account managers were told.") % {"count": count})
    return redirect(promotion)
