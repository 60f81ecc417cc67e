"""A year of history for the dashboards: last year's engineering intake.

*Engineering Mentoring 2025–26* ran for twelve months before the demo's
programs: people applied month by month, were matched by runs, by their own
requests or by hand, met every three to five weeks, set goals, rated their
meetings, and some pairs ended early with a reason. It shares its admins with
Engineering Mentoring, so the coordinator's dashboard has a year to show.

Its mentees applied in two intakes (cohorts *Intake 1* and *Intake 2*).
Deterministic (its own random seed) and idempotent (skipped when the program
exists). Its running pairs met in the last two weeks, so they add nothing to
the at-risk list or to the nudges of the demo.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from wagtail_mentoring.engagement import meeting_marks
from wagtail_mentoring.engagement.models import (
    Feedback,
    Goal,
    GoalCheckIn,
    GoalStatus,
    Meeting,
    MeetingStatus,
    MentorRequest,
    MentorRequestStatus,
    Message,
)
from wagtail_mentoring.matching.models import (
    MatchingRun,
    MatchProposal,
    ProposalOrigin,
    ProposalStatus,
    RunStatus,
)
from wagtail_mentoring.people.models import EmployeeProfile
from wagtail_mentoring.programs.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    ProgramKind,
    ProgramPage,
    Relationship,
    RelationshipMember,
    RelationshipStatus,
    Role,
)

SLUG = "engineering-mentoring-2025"
EARLY_REASONS = [
    "My mentor moved to another team and we lost touch.",
    "Our goals did not fit: I wanted people management, they are an IC.",
    "I changed roles and could not keep the time.",
    "We met twice and agreed it was not a match.",
    "Parental leave; I'll apply again next year.",
]
#: Weights of the 1–5 star ratings (most meetings go well, some do not).
RATING_WEIGHTS = [3, 7, 20, 40, 30]


def seed_history(hub, engineering: ProgramPage, people, seed: int = 2025) -> None:
    if ProgramPage.objects.filter(slug=SLUG).exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    program = hub.add_child(
        instance=ProgramPage(
            title="Engineering Mentoring 2025–26",
            slug=SLUG,
            kind=ProgramKind.ONE_TO_ONE,
            summary="Last year's intake of engineering mentoring (closed).",
            enrollment_opens_at=now - timedelta(days=380),
            enrollment_closes_at=now - timedelta(days=20),
            admin_group=engineering.admin_group,
            default_mentor_capacity=3,
        )
    )
    program.save_revision().publish()

    # The last employee is left to apply in the demo (as in seed_demo).
    profiles = list(
        EmployeeProfile.objects.filter(user__in=[u for u in people[:-1] if u.is_active])
        .select_related("user")
        .order_by("user_id")
    )
    seniors = [p.user for p in profiles if p.level >= 5][:18]
    juniors = [p.user for p in profiles if p.level <= 4][-60:]
    mentors = Enrollment.objects.bulk_create(
        Enrollment(
            user=user,
            program=program,
            role=Role.MENTOR,
            capacity=3,
            status=EnrollmentStatus.APPROVED,
            created_at=now - timedelta(days=370),
            decided_at=now - timedelta(days=368),
            motivation="Glad to pass on what I learnt.",
        )
        for user in seniors
    )
    statuses = (
        [EnrollmentStatus.APPROVED] * 14
        + [EnrollmentStatus.DECLINED]
        + [EnrollmentStatus.WITHDRAWN]
        + [EnrollmentStatus.PENDING]
    )
    mentees = Enrollment.objects.bulk_create(
        Enrollment(
            user=user,
            program=program,
            role=Role.MENTEE,
            status=rng.choice(statuses),
            created_at=now
            - timedelta(days=rng.randint(25, 360), hours=rng.randint(0, 23)),
            motivation="I want to grow as an engineer.",
        )
        for user in juniors
    )
    # Two intakes, so the dashboard's cohort filter has something to compare:
    # the first half-year's applicants and the second's.
    first = Cohort.objects.create(
        program=program,
        name="Intake 1",
        starts_on=(now - timedelta(days=365)).date(),
    )
    second = Cohort.objects.create(
        program=program,
        name="Intake 2",
        starts_on=(now - timedelta(days=180)).date(),
    )
    for intake, applied in (
        (first, {"created_at__lt": now - timedelta(days=180)}),
        (second, {"created_at__gte": now - timedelta(days=180)}),
    ):
        Enrollment.objects.filter(pk__in=[e.pk for e in mentees], **applied).update(
            cohort=intake
        )
    run = MatchingRun.objects.create(
        program=program,
        status=RunStatus.SUCCEEDED,
        created_at=now - timedelta(days=340),
        finished_at=now - timedelta(days=340),
    )
    load = {mentor.pk: 0 for mentor in mentors}
    for mentee in sorted(mentees, key=lambda e: e.created_at):
        if mentee.status != EnrollmentStatus.APPROVED or rng.random() < 0.15:
            continue  # some approved mentees are still waiting for a mentor
        free = [m for m in mentors if load[m.pk] < 3]
        if not free:
            break
        mentor = rng.choice(free)
        made = mentee.created_at + timedelta(days=rng.randint(4, 30))
        if made > now - timedelta(days=15):
            continue
        load[mentor.pk] += 1
        _pair(rng, program, run, mentee, mentor, made, now)


def _level(user) -> int:
    profile = EmployeeProfile.objects.filter(user=user).first()
    return profile.level if profile else 0


def _pair(rng, program, run, mentee, mentor, made, now) -> None:
    age = (now - made).days
    status, ended = RelationshipStatus.ACTIVE, None
    draw = rng.random()
    if draw < 0.15 and age > 40:
        status = RelationshipStatus.ENDED_EARLY
        ended = made + timedelta(days=rng.randint(20, min(age - 5, 150)))
    elif age > 190 and draw < 0.85:
        status = RelationshipStatus.COMPLETED
        ended = made + timedelta(days=180)
    relationship = Relationship.objects.create(
        program=program,
        status=status,
        created_at=made,
        started_on=made.date(),
        ends_on=(made + timedelta(days=180)).date(),
        ended_at=ended,
        end_reason=rng.choice(EARLY_REASONS)
        if status == RelationshipStatus.ENDED_EARLY
        else "",
    )
    RelationshipMember.objects.bulk_create(
        [
            RelationshipMember(
                relationship=relationship,
                user=mentee.user,
                role=Role.MENTEE,
                enrollment=mentee,
            ),
            RelationshipMember(
                relationship=relationship,
                user=mentor.user,
                role=Role.MENTOR,
                enrollment=mentor,
            ),
        ]
    )
    origin = rng.random()
    if origin < 0.6:
        score = round(rng.uniform(0.55, 0.95), 2)
        levels = _level(mentor.user) - _level(mentee.user)
        MatchProposal.objects.create(
            run=run,
            program=program,
            mentee=mentee,
            mentor=mentor,
            score=score,
            factors={"seniority": score},
            reasons=[
                {
                    "code": "seniority_gap",
                    "params": {"levels": levels},
                    "text": f"{levels} levels senior",
                }
            ],
            status=ProposalStatus.APPROVED,
            origin=ProposalOrigin.ENGINE,
            relationship=relationship,
            decided_at=made,
        )
    elif origin < 0.85:
        MentorRequest.objects.create(
            program=program,
            mentee_enrollment=mentee,
            mentor_enrollment=mentor,
            rank=1,
            status=MentorRequestStatus.ACCEPTED,
            created_at=made - timedelta(days=3),
            sent_at=made - timedelta(days=3),
            decided_at=made,
            relationship=relationship,
        )
    last = ended or now
    when = made + timedelta(days=rng.randint(5, 12))
    meetings = []
    while when < last - timedelta(days=1):
        meetings.append(when.replace(minute=0, second=0, microsecond=0))
        when += timedelta(days=rng.randint(21, 35))
    if status == RelationshipStatus.ACTIVE:
        # Running pairs met recently: nothing for the at-risk list or nudges.
        meetings.append(now - timedelta(days=rng.randint(3, 12), hours=2))
    created = Meeting.objects.bulk_create(
        Meeting(
            relationship=relationship,
            title="Mentoring conversation",
            starts_at=starts,
            duration_minutes=45,
            timezone="Europe/Berlin",
            location="Video call",
            status=MeetingStatus.HELD,
            created_by=mentee.user,
            created_at=starts - timedelta(days=7),
        )
        for starts in meetings
    )
    Feedback.objects.bulk_create(
        Feedback(
            relationship=relationship,
            meeting=meeting,
            author=mentee.user,
            kind="meeting",
            rating=rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0],
            visibility="admins",
            created_at=meeting.starts_at + timedelta(hours=3),
        )
        for meeting in created
        if rng.random() < 0.4
    )
    # Bulk-created, past the signals that keep the first and last held meeting.
    meeting_marks.recount(Relationship.objects.filter(pk=relationship.pk))
    if rng.random() < 0.7:
        achieved = status == RelationshipStatus.COMPLETED and rng.random() < 0.7
        goal = Goal.objects.create(
            relationship=relationship,
            owner=mentee.user,
            title="Lead the design of one service",
            measure="The design doc is approved",
            target_date=(made + timedelta(days=150)).date(),
            status=GoalStatus.ACHIEVED if achieved else GoalStatus.OPEN,
            progress=100 if achieved else rng.choice([20, 40, 60]),
            created_at=made + timedelta(days=14),
        )
        if status == RelationshipStatus.ACTIVE:
            # Checked in lately: no check-in reminder is due.
            GoalCheckIn.objects.create(
                goal=goal,
                author=mentee.user,
                progress=goal.progress,
                note="Halfway through the design doc.",
                created_at=now - timedelta(days=rng.randint(2, 10)),
            )
    Message.objects.bulk_create(
        Message(
            relationship=relationship,
            author=author,
            body=body,
            created_at=starts + timedelta(hours=5),
        )
        for starts in meetings[:3]
        for author, body in (
            (mentee.user, "Thanks, that helped a lot."),
            (mentor.user, "Glad it did. Same time next month?"),
        )
    )
