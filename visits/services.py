"""Writes of visit plans (VIS-1…VIS-5). Each function is one user action in one transaction;
every state change is a conditional UPDATE on what the writer saw, so of two concurrent
requests exactly one wins and the other is told."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client, Interaction
from clients.services import followup_cancel, followup_move, interaction_log
from crm.models import Team, Territory, User
from crm.roles import Role
from visits import generation
from visits.calendar import is_working_day, month_end, month_start, next_working_day, working_days
from visits.contacts import contacts_refresh
from visits.models import MarketInfo, MonthPlan, TeamMonth, Visit, VisitPolicy

INTERACTION_KIND = {Visit.Kind.ONSITE: Interaction.Kind.VISIT, Visit.Kind.PHONE: Interaction.Kind.CALL}
VISIT_KIND = {
    Interaction.Kind.VISIT: Visit.Kind.ONSITE,
    Interaction.Kind.MEETING: Visit.Kind.ONSITE,
    Interaction.Kind.CALL: Visit.Kind.PHONE,
}
# Set while visit_log writes its interaction: that visit is marked by visit_log itself.
_LOGGING_FROM_PLAN: ContextVar[int | bool] = ContextVar("visits_logging_from_plan", default=False)


def month_open(
    *,
    team: Team | None,
    month: date,
    by: User,
    focus_territories: list[Territory] | QuerySet[Territory] = (),
    focus_product: str = "",
    min_coverage: int | None = None,
    today: date | None = None,
) -> generation.Generated:
    """Open ``month`` for ``team`` (None: every team, an administrator's choice) and generate a
    draft plan for each account manager who has none yet (VIS-1). Generating the same month again
    keeps every plan already made (one per account manager and month) and only adds those of
    account managers who joined since. Teams opened together are generated in one statement."""
    today = today or timezone.localdate()
    if month != month_start(month):
        raise ValidationError({"month": _("Choose a month.")})
    if month < month_start(today):
        raise ValidationError({"month": _("Plans are made for this month or a later one.")})
    start = max(month, today)  # a month already begun is planned from today on
    if not working_days(start, month_end(month)):
        raise ValidationError(
            {"month": _("The holiday calendar leaves no working day in %(month)s.") % {"month": f"{month:%Y-%m}"}}
        )
    owners = list(
        User.objects.filter(role=Role.ACCOUNT_MANAGER, is_active=True, team__isnull=False)
        .filter(**({"team": team} if team is not None else {}))
        .order_by("team_id", "username")
    )
    if not owners:
        raise ValidationError(_("The team has no active account manager to plan for."))
    policy = VisitPolicy.current()
    result = generation.Generated()
    with transaction.atomic():
        groups: dict[tuple, dict[int, int]] = {}
        # Team by team in a fixed order (no deadlock between two generations that overlap).
        for team_id in sorted({owner.team_id for owner in owners}):
            team_month, created = TeamMonth.objects.get_or_create(
                team_id=team_id,
                month=month,
                defaults={
                    "created_by": by,
                    "policy": policy,
                    "focus_product": focus_product,
                    "min_coverage": min_coverage,
                },
            )
            # Serialise generations of one team's month: the second waits, then finds the plans.
            team_month = TeamMonth.objects.select_for_update().get(pk=team_month.pk)
            if created and focus_territories:
                team_month.focus_territories.set(focus_territories)
            members = [owner for owner in owners if owner.team_id == team_id]
            existing = set(MonthPlan.objects.filter(month=month, owner__in=members).values_list("owner_id", flat=True))
            result.kept_owner_ids += sorted(existing)
            new_owners = [owner for owner in members if owner.pk not in existing]
            MonthPlan.objects.bulk_create(
                [MonthPlan(owner=owner, month=month, team_month=team_month) for owner in new_owners],
                ignore_conflicts=True,
            )
            focus = tuple(sorted(team_month.focus_territories.values_list("pk", flat=True)))
            key = (team_month.policy_id, focus, team_month.min_coverage)
            groups.setdefault(key, {}).update(
                MonthPlan.objects.filter(month=month, owner__in=new_owners).values_list("owner_id", "pk")
            )
        for (policy_id, focus, minimum), plans in groups.items():
            result.items += generation.insert_due_items(
                policy=VisitPolicy.objects.get(pk=policy_id),
                month=month,
                plans=plans,
                focus_territory_ids=list(focus),
                min_coverage=minimum,
                start=start,
            )
            result.plan_ids += list(plans.values())
    return result


def _plan_change(plan: MonthPlan, *, expect: tuple[str, ...], message: str, **changes: Any) -> None:
    updated = MonthPlan.objects.filter(pk=plan.pk, status__in=expect, version=plan.version).update(
        version=F("version") + 1, **changes
    )
    if not updated:
        raise ValidationError(message)
    plan.refresh_from_db()


def plan_submit(*, plan: MonthPlan, by: User) -> MonthPlan:
    """The account manager hands the adjusted draft to the manager."""
    if plan.owner_id != by.pk:
        raise ValidationError(_("Only the account manager of the plan may submit it."))
    with transaction.atomic():
        if not plan.visits.exists():
            raise ValidationError(_("The plan has no visit yet: add the visits you intend to make."))
        _plan_change(
            plan,
            expect=(MonthPlan.Status.DRAFT, MonthPlan.Status.RETURNED),
            message=_("The plan changed meanwhile (submitted or decided already); reload the page."),
            status=MonthPlan.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
    return plan


def _decider_check(plan: MonthPlan, by: User) -> None:
    refusal = plan.decision_refusal(by)
    if refusal:
        raise ValidationError(refusal)


def plan_approve(*, plan: MonthPlan, by: User, note: str = "") -> MonthPlan:
    """Approve a submitted plan (月计划审批); its days become the ones compliance is measured by."""
    _decider_check(plan, by)
    with transaction.atomic():
        _plan_change(
            plan,
            expect=(MonthPlan.Status.SUBMITTED,),
            message=_("The plan is no longer waiting for a decision (decided by someone else?); reload the page."),
            status=MonthPlan.Status.APPROVED,
            decided_by=by,
            decided_at=timezone.now(),
            decision_note=note,
        )
        plan.visits.filter(status=Visit.Status.PLANNED).update(original_date=F("planned_for"))
    return plan


def plan_return(*, plan: MonthPlan, by: User, note: str) -> MonthPlan:
    """Send a submitted plan back with a comment; the account manager adjusts and resubmits."""
    _decider_check(plan, by)
    if not note.strip():
        raise ValidationError({"note": _("Say what to change when returning a plan.")})
    with transaction.atomic():
        _plan_change(
            plan,
            expect=(MonthPlan.Status.SUBMITTED,),
            message=_("The plan is no longer waiting for a decision (decided by someone else?); reload the page."),
            status=MonthPlan.Status.RETURNED,
            decided_by=by,
            decided_at=timezone.now(),
            decision_note=note.strip(),
        )
    return plan


def _owner_check(visit: Visit, by: User) -> None:
    if by.role != Role.ADMIN and visit.owner_id != by.pk:
        raise ValidationError(_("Only the account manager of the visit may change it."))


def _day_check(day: date, *, plan: MonthPlan | None, today: date, field: str) -> None:
    if day < today:
        raise ValidationError({field: _("Choose today or a later day.")})
    if plan is not None and not (plan.month <= day <= month_end(plan.month)):
        raise ValidationError({field: _("Choose a day of %(month)s.") % {"month": f"{plan.month:%Y-%m}"}})
    if not is_working_day(day):
        raise ValidationError({field: _("%(day)s is not a working day.") % {"day": day}})


def _visit_change(visit: Visit, message: str, **changes: Any) -> None:
    """The change, if the visit and its plan are still as the user saw them: a plan submitted or
    approved meanwhile is not changed under the manager's eyes (nor moved without a reason)."""
    seen = Visit.objects.filter(pk=visit.pk, status=Visit.Status.PLANNED, version=visit.version)
    if visit.plan_id is not None:
        seen = seen.filter(plan__status=visit.plan.status)
    updated = seen.update(version=F("version") + 1, **changes)
    if not updated:
        raise ValidationError(message)
    visit.refresh_from_db()


STALE_VISIT = "The visit changed meanwhile (done, moved or removed); reload the page."


def visit_move(*, visit: Visit, day: date, by: User, reason: str = "", today: date | None = None) -> Visit:
    """Move a planned visit to another day. Once the plan is approved, or when the visit is
    overdue, the reason is required and kept (the visit "rolls over" with it)."""
    today = today or timezone.localdate()
    _owner_check(visit, by)
    plan = visit.plan
    if plan is not None and plan.status == MonthPlan.Status.SUBMITTED:
        raise ValidationError(_("The plan waits for the manager's decision; it cannot change now."))
    overdue = visit.planned_for < today
    # An overdue visit of an earlier month rolls over into the month it moves to (its plan keeps
    # counting it as missed on its day); any other stays in its plan's month.
    rolls_over = overdue and plan is not None and plan.month < month_start(today)
    _day_check(day, plan=None if rolls_over else plan, today=today, field="day")
    needs_reason = (plan is not None and plan.status == MonthPlan.Status.APPROVED) or overdue
    if needs_reason and not reason.strip():
        raise ValidationError({"reason": _("Say why the visit moves.")})
    with transaction.atomic():
        moved_from = visit.planned_for
        _visit_change(visit, _(STALE_VISIT), planned_for=day, note=reason.strip()[:300] or visit.note)
        if visit.source == Visit.Source.BOOKED:
            _booking_follows(client=visit.client, was=moved_from, to=day)
    return visit


def visit_remove(*, visit: Visit, by: User, reason: str) -> Visit:
    """Take a visit out of the plan, with the reason (kept on the visit)."""
    _owner_check(visit, by)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the visit is removed.")})
    if visit.plan is not None and visit.plan.status == MonthPlan.Status.SUBMITTED:
        raise ValidationError(_("The plan waits for the manager's decision; it cannot change now."))
    with transaction.atomic():
        _visit_change(visit, _(STALE_VISIT), status=Visit.Status.CANCELLED, note=reason.strip()[:300])
        if visit.source == Visit.Source.BOOKED:
            _booking_follows(client=visit.client, was=visit.planned_for, to=None, by=by, reason=reason)
    return visit


def _booking_follows(*, client: Client, was: date, to: date | None, by: User | None = None, reason: str = "") -> None:
    """A booked visit moved or removed in the plan moves or cancels the client's booking too,
    when the booking is still the one it was made for (its day, or the working day after)."""
    client.refresh_from_db(fields=["next_contact_date", "next_step"])
    booked = client.next_contact_date
    if booked is None or was not in (booked, next_working_day(booked)):
        return
    if to is None:
        followup_cancel(client=client, by=by, due=booked, reason=reason)
    else:
        followup_move(client=client, due=booked, to=to)


def visit_add(*, plan: MonthPlan, client: Client, kind: str, day: date, by: User, today: date | None = None) -> Visit:
    """Add a visit to one's plan by hand. ``client`` must come through the gate (visible_to)."""
    today = today or timezone.localdate()
    if plan.owner_id != by.pk:
        raise ValidationError(_("Only the account manager of the plan may change it."))
    if plan.status == MonthPlan.Status.SUBMITTED:
        raise ValidationError(_("The plan waits for the manager's decision; it cannot change now."))
    if client.owner_id != plan.owner_id:
        raise ValidationError({"client": _("Choose one of your own clients.")})
    _day_check(day, plan=plan, today=today, field="day")
    with transaction.atomic():
        approved = MonthPlan.objects.filter(pk=plan.pk, status=MonthPlan.Status.APPROVED).exists()
        return Visit.objects.create(
            plan=plan,
            owner_id=plan.owner_id,
            client=client,
            territory_id=client.territory_id,
            kind=kind,
            source=Visit.Source.ADDED,
            planned_for=day,
            original_date=day if approved else None,
        )


def suggested_next_date(*, client: Client, kind: str = Visit.Kind.ONSITE, after: date | None = None) -> date:
    """The day the cadence suggests for the next contact: the level's (or the key account's)
    interval after ``after``, on a working day (VIS-4: booking it costs one tap)."""
    after = after or timezone.localdate()
    policy = VisitPolicy.current()
    onsite, phone = policy.rates(client.level)
    days = generation.interval_days(onsite if kind == Visit.Kind.ONSITE else phone)
    profile = getattr(client, "key_account", None) if client.is_key_account else None
    if kind == Visit.Kind.ONSITE and profile is not None:
        days = profile.visit_cadence_days
    return next_working_day(after + timedelta(days=int(days or policy.rotation_days)))


def visit_log(
    *,
    client: Client,
    by: User,
    kind: str,
    outcome: str,
    visit: Visit | None = None,
    occurred_on: date | None = None,
    next_contact_date: date | None = None,
    next_step: str = "",
    late_reason: str = "",
    market: dict[str, Any] | None = None,
) -> Visit:
    """Log a visit or phone follow-up, done from the plan (``visit``) or unplanned (VIS-4).

    An on-site visit books the next one (当时预约下一次拜访): the date is required and later than
    the visit. Logging writes the client's interaction (which carries the booking and its
    reminder, ``clients.services.interaction_log``), marks the planned visit done, puts the booked
    visit in the plan of its month when there is one, and keeps the market information."""
    today = timezone.localdate()
    occurred_on = occurred_on or today
    if occurred_on > today:
        raise ValidationError({"occurred_on": _("A visit cannot be logged before it happens.")})
    if kind == Visit.Kind.ONSITE and next_contact_date is None:
        raise ValidationError({"next_contact_date": _("Book the next visit: an on-site visit always books the next.")})
    if next_contact_date is not None and next_contact_date <= occurred_on:
        raise ValidationError({"next_contact_date": _("Book the next visit after this one.")})
    if next_contact_date is not None and next_contact_date < today:
        raise ValidationError({"next_contact_date": _("Choose today or a later day.")})
    if visit is not None and visit.kind != kind:
        visit = None  # a call instead of the planned on-site visit: the visit stays to do
    if visit is not None:
        _owner_check(visit, by)
        if visit.client_id != client.pk:
            raise ValidationError(_("The visit belongs to another client."))
        if visit.planned_for < occurred_on and not (late_reason.strip() or visit.note):
            raise ValidationError({"late_reason": _("The visit is done after its day: say why.")})
    with transaction.atomic():
        occurred_at = timezone.make_aware(datetime.combine(occurred_on, time(12)))
        if occurred_on == today:
            occurred_at = timezone.now()
        token = _LOGGING_FROM_PLAN.set(visit.pk if visit is not None else True)
        try:
            interaction = interaction_log(
                client=client,
                kind=INTERACTION_KIND[kind],
                outcome=outcome,
                by=by,
                occurred_at=occurred_at,
                next_step=next_step,
                next_contact_date=next_contact_date,
            )
        finally:
            _LOGGING_FROM_PLAN.reset(token)
        if visit is None:
            visit = _matching_planned(client=client, kind=kind, by=by, day=occurred_on)
        if visit is not None:
            changes: dict[str, Any] = {"status": Visit.Status.DONE, "done_on": occurred_on, "interaction": interaction}
            if late_reason.strip():
                changes["note"] = late_reason.strip()[:300]
            _visit_change(visit, _(STALE_VISIT), **changes)
            contacts_refresh(client_ids=[client.pk])  # the UPDATE sent no signal
        else:
            visit = _unplanned(client=client, kind=kind, day=occurred_on, interaction=interaction)
        if market and any(value not in (None, "") for value in market.values()):
            MarketInfo.objects.create(
                visit=visit, client=client, territory_id=client.territory_id, recorded_by=by, **market
            )
        return visit


def interaction_logged(*, interaction: Interaction, booking: date | None) -> Visit | None:
    """Every logged contact keeps the plan in step: its booked visits follow the client's booking,
    and a contact logged on the client's page (not from the plan) fulfils the plan too."""
    logging = _LOGGING_FROM_PLAN.get()
    booking_sync(client=interaction.client, booking=booking, keep=logging if logging is not True else None)
    if logging:
        return None
    return plan_fulfil(interaction=interaction)


def booking_sync(*, client: Client, booking: date | None, keep: int | None = None) -> None:
    """The plan's booked visits of the client are the client's booking: a booked visit on
    another day (the booking moved) is taken out, and the booking gets its visit in the plan of
    its month when that plan exists. ``keep`` is a visit being logged right now."""
    days = (booking, next_working_day(booking)) if booking else ()
    stale = Visit.objects.filter(client=client, source=Visit.Source.BOOKED, status=Visit.Status.PLANNED).exclude(
        planned_for__in=days
    )
    if keep is not None:
        stale = stale.exclude(pk=keep)
    stale.update(status=Visit.Status.CANCELLED, note=_("Booking moved"), version=F("version") + 1)
    if booking is not None and booking >= timezone.localdate():
        _book_next(client=client, day=booking, kind=Visit.Kind.ONSITE)


def plan_fulfil(*, interaction: Interaction) -> Visit | None:
    """A visit or call logged on the client's page (not from the plan) counts for the plan too:
    it fulfils the client's planned item of that kind due that day or overdue, or is recorded
    as an unplanned visit, so that compliance and the unplanned share see every contact."""
    kind = VISIT_KIND.get(interaction.kind)
    if kind is None:
        return None
    client = interaction.client
    day = timezone.localdate(interaction.occurred_at)
    visit = _matching_planned(client=client, kind=kind, by=interaction.recorded_by, day=day)
    if visit is not None:
        done = Visit.objects.filter(pk=visit.pk, status=Visit.Status.PLANNED).update(
            status=Visit.Status.DONE, done_on=day, interaction=interaction, version=F("version") + 1
        )
        if done:
            contacts_refresh(client_ids=[client.pk])  # the UPDATE sent no signal
            return visit
    return _unplanned(client=client, kind=kind, day=day, interaction=interaction)


def _unplanned(*, client: Client, kind: str, day: date, interaction: Interaction) -> Visit:
    """A visit done outside the plan, counted in the plan of its month when there is one."""
    return Visit.objects.create(
        plan=MonthPlan.objects.filter(owner=client.owner_id, month=month_start(day)).first(),
        owner_id=client.owner_id,
        client=client,
        territory_id=client.territory_id,
        kind=kind,
        source=Visit.Source.UNPLANNED,
        status=Visit.Status.DONE,
        done_on=day,
        interaction=interaction,
    )


def client_reassigned(*, client: Client, previous_owner_id: int) -> int:
    """A client given to another account manager takes its visits still to do along: each moves
    to the new owner's plan of its month (none yet: generation of that month will see the visit
    is planned). Done and removed visits stay in the old plan, where they were counted."""
    moved = 0
    planned = Visit.objects.filter(client=client, owner_id=previous_owner_id, status=Visit.Status.PLANNED)
    plans = dict(
        MonthPlan.objects.filter(owner_id=client.owner_id, month__in=planned.values("plan__month")).values_list(
            "month", "pk"
        )
    )
    for visit in planned.select_related("plan"):
        month = visit.plan.month if visit.plan else month_start(visit.planned_for)
        moved += Visit.objects.filter(pk=visit.pk, status=Visit.Status.PLANNED).update(
            owner_id=client.owner_id, plan_id=plans.get(month), version=F("version") + 1
        )
    return moved


def booking_cancelled(*, client: Client, due: date) -> int:
    """The booked next contact was cancelled on the client's card: so is its visit in the plan."""
    return Visit.objects.filter(
        client=client,
        planned_for__in=(due, next_working_day(due)),
        source=Visit.Source.BOOKED,
        status=Visit.Status.PLANNED,
    ).update(status=Visit.Status.CANCELLED, note=_("Booking cancelled"), version=F("version") + 1)


def _matching_planned(*, client: Client, kind: str, by: User, day: date) -> Visit | None:
    """A visit logged outside the plan page still fulfils the plan: the client's planned visit of
    that kind due that day or overdue, the earliest."""
    return (
        Visit.objects.filter(
            client=client, owner_id=client.owner_id, kind=kind, status=Visit.Status.PLANNED, planned_for__lte=day
        )
        .order_by("planned_for", "pk")
        .first()
    )


def _book_next(*, client: Client, day: date, kind: str) -> None:
    """Put the booked visit in the plan of its month, when that plan exists and does not have a
    visit of the client that day; otherwise generation picks the booking up."""
    plan = MonthPlan.objects.filter(owner=client.owner_id, month=month_start(day)).first()
    if plan is None:
        return
    if Visit.objects.filter(
        client=client, planned_for__in=(day, next_working_day(day)), status=Visit.Status.PLANNED
    ).exists():
        return
    Visit.objects.create(
        plan=plan,
        owner_id=client.owner_id,
        client=client,
        territory_id=client.territory_id,
        kind=kind,
        source=Visit.Source.BOOKED,
        planned_for=day,
        original_date=day if plan.status == MonthPlan.Status.APPROVED else None,
    )


def policy_update(*, changes: dict[str, Any], by: User) -> VisitPolicy:
    """A new policy row; plans generated from now on use it, earlier ones keep theirs."""
    with transaction.atomic():
        return VisitPolicy.objects.create(created_by=by, **changes)
