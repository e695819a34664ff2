"""Campaigns (MKT-1): managers plan and launch them; account managers work their clients' list
and record each contact. The evaluation page is grading's (it reads the ledger)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import campaigns, selectors
from clients.campaign_filters import CampaignFilter, CampaignMemberFilter
from clients.campaign_forms import CampaignContactForm, CampaignForm
from clients.models import Campaign, CampaignMember
from clients.models.querysets import may_plan
from clients.segments import segment_description, segment_filter, segment_params
from crm.forms import add_service_errors
from crm.pagination import paginate
from crm.permissions import get_visible_or_404, role_required, user_has_role
from crm.roles import CLIENT_ROLES, Role

PLANNERS = (Role.MANAGER,)  # administrators pass every role gate


@role_required(*CLIENT_ROLES)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns_qs = Campaign.objects.visible_to(request.user).select_related("product", "created_by")
    filterset = CampaignFilter(request.GET, queryset=campaigns_qs.order_by("-starts_on", "-pk"))
    page = paginate(request, filterset.qs)
    # The counts of the page's campaigns only, in the user's scope (an account manager's own clients).
    figures = CampaignMember.objects.visible_to(request.user).figures_by_campaign([c.pk for c in page.object_list])
    for campaign in page.object_list:
        campaign.counts = figures[campaign.pk]
    context = {"filter": filterset, "page_obj": page, "can_plan": user_has_role(request.user, PLANNERS)}
    return render(request, "clients/campaigns/campaign_list.html", context)


def _planned(request: HttpRequest, pk: int) -> Campaign:
    """A campaign the user may change or launch: their team's (any, for an administrator). A
    company-wide campaign or another team's is read-only to a manager (403)."""
    campaign = get_visible_or_404(Campaign.objects, request.user, pk=pk)
    if not may_plan(request.user, campaign):
        raise PermissionDenied
    return campaign


@role_required(*PLANNERS)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            campaign = campaigns.campaign_create(by=request.user, **form.cleaned_data)
            messages.success(request, _("Campaign created. Now choose its target segment and launch it."))
            return redirect(campaign)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    return render(request, "clients/campaigns/campaign_form.html", {"form": form, "campaign": None})


@role_required(*PLANNERS)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _planned(request, pk)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST":
        if form.is_valid():
            changed = {name: form.cleaned_data[name] for name, field in form.fields.items() if not field.disabled}
            campaigns.campaign_update(campaign=campaign, by=request.user, **changed)
            messages.success(request, _("Campaign saved."))
            return redirect(campaign)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    return render(request, "clients/campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@role_required(*CLIENT_ROLES)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(
        Campaign.objects.select_related("product", "created_by", "launched_by"), request.user, pk=pk
    )
    members = CampaignMember.objects.visible_to(request.user).filter(campaign=campaign)
    filterset = CampaignMemberFilter(
        request.GET,
        queryset=members.select_related("client", "owner").order_by("client__name", "pk"),
        user=request.user,
    )
    can_plan = may_plan(request.user, campaign)
    context = {
        "campaign": campaign,
        "counts": members.figures(),
        "filter": filterset,
        "page_obj": paginate(request, filterset.qs),
        "can_plan": can_plan,
        "segment": segment_description(request.user, campaign.segment) if campaign.launched_at else [],
    }
    if can_plan and campaign.launched_at is None:
        params = segment_params(request.GET)
        context["segment_filter"] = segment_filter(request.user, params or None)
        if request.GET.get("preview"):
            try:
                context["preview"] = campaigns.segment_preview(
                    by=request.user, params=params, holdout_percent=campaign.holdout_percent
                )
            except ValueError as error:
                messages.error(request, str(error))
            context["segment_params"] = params
    return render(request, "clients/campaigns/campaign_detail.html", context)


@require_POST
@role_required(*PLANNERS)
def campaign_launch(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _planned(request, pk)
    params = segment_params(request.POST)
    try:
        targeted, held_out = campaigns.launch(campaign=campaign, params=params, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        query = urlencode(params)
        return redirect(f"{campaign.get_absolute_url()}?{query}" if query else campaign.get_absolute_url())
    messages.success(
        request,
        _("Campaign launched: %(targeted)d clients targeted, %(held)d held out for comparison.")
        % {"targeted": targeted, "held": held_out},
    )
    return redirect(campaign)


@role_required(*CLIENT_ROLES)
def member_contact(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """One client of the campaign: record a contact attempt and its response; past attempts below."""
    member = get_visible_or_404(
        CampaignMember.objects.select_related("campaign", "client", "owner"),
        request.user,
        pk=member_pk,
        campaign_id=pk,
    )
    campaign = member.campaign
    form = CampaignContactForm(request.POST or None, campaign=campaign)
    if request.method == "POST":
        if form.is_valid():
            try:
                campaigns.record_contact(member=member, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Contact with %(client)s recorded.") % {"client": member.client.name})
                return redirect(f"{campaign.get_absolute_url()}?response=none")
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    context = {
        "campaign": campaign,
        "member": member,
        "form": form,
        "contacts": member.contacts.select_related("by")[:50],
    }
    return render(request, "clients/campaigns/member_contact.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def client_opt_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The client agreed to hear from campaigns again (their owner or manager records it)."""
    client = selectors.client_card(request.user, pk)
    campaigns.clear_opt_out(client=client, by=request.user)
    messages.success(request, _("%(client)s will be included in campaigns again.") % {"client": client.name})
    return redirect(client)


@role_required(*CLIENT_ROLES)
def promotion_redirect(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Promotions grew into campaigns: their old addresses lead to the new pages."""
    return HttpResponsePermanentRedirect(reverse("campaigns:detail", args=[pk]) if pk else reverse("campaigns:list"))
