"""The key-account pipeline's workflow (招商, MKT-3), in one place.

    prospect ──▶ contacted ──▶ negotiating ──sign──▶ signed
        ▲  ◀──────┘  ◀──────────────┘
        │            any open stage ──▶ lost (with the reason)
        └──────────── reopen ◀──────────────────────┘

A move names the stage its user saw: the conditional UPDATE ``WHERE stage = <seen>`` decides,
so of two people moving the same card at once exactly one wins and the other is told where the
card is now. Each move writes a ``LeadStageChange`` (who, when, from, to) and a history row.
Signing creates the client (or takes the linked prospect client) and marks it a key account,
in the same transaction: a lost race creates nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, KeyAccountProfile, Lead, LeadStageChange
from clients.selectors import assignable_owners
from crm.history import record_update
from crm.models import User

S = Lead.Stage

# stage -> the stages a card may be moved to from it
MOVES: dict[str, tuple[str, ...]] = {
    S.PROSPECT: (S.CONTACTED, S.LOST),
    S.CONTACTED: (S.NEGOTIATING, S.PROSPECT, S.LOST),
    S.NEGOTIATING: (S.SIGNED, S.CONTACTED, S.LOST),
    S.LOST: (S.PROSPECT,),
    S.SIGNED: (),  # final: the account is a client now
}

EDITABLE = ("name", "owner", "expected_volume", "next_step", "next_step_on", "notes")


def allowed_moves(lead: Lead) -> tuple[str, ...]:
    return MOVES.get(lead.stage, ())


def _check_people(*, by: User, owner: User, client: Client | None) -> None:
    errors: dict[str, str] = {}
    if not assignable_owners(by).filter(pk=owner.pk).exists():
        errors["owner"] = _("You cannot give a pipeline card to this account manager.")
    if client is not None:
        if not Client.objects.visible_to(by).filter(pk=client.pk).exists():
            errors["client"] = _("Choose one of your clients.")
        elif client.is_key_account:
            errors["client"] = _("This client is a key account already.")
        elif client.owner_id != owner.pk:
            # The card's owner follows the client's, so the signed account stays with who won it.
            errors["owner"] = _("The card of an existing client belongs to that client's account manager.")
    if errors:
        raise ValidationError(errors)


def lead_create(
    *,
    by: User,
    owner: User,
    name: str = "",
    client: Client | None = None,
    expected_volume: Decimal | None = None,
    next_step: str = "",
    next_step_on: date | None = None,
    notes: str = "",
) -> Lead:
    """Put a company (or a prospect client) on the pipeline, at "prospect"."""
    _check_people(by=by, owner=owner, client=client)
    name = name.strip() or (client.name if client else "")
    if not name:
        raise ValidationError({"name": _("Name the company, or choose an existing client.")})
    if client is not None and Lead.objects.open().filter(client=client).exists():
        raise ValidationError({"client": _("This client is on the pipeline already.")})
    with transaction.atomic():
        lead = Lead(
            name=name,
            client=client,
            owner=owner,
            expected_volume=expected_volume,
            next_step=next_step,
            next_step_on=next_step_on,
            notes=notes,
            created_by=by,
        )
        lead._history_user = by
        lead.save()
        LeadStageChange.objects.create(lead=lead, to_stage=S.PROSPECT, by=by, at=lead.created_at)
    return lead


def lead_update(*, lead: Lead, by: User, **fields) -> Lead:
    """Change a card's details (not its stage: that is ``lead_move``)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    owner = fields.get("owner", lead.owner)
    # The stored owner, not ``lead.owner``: a ModelForm has already copied its data onto ``lead``.
    stored_owner = Lead.objects.filter(pk=lead.pk).values_list("owner_id", flat=True).get()
    if owner.pk != stored_owner:
        _check_people(by=by, owner=owner, client=None)
        if lead.client_id and lead.client.owner_id != owner.pk:
            raise ValidationError(
                {"owner": _("The card of an existing client belongs to that client's account manager.")}
            )
    with transaction.atomic():
        for name, value in fields.items():
            setattr(lead, name, value)
        lead._history_user = by
        lead.save(update_fields=list(fields))
    return lead


