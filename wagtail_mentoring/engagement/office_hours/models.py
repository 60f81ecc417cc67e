"""Flash mentoring: office hours mentors publish and the bookings people make.

A mentor publishes :class:`OfficeHours` (one-off or weekly, in their own time
zone); publishing creates one :class:`OfficeHourSlot` per occurrence, so each
bookable time is a row that a booking locks. A :class:`Booking` is one person's
seat in a slot; no long-term relationship is created.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _

from wagtail_mentoring.people.users import display_name
from wagtail_mentoring.programs.models import Enrollment, ProgramPage


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Every week")


class OfficeHours(models.Model):
    """A mentor's offer of short conversations in a flash program."""

    program = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        related_name="office_hours",
        verbose_name=_("program"),
    )
    mentor_enrollment = models.ForeignKey(
        Enrollment,
        on_delete=models.CASCADE,
        related_name="office_hours",
        verbose_name=_("mentor"),
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="mentoring_office_hours",
        verbose_name=_("mentor"),
    )
    title = models.CharField(_("title"), max_length=200)
    topics = models.CharField(
        _("topics"),
        max_length=300,
        blank=True,
        help_text=_("Comma-separated, e.g. “career moves, public speaking”."),
    )
    timezone = models.CharField(_("time zone"), max_length=64)
    first_starts_at = models.DateTimeField(_("first slot starts"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("length (minutes)"),
        default=30,
        validators=[MinValueValidator(10), MaxValueValidator(240)],
    )
    recurrence = models.CharField(
        _("repeats"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    weeks = models.PositiveSmallIntegerField(
        _("for how many weeks"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    capacity = models.PositiveSmallIntegerField(
        _("people per slot"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_("1 for a conversation; more for group office hours."),
    )
    book_ahead_days = models.PositiveSmallIntegerField(
        _("bookable days ahead"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    weekly_limit = models.PositiveSmallIntegerField(
        _("bookings per week at most"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    cutoff_hours = models.PositiveSmallIntegerField(
        _("booking changes close (hours before)"),
        default=12,
        validators=[MaxValueValidator(168)],
    )
    location = models.CharField(_("where"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        verbose_name = _("office hours")
        verbose_name_plural = _("office hours")
        ordering = ["first_starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({display_name(self.mentor)})"

    @property
    def topic_list(self) -> list[str]:
        return [t.strip() for t in self.topics.split(",") if t.strip()]


class SlotQuerySet(models.QuerySet):
    def with_booked(self):
        return self.annotate(
            booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED))
        )

    def open(self):
        return self.filter(cancelled_at__isnull=True)


class OfficeHourSlot(models.Model):
    """One bookable time of some office hours."""

    office_hours = models.ForeignKey(
        OfficeHours, on_delete=models.CASCADE, related_name="slots"
    )
    # Denormalised from the office hours: listings filter and lock by them.
    program = models.ForeignKey(ProgramPage, on_delete=models.CASCADE, related_name="+")
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    capacity = models.PositiveSmallIntegerField(_("people per slot"))
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("office-hour slot")
        ordering = ["starts_at", "pk"]

    def __str__(self) -> str:
        return f"{self.office_hours.title} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - getattr(self, "booked", 0))

    def change_deadline(self):
        return self.starts_at - timedelta(hours=self.office_hours.cutoff_hours)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("Did not come")


class Booking(models.Model):
    """A person's seat in an office-hour slot."""

    slot = models.ForeignKey(
        OfficeHourSlot, on_delete=models.CASCADE, related_name="bookings"
    )
    # Empty once the person's data is erased: the booking still counts.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="mentoring_bookings",
        verbose_name=_("booked by"),
    )
    question = models.CharField(
        _("what you would like to talk about"), max_length=500, blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=BookingStatus.choices,
        default=BookingStatus.BOOKED,
        db_index=True,
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    # iCalendar identity of the invite: rescheduling keeps the UID.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True, max_length=4000)
    continue_program = models.ForeignKey(
        ProgramPage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("suggested to continue in"),
    )

    class Meta:
        verbose_name = _("booking")
        ordering = ["slot__starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "user"],
                condition=Q(status="booked"),
                name="wm_one_booking_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{display_name(self.user)}: {self.slot}"

    @property
    def ical_uid(self) -> str:
        return f"{self.uid}@wagtail-mentoring"
