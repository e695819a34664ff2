"""The client list, the card, and creating or editing a card (CLI-1…4)."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from clients import card_review, imports, selectors, services
from clients.filters import ClientFilter
from clients.forms import ClientForm, ContactFormSet, KeyAccountForm
from clients.models import Client, KeyAccountProfile
from crm.pagination import paginate
from crm.panels import client_panels
from crm.permissions import role_required
from crm.roles import CLIENT_ROLES


@role_required(*CLIENT_ROLES)
def client_list(request: HttpRequest) -> HttpResponse:
    filterset = ClientFilter(request.GET, queryset=selectors.client_list(request.user), user=request.user)
    page = paginate(request, filterset.qs)
    context = {
        "filter": filterset,
        "page_obj": page,
        "ledger_exports": imports.ledger_kinds(),
        "stale_before": card_review.stale_before(),
    }
    return render(request, "clients/client_list.html", context)


@role_required(*CLIENT_ROLES)
def key_account_list(request: HttpRequest) -> HttpResponse:
    filterset = ClientFilter(request.GET, queryset=selectors.key_account_list(request.user), user=request.user)
    page = paginate(request, filterset.qs)
    return render(request, "clients/key_account_list.html", {"filter": filterset, "page_obj": page})


@role_required(*CLIENT_ROLES)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = selectors.client_card(request.user, pk)
    context = {
        "client": client,
        "contacts": list(client.contacts.all()),
        "key_account": getattr(client, "key_account", None) if client.is_key_account else None,
        "timeline": selectors.client_timeline(client),
        "open_complaints": client.complaints.open().count(),
        "panels": client_panels.for_user(request.user, client),
        "stale": client.card_updated_at < card_review.stale_before(days=client.review_after_days),
    }
    return render(request, "clients/client_detail.html", context)


@role_required(*CLIENT_ROLES)
def client_create(request: HttpRequest) -> HttpResponse:
    return _card_form(request, Client(owner=request.user))


@role_required(*CLIENT_ROLES)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _card_form(request, selectors.client_card(request.user, pk))


def _card_form(request: HttpRequest, client: Client) -> HttpResponse:
    creating = client.pk is None
    profile = getattr(client, "key_account", None) if not creating else None
    data = request.POST if request.method == "POST" else None
    form = ClientForm(data, instance=client, user=request.user)
    contacts = ContactFormSet(data, instance=client, prefix="contacts")
    key_account = KeyAccountForm(data, instance=profile or KeyAccountProfile(client=client), prefix="ka")
    if request.method == "POST":
        wants_key_account = form.is_valid() and form.cleaned_data["is_key_account"]
        valid = form.is_valid() and contacts.is_valid() and (not wants_key_account or key_account.is_valid())
        if valid:
            with transaction.atomic():
                client = services.client_save_card(
                    client=form.save(commit=False),
                    contacts=contacts,
                    key_account=_profile_data(key_account) if wants_key_account else None,
                    by=request.user,
                    fields=[name for name in form.fields if name != "is_key_account"],
                )
            messages.success(request, _("Client %(name)s saved.") % {"name": client.name})
            return redirect(client)
        messages.error(request, _("Please correct the errors below; nothing was saved yet."))
    context = {"form": form, "contacts": contacts, "key_account": key_account, "client": client, "creating": creating}
    return render(request, "clients/client_form.html", context)


def _profile_data(form: KeyAccountForm) -> dict:
    return {name: form.cleaned_data[name] for name in form.Meta.fields}
