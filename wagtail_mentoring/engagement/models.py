"""What a pair does together: requests that start it, meetings, goals, messages,
feedback, and the calendar feed that supports them."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import Enrollment, ProgramPage, Relationship


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class Meeting(models.Model):
    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=45,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
    )
    timezone = models.CharField(_("time zone"), max_length=64, blank=True)
    location = models.CharField(
        _("where"), max_length=300, blank=True, help_text=_("A room or a video link.")
    )
    agenda = models.TextField(_("agenda"), blank=True)
    # Private to the members: program admins see that a meeting happened, not this.
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
    )
    # iCalendar identity: the UID never changes, SEQUENCE grows with each update.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        # The dashboard reads held meetings only: a pair's last one (and
        # whether there is one), and those of a period, without visiting the
        # table (index-only scans on a million meetings).
        indexes = [
            models.Index(
                fields=["relationship", "starts_at"],
                condition=models.Q(status="held"),
                name="wm_held_meeting_by_pair",
            ),
            models.Index(
                fields=["starts_at", "relationship"],
                condition=models.Q(status="held"),
                name="wm_held_meeting_by_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.CANCELLED

    @property
    def is_past(self) -> bool:
        return self.ends_at <= dj_timezone.now()

    @property
    def ical_uid(self) -> str:
        return f"{self.uid}@wagtail-mentoring"


class GoalStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class Goal(models.Model):
    """A SMART goal a member sets within a relationship; both members see it."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="goals"
    )
    # Empty once the owner's data is erased; the goal still counts for the pair.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="mentoring_goals",
        verbose_name=_("owner"),
    )
    title = models.CharField(_("goal"), max_length=200, help_text=_("Specific"))
    measure = models.CharField(
        _("how I will know"), max_length=300, blank=True, help_text=_("Measurable")
    )
    why = models.TextField(
        _("why it matters"), blank=True, help_text=_("Achievable and relevant")
    )
    target_date = models.DateField(_("target date"), help_text=_("Time-bound"))
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    status = models.CharField(
        _("status"), max_length=20, choices=GoalStatus.choices, default=GoalStatus.OPEN
    )
    # A circle's goal, shared by all its members (the owner proposed it).
    shared = models.BooleanField(_("goal of the whole circle"), default=False)
    # Set when a journey's goal-setting step created it (the step block's id).
    source_step_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["target_date", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.title


class GoalCheckIn(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="check_ins")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("goal check-in")

    def __str__(self) -> str:
        return f"{self.goal}: {self.progress}%"


class MentorRequestStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting for your earlier choices")
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    CANCELLED = "cancelled", _("No longer needed")


#: Requests still in play: they count against the program's ranked-request limit.
LIVE_REQUEST_STATUSES = [MentorRequestStatus.QUEUED, MentorRequestStatus.PENDING]


class MentorRequestQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_REQUEST_STATUSES)

    def pending(self):
        return self.filter(status=MentorRequestStatus.PENDING)


class MentorRequest(models.Model):
    """A mentee's ranked request to one mentor in a self-select program.

    Only the mentee's best-ranked live requests are *pending* with a mentor at a
    time (as many as the mentee still needs mentors); the others wait *queued*
    and move up when an earlier choice declines, expires or is withdrawn.
    """

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="mentor_requests",
        verbose_name=_("program"),
    )
    mentee_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="requests_sent",
        verbose_name=_("mentee"),
    )
    mentor_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="requests_received",
        verbose_name=_("mentor"),
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    note = models.TextField(_("note to the mentor"), blank=True, max_length=1000)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MentorRequestStatus.choices,
        default=MentorRequestStatus.QUEUED,
        db_index=True,
    )
    created_at = models.DateTimeField(_("created"), default=dj_timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires"), null=True, blank=True, db_index=True
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    decline_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    relationship = models.ForeignKey(
        Relationship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MentorRequestQuerySet.as_manager()

    class Meta:
        ordering = ["rank", "pk"]
        verbose_name = _("mentor request")
        verbose_name_plural = _("mentor requests")
        constraints = [
            models.UniqueConstraint(
                fields=["mentee_enrollment", "mentor_enrollment"],
                condition=models.Q(status__in=["queued", "pending"]),
                name="wm_one_live_request_per_pair",
            )
        ]

    def __str__(self) -> str:
        return _("%(mentee)s asks %(mentor)s") % {
            "mentee": display_name(self.mentee_enrollment.user),
            "mentor": display_name(self.mentor_enrollment.user),
        }

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_REQUEST_STATUSES

    @property
    def mentee(self):
        return self.mentee_enrollment.user

    @property
    def mentor(self):
        return self.mentor_enrollment.user


class Message(models.Model):
    """One message in the thread between the members of a relationship."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("message"), max_length=5000)
    created_at = models.DateTimeField(_("sent"), default=dj_timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        # Never put the body in logs or admin titles: it may be private.
        return str(_("Message %(pk)s") % {"pk": self.pk})


class FeedbackKind(models.TextChoices):
    MEETING = "meeting", _("After a meeting")
    FINAL = "final", _("At the end of the relationship")


class FeedbackVisibility(models.TextChoices):
    PARTNER = "partner", _("Share with my partner")
    ADMINS = "admins", _("Only for the program admins")


class Feedback(models.Model):
    """A member's rating (1–5) and comment on a meeting or the whole relationship."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="feedback"
    )
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
    )
    # Empty once the author's data is erased; the rating still counts.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("about"), max_length=20, choices=FeedbackKind.choices)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    visibility = models.CharField(
        _("who sees it"),
        max_length=20,
        choices=FeedbackVisibility.choices,
        default=FeedbackVisibility.PARTNER,
    )
    created_at = models.DateTimeField(_("given"), default=dj_timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        # The dashboard's ratings of a period, from the index alone.
        indexes = [
            models.Index(
                fields=["created_at", "relationship", "rating"],
                name="wm_feedback_by_time",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "meeting"],
                condition=models.Q(kind="meeting"),
                name="wm_one_feedback_per_meeting",
            ),
            models.UniqueConstraint(
                fields=["author", "relationship"],
                condition=models.Q(kind="final"),
                name="wm_one_final_feedback",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.rating}/5"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A user's private calendar feed URL; revoking it issues a new token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_calendar_feed",
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("calendar feed")

    def __str__(self) -> str:
        return str(_("Calendar feed"))
