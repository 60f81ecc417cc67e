"""Demo data of group mentoring: *Leading Together*, a program of circles.

Deterministic and idempotent. Three circles, each one facilitator with a few
mentees: *First-time managers* (emp0010 facilitates, emp0012 is a member) has
one seat left and is open for mentees to join, *Presenting with confidence* is
full, *Growing as a tech lead* is open with two seats. The circles have met,
planned their next meeting, written to each other, and set a goal of the whole
circle next to goals of their own. Two approved mentees (emp0019, emp0021) are
in no circle yet: on the program page they see the open circles and *Join*.

Every facilitator gave their circle's topic when applying, and the two most
senior colleagues not yet in the program (below the head of the company) applied
as mentors with a topic and have no circle yet. Six junior colleagues whose
goals speak of public speaking or of data applied as mentees, and one matching
run (the program weighs the topic 4) proposes circles for them: its
explanations show how well each mentee's own words (goals, wanted skills,
interests) fit the circle's topic. Nothing is approved, so the waiting mentees
can still join an open circle themselves.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus, Message
from wagtail_mentoring.matching import runs, services
from wagtail_mentoring.matching.engine import DEFAULT_WEIGHTS
from wagtail_mentoring.matching.models import MatchingRun
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import (
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

SLUG = "leading-together"

#: topic, facilitator, their capacity (the circle's size), mentees, open to join
CIRCLES = [
    (
        "First-time managers",
        "emp0010",
        4,
        ["emp0012", "emp0013", "emp0014"],
        True,
    ),
    (
        "Presenting with confidence",
        "emp0020",
        3,
        ["emp0015", "emp0016", "emp0017"],
        False,
    ),
    ("Growing as a tech lead", "emp0030", 3, ["emp0018"], True),
]
#: Approved mentees in no circle yet: they can join an open one.
WAITING = ["emp0019", "emp0021"]
#: Topics (and a word of the goals of the mentees they draw) of the mentors
#: who have no circle yet: publishing the run's proposals forms their circles.
NEW_TOPICS = [
    ("Public speaking for new leaders", "speaking"),
    ("Data and machine learning for team leads", "data"),
]
NEW_SEATS = 3
TOPIC_WEIGHT = 4.0


def _user(username):
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


def seed_circles(hub) -> ProgramPage | None:
    now = timezone.now()
    program = ProgramPage.objects.filter(slug=SLUG).first()
    if program is None:
        program = hub.add_child(
            instance=ProgramPage(
                title="Leading Together",
                slug=SLUG,
                kind=ProgramKind.GROUP,
                summary="Small circles of new leads meet monthly with an "
                "experienced manager.",
                intro=[
                    (
                        "paragraph",
                        "<p>One facilitator, up to four colleagues, one shared "
                        "space: meetings, a conversation and goals.</p>",
                    )
                ],
                enrollment_opens_at=now - timedelta(days=30),
                enrollment_closes_at=now + timedelta(days=60),
                default_mentor_capacity=3,
                max_mentor_capacity=5,
            )
        )
        program.save_revision().publish()
    if Relationship.objects.filter(program=program).exists():
        return program
    for topic, lead_name, seats, mentee_names, open_to_join in CIRCLES:
        lead = _user(lead_name)
        mentees = [u for u in map(_user, mentee_names) if u and u.is_active]
        if lead is None or not lead.is_active:
            continue
        lead_enrollment = Enrollment.objects.create(
            user=lead,
            program=program,
            role=Role.MENTOR,
            capacity=seats,
            status=EnrollmentStatus.APPROVED,
            decided_at=now - timedelta(days=40),
            motivation="I remember my first year as a lead.",
            circle_topic=topic,
        )
        circle = Relationship.objects.create(
            program=program,
            status=RelationshipStatus.ACTIVE,
            started_on=(now - timedelta(days=35)).date(),
            ends_on=(
                now + timedelta(weeks=program.duration_weeks) - timedelta(days=35)
            ).date(),
            topic=topic,
            open_to_join=open_to_join,
        )
        members = [RelationshipMember(
            relationship=circle, user=lead, role=Role.MENTOR,
            enrollment=lead_enrollment,
        )]  # fmt: skip
        for mentee in mentees:
            enrollment = Enrollment.objects.create(
                user=mentee,
                program=program,
                role=Role.MENTEE,
                status=EnrollmentStatus.APPROVED,
                decided_at=now - timedelta(days=38),
                motivation="I just became a team lead.",
            )
            members.append(
                RelationshipMember(
                    relationship=circle,
                    user=mentee,
                    role=Role.MENTEE,
                    enrollment=enrollment,
                )
            )
        RelationshipMember.objects.bulk_create(members)
        _activity(circle, lead, mentees, topic, now)
    new_topics = [topic for topic, _word in NEW_TOPICS]
    if Enrollment.objects.filter(program=program, circle_topic__in=new_topics).exists():
        # Seeded before (on a host whose demo people have other logins, the
        # circles above are not made, so their guard does not stop a rerun).
        return program
    enrolled = set(
        Enrollment.objects.filter(program=program).values_list("user_id", flat=True)
    )
    seniors = (
        EmployeeProfile.objects.filter(user__is_active=True, level__gte=5)
        # not the head of the company: everyone is in their reporting line
        .exclude(manager__isnull=True)
        .exclude(user_id__in=enrolled)
        .exclude(user__is_superuser=True)
        .order_by("-level", "user_id")
    )
    for (topic, _word), profile in zip(NEW_TOPICS, seniors, strict=False):
        Enrollment.objects.create(
            user_id=profile.user_id,
            program=program,
            role=Role.MENTOR,
            capacity=NEW_SEATS,
            status=EnrollmentStatus.APPROVED,
            decided_at=now - timedelta(days=2),
            motivation="I would like to lead a circle.",
            circle_topic=topic,
        )
        enrolled.add(profile.user_id)
    juniors = []
    for _topic, word in NEW_TOPICS:
        juniors += list(
            EmployeeProfile.objects.filter(
                user__is_active=True, level__lte=2, goals__icontains=word
            )
            .exclude(user_id__in=enrolled)
            .order_by("user_id")
            .values_list("user_id", flat=True)[:NEW_SEATS]
        )
    User = get_user_model()
    for user in [_user(name) for name in WAITING] + [
        User.objects.get(pk=pk) for pk in juniors
    ]:
        if user is not None and user.is_active and user.pk not in enrolled:
            Enrollment.objects.create(
                user=user,
                program=program,
                role=Role.MENTEE,
                status=EnrollmentStatus.APPROVED,
                decided_at=now - timedelta(days=2),
                motivation="I would like to learn with others.",
            )
            enrolled.add(user.pk)
    return program


def run_circle_matching(program, admin) -> MatchingRun | None:
    """One run of the circles' matching, once: proposals to review, none approved
    (the waiting mentees can still join an open circle themselves)."""
    if program is None or MatchingRun.objects.filter(program=program).exists():
        return None
    # the program's admin chose to weigh the circle's topic most (Settings)
    weights = dict(DEFAULT_WEIGHTS, topic=TOPIC_WEIGHT)
    services.save_settings(program, weights, {}, admin)
    run = services.start_run(program, admin, enqueue=False)
    return runs.execute_run(run.pk)


def _activity(circle, lead, mentees, topic, now) -> None:
    """A meeting held, the next one planned, a short thread and goals."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    Meeting.objects.create(
        relationship=circle,
        title="Circle kick-off",
        starts_at=hour - timedelta(days=28),
        duration_minutes=60,
        timezone="Europe/Berlin",
        location="Room 3.1",
        status=MeetingStatus.HELD,
        agenda="- Introductions\n- What each of us wants from the circle",
        created_by=lead,
    )
    Meeting.objects.create(
        relationship=circle,
        title=f"{topic}: monthly circle",
        starts_at=hour + timedelta(days=5),
        duration_minutes=60,
        timezone="Europe/Berlin",
        location="Video call",
        agenda="- One success, one struggle each\n- Practise: a hard conversation",
        created_by=lead,
    )
    thread = [
        (lead, "Welcome, everyone! Looking forward to our first session."),
        *[
            (m, text)
            for m, text in zip(
                mentees,
                [
                    "Thanks! Could we talk about giving feedback next time?",
                    "Yes please, and about planning the team's week.",
                    "I found a good article on one-to-ones, I'll bring it.",
                ],
                strict=False,
            )
        ],
    ]
    for minutes, (author, body) in enumerate(thread):
        Message.objects.create(
            relationship=circle,
            author=author,
            body=body,
            created_at=now - timedelta(days=27, minutes=-10 * minutes),
        )
    Goal.objects.create(
        relationship=circle,
        owner=lead,
        shared=True,
        title="Each of us runs one retrospective with our team",
        measure="Everyone shares what they learned at the circle",
        target_date=(now + timedelta(days=45)).date(),
        progress=30,
    )
    if mentees:
        Goal.objects.create(
            relationship=circle,
            owner=mentees[0],
            title="Hold a one-to-one with every team member each fortnight",
            target_date=(now + timedelta(days=30)).date(),
            progress=50,
        )
