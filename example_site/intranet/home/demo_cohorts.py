"""Demo data of cohorts and of the network map.

Deterministic and idempotent: Engineering Mentoring runs in two cohorts,
Spring (from March, following the program's journey) and Autumn (from
September) of this year. Spring takes in the applications made so far
(the first cohort always does), then every other one moves to Autumn, so the
Applications listing filters by cohort and each cohort has its own space
(created with it, members = its approved participants).

The network map has the demo's relationships across departments, plus a few
completed relationships of earlier years, so *Mentoring → Network map* shows
bridges, a department connected only within itself and a change since the
quarter began.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs import cohorts
from wagtail_mentoring.programs.models import (
    Cohort,
    Enrollment,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

SPRING = "Spring"
AUTUMN = "Autumn"
#: Completed pairs of earlier years: (mentor's department, mentee's department).
EARLIER_PAIRS = [
    ("Engineering", "Sales"),
    ("Engineering", "Sales"),
    ("Engineering", "Marketing"),
    ("Finance", "Finance"),
    ("Finance", "Finance"),
    ("Finance", "Finance"),
    ("Product", "Customer Success"),
]


def seed_cohorts(program, admin) -> None:
    if Cohort.objects.filter(program=program).exists():
        return
    today = timezone.localdate()
    spring = cohorts.create_cohort(
        program,
        admin,
        name=f"{SPRING} {today.year}",
        starts_on=date(today.year, 3, 1),
        journey=program.journey if program.journey and program.journey.live else None,
    )
    autumn = cohorts.create_cohort(
        program,
        admin,
        name=f"{AUTUMN} {today.year}",
        starts_on=date(today.year, 9, 1),
    )
    live = list(
        Enrollment.objects.filter(program=program, cohort=spring).live().order_by("pk")
    )
    # People already matched stay in Spring; half of the others wait for Autumn.
    matched = set(
        RelationshipMember.objects.filter(relationship__program=program).values_list(
            "user_id", flat=True
        )
    )
    waiting = [e for e in live if e.user_id not in matched][::2]
    if waiting:
        cohorts.move_to_cohort(waiting, autumn, admin)
    _earlier_pairs(program, today)


def _earlier_pairs(program, today) -> None:
    profiles = {}
    for profile in EmployeeProfile.objects.filter(
        department__in={d for pair in EARLIER_PAIRS for d in pair},
        user__is_active=True,
    ).order_by("pk"):
        profiles.setdefault(profile.department, []).append(profile.user)
    start = date(today.year - 1, 2, 1)
    for i, (giving, receiving) in enumerate(EARLIER_PAIRS):
        mentors, mentees = profiles.get(giving, []), profiles.get(receiving, [])
        if len(mentors) < 4 or len(mentees) < 4:
            continue
        mentor, mentee = mentors[-1 - i % 3], mentees[-4 + i % 3]
        if mentor == mentee:
            continue
        relationship = Relationship.objects.create(
            program=program,
            status=RelationshipStatus.COMPLETED,
            started_on=start + timedelta(days=20 * i),
            ends_on=start + timedelta(days=20 * i + 180),
        )
        RelationshipMember.objects.bulk_create(
            [
                RelationshipMember(
                    relationship=relationship, user=mentor, role=Role.MENTOR
                ),
                RelationshipMember(
                    relationship=relationship, user=mentee, role=Role.MENTEE
                ),
            ]
        )
