"""Builders for learning journeys used by the journey tests."""

from __future__ import annotations

from wagtail_mentoring.journeys.models import LearningJourneyPage

STEP_INTRO = "step-intro"
STEP_REFLECT = "step-reflect"
STEP_GOAL = "step-goal"


def step(step_id, title, body=(), *, completion="check", audience="both", minutes=30):
    return {
        "type": "step",
        "id": step_id,
        "value": {
            "title": title,
            "summary": f"About {title.lower()}.",
            "minutes": minutes,
            "audience": audience,
            "completion": completion,
            "body": list(body),
        },
    }


def prompts(block_id, *questions):
    return {
        "type": "prompts",
        "id": block_id,
        "value": {
            "heading": "Talk about this",
            "prompts": [
                {"type": "item", "value": q, "id": f"{block_id}-{i}"}
                for i, q in enumerate(questions)
            ],
        },
    }


def reflection(block_id, question, who="both", shared=True):
    return {
        "type": "reflection",
        "id": block_id,
        "value": {
            "question": question,
            "guidance": "",
            "who": who,
            "shared_with_pair": shared,
        },
    }


def goal(block_id):
    return {
        "type": "goal",
        "id": block_id,
        "value": {
            "intro": "<p>Set one goal.</p>",
            "title_example": "Give a talk",
            "measure_example": "Talk given",
            "default_weeks": 8,
        },
    }


def checklist(block_id, *items):
    return {
        "type": "checklist",
        "id": block_id,
        "value": {
            "heading": "Before you meet",
            "items": [
                {"type": "item", "value": text, "id": f"{block_id}-{i}"}
                for i, text in enumerate(items)
            ],
        },
    }


def quiz(block_id, pass_mark=100):
    """One single-choice question (q1: a right, b wrong) and one multiple (q2)."""

    def choice(cid, text, correct, feedback=""):
        return {
            "type": "item",
            "id": cid,
            "value": {"text": text, "correct": correct, "feedback": feedback},
        }

    return {
        "type": "quiz",
        "id": block_id,
        "value": {
            "title": "Check your understanding",
            "pass_mark": pass_mark,
            "questions": [
                {
                    "type": "item",
                    "id": "q1",
                    "value": {
                        "question": "Who leads?",
                        "multiple": False,
                        "explanation": "It is the mentee's development.",
                        "choices": [
                            choice("q1a", "The mentee", True, "Yes."),
                            choice("q1b", "The mentor", False, "The mentor guides."),
                        ],
                    },
                },
                {
                    "type": "item",
                    "id": "q2",
                    "value": {
                        "question": "Good agenda items?",
                        "multiple": True,
                        "explanation": "",
                        "choices": [
                            choice("q2a", "Goals", True),
                            choice("q2b", "Feedback", True),
                            choice("q2c", "Gossip", False, "Better not."),
                        ],
                    },
                },
            ],
        },
    }


def three_steps():
    """The journey of the issue's acceptance test: talk, reflect, set a goal."""
    return [
        step(
            STEP_INTRO,
            "Get to know each other",
            [
                prompts(
                    "b-prompts", "What brought you here?", "How do you like feedback?"
                )
            ],
            completion="meeting",
        ),
        step(
            STEP_REFLECT,
            "Reflect on your strengths",
            [reflection("b-reflect", "Which strength do you use least?")],
            completion="answer",
        ),
        step(STEP_GOAL, "Set a goal", [goal("b-goal")], completion="answer"),
    ]


def make_journey(parent, steps=None, *, title="First steps", slug="first-steps"):
    journey = parent.add_child(
        instance=LearningJourneyPage(
            title=title, slug=slug, steps=three_steps() if steps is None else steps
        )
    )
    journey.save_revision().publish()
    return LearningJourneyPage.objects.get(pk=journey.pk)
