"""iCalendar for space events, built with engagement's helpers so meetings and
events look alike in a calendar (same PRODID, attendees, time zones)."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Event

from wagtail_mentoring.community.events.models import (
    EventRSVP,
    RSVPStatus,
    SpaceEvent,
)
from wagtail_mentoring.engagement import ical

UTC = zoneinfo.ZoneInfo("UTC")


def event_zone(event: SpaceEvent):
    """The organiser's zone, or UTC for a name this machine does not know."""
    try:
        return zoneinfo.ZoneInfo(event.timezone) if event.timezone else UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def event_url(event: SpaceEvent) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    path = reverse("wagtail_mentoring:space_event", args=[event.pk])
    return f"{base}{path}" if base else ""


def vevent(
    event: SpaceEvent, zone=None, attendees: Iterable = (), cancelled=None
) -> Event:
    """The VEVENT of ``event`` with its times in ``zone`` (the reader's own
    for an invite; the organiser's by default). ``cancelled`` overrides the
    event's status for one person who is no longer going."""
    zone = zone or event_zone(event)
    cancelled = event.is_cancelled if cancelled is None else cancelled
    component = Event()
    component.add("uid", event.ical_uid)
    component.add("sequence", event.sequence)
    component.add("dtstamp", timezone.now())
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("summary", event.title)
    if event.location_text:
        component.add("location", event.location_text)
    link = event_url(event)
    description = "\n\n".join(p for p in (event.description, link) if p)
    if description:
        component.add("description", description)
    if event.video_url:
        component.add("url", event.video_url)
    elif link:
        component.add("url", link)
    component.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = ical.address(event.created_by) if event.created_by else None
    if organizer is not None:
        component.add("organizer", organizer)
    for user in attendees:
        attendee = ical.address(user)
        if attendee is None:
            continue
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "ACCEPTED"
        component.add("attendee", attendee, encode=0)
    return component


def invite(event: SpaceEvent, user, zone, *, cancel: bool = False) -> bytes:
    """An iTIP REQUEST (or CANCEL) for one attendee, in their zone."""
    cancel = cancel or event.is_cancelled
    calendar = ical.new_calendar("CANCEL" if cancel else "REQUEST")
    calendar.add_component(vevent(event, zone, [user], cancelled=cancel))
    ical.add_timezones(calendar, [event.starts_at])
    return calendar.to_ical()


def download(event: SpaceEvent, zone) -> bytes:
    """The "Add to calendar" file: a published event, nobody's invite."""
    calendar = ical.new_calendar("PUBLISH")
    calendar.add_component(vevent(event, zone))
    ical.add_timezones(calendar, [event.starts_at])
    return calendar.to_ical()


def feed_events(user, since) -> list[Event]:
    """Events ``user`` is going to, for their calendar feed (a Wagtail hook:
    engagement's feed calls it without knowing about spaces)."""
    events = (
        SpaceEvent.objects.filter(
            rsvps__user=user,
            rsvps__status=RSVPStatus.GOING,
            is_cancelled=False,
            starts_at__gte=since,
        )
        .select_related("created_by")
        .order_by("starts_at", "pk")
    )
    return [vevent(event) for event in events]


def going_users(event: SpaceEvent) -> list:
    return [
        rsvp.user
        for rsvp in EventRSVP.objects.filter(event=event, status=RSVPStatus.GOING)
        .select_related("user")
        .order_by("pk")
    ]
