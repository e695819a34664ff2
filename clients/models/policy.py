from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ClientFilePolicy(models.Model):
    """The client files' rules an admin sets (CLI-1, CLI-4): one row.

    A new client left without a code gets the next of ``code_prefix`` + ``code_digits`` digits
    (C0061); ``next_code_number`` is advanced under a row lock, so two people saving at once
    never get the same code. 0 means "not started": the first use continues after the highest
    code of that pattern already there (codes typed by hand or imported).
    """

    review_after_days = models.PositiveSmallIntegerField(
        _("review cards after (days)"),
        default=180,
        validators=[MinValueValidator(30), MaxValueValidator(1095)],
        help_text=_("A card not updated for this long is flagged and its owner reminded once."),
    )
    code_prefix = models.CharField(
        _("client code prefix"),
        max_length=10,
        default="C",
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9-]*$", _("Capital letters, digits and dashes only."))],
    )
    code_digits = models.PositiveSmallIntegerField(
        _("digits of the number"), default=4, validators=[MinValueValidator(3), MaxValueValidator(10)]
    )
    next_code_number = models.PositiveIntegerField(
        _("next number"), default=0, help_text=_("0: continue after the highest code of the pattern.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("client file policy")
        verbose_name_plural = _("client file policy")

    def __str__(self) -> str:
        return str(_("Client file policy"))

    @classmethod
    def current(cls) -> ClientFilePolicy:
        return cls.objects.get_or_create(pk=1)[0]

    def code_for(self, number: int) -> str:
        return f"{self.code_prefix}{number:0{self.code_digits}d}"
