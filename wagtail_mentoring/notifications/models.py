"""What was (or will be) sent to whom, and how each person wants to hear from us."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """What a notification is about; people choose how often per category."""

    ACTIVITY = "activity", _("Relationship activity")
    REMINDERS = "reminders", _("Reminders and nudges")
    ADMIN = "admin", _("Program administration")
    COMMUNITY = "community", _("Community spaces")


class Frequency(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")
    NEVER = "never", _("Never")


#: Frequencies that hold notifications back for a digest.
DIGEST_FREQUENCIES = (Frequency.DAILY, Frequency.WEEKLY)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    HELD = "held", _("Held for a digest")
    DIGESTED = "digested", _("Sent in a digest")
    SKIPPED = "skipped", _("Not sent")


class Delivery(models.Model):
    """One notification to one person, recorded before it is sent.

    ``key`` names the notification deterministically (kind, object, occurrence,
    recipient) and is unique, so a job that runs twice, a retried task or two
    workers at once find the row and send nothing more. The rendered message is
    kept until it is sent (a retry or a digest sends exactly what was rendered),
    then its body is dropped: the log keeps who was told what and when, not the
    words.
    """

    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(_("kind"), max_length=50)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_deliveries",
        verbose_name=_("recipient"),
    )
    channel = models.CharField(_("channel"), max_length=20, default="email")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
        db_index=True,
    )
    subject = models.CharField(_("subject"), max_length=300)
    # Where a digest's line about it leads.
    link = models.CharField(max_length=500, blank=True)
    unsubscribe_url = models.CharField(max_length=500, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    #: ``[[filename, content, mimetype], ...]`` (text content, e.g. .ics).
    attachments = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    digest = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("notification delivery")
        verbose_name_plural = _("notification deliveries")
        indexes = [models.Index(fields=["recipient", "status"])]

    def __str__(self) -> str:
        return self.key


class NotificationPreferences(models.Model):
    """How often one person hears about each category, and when digests arrive.

    Without a row, everything is sent immediately and digests (if chosen) come
    at 08:00 on Mondays in the person's own time zone.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_notification_preferences",
    )
    activity = models.CharField(
        _("relationship activity"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATELY,
        help_text=_("Requests, matches, meetings, messages, changes to your pairs."),
    )
    reminders = models.CharField(
        _("reminders and nudges"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATELY,
        help_text=_("Upcoming meetings, requests waiting for you, quiet pairs."),
    )
    admin = models.CharField(
        _("program administration"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATELY,
        help_text=_("For program admins: rematch requests and pairs at risk."),
    )
    community = models.CharField(
        _("community spaces"),
        max_length=20,
        choices=Frequency.choices,
        default=Frequency.IMMEDIATELY,
        help_text=_("Replies to your discussions, mentions of you, answers."),
    )
    digest_hour = models.PositiveSmallIntegerField(
        _("digest hour"),
        default=8,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text=_("The hour of the day, in your time zone, digests arrive."),
    )
    digest_weekday = models.PositiveSmallIntegerField(
        _("weekly digest day"),
        default=0,
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(_("Notification preferences"))

    def frequency(self, category: str) -> str:
        return getattr(self, Category(category).value)
