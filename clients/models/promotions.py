from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet, client_scope


class PromotionQuerySet(models.QuerySet):
    def visible_to(self, user) -> PromotionQuerySet:
        """Managers see all promotions; account managers those that reached their clients."""
        from crm.roles import Role

        if not user.is_authenticated:
            return self.none()
        if user.role in (Role.ADMIN, Role.MANAGER):
            return self
        scope = client_scope(user, "notices__client__")
        return self.filter(scope).distinct()


class Promotion(models.Model):
    """A running promotion (促销优惠活动, CLI-8) that clients are notified of."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("offer"))
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = PromotionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="clients_promotion_dates_ordered"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:promotion_detail", args=[self.pk])


class PromotionNotice(models.Model):
    """The record that a client was notified of a promotion (once per promotion)."""

    promotion = models.ForeignKey(
        Promotion, verbose_name=_("promotion"), on_delete=models.CASCADE, related_name="notices"
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="promotion_notices"
    )
    notified_at = models.DateTimeField(_("notified"), default=timezone.now)
    notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("notified by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-notified_at", "-pk"]
        verbose_name = _("promotion notice")
        verbose_name_plural = _("promotion notices")
        constraints = [
            models.UniqueConstraint(fields=["promotion", "client"], name="clients_promotion_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.promotion} → {self.client}"
