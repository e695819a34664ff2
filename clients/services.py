"""Writes of client files (CLI-1…10). Each function is one user action in one transaction."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Exists, F, OuterRef, QuerySet, Subquery, Value, When
from django.dispatch import Signal
from django.forms import BaseInlineFormSet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import digest
from clients.codes import client_code_next
from clients.messages import FOLLOWUPS
from clients.models import (
    Client,
    Contact,
    DemandRecord,
    Interaction,
    KeyAccountProfile,
    ProductFeedback,
)
from crm.history import history_copy_sql
from crm.models import Notification, User
from crm.services import notification_create


def client_save_card(
    *,
    client: Client,
    contacts: BaseInlineFormSet,
    key_account: dict[str, Any] | None,
    by: User,
    fields: list[str] | tuple[str, ...] = (),
) -> Client:
    """Save a client's card, its contacts and key-account profile together (CLI-2, CLI-3, CLI-4).

    ``key_account`` is the profile's cleaned data, or None when the client is not a key account
    (an existing profile is then kept, so unticking the box by mistake loses nothing).
    ``fields`` are the card fields the user edited: only those are written, so a concurrent
    grading run or follow-up change is not overwritten with stale values.
    """
    with transaction.atomic():  # not a decorator: mutmut leaves decorated functions alone (issue 17)
        client.card_updated_at = timezone.now()
        client.is_key_account = key_account is not None
        if client.pk is None:
            if not client.code.strip():
                client.code = client_code_next()  # the row lock lasts until this save commits
            client.save()
        else:  # another owner: Client.save sends client_reassigned
            client.save(update_fields=[*fields, "card_updated_at", "is_key_account"])
        _contacts_save(client=client, contacts=contacts)
        if key_account is not None:
            KeyAccountProfile.objects.update_or_create(client=client, defaults=key_account)
        return client


def _contacts_save(*, client: Client, contacts: BaseInlineFormSet) -> None:
    # One emergency contact per client is a database constraint, checked row by row; clear the
    # flag first so moving it from one contact to another never collides half-way.
    client.contacts.filter(is_emergency=True).update(is_emergency=False)
    contacts.instance = client
    contacts.save()
    emergency = [
        form.instance.pk
        for form in contacts.forms
        if form.cleaned_data.get("is_emergency") and not form.cleaned_data.get("DELETE") and form.instance.pk
    ]
    if emergency:
        Contact.objects.filter(pk=emergency[0]).update(is_emergency=True)


# Sent inside the transaction of every logged interaction, with ``interaction`` and ``booking``
# (the client's booked next contact after it): the apps above clients (visit plans) mark what it
# fulfils and keep their booked visits in step, without clients importing them.
interaction_logged = Signal()


def interaction_log(
    *,
    client: Client,
    kind: str,
    outcome: str,
    by: User,
    occurred_at: datetime | None = None,
    next_step: str = "",
    next_contact_date: date | None = None,
) -> Interaction:
    """Log a contact with the client (CLI-5) and carry the booked next contact (VIS-4, VIS-6).

    A booking ends only when it is done or moved: a contact on or after the booked day is the
    follow-up, so it clears the booking and its reminder unless it books the next one; a contact
    that books another date moves it. A contact before the booked day without a date of its own
    (a call in between) leaves the booking and its reminder as they are."""
    with transaction.atomic():
        interaction = Interaction.objects.create(
            client=client,
            kind=kind,
            outcome=outcome,
            occurred_at=occurred_at or timezone.now(),
            next_step=next_step,
            next_contact_date=next_contact_date,
            recorded_by=by,
        )
        _booking_carry(client=client, interaction=interaction)
        interaction_logged.send(sender=Interaction, interaction=interaction, booking=client.next_contact_date)
        return interaction


def _booking_carry(*, client: Client, interaction: Interaction) -> None:
    if client.interactions.filter(occurred_at__gt=interaction.occurred_at).exists():
        return  # a backdated entry: the later contact's follow-up stands
    next_contact_date, next_step = interaction.next_contact_date, interaction.next_step
    previous_due = client.next_contact_date
    done = previous_due is not None and timezone.localdate(interaction.occurred_at) >= previous_due
    if previous_due is not None and next_contact_date is None and not done:
        return  # a contact in between does not cancel the booked one
    Client.objects.filter(pk=client.pk).update(next_contact_date=next_contact_date, next_step=next_step)
    client.next_contact_date, client.next_step = next_contact_date, next_step
    if previous_due is not None and previous_due != next_contact_date:
        Notification.objects.filter(key=followup_key(client.pk, previous_due), read_at__isnull=True).update(
            read_at=timezone.now()
        )


def followup_move(*, client: Client, due: date, to: date) -> bool:
    """Move the booked next contact from ``due`` to ``to`` (its visit was moved in the plan);
    False when the booking is no longer ``due``. The old day's reminder is put away."""
    with transaction.atomic():
        if not Client.objects.filter(pk=client.pk, next_contact_date=due).update(next_contact_date=to):
            return False
        client.next_contact_date = to
        Notification.objects.filter(key=followup_key(client.pk, due), read_at__isnull=True).update(
            read_at=timezone.now()
        )
        return True


