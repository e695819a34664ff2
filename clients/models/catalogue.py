"""The catalogue of brands and products (MKT-4) that surveys, brand plans and campaigns refer to."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class _Bilingual(models.Model):
    """A name in Chinese and in English; each reader sees the one of their language."""

    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("zh") or not self.name_en:
            return self.name_zh
        return self.name_en


class Brand(_Bilingual):
    code = models.CharField(_("code"), max_length=30, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("brand")
        verbose_name_plural = _("brands")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)


class Product(_Bilingual):
    brand = models.ForeignKey(Brand, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="products")
    # The ledger's orders name their product by this code (SalesOrder.product), which is how
    # brand plans and campaigns measure sales from the ledger.
    code = models.CharField(_("code"), max_length=100, unique=True)
    launch_on = models.DateField(_("launch date"), null=True, blank=True)
    margin = models.DecimalField(
        _("margin (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["brand__code", "code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(margin__isnull=True) | Q(margin__gte=0, margin__lte=100),
                name="clients_product_margin_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)
