"""The event reminder: a day before and an hour before, for everyone going.

Runs every 15 minutes and may run any number of times: each reminder's key
names the event and its start, so a second run sends nothing and an event
moved to another time is reminded again."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from wagtail_mentoring.community.events import rules
from wagtail_mentoring.community.events.models import (
    EventRSVP,
    RSVPStatus,
)
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import user_timezone

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def remind_events(now: datetime | None = None) -> int:
    """Remind each person going to an event starting within a day (not in
    the first hour after they said yes: their invite just arrived), and
    again within the hour. Cancelled events, cancelled or waiting answers,
    deactivated people and people who left the space get nothing."""
    now = now or timezone.now()
    answers = (
        EventRSVP.objects.filter(
            status=RSVPStatus.GOING,
            user__is_active=True,
            event__is_cancelled=False,
            event__starts_at__gt=now,
            event__starts_at__lte=now + DAY,
        )
        .filter(rules.member_of_event_space())
        .select_related("event__space", "user__mentoring_profile")
        .order_by("event__starts_at", "pk")
    )
    sent = 0
    for rsvp in answers.iterator(chunk_size=500):
        event = rsvp.event
        within_hour = event.starts_at <= now + HOUR
        if not within_hour and rsvp.updated_at > now - HOUR:
            continue
        url = reverse("wagtail_mentoring:space_event", args=[event.pk])
        sent += bool(
            notify(
                rsvp.user,
                "event_reminder_hour" if within_hour else "event_reminder_day",
                event.pk,
                int(event.starts_at.timestamp()),
                category=rules.REMINDERS,
                template="event_reminder",
                context={
                    "event": event,
                    "space": event.space,
                    "within_hour": within_hour,
                    "event_url": url,
                    "event_tz": user_timezone(rsvp.user),
                },
                link=url,
            )
        )
    return sent
