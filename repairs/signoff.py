"""The engineering supervisor's month-end sign-off (REP-7, X-2).

The figures are signed as the statistics page shows them (a copy of the month's report); a
callback recorded afterwards changes the report, never the signed copy, so the page can show both:
"signed 92 %, now 90 % after 1 later callback".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.models import User
from repairs.models import Callback, MonthlyReport, MonthlySignOff

# The headline rates that a sign-off compares: (figure group, label).
RATES = (
    ("timeliness", gettext_lazy("Timeliness rate")),
    ("callbacks", gettext_lazy("Pass rate (callbacks)")),
    ("reopenings", gettext_lazy("Not reopened")),
)


def month_sign_off(*, month: date, by: User) -> MonthlySignOff:
    """Sign the month's figures as produced. One sign-off per month: of two signers one wins."""
    month = month.replace(day=1)
    if month >= timezone.localdate().replace(day=1):
        raise ValidationError(_("A month is signed off once it has ended."))
    report = MonthlyReport.objects.filter(month=month).first()
    if report is None:
        raise ValidationError(_("Produce the month's statistics before signing them off."))
    try:
        with transaction.atomic():
            return MonthlySignOff.objects.create(month=month, figures=report.figures, signed_by=by)
    except IntegrityError:
        current = MonthlySignOff.objects.select_related("signed_by").get(month=month)
        raise ValidationError(
            _("This month was signed off already, by %(user)s.") % {"user": current.signed_by}
        ) from None


@dataclass(frozen=True)
class Amendment:
    key: str
    label: str
    signed: float | None
    now: float | None

    @property
    def difference(self) -> float | None:
        if self.signed is None or self.now is None:
            return None
        return round(self.now - self.signed, 1)

    @property
    def changed(self) -> bool:
        return self.signed != self.now


def amendments(sign_off: MonthlySignOff, report: MonthlyReport | None) -> dict[str, Any]:
    """The signed rates beside the current ones, and how many callbacks were recorded after the signature."""
    current = report.figures if report else sign_off.figures
    rows = [
        Amendment(key, str(label), sign_off.figures.get(key, {}).get("rate"), current.get(key, {}).get("rate"))
        for key, label in RATES
    ]
    later = (
        Callback.objects.filter(month=sign_off.month, recorded_at__gt=sign_off.signed_at)
        .exclude(result=Callback.Result.PENDING)
        .count()
    )
    return {"rows": rows, "later_callbacks": later, "amended": any(row.changed for row in rows)}
