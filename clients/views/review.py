"""The review queue of cards not updated within the policy's period (CLI-4)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clients import card_review, selectors
from clients.filters import ClientFilter
from clients.models import ClientFilePolicy
from crm.pagination import paginate
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES


@role_required(*CLIENT_ROLES)
def review_queue(request: HttpRequest) -> HttpResponse:
    """The user's stale cards (a manager's: the team's), oldest first, with the list's filters."""
    stale = selectors.client_list(request.user).filter(card_updated_at__lt=card_review.stale_before())
    filterset = ClientFilter(request.GET, queryset=stale.order_by("card_updated_at", "pk"), user=request.user)
    context = {
        "filter": filterset,
        "page_obj": paginate(request, filterset.qs),
        "days": ClientFilePolicy.current().review_after_days,
    }
    return render(request, "clients/review_queue.html", context)


@require_POST
@role_required(*CLIENT_ROLES)
def client_reviewed(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Still current": the owner or their manager confirms the card without changing it."""
    client = selectors.client_card(request.user, pk)
    card_review.client_card_reviewed(client=client, by=request.user)
    messages.success(request, _("The card of %(name)s is marked as reviewed today.") % {"name": client.name})
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect(client)
