"""Program surveys for the demo: a start survey for the mentees of last year's
engineering intake, and end surveys for its mentees and (shorter) its mentors,
answered over the year (enough responses for the dashboard's satisfaction, NPS
and before/after growth charts, in its default last 90 days too), and a start
survey of Engineering Mentoring that some of its participants have not
answered yet (open it at /mentoring/surveys/ as one of them).

Who was asked follows the daily job's own rules (``services.due_on``, and the
end survey only for relationships that ran their course: a pair that ended
early is not asked), so pressing *Send now* on a demo survey invites nobody
twice. Deterministic (its own random seed) and idempotent (skipped when the
surveys exist). Dates up to yesterday, in each person's own time zone.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from wagtail_mentoring.people.users import user_timezone
from wagtail_mentoring.programs.models import (
    ProgramPage,
    Relationship,
    RelationshipStatus,
    Role,
)
from wagtail_mentoring.surveys.models import (
    Audience,
    Moment,
    Survey,
    SurveyInvitation,
    SurveyResponse,
)
from wagtail_mentoring.surveys.services import OPEN_DAYS, due_on

HISTORY_SLUG = "engineering-mentoring-2025"
GROWTH = {
    "type": "rating",
    "id": "growth-confidence",
    "value": {
        "label": "How confident are you steering your own career?",
        "measures": "growth",
        "required": True,
    },
}
START_QUESTIONS = [
    GROWTH,
    {
        "type": "choice",
        "id": "hope",
        "value": {
            "label": "What do you most hope to get from the program?",
            "choices": ["Career advice", "A new skill", "A wider network"],
            "required": True,
        },
    },
]
END_QUESTIONS = [
    {
        "type": "rating",
        "id": "satisfaction",
        "value": {
            "label": "How satisfied are you with the program?",
            "measures": "satisfaction",
            "required": True,
        },
    },
    {
        "type": "nps",
        "id": "recommend",
        "value": {
            "label": "How likely are you to recommend the program to a colleague?",
            "required": True,
        },
    },
    GROWTH,
    {
        "type": "long_answer",
        "id": "best",
        "value": {"label": "What helped you most?", "required": False},
    },
]
MENTOR_END_QUESTIONS = [
    {
        "type": "rating",
        "id": "satisfaction",
        "value": {
            "label": "How satisfied are you with the program, as a mentor?",
            "measures": "satisfaction",
            "required": True,
        },
    },
    {
        "type": "nps",
        "id": "recommend",
        "value": {
            "label": "How likely are you to recommend mentoring to a colleague?",
            "required": True,
        },
    },
    {
        "type": "long_answer",
        "id": "change",
        "value": {"label": "What would you change?", "required": False},
    },
]
#: The daily job sends an end survey to relationships still running (past
#: their planned end) or completed; an early end is not "the end".
END_STATUSES = (
    RelationshipStatus.ACTIVE,
    RelationshipStatus.PAUSED,
    RelationshipStatus.COMPLETED,
)
#: Share of those asked who answer (with two reminders): a little more at the
#: end, when people have a year to look back on.
ANSWER_RATE = {Moment.START: 0.8, Moment.END: 0.85}
CHANGE = [
    "A shared agenda template for the first meeting.",
    "Fewer mentees per mentor in the busy quarter.",
    "",
    "",
]
BEST = [
    "Having someone outside my team to think out loud with.",
    "The goal check-ins kept me honest.",
    "Practising the promotion conversation before the real one.",
    "",
    "",
]


def seed_surveys(engineering: ProgramPage, seed: int = 2026) -> str:
    history = ProgramPage.objects.filter(slug=HISTORY_SLUG).first()
    if history is None or Survey.objects.filter(program=history).exists():
        return ""
    rng = random.Random(seed)
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    start = Survey.objects.create(
        program=history,
        title="Starting out",
        moment=Moment.START,
        audience=Audience.SEEKERS,
        questions=START_QUESTIONS,
        created_at=long_ago,
    )
    end = Survey.objects.create(
        program=history,
        title="Looking back",
        intro="Not anonymous, so that the program team can follow up.",
        anonymous=False,
        moment=Moment.END,
        audience=Audience.SEEKERS,
        questions=END_QUESTIONS,
        created_at=long_ago,
    )
    mentors_end = Survey.objects.create(
        program=history,
        title="The year as a mentor",
        intro="Not anonymous: the program team may follow up on your ideas.",
        anonymous=False,
        moment=Moment.END,
        audience=Audience.GIVERS,
        questions=MENTOR_END_QUESTIONS,
        created_at=long_ago,
    )
    relationships = (
        Relationship.objects.filter(program=history, started_on__isnull=False)
        .prefetch_related("members__user__mentoring_profile", "members__enrollment")
        .order_by("pk")
    )
    invitations, responses = [], []
    for relationship in relationships:
        for member in relationship.members.all():
            if member.user is None:
                continue
            yesterday = timezone.localdate(now, user_timezone(member.user)) - timedelta(
                days=1
            )
            cohort_id = member.enrollment.cohort_id if member.enrollment else None
            occasion = f"relationship:{relationship.pk}"
            mentor = member.role == Role.MENTOR
            surveys = [mentors_end] if mentor else [start, end]
            for survey in surveys:
                if survey.moment == Moment.END and relationship.status not in (
                    END_STATUSES
                ):
                    continue
                day = due_on(relationship, survey.moment)
                if day is None or day > yesterday:
                    continue
                answered = rng.random() < ANSWER_RATE[survey.moment]
                sent = timezone.make_aware(
                    timezone.datetime.combine(day, timezone.datetime.min.time())
                ) + timedelta(hours=9)
                invitations.append(
                    SurveyInvitation(
                        survey=survey,
                        user=member.user,
                        occasion=occasion,
                        cohort_id=cohort_id,
                        sent_at=sent,
                        closes_at=sent + timedelta(days=OPEN_DAYS),
                        reminders_sent=0 if answered else 2,
                        completed=answered,
                    )
                )
                if not answered:
                    continue
                on = min(day + timedelta(days=rng.randint(0, 6)), yesterday)
                if survey is start:
                    answers = {
                        "growth-confidence": rng.choice([1, 2, 2, 2, 3, 3]),
                        "hope": rng.choice(START_QUESTIONS[1]["value"]["choices"]),
                    }
                elif survey is end:
                    answers = {
                        "satisfaction": rng.choice([3, 4, 4, 5, 5]),
                        "recommend": rng.choice([6, 7, 8, 9, 9, 10, 10]),
                        "growth-confidence": rng.choice([3, 3, 4, 4, 4, 5]),
                    }
                    if best := rng.choice(BEST):
                        answers["best"] = best
                else:
                    answers = {
                        "satisfaction": rng.choice([3, 4, 4, 4, 5]),
                        "recommend": rng.choice([5, 7, 8, 8, 9, 10]),
                    }
                    if change := rng.choice(CHANGE):
                        answers["change"] = change
                responses.append(
                    SurveyResponse(
                        survey=survey,
                        program=history,
                        cohort_id=cohort_id,
                        moment=survey.moment,
                        answers=answers,
                        submitted_on=on,
                        # The start survey is anonymous; the end surveys
                        # are answered by name.
                        respondent=None if survey.anonymous else member.user,
                    )
                )
    SurveyInvitation.objects.bulk_create(invitations)
    # Shuffled: the rows' order says nothing about who answered when.
    rng.shuffle(responses)
    SurveyResponse.objects.bulk_create(responses)

    # This year's program: a start survey, waiting for some answers.
    kickoff = Survey.objects.create(
        program=engineering,
        title="Kick-off: where are you starting from?",
        intro="Five questions, two minutes. Anonymous.",
        moment=Moment.START,
        questions=START_QUESTIONS
        + [
            {
                "type": "scale",
                "id": "hours",
                "value": {
                    "label": "How many hours a month can you give to mentoring?",
                    "minimum": 0,
                    "maximum": 10,
                    "low_label": "none",
                    "high_label": "ten or more",
                    "required": False,
                },
            }
        ],
        created_at=long_ago,
    )
    asked = []
    for relationship in Relationship.objects.filter(
        program=engineering, status=RelationshipStatus.ACTIVE
    ).order_by("pk")[:5]:
        for member in relationship.members.select_related("user"):
            if member.user is None:
                continue
            SurveyInvitation.objects.get_or_create(
                survey=kickoff,
                user=member.user,
                occasion=f"relationship:{relationship.pk}",
                defaults={
                    "sent_at": now - timedelta(days=2),
                    "closes_at": now + timedelta(days=OPEN_DAYS - 2),
                },
            )
            asked.append(member.user.get_username())
    note = f" Surveys: {len(responses)} answers on {history.title}"
    if asked:
        note += f"; open survey for {', '.join(asked[:4])} at /mentoring/surveys/"
    return note + "."
