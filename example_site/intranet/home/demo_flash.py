"""Demo data of flash mentoring and a development track.

Deterministic and idempotent. *Flash Mentoring: Ask a Leader* has four mentors
with weekly office hours in their own time zones (one of them group office
hours for up to four people); a few colleagues have booked, and one
conversation last week was rated. The *Leadership track* strings the
*Mentoring foundations* journey, Engineering Mentoring and the Sponsorship
Circle into three stages, so its page shows each person where they are and
the admin's *Development tracks* report has people at each stage.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from wagtail_mentoring.engagement.office_hours import services
from wagtail_mentoring.engagement.office_hours.models import (
    Booking,
    OfficeHours,
    OfficeHourSlot,
)
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys.models import LearningJourneyPage
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Role,
)
from wagtail_mentoring.tracks.models import DevelopmentTrackPage

SLUG = "flash-mentoring"
TRACK_SLUG = "leadership-track"

#: title, topics, zone, weekday offset, local hour, capacity
OFFICE_HOURS = [
    ("Career moves over coffee", "career moves, promotions", "Europe/Berlin", 1, 9, 1),
    (
        "Ask an engineering director",
        "architecture, leading teams",
        "Europe/London",
        2,
        15,
        1,
    ),  # fmt: skip
    (
        "Public speaking clinic",
        "public speaking, presenting",
        "America/New_York",
        3,
        11,
        4,
    ),  # fmt: skip
    ("First time manager?", "new managers, feedback", "Asia/Singapore", 2, 10, 1),
]


def seed_flash(hub, people, engineering, sponsorship) -> ProgramPage:
    program = ProgramPage.objects.filter(slug=SLUG).first()
    if program is None:
        now = timezone.now()
        program = hub.add_child(
            instance=ProgramPage(
                title="Flash Mentoring: Ask a Leader",
                slug=SLUG,
                kind=ProgramKind.FLASH,
                summary="One conversation with a senior colleague, no commitment: "
                "book a time that suits you.",
                intro=[
                    (
                        "paragraph",
                        "<p>Leaders hold office hours every week. Pick a topic, "
                        "book a slot and get the invite in your calendar.</p>",
                    )
                ],
                # HR runs it (they administer every program).
                enrollment_opens_at=now - timedelta(days=30),
            )
        )
        program.save_revision().publish()
        _office_hours(program, people)
    if not DevelopmentTrackPage.objects.filter(slug=TRACK_SLUG).exists():
        _track(hub, engineering, sponsorship)
    return program


def _office_hours(program, people) -> None:
    now = timezone.now()
    # Mentors from the middle of the staff list; the README's demo mentee
    # (emp0002) has booked, and the newcomer (the last) had a conversation.
    mentors = people[30:34]
    guests = [people[2], *people[40:52]]
    for user, (title, topics, zone, offset, hour, capacity) in zip(
        mentors, OFFICE_HOURS, strict=True
    ):
        enrollment, _created = Enrollment.objects.get_or_create(
            user=user,
            program=program,
            role=Role.MENTOR,
            defaults={"status": EnrollmentStatus.APPROVED, "decided_at": now},
        )
        day = (now + timedelta(days=offset)).date()
        starts = datetime.combine(day, datetime.min.time()).replace(hour=hour)
        services.publish_office_hours(
            enrollment,
            user,
            title=title,
            topics=topics,
            starts=starts,
            ends=starts + timedelta(minutes=45 if capacity > 1 else 30),
            timezone_name=zone,
            recurrence="weekly",
            weeks=6,
            capacity=capacity,
            book_ahead_days=21,
            weekly_limit=3 if capacity == 1 else 8,
            cutoff_hours=12,
            location="Video call (link in the invite)",
        )
    slots = list(
        OfficeHourSlot.objects.filter(program=program)
        .select_related("office_hours")
        .order_by("starts_at")
    )
    questions = [
        "How did you decide between management and staying technical?",
        "I present to the board next month: how do I prepare?",
        "What should I do in my first 90 days as a manager?",
        "",
    ]
    booked = 0
    for guest, slot in zip(guests, slots[1::2], strict=False):
        if slot.starts_at - timedelta(hours=12) <= now:
            continue
        try:
            services.book_slot(slot, guest, question=questions[booked % 4])
        except MentoringError:
            continue  # that mentor's week is full: the demo moves on
        booked += 1
    # A conversation last week, rated: what the feedback looks like.
    first = OfficeHours.objects.filter(program=program).order_by("pk").first()
    held = OfficeHourSlot.objects.create(
        office_hours=first,
        program=program,
        mentor=first.mentor,
        starts_at=now - timedelta(days=6),
        ends_at=now - timedelta(days=6) + timedelta(minutes=30),
        capacity=1,
    )
    Booking.objects.create(
        slot=held,
        user=people[-1],
        question="Is a move to product management right for me?",
        created_at=now - timedelta(days=9),
        rating=5,
        comment="Clear, honest advice. I know my next step.",
    )


def _track(hub, engineering, sponsorship) -> None:
    journey = LearningJourneyPage.objects.filter(slug="mentoring-foundations").first()
    stages = [
        (
            "stage",
            {
                "title": "Foundations",
                "description": "Work through the journey with your mentor.",
                "page": journey,
                "entry_rule": "none",
                "rule_page": None,
            },
        ),
        (
            "stage",
            {
                "title": "Mentoring with a senior engineer",
                "description": "Six months of one-to-one mentoring.",
                "page": engineering,
                "entry_rule": "finished_journey" if journey else "none",
                "rule_page": journey,
            },
        ),
        (
            "stage",
            {
                "title": "Sponsorship",
                "description": "A sponsor advocates for your next role.",
                "page": sponsorship,
                "entry_rule": "sponsorship_nomination",
                "rule_page": None,
            },
        ),
    ]
    track = hub.add_child(
        instance=DevelopmentTrackPage(
            title="Leadership track",
            slug=TRACK_SLUG,
            summary="From first-time lead to sponsored leader, in three stages.",
            stages=stages,
        )
    )
    track.save_revision().publish()