# Sent when a booked next contact is cancelled, with ``client`` and ``due`` (the cancelled day).
followup_cancelled = Signal()


def followup_cancel(*, client: Client, by: User, due: date, reason: str) -> Client:
    """Cancel the booked next contact (VIS-4): the client's owner or a manager who may see the
    client, with the reason, which the client's history keeps. ``due`` is the booking the user
    saw: a booking moved or done meanwhile is not cancelled by mistake."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the booked contact is cancelled.")})
    with transaction.atomic():
        if not Client.objects.filter(pk=client.pk, next_contact_date=due).update(next_contact_date=None, next_step=""):
            raise ValidationError(_("The booked contact changed meanwhile (done or moved); reload the page."))
        Notification.objects.filter(key=followup_key(client.pk, due), read_at__isnull=True).update(
            read_at=timezone.now()
        )
        client.refresh_from_db()
        client._change_reason = _("Booked contact of %(date)s cancelled: %(reason)s") % {
            "date": due,
            "reason": reason.strip()[:200],
        }
        client._history_user = by
        client.save(update_fields=["card_updated_at"])
        followup_cancelled.send(sender=Client, client=client, due=due)
    return client


def followup_key(client_id: int, due: date) -> str:
    return f"followup:client:{client_id}:{due.isoformat()}"


def followup_reminders_send(*, today: date | None = None) -> int:
    """Remind each account manager of due and overdue follow-ups (VIS-5, VIS-6).

    The rule, "without duplicates": a follow-up gets ONE in-app notification, keyed by the
    client and its due date, on the first run on or after that date; while it stays overdue the
    next mornings add none (the unread notification is still there). Setting a new date makes a
    new follow-up, reminded once in turn. The e-mail digest is daily: one per account manager and
    day, listing every follow-up then due or overdue, and the sections other apps registered in
    ``clients.digest`` (visits due, key accounts past their cadence). Both have unique keys, so
    running this again the same day creates nothing. Returns the number of new per-client
    notifications.
    """
    today = today or timezone.localdate()
    due = (
        Client.objects.followup_due(today)
        .filter(owner__is_active=True)
        .select_related("owner")
        .only("pk", "name", "code", "next_contact_date", "next_step", "owner")
        .order_by("owner_id", "next_contact_date", "name")
    )
    by_owner: dict[User, list[Client]] = defaultdict(list)
    for client in due:
        by_owner[client.owner].append(client)
    rows = [
        Notification(
            recipient=owner,
            key=followup_key(client.pk, client.next_contact_date),
            level=Notification.Level.REMINDER,
            message="clients.followup",
            params={"client": client.name, "date": client.next_contact_date.isoformat(), "text": client.next_step},
            title=_("Follow up with %(client)s (due %(date)s)")
            % {"client": client.name, "date": client.next_contact_date},
            body=client.next_step,
            link=reverse("clients:detail", args=[client.pk]),
            send_email=False,
        )
        for owner, clients in by_owner.items()
        for client in clients
    ]
    sections = digest.collect(today)
    owners = {owner.pk: owner for owner in by_owner}
    others = set(sections) - set(owners)
    if others:  # account managers with visits due but no follow-up: one query for all of them
        owners.update({user.pk: user for user in User.objects.filter(pk__in=others, is_active=True)})
    with transaction.atomic():
        known = set(Notification.objects.filter(key__in=[row.key for row in rows]).values_list("recipient_id", "key"))
        Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        created = sum((row.recipient.pk, row.key) not in known for row in rows)
        for owner_id in sorted(owners):
            owner = owners[owner_id]
            _followup_digest(
                owner=owner, clients=by_owner.get(owner, []), extra=sections.get(owner_id, []), today=today
            )
    return created


def _followup_lines(clients: list[Client]) -> list[str]:
    return [f"- {c.name} ({c.code}), {c.next_contact_date}: {c.next_step or '—'}" for c in clients]


def _followup_digest(
    *,
    owner: User,
    clients: list[Client],
    today: date,
    extra: Sequence[tuple[digest.DigestSection, list[str]]] = (),
) -> None:
    """One digest per account manager and day (key ``followup-digest:<day>``). With follow-ups
    only it is the follow-up list; with other sections (visits due, key accounts past their
    cadence) each part gets its heading and the title counts every line."""
    parts: list[dict] = []
    links: list[str] = []
    if clients:
        parts.append({"section": FOLLOWUPS, "count": len(clients), "lines": _followup_lines(clients)})
        links.append(reverse("clients:list") + "?followup=due")
    for section, lines in extra:
        parts.append({"section": section.name, "count": len(lines), "lines": lines})
        links.append(section.link())
    if not parts:
        return
    # The headings are written when the digest is read, in the reader's language (clients.messages).
    notification_create(
        recipient=owner,
        key=f"followup-digest:{today.isoformat()}",
        level=Notification.Level.REMINDER,
        message="clients.digest",
        params={"parts": parts},
        link=links[0] if len(parts) == 1 else reverse("home"),
    )


@transaction.atomic
def feedback_record(*, client: Client, by: User, **fields: Any) -> ProductFeedback:
    """Record new-product information sent and the client's feedback (CLI-7)."""
    return ProductFeedback.objects.create(client=client, recorded_by=by, **fields)


