"""Demo data of space events: a few upcoming and past events per space, with
answers, one full event with a waiting list and one cancelled event.

Deterministic and idempotent (nothing is added when events exist). Written
directly, like the bulk of the community demo, so that seeding sends no
invitations; emp0002 is going to the open space's next event, so its page,
the upcoming-events block and her calendar feed show it.
"""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, timedelta

from django.utils import timezone

from wagtail_mentoring.community.events.models import EventRSVP, SpaceEvent
from wagtail_mentoring.community.models import CommunitySpacePage

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")

#: (title, days from today, local hour, hours long, places, place, video link)
EVENTS = [
    ("Lightning talks: what I learned this quarter", 3, 16, 1.5, None,
     "Auditorium, Building A", "https://meet.example.com/lightning"),
    ("Mentoring clinic: bring your question", 8, 12, 1, 6,
     "", "https://meet.example.com/clinic"),
    ("Breakfast meet-up", 15, 9, 1, 12, "Café on the 4th floor", ""),
    ("Retrospective of the spring intake", -20, 15, 1, None,
     "", "https://meet.example.com/retro"),
    ("Panel: growing into a staff role", -45, 17, 1.5, 40,
     "Auditorium, Building A", ""),
]  # fmt: skip


def _at(days: int, hour: int, now) -> datetime:
    day = now.astimezone(BERLIN).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=BERLIN)


def seed_events() -> str:
    """Seed events in every demo space; returns a sentence for seed_demo."""
    if SpaceEvent.objects.exists():
        return ""
    rng = random.Random(1616)
    now = timezone.now()
    events = rsvps = 0
    for space in CommunitySpacePage.objects.order_by("pk"):
        members = list(
            space.memberships.filter(status="active", user__is_active=True)
            .select_related("user")
            .order_by("pk")
        )
        if not members:
            continue
        organiser = next(
            (m.user for m in members if m.role == "moderator"), members[0].user
        )
        people = [m.user for m in members]
        for title, days, hour, hours, places, place, video in EVENTS:
            starts = _at(days, hour, now)
            happened = SpaceEvent.objects.create(
                space=space,
                title=title,
                description=(
                    f"{space.title}: {title.lower()}. Everyone in the space is "
                    "welcome; say whether you come so that we can plan the room."
                ),
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                timezone="Europe/Berlin",
                place=place,
                video_url=video,
                capacity=places,
                created_by=organiser,
                created_at=now - timedelta(days=max(30, -days + 10)),
            )
            events += 1
            wanted = min(len(people), (places or 18) + (3 if places == 6 else 0))
            goers = rng.sample(people, wanted)
            if days == 3:  # emp0002 goes to the next event of her space
                goers = [u for u in people if u.get_username() == "emp0002"] + [
                    u for u in goers if u.get_username() != "emp0002"
                ]
            for n, user in enumerate(goers):
                status = "going"
                if places is not None and n >= places:
                    status = "waitlisted"
                elif n % 9 == 8:
                    status = "cancelled"
                EventRSVP.objects.create(
                    event=happened,
                    user=user,
                    status=status,
                    version=1,
                    created_at=starts - timedelta(days=7, hours=n),
                    updated_at=starts - timedelta(days=7, hours=n),
                )
                rsvps += 1
        # One called off, so people see what a cancelled event looks like.
        starts = _at(10, 18, now)
        SpaceEvent.objects.create(
            space=space,
            title="Evening social (moved to next month)",
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            timezone="Europe/Berlin",
            place="Roof terrace",
            is_cancelled=True,
            cancelled_at=now - timedelta(days=1),
            sequence=1,
            created_by=organiser,
        )
        events += 1
    return f" Events: {events} in the spaces, {rsvps} answers."
