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
    # A person, or (for a post to a shared chat channel) nobody: then
    # ``connection`` says where it went.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mentoring_deliveries",
        verbose_name=_("recipient"),
    )
    connection = models.ForeignKey(
        "wagtail_mentoring.ChatConnection",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("chat connection"),
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
    slack_dm = models.BooleanField(
        _("Slack direct message"),
        default=False,
        help_text=_(
            "Get your notifications as a direct message from the mentoring bot in "
            "Slack instead of by email (digests still come by email)."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(_("Notification preferences"))

    def frequency(self, category: str) -> str:
        return getattr(self, Category(category).value)


class NotificationWording(models.Model):
    """The subject and body a program (or, without one, every program) uses
    for one kind of notification instead of the built-in email.

    Checked when saved (``notifications.wording.check_wording``): only the
    kind's placeholders, balanced braces, plain text. A program's wording
    wins over the site-wide one; with neither, the built-in email is sent.
    """

    # A string reference: notifications sit under programs and never import them.
    program = models.ForeignKey(
        "wagtail_mentoring.ProgramPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_wordings",
        verbose_name=_("program"),
        help_text=_("Empty: the wording of every program without its own."),
    )
    kind = models.CharField(_("kind"), max_length=50)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("notification wording")
        verbose_name_plural = _("notification wordings")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "kind"], name="wm_wording_once_per_program"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(program__isnull=True),
                name="wm_wording_once_site_wide",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.program_id or 'all programs'})"


class ChatKind(models.TextChoices):
    SLACK_WEBHOOK = "slack_webhook", _("Slack incoming webhook")
    SLACK_BOT = "slack_bot", _("Slack bot token and channel")
    TEAMS_WEBHOOK = "teams_webhook", _("Microsoft Teams incoming webhook (Workflows)")


class ChatTopic(models.TextChoices):
    """What a shared chat channel may carry: program-level news only.

    Notifications about one person never go to a shared channel, whatever a
    connection says (``notifications/kinds.py`` declares what is shareable).
    """

    ADMIN = "admin", _("Program administration: the weekly at-risk summary")
    ANNOUNCEMENTS = "announcements", _("Announcements: new programs")


class ChatConnection(models.Model):
    """A Slack or Teams channel the company connected to the platform.

    Site-wide (no program) or for one program. The secret (webhook URL or bot
    token) is never shown again after saving: only its last characters.
    """

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ChatKind.choices)
    program = models.ForeignKey(
        "wagtail_mentoring.ProgramPage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_connections",
        verbose_name=_("program"),
        help_text=_("Empty: site-wide, it carries the posts of every program."),
    )
    topics = models.JSONField(_("what it carries"), default=list, blank=True)
    secret = models.CharField(max_length=1000)
    slack_channel = models.CharField(
        _("Slack channel"),
        max_length=100,
        blank=True,
        help_text=_("For a bot token: the channel ID (C0123ABCD) or #name."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(_("last success"), null=True, blank=True)
    last_failure_at = models.DateTimeField(_("last failure"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("chat connection")
        verbose_name_plural = _("chat connections")

    def __str__(self) -> str:
        return self.name

    @property
    def masked_secret(self) -> str:
        """The secret as the admin shows it: only its last four characters."""
        return f"••••{self.secret[-4:]}" if self.secret else ""

    @property
    def channel_name(self) -> str:
        return "teams" if self.kind == ChatKind.TEAMS_WEBHOOK else "slack"