def lead_move(*, lead: Lead, stage: str, seen: str, by: User, note: str = "", lost_reason: str = "") -> Lead:
    """Move a card from ``seen`` (the stage its user saw) to ``stage``."""
    if stage not in MOVES.get(seen, ()):
        raise ValidationError({"stage": _("A card cannot go from this stage to that one.")})
    changes: dict = {"stage": stage, "stage_changed_at": timezone.now()}
    if stage == S.LOST:
        if not lost_reason.strip():
            raise ValidationError({"lost_reason": _("Say why the account was lost.")})
        changes["lost_reason"] = lost_reason.strip()
    elif stage == S.PROSPECT and seen == S.LOST:
        changes["lost_reason"] = ""
    reopening = stage in Lead.OPEN_STAGES and seen not in Lead.OPEN_STAGES and lead.client_id
    if reopening and _another_open_card(lead):
        raise ValidationError(_reopen_refused())
    with transaction.atomic():
        if stage == S.SIGNED:
            won = _claim(lead, seen)
            if won:
                changes["client"] = _signed_client(lead, by)
                Lead.objects.filter(pk=lead.pk).update(**changes)
        elif reopening:
            # The check above is not a lock: a card opened on the client meanwhile makes the
            # one-open-card constraint refuse the UPDATE, told as the same refusal, not a 500.
            try:
                with transaction.atomic():
                    won = Lead.objects.filter(pk=lead.pk, stage=seen).update(**changes)
            except IntegrityError:
                raise ValidationError(_reopen_refused()) from None
        else:
            won = Lead.objects.filter(pk=lead.pk, stage=seen).update(**changes)
        if not won:
            current = Lead.objects.get(pk=lead.pk)
            raise ValidationError(
                _("Someone else moved this card first: it is now at “%(stage)s”. Nothing was changed.")
                % {"stage": current.get_stage_display()}
            )
        lead = record_update(lead, by, fields=tuple(changes))
        LeadStageChange.objects.create(lead=lead, from_stage=seen, to_stage=stage, by=by, note=note.strip()[:300])
    return lead


def _reopen_refused() -> str:
    return _("This client has another open pipeline card: reopen this one after that card is signed or lost.")


def _another_open_card(lead: Lead) -> bool:
    return Lead.objects.open().filter(client_id=lead.client_id).exclude(pk=lead.pk).exists()


def _claim(lead: Lead, seen: str) -> int:
    """Lock the card if it is still at ``seen``; the row count says who won. Signing creates a
    client before the stage can change (a signed card must name one), so the race is decided
    first: a second signer waits on the row, then finds the stage changed and creates nothing."""
    return Lead.objects.filter(pk=lead.pk, stage=seen).update(stage_changed_at=timezone.now())


def _signed_client(lead: Lead, by: User) -> Client:
    """The client the signed card becomes: the linked prospect, or a new client file; either way
    a key account from now on, the change in its history with who signed it (X-2)."""
    reason = _("Signed as a key account from the pipeline")
    if lead.client_id:
        # Through the client gate, and only by the client's own account manager: a client given
        # to someone else is not turned into a key account by its former account manager's card.
        client = Client.objects.visible_to(by).filter(pk=lead.client_id).first()
        if client is None or client.owner_id != lead.owner_id:
            raise ValidationError(
                _("This card's client now belongs to another account manager: only their card can sign it.")
            )
        client.is_key_account = True
        if client.status == Client.Status.PROSPECT:
            client.status = Client.Status.ACTIVE
        client.card_updated_at = timezone.now()
        client._history_user, client._change_reason = by, reason
        client.save(update_fields=["is_key_account", "status", "card_updated_at"])
    else:
        client = Client(
            code=_new_code(lead),
            name=lead.name,
            owner=lead.owner,
            status=Client.Status.ACTIVE,
            is_key_account=True,
            notes=lead.notes,
        )
        client._history_user, client._change_reason = by, reason
        client.save()
    KeyAccountProfile.objects.get_or_create(client=client, defaults={"annual_volume": lead.expected_volume})
    return client


def _new_code(lead: Lead) -> str:
    base = f"KA{lead.pk:06d}"
    taken = set(Client.objects.filter(code__startswith=base).values_list("code", flat=True))
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def client_reassigned(*, client: Client, previous_owner_id: int) -> int:
    """A client given to another account manager takes its open cards along (signed and lost
    ones stay as they were), each change in the card's history with who reassigned the client."""
    moved = 0
    by = getattr(client, "_history_user", None)
    cards = Lead.objects.open().filter(client=client).exclude(owner_id=client.owner_id)
    for pk in cards.values_list("pk", flat=True):
        if Lead.objects.open().filter(pk=pk).exclude(owner_id=client.owner_id).update(owner_id=client.owner_id):
            lead = Lead.objects.get(pk=pk)
            lead._history_user = by
            lead._change_reason = _("The client was given to another account manager")
            lead.save(update_fields=["owner"])
            moved += 1
    return moved
