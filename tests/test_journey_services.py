"""A pair works through its learning journey: rules, refusals, agenda, summaries."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import make_user
from tests.journey_data import (
    STEP_GOAL,
    STEP_INTRO,
    STEP_REFLECT,
    checklist,
    make_journey,
    prompts,
    quiz,
    reflection,
    step,
    three_steps,
)
from wagtail_mentoring.engagement.agenda import default_agenda
from wagtail_mentoring.engagement.models import Goal, Meeting, MeetingStatus
from wagtail_mentoring.errors import MentoringError
from wagtail_mentoring.journeys import selectors, services
from wagtail_mentoring.journeys.models import (
    JourneyProgress,
    LearningJourneyPage,
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
    StepStatus,
)
from wagtail_mentoring.journeys.selectors import pair_prompts as journey_prompts
from wagtail_mentoring.journeys.tasks import refresh_journey_summaries
from wagtail_mentoring.programs.services import (
    change_relationship_status,
    start_relationship,
)

pytestmark = pytest.mark.django_db

IN_A_MONTH = timezone.localdate() + timedelta(days=30)


@pytest.fixture
def journey(hub):
    return make_journey(hub)


@pytest.fixture
def pair(program, journey, employee, other_employee):
    program.journey = journey
    program.save()
    return start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )


def _status(pair, journey):
    return [(s.step.title, s.status) for s in selectors.pair_states(pair, journey)]


def _held_meeting(pair):
    return Meeting.objects.create(
        relationship=pair,
        title="Kick-off",
        starts_at=timezone.now() - timedelta(hours=1),
        status=MeetingStatus.HELD,
    )


def _counts():
    return (
        StepProgress.objects.count(),
        ReflectionAnswer.objects.count(),
        QuizAttempt.objects.count(),
        Goal.objects.count(),
        JourneyProgress.objects.count(),
    )


def test_pair_works_through_the_three_steps(pair, journey, employee, other_employee):
    # The first step's conversation prompts are on the new meeting's agenda.
    assert "- What brought you here?" in default_agenda(pair)
    services.open_step(pair, employee, journey, STEP_INTRO)
    assert _status(pair, journey)[0] == ("Get to know each other", "started")

    # Holding the meeting completes the pair step once; saving again does not
    # complete anything else.
    meeting = _held_meeting(pair)
    assert _status(pair, journey)[0][1] == StepStatus.COMPLETED
    meeting.save()
    assert StepProgress.objects.filter(meeting=meeting).count() == 1

    # A reflection answered by both members completes step 2 for the pair.
    for member in (employee, other_employee):
        services.save_reflection(
            pair, member, journey, STEP_REFLECT, "b-reflect", "Listening."
        )
    assert _status(pair, journey)[1][1] == StepStatus.COMPLETED

    # The goal-setting block creates a Goal linked to the step.
    goal = services.set_step_goal(
        pair,
        employee,
        journey,
        STEP_GOAL,
        "b-goal",
        title="Give a tech talk",
        target_date=IN_A_MONTH,
        measure="Talk given",
    )
    assert goal.source_step_id == STEP_GOAL and goal.owner == employee
    assert _status(pair, journey)[2][1] == StepStatus.STARTED  # mentor still to do
    services.set_step_goal(
        pair,
        other_employee,
        journey,
        STEP_GOAL,
        "b-goal",
        title="Mentor twice a month",
        target_date=IN_A_MONTH,
    )
    summary = JourneyProgress.objects.get(relationship=pair, journey=journey)
    assert (summary.steps_done, summary.steps_total) == (3, 3)
    assert summary.completed_at is not None and summary.current_step_title == ""
    assert journey_prompts(pair) == []


def test_prompts_follow_the_pair_to_the_next_step_with_prompts(hub, program, pair):
    journey = make_journey(
        hub,
        [
            step("s1", "Read", completion="view"),
            step("s2", "Talk", [prompts("p2", "What is hard?")], completion="meeting"),
            step("s3", "Talk more", [prompts("p3", "What next?")]),
        ],
        slug="prompts",
    )
    program.journey = journey
    program.save()
    assert journey_prompts(pair) == ["What is hard?"]
    services.open_step(pair, pair.members.first().user, journey, "s1")
    _held_meeting(pair)
    assert journey_prompts(pair) == ["What next?"]


def test_view_rule_completes_on_opening(hub, program, pair, employee):
    journey = make_journey(hub, [step("v", "Read", completion="view")], slug="v")
    program.journey = journey
    program.save()
    row = services.open_step(pair, employee, journey, "v")
    assert row.status == StepStatus.COMPLETED
    # Opening again changes nothing.
    again = services.open_step(pair, employee, journey, "v")
    assert again.pk == row.pk and again.completed_at == row.completed_at


def test_checklist_must_be_ticked_before_checking_off(hub, program, pair, employee):
    journey = make_journey(
        hub, [step("c", "Prepare", [checklist("cl", "Book", "Read")])], slug="c"
    )
    program.journey = journey
    program.save()
    with pytest.raises(MentoringError) as error:
        services.complete_step(pair, employee, journey, "c")
    assert error.value.code == "incomplete"
    assert "checklist" in error.value.messages[0]
    services.tick_checklist(pair, employee, journey, "c", "cl", ["cl-0"])
    with pytest.raises(MentoringError):
        services.complete_step(pair, employee, journey, "c")
    services.tick_checklist(pair, employee, journey, "c", "cl", ["cl-0", "cl-1"])
    row = services.complete_step(pair, employee, journey, "c")
    assert row.status == StepStatus.COMPLETED
    with pytest.raises(MentoringError) as error:
        services.complete_step(pair, employee, journey, "c")
    assert error.value.code == "done"


def test_quiz_grades_and_allows_retries_until_passed(hub, program, pair, employee):
    journey = make_journey(
        hub, [step("q", "Quiz", [quiz("qz")], completion="answer")], slug="q"
    )
    program.journey = journey
    program.save()
    wrong = services.submit_quiz(
        pair, employee, journey, "q", "qz", {"q1": ["q1b"], "q2": ["q2a", "q2b"]}
    )
    assert (wrong.score, wrong.passed, wrong.tries) == (50, False, 1)
    right = services.submit_quiz(
        pair, employee, journey, "q", "qz", {"q1": ["q1a"], "q2": ["q2a", "q2b"]}
    )
    assert (right.score, right.passed, right.tries) == (100, True, 2)
    row = StepProgress.objects.get(relationship=pair, user=employee, step_id="q")
    assert row.status == StepStatus.COMPLETED
    with pytest.raises(MentoringError) as error:
        services.submit_quiz(
            pair, employee, journey, "q", "qz", {"q1": ["q1a"], "q2": ["q2a"]}
        )
    assert error.value.code == "passed"


def test_steps_for_one_role(hub, program, pair, employee, other_employee):
    journey = make_journey(
        hub,
        [
            step("m", "Mentor prep", audience="mentor"),
            step(
                "r",
                "Reflect",
                [reflection("r1", "Why?", who="mentee")],
                completion="answer",
            ),
        ],
        slug="roles",
    )
    program.journey = journey
    program.save()
    with pytest.raises(MentoringError) as error:
        services.complete_step(pair, employee, journey, "m")  # employee is mentee
    assert error.value.code == "not_for_you"
    with pytest.raises(MentoringError) as error:
        services.save_reflection(pair, other_employee, journey, "r", "r1", "Hmm")
    assert error.value.code == "not_for_you"
    services.complete_step(pair, other_employee, journey, "m")
    services.save_reflection(pair, employee, journey, "r", "r1", "To grow.")
    # Nothing for the mentor to answer in step "r": they tick it off.
    assert _status(pair, journey)[1][1] == StepStatus.STARTED
    services.complete_step(pair, other_employee, journey, "r")
    assert [s for _t, s in _status(pair, journey)] == ["completed", "completed"]


def test_role_journeys_give_each_member_their_own(
    hub, program, employee, other_employee
):
    mentors = make_journey(
        hub, [step("a", "Mentor", [prompts("pa", "Mentor question?")])], slug="m"
    )
    mentees = make_journey(
        hub, [step("b", "Mentee", [prompts("pb", "Mentee question?")])], slug="e"
    )
    program.mentor_journey = mentors
    program.mentee_journey = mentees
    program.save()
    pair = start_relationship(
        program, [(employee, "mentee"), (other_employee, "mentor")], other_employee
    )
    assert sorted(journey_prompts(pair)) == ["Mentee question?", "Mentor question?"]
    with pytest.raises(MentoringError) as error:
        services.complete_step(pair, employee, mentors, "a")
    assert error.value.code == "not_following"
    services.complete_step(pair, employee, mentees, "b")
    assert journey_prompts(pair) == ["Mentor question?"]


def test_meeting_step_needs_a_held_meeting(pair, journey, employee):
    with pytest.raises(MentoringError) as error:
        services.complete_step(pair, employee, journey, STEP_INTRO)
    assert error.value.code == "no_meeting"
    Meeting.objects.create(
        relationship=pair, title="Soon", starts_at=timezone.now() + timedelta(days=1)
    )
    with pytest.raises(MentoringError):
        services.complete_step(pair, employee, journey, STEP_INTRO)
    assert not StepProgress.objects.filter(user=None).exists()


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("outsider", "not_member"),
        ("closed", "closed"),
        ("unknown_step", "unknown_step"),
        ("unknown_block", "unknown_block"),
        ("blank", "blank"),
        ("too_long", "too_long"),
        ("unanswered_quiz", "unanswered"),
        ("bad_choice", "unknown_choice"),
        ("two_choices_single", "unknown_choice"),
        ("unknown_item", "unknown_item"),
        ("goal_in_past", "date"),
        ("goal_blank", "title"),
    ],
)
def test_refusals_write_nothing(case, code, hub, program, pair, employee):
    journey = make_journey(
        hub,
        three_steps()
        + [
            step(
                "x", "Extra", [quiz("qz"), checklist("cl", "One")], completion="answer"
            )
        ],
        slug="refusals",
    )
    program.journey = journey
    program.save()
    user, step_id = employee, STEP_REFLECT
    if case == "outsider":
        user = make_user()
    elif case == "closed":
        change_relationship_status(pair, "completed", None)
    before = _counts()
    calls = {
        "outsider": lambda: services.save_reflection(
            pair, user, journey, step_id, "b-reflect", "Hi"
        ),
        "closed": lambda: services.save_reflection(
            pair, user, journey, step_id, "b-reflect", "Hi"
        ),
        "unknown_step": lambda: services.complete_step(pair, user, journey, "nope"),
        "unknown_block": lambda: services.save_reflection(
            pair, user, journey, step_id, "nope", "Hi"
        ),
        "blank": lambda: services.save_reflection(
            pair, user, journey, step_id, "b-reflect", "   "
        ),
        "too_long": lambda: services.save_reflection(
            pair, user, journey, step_id, "b-reflect", "x" * 10_001
        ),
        "unanswered_quiz": lambda: services.submit_quiz(
            pair, user, journey, "x", "qz", {"q1": ["q1a"]}
        ),
        "bad_choice": lambda: services.submit_quiz(
            pair, user, journey, "x", "qz", {"q1": ["zzz"], "q2": ["q2a"]}
        ),
        "two_choices_single": lambda: services.submit_quiz(
            pair, user, journey, "x", "qz", {"q1": ["q1a", "q1b"], "q2": ["q2a"]}
        ),
        "unknown_item": lambda: services.tick_checklist(
            pair, user, journey, "x", "cl", ["forged"]
        ),
        "goal_in_past": lambda: services.set_step_goal(
            pair,
            user,
            journey,
            STEP_GOAL,
            "b-goal",
            title="Late",
            target_date=timezone.localdate() - timedelta(days=1),
        ),
        "goal_blank": lambda: services.set_step_goal(
            pair, user, journey, STEP_GOAL, "b-goal", title=" ", target_date=IN_A_MONTH
        ),
    }
    with pytest.raises(MentoringError) as error:
        calls[case]()
    assert error.value.code == code
    assert error.value.messages[0]
    assert _counts() == before


def test_second_goal_in_a_step_is_refused(pair, journey, employee):
    kwargs = dict(title="Talk", target_date=IN_A_MONTH)
    services.set_step_goal(pair, employee, journey, STEP_GOAL, "b-goal", **kwargs)
    with pytest.raises(MentoringError) as error:
        services.set_step_goal(pair, employee, journey, STEP_GOAL, "b-goal", **kwargs)
    assert error.value.code == "duplicate_goal"
    assert Goal.objects.count() == 1


def test_revisions_keep_history_and_new_steps_start_fresh(
    pair, journey, employee, other_employee, django_capture_on_commit_callbacks
):
    for member in (employee, other_employee):
        services.save_reflection(
            pair, member, journey, STEP_REFLECT, "b-reflect", "Listening."
        )
    # A later revision renames step 1, removes step 2 and adds a new step.
    revised = three_steps()
    revised[0]["value"]["title"] = "Meet each other"
    del revised[1]
    revised.append(step("step-new", "Celebrate", completion="view"))
    journey.steps = revised
    with django_capture_on_commit_callbacks(execute=True):
        journey.save_revision().publish()
    journey = LearningJourneyPage.objects.get(pk=journey.pk)
    states = selectors.pair_states(pair, journey)
    assert [(s.step.title, s.status) for s in states] == [
        ("Meet each other", "not_started"),
        ("Set a goal", "not_started"),
        ("Celebrate", "not_started"),
    ]
    history = selectors.history(pair, journey, states)
    assert {(r.step_title, r.status) for r in history} == {
        ("Reflect on your strengths", "completed")
    }
    # The republish refreshed the summary (task ran eagerly): 0 of 3 done now.
    summary = JourneyProgress.objects.get(relationship=pair)
    assert (summary.steps_done, summary.steps_total) == (0, 3)


def test_refresh_task_is_idempotent(pair, journey, employee):
    services.open_step(pair, employee, journey, STEP_REFLECT)
    assert refresh_journey_summaries(journey.pk) == 1
    first = list(JourneyProgress.objects.values())
    assert refresh_journey_summaries(journey.pk) == 1
    assert list(JourneyProgress.objects.values()) == first
    assert refresh_journey_summaries(987654) == 0