@transaction.atomic
def demand_record(
    *, client: Client, by: User, product: str, quantity: Decimal, period_start: date, period_end: date, **fields: Any
) -> DemandRecord:
    """Record demand collected from the client (CLI-10)."""
    return DemandRecord.objects.create(
        client=client,
        recorded_by=by,
        product=product,
        quantity=quantity,
        period_start=period_start,
        period_end=period_end,
        **fields,
    )


# The change reason of the history rows a grading run writes: the timeline names it in the
# reader's language. "grading:<run number>" names the run that set the level too.
GRADING_REASON = "grading"


def grading_reason(run_number: int | None) -> str:
    return f"{GRADING_REASON}:{run_number}" if run_number else GRADING_REASON


def grading_run_number(reason: str | None) -> str | None:
    """The run number in a grading change reason ("" for a run not named), None for other reasons."""
    name, _sep, number = (reason or "").partition(":")
    return number if name == GRADING_REASON else None


@transaction.atomic
def clients_set_grades(*, scores, discounts: dict[str, str], graded_at, run_number: int | None = None) -> int:
    """Write the level and discount tier of graded clients (CLI-9, GRD-5), set-based.

    ``scores`` is a queryset of (client_id, level) rows from the grading app; clients it does not
    name keep no level (they have no history to grade). Only clients whose level or tier changes
    are written, so ``graded_at`` is when the current level was set, and a nightly run where
    little moves touches few rows. Each changed client gets a history row (X-2), in the same
    set-based statement on PostgreSQL, whose change reason names the run (``run_number``).
    """
    reason = grading_reason(run_number)
    scores = scores.values("client_id", "level")
    history = history_copy_sql(Client, source="changed")
    if connection.vendor == "postgresql":
        # One statement: UPDATE … FROM over the changed rows, their audit rows from RETURNING.
        sql, params = scores.query.sql_with_params()
        tiers = " ".join("WHEN %s THEN %s" for _ in discounts)
        tier_params = [value for pair in discounts.items() for value in pair]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""WITH changed AS (
                        UPDATE clients_client AS c SET level = s.level, graded_at = %s,
                            discount_tier = CASE s.level {tiers} ELSE '' END
                        FROM ({sql}) AS s
                        WHERE c.id = s.client_id
                          AND (c.level <> s.level OR c.discount_tier <> CASE s.level {tiers} ELSE '' END)
                        RETURNING c.*)
                    {history}""",  # noqa: S608
                [graded_at, *tier_params, *params, *tier_params, graded_at, reason, None],
            )
            changed = cursor.rowcount
    else:
        new_level = Subquery(scores.filter(client_id=OuterRef("pk")).values("level")[:1])
        new_tier = Case(*[When(new_level=letter, then=Value(t)) for letter, t in discounts.items()], default=Value(""))
        targets = Client.objects.filter(pk__in=scores.values("client_id")).annotate(
            new_level=new_level, new_tier=new_tier
        )
        changed = _set_and_record(
            targets.exclude(level=F("new_level"), discount_tier=F("new_tier")),
            graded_at,
            reason,
            level=new_level,
            discount_tier=Case(
                *[When(level=letter, then=Value(t)) for letter, t in discounts.items()], default=Value("")
            ),
        )
    graded = Exists(scores.filter(client_id=OuterRef("pk")))
    _set_and_record(
        Client.objects.exclude(level="").exclude(graded), graded_at, reason, level=Value(""), discount_tier=Value("")
    )
    return changed


def _set_and_record(clients: QuerySet[Client], graded_at, reason: str, *, level, discount_tier) -> int:
    """Update these clients' grade (the tier follows the new level) and write their history rows."""
    ids = list(clients.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):  # SQLite limits the parameters of one statement
        chunk = ids[start : start + 500]
        rows = Client.objects.filter(pk__in=chunk)
        rows.update(level=level, graded_at=graded_at)
        rows.update(discount_tier=discount_tier)
        placeholders = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                history_copy_sql(Client, source=f"clients_client WHERE id IN ({placeholders})"),
                [graded_at, reason, None, *chunk],
            )
    return len(ids)
