"""iCalendar (RFC 5545 / iTIP RFC 5546) for meetings: invites and the feed.

A meeting keeps one UID for its whole life and its SEQUENCE grows with every
reschedule or cancellation, so calendar clients update the event they already
have instead of adding a second one.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from wagtail_mentoring.conf import mentoring_settings
from wagtail_mentoring.engagement.models import Meeting
from wagtail_mentoring.people.users import display_name, user_email

PRODID = "-//wagtail-mentoring//Mentoring meetings//EN"

#: Wagtail hook whose functions add to a person's calendar feed: each is
#: called as ``fn(user, since)`` and returns VEVENTs (a domain above
#: engagement, such as community events, plugs in without engagement
#: importing it).
FEED_HOOK = "wagtail_mentoring_calendar_feed"


def meeting_zone(meeting: Meeting):
    try:
        return zoneinfo.ZoneInfo(meeting.timezone) if meeting.timezone else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def new_calendar(method: str | None = None) -> Calendar:
    """An empty VCALENDAR of the package (an iTIP ``method`` for invites)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def address(user) -> vCalAddress | None:
    """``user`` as an ORGANIZER/ATTENDEE, or None without an email address."""
    email = user_email(user)
    if not email:
        return None
    found = vCalAddress(f"mailto:{email}")
    found.params["cn"] = vText(display_name(user))
    return found


def meeting_event(meeting: Meeting, members: Iterable = ()) -> Event:
    """The VEVENT of ``meeting``; ``members`` (users) become attendees."""
    zone = meeting_zone(meeting) or zoneinfo.ZoneInfo("UTC")
    event = Event()
    event.add("uid", meeting.ical_uid)
    event.add("sequence", meeting.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.title)
    if meeting.location:
        event.add("location", meeting.location)
    # The agenda is shared with the invite; meeting notes never leave the site.
    description = meeting.agenda
    link = meeting_link(meeting)
    if link:
        description = f"{description}\n\n{link}".strip()
    if description:
        event.add("description", description)
    if link:
        event.add("url", link)
    event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
    organizer = address(meeting.created_by) if meeting.created_by else None
    if organizer is not None:
        event.add("organizer", organizer)
    for user in members:
        attendee = address(user)
        if attendee is None:
            continue
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=0)
    return event


def meeting_link(meeting: Meeting) -> str:
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    path = reverse(
        "wagtail_mentoring:meeting_detail", args=[meeting.relationship_id, meeting.pk]
    )
    return f"{base}{path}" if base else ""


def add_timezones(calendar: Calendar, starts: Iterable) -> None:
    """Add the VTIMEZONEs the calendar's events use, for the years around
    ``starts`` (their start times)."""
    starts = list(starts)
    if not starts:
        return
    first = min(starts).date() - timedelta(days=400)
    last = max(starts).date() + timedelta(days=400)
    calendar.add_missing_timezones(
        first_date=max(first, date(1970, 1, 1)), last_date=last
    )


def invite(meeting: Meeting, members: Iterable) -> bytes:
    """An iTIP REQUEST (new or changed meeting) or CANCEL, as .ics bytes."""
    method = "CANCEL" if meeting.is_cancelled else "REQUEST"
    calendar = new_calendar(method)
    calendar.add_component(meeting_event(meeting, members))
    add_timezones(calendar, [meeting.starts_at])
    return calendar.to_ical()


def event_invite(
    *,
    uid: str,
    sequence: int,
    starts_at,
    ends_at,
    summary: str,
    zone,
    organizer=None,
    attendees: Iterable = (),
    cancelled: bool = False,
    location: str = "",
    description: str = "",
) -> bytes:
    """An iTIP REQUEST or CANCEL for an event that is not a pair's meeting
    (a flash-mentoring booking), with times written in ``zone``."""
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", starts_at.astimezone(zone))
    event.add("dtend", ends_at.astimezone(zone))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    if description:
        event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer_address = address(organizer) if organizer is not None else None
    if organizer_address is not None:
        event.add("organizer", organizer_address)
    for user in attendees:
        attendee = address(user)
        if attendee is not None:
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=0)
    calendar = new_calendar("CANCEL" if cancelled else "REQUEST")
    calendar.add_component(event)
    first = starts_at.date() - timedelta(days=400)
    calendar.add_missing_timezones(
        first_date=max(first, date(1970, 1, 1)),
        last_date=starts_at.date() + timedelta(days=400),
    )
    return calendar.to_ical()


def feed(meetings: Iterable[Meeting], name: str, others: Iterable[Event] = ()) -> bytes:
    """A subscribable calendar of ``meetings`` and ``others`` (VEVENTs other
    domains contribute, see :data:`FEED_HOOK`); no METHOD: it is not an invite."""
    calendar = new_calendar()
    calendar.add("x-wr-calname", name)
    # Clients re-fetch a feed on their own schedule; ask for about hourly.
    calendar.add(
        "refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"}
    )
    calendar.add("x-published-ttl", "PT1H")
    meetings = list(meetings)
    starts = [meeting.starts_at for meeting in meetings]
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting))
    for event in others:
        calendar.add_component(event)
        starts.append(event.decoded("dtstart"))
    add_timezones(calendar, starts)
    return calendar.to_ical()


def feed_window_start():
    """Feeds show meetings from this long ago on, to stay small."""
    return timezone.now() - timedelta(days=mentoring_settings.CALENDAR_FEED_PAST_DAYS)
