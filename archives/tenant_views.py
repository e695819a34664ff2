"""Tenant profiles and the arrears list (ARC-2 "tenant's company details", "arrears"), kept by
client services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import exports, selectors, services
from archives.filters import ArrearsFilter
from archives.forms import TenantProfileForm
from archives.models import Tenancy, TenantProfile
from archives.views import archive_view
from crm.pagination import paginate
from crm.permissions import get_visible_or_404
from crm.roles import CLIENT_SERVICES_ROLES


@archive_view(*CLIENT_SERVICES_ROLES)
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff count, company type and property-fee status of a tenancy; every save audited."""
    tenancy = get_visible_or_404(Tenancy.objects.select_related("unit__floor__building"), request.user, pk=pk)
    profile = TenantProfile.objects.filter(tenancy=tenancy).first() or TenantProfile(tenancy=tenancy)
    form = TenantProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            seen = int(request.POST.get("version", ""))
        except ValueError:
            seen = -1  # no version: treated as a stale form, never as the current one
        try:
            services.tenant_profile_save(tenancy=tenancy, data=form.cleaned_data, seen_version=seen, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Tenant profile saved."))
            return redirect("archives:unit", pk=tenancy.unit_id)
    history = profile.history.select_related("history_user").order_by("-history_date")[:10] if profile.pk else []
    context = {"tenancy": tenancy, "form": form, "profile": profile, "history": history}
    return render(request, "archives/profile_form.html", context)


@archive_view(*CLIENT_SERVICES_ROLES)
def arrears(request: HttpRequest) -> HttpResponse:
    """Who owes property fees, filterable and sortable; ?format=csv or xlsx exports what is shown."""
    filterset = ArrearsFilter(request.GET or None, queryset=selectors.arrears_profiles(request.user))
    profiles = filterset.qs
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        stamp = timezone.localdate().isoformat()
        if export == "csv":
            response = HttpResponse(exports.arrears_csv(profiles), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                exports.arrears_xlsx(profiles),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        response["Content-Disposition"] = f'attachment; filename="arrears-{stamp}.{export}"'
        return response
    context = {"filter": filterset, "page_obj": paginate(request, profiles), "today": timezone.localdate()}
    return render(request, "archives/arrears.html", context)
