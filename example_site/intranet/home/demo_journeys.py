"""Demo data for learning journeys: a curriculum, and pairs at different stages.

Called by ``seed_demo``; deterministic and safe to run twice (it does nothing
when the journey already exists).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from wagtail_mentoring.engagement.agenda import default_agenda
from wagtail_mentoring.engagement.models import Meeting, MeetingStatus
from wagtail_mentoring.journeys import services
from wagtail_mentoring.journeys.models import (
    JourneyProgress,
    LearningJourneyPage,
    StepProgress,
)
from wagtail_mentoring.programs.models import EnrollmentStatus, Relationship, Role
from wagtail_mentoring.programs.services import start_relationship

SLUG = "mentoring-foundations"


def _item(value, n):
    return {"type": "item", "value": value, "id": f"demo-item-{n}"}


def _steps():
    return [
        {
            "type": "step",
            "id": "demo-welcome",
            "value": {
                "title": "Welcome and expectations",
                "summary": "What the program is, and what a good mentoring pair does.",
                "minutes": 15,
                "audience": "both",
                "completion": "view",
                "body": [
                    {
                        "type": "paragraph",
                        "id": "demo-welcome-text",
                        "value": "<p>Mentoring works best when the mentee leads: "
                        "you bring the questions, your mentor brings experience."
                        "</p><h3>What to expect</h3><ul><li>Six months</li>"
                        "<li>One conversation a month</li><li>One goal at a time"
                        "</li></ul>",
                    },
                    {
                        "type": "callout",
                        "id": "demo-welcome-tip",
                        "value": {
                            "tone": "tip",
                            "text": "<p>Agree on how you will keep in touch "
                            "between meetings.</p>",
                        },
                    },
                    {
                        "type": "links",
                        "id": "demo-welcome-links",
                        "value": {
                            "heading": "Further reading",
                            "links": [
                                _item(
                                    {
                                        "title": "The GROW coaching model",
                                        "url": "https://en.wikipedia.org/wiki/GROW_model",
                                        "description": "A simple structure for "
                                        "your first sessions.",
                                    },
                                    1,
                                )
                            ],
                        },
                    },
                ],
            },
        },
        {
            "type": "step",
            "id": "demo-meet",
            "value": {
                "title": "Get to know each other",
                "summary": "Your first meeting: stories, hopes and ground rules.",
                "minutes": 45,
                "audience": "both",
                "completion": "meeting",
                "body": [
                    {
                        "type": "checklist",
                        "id": "demo-meet-checklist",
                        "value": {
                            "heading": "Before you meet",
                            "items": [
                                _item("Book 45 minutes somewhere quiet", 2),
                                _item("Read each other's profile", 3),
                            ],
                        },
                    },
                    {
                        "type": "prompts",
                        "id": "demo-meet-prompts",
                        "value": {
                            "heading": "Talk about this in your first meeting",
                            "prompts": [
                                _item("What brought you to this program?", 4),
                                _item("How do you like to receive feedback?", 5),
                                _item("What does a great six months look like?", 6),
                            ],
                        },
                    },
                ],
            },
        },
        {
            "type": "step",
            "id": "demo-reflect",
            "value": {
                "title": "Reflect on your strengths",
                "summary": "A few minutes of writing, shared with your partner.",
                "minutes": 20,
                "audience": "both",
                "completion": "answer",
                "body": [
                    {
                        "type": "reflection",
                        "id": "demo-reflect-q",
                        "value": {
                            "question": "Which of your strengths do you use least "
                            "at the moment?",
                            "guidance": "Two or three sentences are enough.",
                            "who": "both",
                            "shared_with_pair": True,
                        },
                    }
                ],
            },
        },
        {
            "type": "step",
            "id": "demo-goal",
            "value": {
                "title": "Set your first goal",
                "summary": "One SMART goal for the next two months.",
                "minutes": 30,
                "audience": "mentee",
                "completion": "answer",
                "body": [
                    {
                        "type": "goal",
                        "id": "demo-goal-block",
                        "value": {
                            "intro": "<p>A good goal is <b>specific</b>, "
                            "<b>measurable</b>, <b>achievable</b>, <b>relevant</b> "
                            "and <b>time-bound</b>.</p>",
                            "title_example": "Lead a design review",
                            "measure_example": "Review held and notes shared",
                            "default_weeks": 8,
                        },
                    }
                ],
            },
        },
        {
            "type": "step",
            "id": "demo-quiz",
            "value": {
                "title": "Mentoring essentials",
                "summary": "Three questions to check the basics.",
                "minutes": 10,
                "audience": "both",
                "completion": "answer",
                "body": [
                    {
                        "type": "quiz",
                        "id": "demo-quiz-block",
                        "value": {
                            "title": "Check your understanding",
                            "pass_mark": 100,
                            "questions": [
                                _item(
                                    {
                                        "question": "Who leads the conversation?",
                                        "multiple": False,
                                        "explanation": "It is the mentee's "
                                        "development.",
                                        "choices": [
                                            _item(
                                                {
                                                    "text": "The mentee",
                                                    "correct": True,
                                                    "feedback": "Yes.",
                                                },
                                                7,
                                            ),
                                            _item(
                                                {
                                                    "text": "The mentor",
                                                    "correct": False,
                                                    "feedback": "The mentor guides; "
                                                    "the mentee leads.",
                                                },
                                                8,
                                            ),
                                        ],
                                    },
                                    9,
                                )
                            ],
                        },
                    }
                ],
            },
        },
        {
            "type": "step",
            "id": "demo-halfway",
            "value": {
                "title": "Halfway check-in",
                "summary": "Look back at your goal and adjust it.",
                "minutes": 45,
                "audience": "both",
                "completion": "meeting",
                "body": [
                    {
                        "type": "prompts",
                        "id": "demo-halfway-prompts",
                        "value": {
                            "heading": "Talk about this",
                            "prompts": [
                                _item("What has changed since we started?", 10),
                                _item("Is the goal still the right one?", 11),
                            ],
                        },
                    },
                    {
                        "type": "milestone",
                        "id": "demo-halfway-milestone",
                        "value": {
                            "title": "Halfway there",
                            "message": "Three months in: well done.",
                        },
                    },
                ],
            },
        },
    ]


def seed_journeys(hub, program, rng) -> LearningJourneyPage:
    journey = LearningJourneyPage.objects.filter(slug=SLUG).first()
    if journey is not None:
        return journey
    journey = hub.add_child(
        instance=LearningJourneyPage(
            title="Mentoring foundations",
            slug=SLUG,
            summary="Six steps every pair of Engineering Mentoring works through.",
            show_in_menus=False,
            steps=_steps(),
        )
    )
    journey.save_revision().publish()
    journey = LearningJourneyPage.objects.get(pk=journey.pk)
    if not program.journey_id:
        program.journey = journey
        program.save_revision().publish()
    if not Relationship.objects.filter(program=program).exists():
        _pairs(journey, program, rng)
    return journey


def _pairs(journey, program, rng) -> None:
    now = timezone.now()
    mentors = _matched(program, Role.MENTOR, 6, now)
    mentees = _matched(program, Role.MENTEE, 6, now)
    # Stage = how far each pair got; days = how long ago it last moved.
    stages = [(6, 2), (4, 5), (2, 20), (1, 3), (0, 30), (3, 9)]
    if not mentors:
        return
    # A mentor takes up to three mentees, as the program's capacity allows.
    mentors = (mentors * 3)[: len(stages)]
    for (stage, days), mentor, mentee in zip(stages, mentors, mentees, strict=False):
        if mentor.pk == mentee.pk:
            continue
        pair = start_relationship(
            program,
            [(mentee, Role.MENTEE), (mentor, Role.MENTOR)],
            mentor,
            start=(now - timedelta(days=60)).date(),
        )
        Relationship.objects.filter(pk=pair.pk).update(
            created_at=now - timedelta(days=60)
        )
        _progress(journey, pair, mentee, mentor, stage)
        # Spread the history over the past weeks, newest `days` ago.
        when = now - timedelta(days=days)
        for row in StepProgress.objects.filter(relationship=pair).order_by("pk"):
            StepProgress.objects.filter(pk=row.pk).update(
                started_at=when - timedelta(hours=rng.randint(3, 150)),
                completed_at=when if row.completed_at else None,
            )
        JourneyProgress.objects.filter(relationship=pair).update(last_activity_at=when)
        Meeting.objects.create(
            relationship=pair,
            title="Monthly conversation",
            starts_at=now + timedelta(days=rng.randint(2, 12), hours=rng.randint(0, 6)),
            agenda=default_agenda(pair),
        )


def _matched(program, role, count, now) -> list:
    """Approved applicants in ``role``; small demos approve a few pending ones."""
    live = list(
        program.enrollments.live()
        .filter(role=role, user__is_active=True)
        .order_by("status", "pk")[:count]  # "approved" sorts before "pending"
    )
    program.enrollments.filter(
        pk__in=[e.pk for e in live if e.status != EnrollmentStatus.APPROVED]
    ).update(status=EnrollmentStatus.APPROVED, decided_at=now)
    return [e.user for e in live]


def _progress(journey, pair, mentee, mentor, stage) -> None:
    steps = {s.id: s for s in journey.journey_steps}
    if stage >= 1:
        for member in (mentee, mentor):
            services.open_step(pair, member, journey, "demo-welcome")
    if stage >= 2:
        Meeting.objects.create(
            relationship=pair,
            title="Getting to know each other",
            starts_at=timezone.now() - timedelta(days=30),
            status=MeetingStatus.HELD,
        )
    if stage >= 3:
        for member, text in (
            (mentee, "Explaining complex ideas simply."),
            (mentor, "Patience: I rarely slow down enough to use it."),
        ):
            services.save_reflection(
                pair, member, journey, "demo-reflect", "demo-reflect-q", text
            )
    if stage >= 4:
        services.set_step_goal(
            pair,
            mentee,
            journey,
            "demo-goal",
            "demo-goal-block",
            title="Lead a design review",
            measure="Review held and notes shared",
            target_date=timezone.localdate() + timedelta(weeks=8),
        )
    if stage >= 5:
        quiz = steps["demo-quiz"].value["body"][0]
        answers = {
            qid: [cid for cid, c in q.choice_items if c["correct"]]
            for qid, q in quiz.value.question_items
        }
        for member in (mentee, mentor):
            services.submit_quiz(
                pair, member, journey, "demo-quiz", "demo-quiz-block", answers
            )
    if stage >= 6:
        Meeting.objects.create(
            relationship=pair,
            title="Halfway check-in",
            starts_at=timezone.now() - timedelta(days=3),
            status=MeetingStatus.HELD,
        )
