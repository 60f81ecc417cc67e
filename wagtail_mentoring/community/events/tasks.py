"""Emails of space events: invites, updates, cancellations, the new-event
notice. Every email has a deterministic key: a retried task sends nothing new."""

from __future__ import annotations

from celery import shared_task
from django.urls import reverse

from wagtail_mentoring.community.events import calendar, rules
from wagtail_mentoring.community.events.models import (
    EventRSVP,
    RSVPStatus,
    SpaceEvent,
)
from wagtail_mentoring.community.events.reminders import remind_events
from wagtail_mentoring.notifications.services import notify
from wagtail_mentoring.people.users import user_timezone


def _context(event: SpaceEvent, **extra) -> dict:
    return {
        "event": event,
        "space": event.space,
        "event_url": reverse("wagtail_mentoring:space_event", args=[event.pk]),
        **extra,
    }


def _event(event_id: int) -> SpaceEvent | None:
    return (
        SpaceEvent.objects.select_related("space", "created_by")
        .filter(pk=event_id)
        .first()
    )


@shared_task(ignore_result=True)
def send_new_event_notices(event_id: int) -> int:
    """Tell the space's members (but the organiser) that an event is planned."""
    event = _event(event_id)
    if event is None or event.is_cancelled:
        return 0
    context = _context(event)
    sent = 0
    for user in rules.active_members(event.space).exclude(pk=event.created_by_id):
        sent += bool(
            notify(
                user,
                "event_new",
                event.pk,
                0,
                category=rules.COMMUNITY,
                template="event_new",
                context={**context, "event_tz": user_timezone(user)},
                link=context["event_url"],
            )
        )
    return sent


@shared_task(ignore_result=True)
def send_rsvp_notice(rsvp_id: int, version: int) -> int:
    """One person's answer changed: an invite in their own time zone when
    going, a cancellation when no longer going, a note when waiting.
    Skips stale versions: only the current answer is sent."""
    rsvp = (
        EventRSVP.objects.select_related(
            "event__space", "event__created_by", "user__mentoring_profile"
        )
        .filter(pk=rsvp_id)
        .first()
    )
    if rsvp is None or rsvp.version != version:
        return 0
    event, user = rsvp.event, rsvp.user
    if event.is_cancelled:
        return 0  # the event's own cancellation tells everyone
    zone = user_timezone(user)
    context = _context(event, rsvp=rsvp, event_tz=zone, answer=rsvp.status)
    attachments = None
    if rsvp.status == RSVPStatus.GOING:
        attachments = [
            ("event-request.ics", calendar.invite(event, user, zone), "text/calendar")
        ]
    elif rsvp.status == RSVPStatus.CANCELLED:
        attachments = [
            (
                "event-cancel.ics",
                calendar.invite(event, user, zone, cancel=True),
                "text/calendar",
            )
        ]
    return bool(
        notify(
            user,
            "event_rsvp",
            event.pk,
            f"{rsvp.pk}.{rsvp.version}",
            category=rules.COMMUNITY,
            template="event_rsvp",
            context=context,
            link=context["event_url"],
            attachments=attachments,
        )
    )


@shared_task(ignore_result=True)
def send_event_updates(event_id: int, sequence: int) -> int:
    """The event changed or was cancelled: everyone going gets the new
    version (a CANCEL when cancelled); the waiting list hears of a
    cancellation. Skips stale versions: only the current SEQUENCE is sent."""
    event = _event(event_id)
    if event is None or event.sequence != sequence:
        return 0
    told = [RSVPStatus.GOING]
    if event.is_cancelled:
        told.append(RSVPStatus.WAITLISTED)
    answers = (
        EventRSVP.objects.filter(event=event, status__in=told)
        .select_related("user__mentoring_profile")
        .order_by("pk")
    )
    method = "cancel" if event.is_cancelled else "request"
    sent = 0
    for rsvp in answers:
        zone = user_timezone(rsvp.user)
        attachments = None
        if rsvp.status == RSVPStatus.GOING:
            attachments = [
                (
                    f"event-{method}.ics",
                    calendar.invite(event, rsvp.user, zone),
                    "text/calendar",
                )
            ]
        sent += bool(
            notify(
                rsvp.user,
                "event_update",
                event.pk,
                event.sequence,
                category=rules.COMMUNITY,
                template="event_update",
                context=_context(event, event_tz=zone, answer=rsvp.status),
                link=reverse("wagtail_mentoring:space_event", args=[event.pk]),
                attachments=attachments,
            )
        )
    return sent


@shared_task(ignore_result=True)
def send_event_reminders() -> int:
    """Periodic: events a day and an hour ahead, for everyone going."""
    return remind_events()
