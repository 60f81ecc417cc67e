"""Events a community space schedules, and who is going."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext_lazy as _


class SpaceEvent(models.Model):
    """A session of a community space: a talk, a workshop, a meet-up.

    Times are stored aware (UTC in the database) together with the zone the
    organiser planned it in, so the page, the invite and the reminder can show
    it in the organiser's zone as well as in each reader's own.
    """

    space = models.ForeignKey(
        "wagtail_mentoring.CommunitySpacePage",
        on_delete=models.CASCADE,
        related_name="events",
        verbose_name=_("space"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts"), db_index=True)
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=64)
    place = models.CharField(
        _("place"), max_length=300, blank=True, help_text=_("A room or an address.")
    )
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Leave empty for no limit."),
    )
    is_cancelled = models.BooleanField(_("cancelled"), default=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # iCalendar identity: the UID never changes, SEQUENCE grows with each update.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("space event")
        verbose_name_plural = _("space events")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="wm_space_event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_past(self) -> bool:
        return self.ends_at <= dj_timezone.now()

    @property
    def has_started(self) -> bool:
        return self.starts_at <= dj_timezone.now()

    @property
    def ical_uid(self) -> str:
        return f"event-{self.uid}@wagtail-mentoring"

    @property
    def location_text(self) -> str:
        """Where, in one line: the place, the video link, or both."""
        return " · ".join(part for part in (self.place, self.video_url) if part)


class RSVPStatus(models.TextChoices):
    GOING = "going", _("Going")
    WAITLISTED = "waitlisted", _("On the waiting list")
    CANCELLED = "cancelled", _("Not going")


class EventRSVP(models.Model):
    """One person's answer to one event; changed, never duplicated."""

    event = models.ForeignKey(
        SpaceEvent, on_delete=models.CASCADE, related_name="rsvps"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="mentoring_event_rsvps",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RSVPStatus.choices, db_index=True
    )
    # Grows with each change of status: names the invite or cancellation
    # that change sends, so a second RSVP after a cancellation is sent again.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=dj_timezone.now)
    updated_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("event RSVP")
        verbose_name_plural = _("event RSVPs")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], name="wm_one_rsvp_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.get_status_display()}"
