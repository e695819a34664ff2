from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.roles import Role, group_name


class Team(models.Model):
    """A sales team: a manager sees the clients of every member (SPEC "record-level rule")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Territory(models.Model):
    """A sales territory (片区) that plans and reports are made for (VIS-1, VIS-7)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="territories"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")

    def __str__(self) -> str:
        return self.name


class CrmUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. The role is the single source of their group and admin rights."""

    role = models.CharField(_("role"), max_length=40, choices=Role.choices, default=Role.ACCOUNT_MANAGER)
    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    territories = models.ManyToManyField(Territory, verbose_name=_("territories"), blank=True, related_name="users")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Notifications and e-mails are rendered in this language (crm.messages), and the pages are
    # shown in it unless the language switch chose another; blank: the site's language.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        db_default="",  # rows written by code that does not know the column (older migrations)
        help_text=_("Of the pages, notifications and e-mails. Empty: the site's language."),
    )
    wecom_id = models.CharField(
        _("WeCom user ID"),
        max_length=64,
        blank=True,
        db_default="",
        help_text=_("Your user ID in WeCom, for app messages."),
    )
    # Non-urgent messages on WeCom and SMS wait for the end of this period (crm.channels).
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    objects = CrmUserManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="crm_user_role_valid"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs) -> None:
        # Admin rights follow the role, so they can never disagree with it.
        self.is_staff = self.is_superuser = self.role == Role.ADMIN
        update_fields = kwargs.get("update_fields")
        with transaction.atomic():
            super().save(*args, **kwargs)
            if update_fields is None or "role" in update_fields:
                group, _created = Group.objects.get_or_create(name=group_name(self.role))
                self.groups.set([group])

    @property
    def preferred_language(self) -> str:
        return self.language or settings.LANGUAGE_CODE

    def has_role(self, *roles: str) -> bool:
        return self.is_authenticated and self.role in roles


class UserSession(AbstractBaseSession):
    """A stored session with its user in a column of its own (Django's table keeps the user only
    inside the encoded data), so that deactivating a user can end their sessions (issue 9)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    @classmethod
    def get_session_store_class(cls) -> type:
        from crm.sessions import SessionStore

        return SessionStore


class DecidedRequest(models.Model):
    """Asked for by one person, decided by another: who asked and when, who decided, when and
    why. The models that need a second pair of eyes (archive changes, ledger corrections) keep
    their own status, whose labels differ, and apply the decision with a conditional UPDATE."""

    requested_by = models.ForeignKey(
        "crm.User", verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        "crm.User",
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)

    class Meta:
        abstract = True


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> NotificationQuerySet:
        """The permission gate: a notification is visible to its recipient only."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def email_pending(self) -> NotificationQuerySet:
        """E-mails still to send: not sent, and not given up on after a permanent error."""
        return self.filter(send_email=True, emailed_at__isnull=True, email_failed_at__isnull=True)

    def email_failed(self) -> NotificationQuerySet:
        return self.filter(email_failed_at__isnull=False)


class Notification(models.Model):
    """A message to one user, shown in-app and optionally e-mailed.

    ``key`` names what the notification is about (e.g. ``followup:client:42:2026-11-28``);
    it is unique per recipient, so a reminder task that runs twice creates one row.
    """

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        REMINDER = "reminder", _("Reminder")
        WARNING = "warning", _("Warning")

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    key = models.CharField(_("key"), max_length=200)
    # What happened, rendered in the reader's language when read or sent (crm.messages): a
    # registered message key and its values. "text" is literal text in ``title``/``body``
    # (notifications written before messages were keyed, and callers not converted yet).
    message = models.CharField(_("message key"), max_length=100, default="text", db_default="text")
    params = models.JSONField(_("message values"), default=dict, db_default={}, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.INFO)
    # For a keyed message, its rendering in the site's language when created (admin search).
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    send_email = models.BooleanField(_("send by e-mail"), default=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    # A permanent delivery error (a refused address, a malformed header) is recorded once and
    # not retried; admins see it in the notification list.
    email_failed_at = models.DateTimeField(_("e-mail failed"), null=True, blank=True)
    email_error = models.CharField(_("e-mail error"), max_length=500, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="crm_notification_unique_key"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="crm_notif_recipient_read")]

    def __str__(self) -> str:
        return self.display_title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def render(self) -> tuple[str, str]:
        """(title, body) in the active language."""
        from crm.messages import message_render

        return message_render(self.message, self.params, title=self.title, body=self.body)

    @property
    def display_title(self) -> str:
        return self.render()[0]

    @property
    def display_body(self) -> str:
        return self.render()[1]

    @property
    def urgent(self) -> bool:
        return self.level == self.Level.WARNING


class Channel(models.TextChoices):
    """Where a notification may go besides the in-app list (crm.channels)."""

    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom app message")
    WECOM_GROUP = "wecom_group", _("WeCom group robot")
    SMS = "sms", _("SMS")


class NotificationPreference(models.Model):
    """A user's choice of one channel for one kind of notification; without a row the channel's
    default applies (e-mail on, the others off)."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="preferences")
    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="crm_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.channel}"


class DeliveryQuerySet(models.QuerySet):
    def due(self) -> DeliveryQuerySet:
        return self.filter(status=NotificationDelivery.Status.PENDING, due_at__lte=timezone.now())


class NotificationDelivery(models.Model):
    """One notification sent on one channel (WeCom, SMS): unique per (notification, channel),
    hence per recipient; claimed with a conditional UPDATE so a task run twice sends once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    # Later than the creation inside the recipient's quiet hours.
    due_at = models.DateTimeField(_("due"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="crm_delivery_unique_channel"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=models.Q(status="pending"), name="crm_delivery_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.channel}"


class OutboxQuerySet(models.QuerySet):
    def pending(self) -> OutboxQuerySet:
        return self.filter(published_at__isnull=True)


class OutboxMessage(models.Model):
    """A Celery task to publish, written in the same transaction as the change that needs it.

    The request that records the work never talks to the broker: the message is published
    after the commit when the broker answers, and otherwise by the relay (``crm.outbox``), so
    a broker outage delays work and never fails or loses it.
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = OutboxQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            # The relay scans only what is still to publish.
            models.Index(
                fields=["created_at"], condition=models.Q(published_at__isnull=True), name="crm_outbox_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
