"""Writes of targets and imported figures (MKT-2). Each change is saved through the model, so
django-simple-history records who, when and the old → new value (X-2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.models import Team, User
from crm.outbox import outbox_enqueue
from crm.roles import Role
from visits.models import ActualFigure, Metric, Target, TargetSettings
from visits.periods import Period

LIMIT = Decimal(10) ** 13  # the columns hold 16 digits, 2 of them decimals


def metric_check(metric: Metric, *, field: str = "metric") -> None:
    """Refuse a metric of the set this deployment does not use."""
    if metric.metric_set != TargetSettings.current().metric_set:
        raise ValidationError(
            {
                field: _("%(metric)s belongs to the other metric set; this deployment does not use it.")
                % {"metric": metric}
            }
        )


def value_check(value: object, *, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except ArithmeticError:
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if number < 0:
        raise ValidationError({field: _("Enter zero or a positive number.")})
    if number >= LIMIT:
        raise ValidationError({field: _("Enter a number below %(limit)s.") % {"limit": LIMIT}})
    return number.quantize(Decimal("0.01"))


def _target_save(
    *, period: Period, metric: Metric, value: Decimal, by: User, team: Team | None = None, person: User | None = None
) -> Target | None:
    """Create or change one target; unchanged values write nothing (no empty audit rows)."""
    lookup = {"period_kind": period.kind, "period_start": period.start, "metric": metric}
    lookup.update({"team": team} if team is not None else {"account_manager": person})
    target = Target.objects.select_for_update().filter(**lookup).first()
    if target is not None and target.value == value:
        return target
    target = target or Target(**lookup)
    target.value, target.set_by, target.set_at = value, by, timezone.now()
    target._history_user = by
    target.save()
    return target


def stored_split(*, team: Team, period: Period, metric: Metric) -> dict[str, Decimal]:
    """The stored team target and its shares as the split form's initial values (one query)."""
    rows = Target.objects.filter(period_kind=period.kind, period_start=period.start, metric=metric).filter(
        Q(team=team) | Q(account_manager__team=team)
    )
    initial = {}
    for team_id, person, value in rows.values_list("team_id", "account_manager_id", "value"):
        initial["team_value" if team_id is not None else f"am_{person}"] = value
    return initial


@dataclass(frozen=True)
class Split:
    team_value: Decimal
    total: Decimal

    @property
    def difference(self) -> Decimal:
        return self.total - self.team_value


def target_split_set(
    *,
    team: Team,
    period: Period,
    metric: Metric,
    team_value: object,
    shares: dict[int, object],
    by: User,
    confirm_difference: bool = False,
) -> Split:
    """The manager's team target and its split among the team's account managers (MKT-2).

    The split must add up to the team target, unless the manager confirms the difference shown.
    A blank share leaves that account manager's target as it is (or unset), and that stored
    target counts in the add-up check."""
    if by.role != Role.ADMIN and by.team_id != team.pk:
        raise ValidationError(_("You set the targets of your own team only."))
    metric_check(metric)
    team_number = value_check(team_value, field="team_value")
    members = set(User.objects.filter(role=Role.ACCOUNT_MANAGER, team=team).values_list("pk", flat=True))
    numbers: dict[int, Decimal] = {}
    kept: list[int] = []
    errors: dict[str, list[str]] = {}
    for person, value in shares.items():
        if person not in members:
            errors.setdefault("__all__", []).append(_("Split only among the team's account managers."))
            continue
        if value is None or str(value).strip() == "":
            kept.append(person)
            continue
        try:
            numbers[person] = value_check(value, field=f"am_{person}")
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    # A blank share keeps the stored target, so the split adds up with it.
    stored = Target.objects.filter(
        period_kind=period.kind, period_start=period.start, metric=metric, account_manager_id__in=kept
    ).values_list("value", flat=True)
    split = Split(team_value=team_number, total=sum(numbers.values(), Decimal(0)) + sum(stored, Decimal(0)))
    if split.difference and not confirm_difference:
        raise ValidationError(
            {
                "team_value": _(
                    "The split adds up to %(total)s, %(difference)s from the team target %(team)s. "
                    "Correct it, or tick the box to confirm the difference."
                )
                % {"total": split.total, "difference": split.difference, "team": team_number}
            }
        )
    with transaction.atomic():
        # A new target has no row to lock yet: lock the team, so two saves of one team's split
        # run one after the other and the second updates what the first inserted (no
        # IntegrityError). A no-op on SQLite, which serialises writes anyway.
        Team.objects.select_for_update().get(pk=team.pk)
        _target_save(period=period, metric=metric, value=team_number, by=by, team=team)
        people = User.objects.in_bulk(list(numbers))
        for person, number in numbers.items():
            _target_save(period=period, metric=metric, value=number, by=by, person=people[person])
    return split


def target_set(*, person: User, period: Period, metric: Metric, value: object, by: User) -> Target | None:
    """One account manager's target (the import's row)."""
    metric_check(metric)
    number = value_check(value, field="value")
    with transaction.atomic():
        return _target_save(period=period, metric=metric, value=number, by=by, person=person)


def actual_figure_record(*, person: User, metric: Metric, month: date, value: object, by: User) -> ActualFigure:
    """An imported monthly snapshot; a re-import is a correction and the old figure stays in
    the row's history."""
    metric_check(metric)
    if metric.source != Metric.Source.IMPORTED:
        raise ValidationError({"metric": _("%(metric)s is computed here, not imported.") % {"metric": metric}})
    number = value_check(value, field="value")
    with transaction.atomic():
        figure = ActualFigure.objects.select_for_update().filter(account_manager=person, metric=metric, month=month)
        figure = figure.first() or ActualFigure(account_manager=person, metric=metric, month=month)
        if figure.pk and figure.value == number:
            return figure
        figure.value, figure.updated_at = number, timezone.now()
        figure._history_user = by
        figure.save()
    return figure


COMPUTE_TASK = "visits.tasks.actuals_compute_task"


def actuals_compute_request(*, period: Period, by: User) -> None:
    """The managers' "compute now" button: queued through the outbox, so a broker outage
    delays the figures and never fails the request."""
    if by.role not in (Role.MANAGER, Role.ADMIN):
        raise ValidationError(_("Only managers start a computation."))
    with transaction.atomic():
        outbox_enqueue(COMPUTE_TASK, kwargs={"months": [month.isoformat() for month in period.months]})
