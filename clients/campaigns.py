"""Campaign services (MKT-1): launching freezes the reach list with its random hold-out; each
contact attempt is recorded with its response. The effect is measured by grading's evaluation
(the ledger lives there)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Campaign, CampaignContact, CampaignMember, Client
from clients.models.campaigns import Response
from clients.segments import segment_clients
from crm.models import User
from crm.roles import Role
from crm.services import notification_create


class CampaignError(ValidationError):
    """A campaign action that cannot be done as asked; the message says why."""


def campaign_create(*, by: User, **fields: Any) -> Campaign:
    """A draft campaign of ``by``'s team (a manager plans for their team); an administrator's is
    company-wide."""
    team = by.team if by.role == Role.MANAGER else None
    return Campaign.objects.create(created_by=by, team=team, **fields)


def campaign_update(*, campaign: Campaign, by: User, **fields: Any) -> Campaign:
    """Change ``fields`` only, on the locked row: a launch committed since the page was read keeps
    its launch columns, and the history row records the campaign as it now stands."""
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked._history_user = by
        locked.save(update_fields=list(fields))
    return locked


def holdout_size(count: int, percent: int) -> int:
    """How many of ``count`` clients a ``percent`` hold-out keeps out (rounded down, and never
    the whole segment: at least one client is always targeted)."""
    return min(count * percent // 100, max(count - 1, 0))


def segment_preview(*, by: User, params: Mapping[str, Any], holdout_percent: int = 0) -> tuple[int, int]:
    """(clients in the segment, of whom held out) as a launch would freeze them now."""
    count = segment_clients(by, params).count()
    return count, holdout_size(count, holdout_percent)


def launch(
    *, campaign: Campaign, params: Mapping[str, Any], by: User, rng: random.Random | None = None
) -> tuple[int, int]:
    """Freeze the campaign's list from the segment ``params`` as ``by`` sees it: each client once,
    a random ``holdout_percent`` kept out and recorded. Returns (targeted, held out).

    One transaction with the campaign's row locked: a second launch (another tab, a double
    click) finds it launched and is refused, so the list is frozen exactly once."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.launched_at is not None:
            raise CampaignError(_("This campaign was already launched; its list is frozen."))
        if locked.ends_on < today:
            raise CampaignError(_("This campaign's period has ended; change its dates before launching it."))
        try:
            # In the clients' order: the same random generator draws the same hold-out whatever
            # order the database returns the rows in.
            rows = sorted(segment_clients(by, params).values_list("pk", "owner_id", "territory_id"))
        except ValueError as error:
            raise CampaignError(str(error)) from error
        if not rows:
            raise CampaignError(_("No client matches this segment; widen the filters."))
        held = set(
            (rng or random.SystemRandom()).sample(
                [pk for pk, _owner, _territory in rows], holdout_size(len(rows), locked.holdout_percent)
            )
        )
        now = timezone.now()
        reached = now if locked.is_broadcast else None
        CampaignMember.objects.bulk_create(
            [
                CampaignMember(
                    campaign=locked,
                    client_id=pk,
                    group=CampaignMember.Group.HOLDOUT if pk in held else CampaignMember.Group.TARGET,
                    owner_id=owner,
                    territory_id=territory,
                    added_by=by,
                    added_at=now,
                    reached_at=None if pk in held else reached,
                )
                for pk, owner, territory in rows
            ],
            batch_size=2000,
        )
        locked.segment = dict(params)
        locked.launched_at = now
        locked.launched_by = by
        locked._change_reason = "launched"
        locked.save(update_fields=["segment", "launched_at", "launched_by"])
        _tell_owners(locked, Counter(owner for pk, owner, _t in rows if pk not in held and owner), now)
    campaign.refresh_from_db()
    return len(rows) - len(held), len(held)


def _tell_owners(campaign: Campaign, per_owner: Counter, now) -> None:
    for owner in User.objects.filter(pk__in=per_owner, is_active=True):
        count = per_owner[owner.pk]
        notification_create(
            recipient=owner,
            key=f"campaign:{campaign.pk}:launch",
            message="clients.campaign_sent" if campaign.is_broadcast else "clients.campaign_to_contact",
            params={"count": count, "campaign": campaign.name, "text": campaign.offer},
            link=campaign.get_absolute_url(),
        )


def record_contact(*, member: CampaignMember, by: User, method: str, response: str, note: str = "") -> CampaignContact:
    """Record one contact attempt of a targeted client and its response.

    The member's summary follows in the same transaction: reached at the first answered contact,
    the latest answer kept (a later "no answer" does not erase an earlier one). A client who asks
    not to be contacted is marked so on their file; later segments leave them out."""
    if member.group != CampaignMember.Group.TARGET:
        raise CampaignError(_("Clients of the hold-out group are not contacted: they measure the effect."))
    campaign = member.campaign
    if campaign.launched_at is None:
        raise CampaignError(_("Launch the campaign before recording contacts."))
    now = timezone.now()
    with transaction.atomic():
        contact = CampaignContact.objects.create(
            member=member, by=by, method=method, response=response, note=note, at=now
        )
        changes: dict[str, Any] = {"attempts": F("attempts") + 1}
        if response != Response.NO_ANSWER:
            changes.update(response=response, responded_at=now)
        CampaignMember.objects.filter(pk=member.pk).update(**changes)
        if response != Response.NO_ANSWER:
            CampaignMember.objects.filter(pk=member.pk, reached_at__isnull=True).update(reached_at=now)
        if response == Response.OPT_OUT:
            client = Client.objects.select_for_update().get(pk=member.client_id)
            if client.contact_opt_out_at is None:
                client.contact_opt_out_at = now
                client._change_reason = f"campaign:{campaign.pk}"
                client.save(update_fields=["contact_opt_out_at"])
    member.refresh_from_db()
    return contact


def clear_opt_out(*, client: Client, by: User) -> None:
    """The client agreed to hear from campaigns again (recorded in the card's history)."""
    with transaction.atomic():
        locked = Client.objects.select_for_update().get(pk=client.pk)
        if locked.contact_opt_out_at is not None:
            locked.contact_opt_out_at = None
            locked._history_user = by
            locked.save(update_fields=["contact_opt_out_at"])
    client.refresh_from_db(fields=["contact_opt_out_at"])
