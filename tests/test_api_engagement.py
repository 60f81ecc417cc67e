"""The employee's actions of the API beyond the basics of tests/test_api.py:
meetings logged, rescheduled and annotated, goals edited, a relationship's
course, journeys and step progress (quizzes and goals of steps included),
mentor requests, the profile, space membership and acting on a post. Each
through the service its page uses: the same effect, the same refusal in the
service's words, and someone else's object is "not found".
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.authorization_world import (
    EMPLOYEE,
    MENTEE,
    OTHER_PAIR,
    PARTNER,
    build_world,
)
from tests.factories import make_enrollment, make_user
from tests.journey_data import (
    STEP_GOAL,
    STEP_INTRO,
    STEP_REFLECT,
    quiz,
    step,
    three_steps,
)
from wagtail_mentoring.api import tokens
from wagtail_mentoring.community import services as community
from wagtail_mentoring.community.models import (
    MembershipStatus,
    Post,
    PostReport,
    Reaction,
    SpaceMembership,
)
from wagtail_mentoring.engagement.models import (
    Goal,
    GoalStatus,
    Meeting,
    MeetingStatus,
    MentorRequest,
    MentorRequestStatus,
)
from wagtail_mentoring.journeys.models import (
    QuizAttempt,
    ReflectionAnswer,
    StepProgress,
)
from wagtail_mentoring.people.models import Skill
from wagtail_mentoring.programs.models import (
    EnrollmentStatus,
    Relationship,
    RelationshipStatus,
)

pytestmark = pytest.mark.django_db
API = "/api/mentoring/v1/"
STEP_QUIZ = "step-quiz"


@pytest.fixture
def world():
    return build_world()


def bearer(user):
    secret = tokens.create_token(user, user, name="test", scope="api").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def post(client, url, data=None, method="post"):
    return getattr(client, method)(
        url, json.dumps(data or {}), content_type="application/json"
    )


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def rel(world) -> str:
    return API + f"me/relationships/{world.relationship.pk}/"


# --- Meetings ---------------------------------------------------------------------


def test_log_a_meeting_we_had(world):
    # The pair started today: three hours ago may be yesterday (a run just
    # after midnight), which is rightly refused as before the relationship.
    Relationship.objects.filter(pk=world.relationship.pk).update(
        started_on=timezone.localdate() - timedelta(days=7)
    )
    client = bearer(world.users[PARTNER])
    started = (timezone.now() - timedelta(hours=3)).isoformat()
    response = post(
        client,
        rel(world) + "meetings/log/",
        {"title": "Corridor chat", "starts_at": started, "notes": "Went well"},
    )
    assert response.status_code == 201, response.content
    meeting = Meeting.objects.get(pk=response.json()["id"])
    assert meeting.status == MeetingStatus.HELD
    assert meeting.notes == "Went well" and meeting.created_by == world.users[PARTNER]
    # One still to come is scheduled, not logged: the service says so.
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = post(
        client, rel(world) + "meetings/log/", {"title": "Soon", "starts_at": later}
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "future"
    assert not Meeting.objects.filter(title="Soon").exists()


def test_reschedule_and_notes(world):
    client = bearer(world.users[MENTEE])
    url = rel(world) + f"meetings/{world.meeting.pk}/"
    sequence = world.meeting.sequence
    starts = timezone.now() + timedelta(days=6)
    response = post(
        client,
        url + "reschedule/",
        {"title": "Moved chat", "starts_at": starts.isoformat(), "location": "Room 4"},
    )
    assert response.status_code == 200, response.content
    world.meeting.refresh_from_db()
    assert world.meeting.title == "Moved chat" and world.meeting.location == "Room 4"
    assert abs(world.meeting.starts_at - starts) < timedelta(seconds=1)
    assert world.meeting.sequence == sequence + 1
    response = post(client, url + "notes/", {"notes": "Bring the CV"})
    assert response.status_code == 200
    assert response.json()["notes"] == "Bring the CV"
    world.meeting.refresh_from_db()
    assert world.meeting.notes == "Bring the CV"
    # A cancelled meeting cannot be moved: the service's refusal, nothing changed.
    assert post(client, url + "cancel/").status_code == 200
    response = post(
        client,
        url + "reschedule/",
        {"title": "Again", "starts_at": starts.isoformat()},
    )
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "cancelled",
        "message": "This meeting was cancelled.",
    }
    world.meeting.refresh_from_db()
    assert world.meeting.title == "Moved chat"


def test_someone_elses_meetings_goals_and_relationship_are_not_found(world):
    client = bearer(world.users[OTHER_PAIR])
    url = rel(world)
    calls = [
        ("meetings/log/", {"title": "x", "starts_at": timezone.now().isoformat()}),
        (f"meetings/{world.meeting.pk}/notes/", {"notes": "HACKED"}),
        (
            f"meetings/{world.meeting.pk}/reschedule/",
            {"title": "HACKED", "starts_at": timezone.now().isoformat()},
        ),
        (f"goals/{world.goal.pk}/", {"title": "HACKED"}),
        ("end/", {"reason": "HACKED"}),
        ("rematch/", {"reason": "HACKED"}),
        ("extend/", {"weeks": 2}),
        (f"journeys/{world.journey.pk}/steps/{STEP_REFLECT}/complete/", {}),
    ]
    for suffix, body in calls:
        response = post(client, url + suffix, body)
        assert response.status_code == 404, suffix
        assert error_of(response)["code"] == "not_found"
    assert client.get(url + f"journeys/{world.journey.pk}/steps/").status_code == 404
    world.meeting.refresh_from_db()
    world.goal.refresh_from_db()
    world.relationship.refresh_from_db()
    assert world.meeting.notes != "HACKED" and world.meeting.title != "HACKED"
    assert world.goal.title != "HACKED"
    assert world.relationship.status == RelationshipStatus.ACTIVE
    # A meeting of another pair, through my own relationship: not found either.
    other = Meeting.objects.create(
        relationship=world.other_relationship,
        title="Theirs",
        starts_at=timezone.now() + timedelta(days=2),
        created_by=world.users[OTHER_PAIR],
    )
    mine = bearer(world.users[MENTEE])
    response = post(mine, url + f"meetings/{other.pk}/notes/", {"notes": "HACKED"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.notes == ""


# --- Goals ------------------------------------------------------------------------


def test_the_owner_edits_a_goal_and_the_partner_is_refused(world):
    url = rel(world) + f"goals/{world.goal.pk}/"
    partner = bearer(world.users[PARTNER])
    response = post(partner, url, {"title": "Partner's idea"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "not_owner"
    world.goal.refresh_from_db()
    assert world.goal.title == "SECRET-GOAL-A"
    owner = bearer(world.users[MENTEE])
    response = post(owner, url, {"measure": "A talk given", "status": "achieved"})
    assert response.status_code == 200, response.content
    world.goal.refresh_from_db()
    assert world.goal.measure == "A talk given"
    assert world.goal.status == GoalStatus.ACHIEVED
    assert world.goal.title == "SECRET-GOAL-A"  # left out: kept
    past = (timezone.localdate() - timedelta(days=3)).isoformat()
    response = post(owner, url, {"target_date": past})
    assert response.status_code == 400 and error_of(response)["code"] == "date"
    response = post(owner, url, {"status": "forgotten"})
    assert response.status_code == 400 and "status" in error_of(response)["fields"]


# --- The relationship's course ----------------------------------------------------


def test_extend_then_end_early(world):
    client = bearer(world.users[MENTEE])
    before = world.relationship.ends_on
    response = post(client, rel(world) + "extend/", {"weeks": 500})
    assert response.status_code == 400 and error_of(response)["code"] == "weeks"
    response = post(client, rel(world) + "extend/", {"weeks": 2})
    assert response.status_code == 200, response.content
    world.relationship.refresh_from_db()
    assert world.relationship.extensions_used == 1
    assert before is None or world.relationship.ends_on > before
    response = post(client, rel(world) + "end/", {"reason": "  "})
    assert response.status_code == 400 and error_of(response)["code"] == "reason"
    response = post(client, rel(world) + "end/", {"reason": "Changed teams"})
    assert response.status_code == 200
    assert response.json()["status"] == RelationshipStatus.ENDED_EARLY
    world.relationship.refresh_from_db()
    assert world.relationship.end_reason == "Changed teams"
    # Upcoming meetings were cancelled with it.
    world.meeting.refresh_from_db()
    assert world.meeting.status == MeetingStatus.CANCELLED
    # An ended relationship cannot be extended.
    response = post(client, rel(world) + "extend/", {"weeks": 1})
    assert response.status_code == 400
    assert world.relationship.extensions_used == 1


def test_request_a_rematch(world):
    client = bearer(world.users[PARTNER])
    response = post(client, rel(world) + "rematch/", {"reason": "Different field"})
    assert response.status_code == 200, response.content
    world.relationship.refresh_from_db()
    assert world.relationship.status == RelationshipStatus.ENDED_EARLY
    assert world.relationship.rematch_requested_by == world.users[PARTNER]
    again = post(client, rel(world) + "rematch/", {"reason": "Again"})
    assert again.status_code == 400


# --- Journeys ---------------------------------------------------------------------


def test_my_journeys_and_a_journeys_steps(world):
    client = bearer(world.users[MENTEE])
    response = client.get(API + "me/journeys/")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["relationship"], r["journey"]["id"]) for r in rows] == [
        (world.relationship.pk, world.journey.pk)
    ]
    response = client.get(rel(world) + f"journeys/{world.journey.pk}/steps/")
    assert response.status_code == 200, response.content
    body = response.json()
    steps = {s["id"]: s for s in body["steps"]}
    assert list(steps) == [STEP_INTRO, STEP_REFLECT, "step-goal"]
    # The world's mentee answered the reflection, the partner did not yet.
    assert steps[STEP_REFLECT]["my_status"] == "completed"
    assert steps[STEP_REFLECT]["pair_status"] != "completed"
    assert steps[STEP_REFLECT]["url"].endswith(f"steps/{STEP_REFLECT}/")
    # Someone with no journey has none; a journey the pair does not follow: 404.
    assert bearer(world.users[EMPLOYEE]).get(API + "me/journeys/").json()["count"] == 0
    other = world.program.pk  # a page, but no journey
    assert client.get(rel(world) + f"journeys/{other}/steps/").status_code == 404
    assert (
        client.get(rel(world) + f"journeys/{world.journey.pk}/steps/nope/").status_code
        == 404
    )


def test_step_actions_use_the_journey_services(world):
    partner = bearer(world.users[PARTNER])
    steps = rel(world) + f"journeys/{world.journey.pk}/steps/"
    # "Answer" steps are done by answering: completing first is refused.
    response = post(partner, steps + f"{STEP_REFLECT}/complete/")
    assert response.status_code == 400
    assert error_of(response)["code"] == "incomplete"
    assert not StepProgress.objects.filter(
        user=world.users[PARTNER], step_id=STEP_REFLECT, status="completed"
    ).exists()
    response = post(
        partner,
        steps + f"{STEP_REFLECT}/reflection/",
        {"block": "b-reflect", "text": "Listening"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "completed"
    assert ReflectionAnswer.objects.get(
        user=world.users[PARTNER], block_id="b-reflect"
    ).text == ("Listening")
    # A block that is no checklist: the service's refusal.
    response = post(
        partner,
        steps + f"{STEP_REFLECT}/checklist/",
        {"block": "b-reflect", "items": ["x"]},
    )
    assert response.status_code == 400
    # The mentee already finished the step.
    mentee = bearer(world.users[MENTEE])
    response = post(mentee, steps + f"{STEP_REFLECT}/complete/")
    assert response.status_code == 400 and error_of(response)["code"] == "done"
    # A step that waits for a meeting is the pair's, done once (the world's pair
    # met already): a second completion is refused, whoever asks.
    done = StepProgress.objects.get(user=None, step_id=STEP_INTRO)
    assert done.status == "completed"
    again = post(partner, steps + f"{STEP_INTRO}/complete/")
    assert again.status_code == 400 and error_of(again)["code"] == "done"
    pair_steps = {s["id"]: s for s in mentee.get(steps).json()["steps"]}
    assert pair_steps[STEP_INTRO]["pair_status"] == "completed"
    assert pair_steps[STEP_REFLECT]["pair_status"] == "completed"


# --- Mentor requests ----------------------------------------------------------------


def test_find_a_mentor_send_and_withdraw(world):
    waiting_enrollment = world.mentor_request.mentee_enrollment
    waiting = waiting_enrollment.user
    client = bearer(waiting)
    response = client.get(API + f"me/applications/{waiting_enrollment.pk}/suggestions/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["application"] == waiting_enrollment.pk and body["can_ask"]
    asked = world.mentor_request.mentor_enrollment_id
    assert asked not in {s["mentor"] for s in body["suggestions"]}
    mort = (
        world.program.enrollments.filter(role="mentor")
        .exclude(user=world.users[PARTNER])
        .get()
    )
    response = post(
        client,
        API + "me/mentor-requests/",
        {"application": waiting_enrollment.pk, "mentor": mort.pk, "note": "Hi"},
    )
    assert response.status_code == 201, response.content
    sent = MentorRequest.objects.get(pk=response.json()["id"])
    assert sent.mentor_enrollment == mort and sent.rank == 2
    again = post(
        client,
        API + "me/mentor-requests/",
        {"application": waiting_enrollment.pk, "mentor": mort.pk},
    )
    assert again.status_code == 400 and error_of(again)["code"] == "duplicate"
    assert (
        MentorRequest.objects.filter(mentee_enrollment=waiting_enrollment).count() == 2
    )
    listing = client.get(API + "me/mentor-requests/?direction=sent").json()
    assert {r["id"] for r in listing["results"]} == {world.mentor_request.pk, sent.pk}
    response = post(client, API + f"me/mentor-requests/{sent.pk}/withdraw/")
    assert response.status_code == 200
    assert response.json()["status"] == MentorRequestStatus.WITHDRAWN
    again = post(client, API + f"me/mentor-requests/{sent.pk}/withdraw/")
    assert again.status_code == 400 and error_of(again)["code"] == "not_live"


def test_someone_elses_requests_and_applications_are_not_found(world):
    client = bearer(world.users[EMPLOYEE])
    pk = world.mentor_request.pk
    for action in ("withdraw", "accept", "decline"):
        response = post(client, API + f"me/mentor-requests/{pk}/{action}/")
        assert response.status_code == 404, action
    # The mentor cannot withdraw it, the mentee cannot accept it.
    partner = bearer(world.users[PARTNER])
    assert post(partner, API + f"me/mentor-requests/{pk}/withdraw/").status_code == 404
    waiting = bearer(world.mentor_request.mentee_enrollment.user)
    assert post(waiting, API + f"me/mentor-requests/{pk}/accept/").status_code == 404
    world.mentor_request.refresh_from_db()
    assert world.mentor_request.status == MentorRequestStatus.PENDING
    assert (
        client.get(
            API + f"me/applications/{world.application.pk}/suggestions/"
        ).status_code
        == 404
    )
    response = post(
        client,
        API + "me/mentor-requests/",
        {"application": world.application.pk, "mentor": 1},
    )
    assert response.status_code == 404
    assert client.get(API + "me/mentor-requests/").json()["count"] == 0


def test_the_mentor_accepts_a_request(world):
    partner = bearer(world.users[PARTNER])
    received = partner.get(API + "me/mentor-requests/?direction=received").json()
    assert [r["id"] for r in received["results"]] == [world.mentor_request.pk]
    response = post(
        partner, API + f"me/mentor-requests/{world.mentor_request.pk}/accept/"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == MentorRequestStatus.ACCEPTED
    relationship = Relationship.objects.get(pk=body["relationship"])
    assert set(relationship.members.values_list("user", flat=True)) == {
        world.users[PARTNER].pk,
        world.mentor_request.mentee_enrollment.user_id,
    }
    again = post(
        partner, API + f"me/mentor-requests/{world.mentor_request.pk}/decline/"
    )
    assert again.status_code == 400 and error_of(again)["code"] == "not_pending"


def test_the_mentor_declines_with_a_reason(world):
    partner = bearer(world.users[PARTNER])
    url = API + f"me/mentor-requests/{world.mentor_request.pk}/decline/"
    response = post(partner, url, {"reason": "No room this quarter"})
    assert response.status_code == 200, response.content
    world.mentor_request.refresh_from_db()
    assert world.mentor_request.status == MentorRequestStatus.DECLINED
    assert world.mentor_request.decline_reason == "No room this quarter"


# --- Profile ------------------------------------------------------------------------


def test_read_and_update_my_profile(world):
    user = world.users[EMPLOYEE]
    client = bearer(user)
    mine = client.get(API + "me/profile/").json()
    assert mine["department"] == "Engineering"
    # What the application page's profile form edits, no more.
    assert set(mine) == {
        "title",
        "level",
        "department",
        "location",
        "timezone",
        "languages",
        "skills",
        "skills_wanted",
        "interests",
        "availability",
        "goals",
    }
    # The form the application page uses: matching needs a time zone.
    response = post(client, API + "me/profile/", {"title": "Lead"}, method="patch")
    assert response.status_code == 400 and "timezone" in error_of(response)["fields"]
    skill = Skill.objects.first()
    response = post(
        client,
        API + "me/profile/",
        {
            "title": "Staff engineer",
            "skills": [skill.name],
            "timezone": "Europe/Berlin",
        },
        method="patch",
    )
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "Staff engineer"
    profile = user.mentoring_profile
    profile.refresh_from_db()
    assert profile.title == "Staff engineer"
    assert list(profile.skills.values_list("name", flat=True)) == [skill.name]
    assert profile.department == "Engineering"  # left out: kept
    # The form's rules: an unknown skill, a zone that does not exist.
    for body, field in (
        ({"skills": ["Juggling on ice"]}, "skills"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"level": "high"}, "level"),
    ):
        response = post(client, API + "me/profile/", body, method="patch")
        assert response.status_code == 400, body
        assert field in error_of(response)["fields"]
    profile.refresh_from_db()
    assert profile.title == "Staff engineer" and profile.timezone != "Mars/Olympus"


# --- Spaces ---------------------------------------------------------------------------


def test_join_ask_and_leave_spaces(world):
    space = world.space  # by request
    employee = bearer(world.users[EMPLOYEE])
    response = post(employee, API + f"spaces/{space.pk}/join/")
    assert response.status_code == 400 and error_of(response)["code"] == "closed"
    # The employee asked already (the world's request).
    response = post(employee, API + f"spaces/{space.pk}/ask/", {"message": "Again"})
    assert response.status_code == 400 and error_of(response)["code"] == "duplicate"
    newcomer = make_user("nina")
    client = bearer(newcomer)
    response = post(client, API + f"spaces/{space.pk}/ask/", {"message": "Hello"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == MembershipStatus.REQUESTED
    mentee = bearer(world.users[MENTEE])
    response = post(mentee, API + f"spaces/{space.pk}/leave/")
    assert response.status_code == 200
    assert (
        SpaceMembership.objects.get(space=space, user=world.users[MENTEE]).status
        == MembershipStatus.LEFT
    )
    again = post(mentee, API + f"spaces/{space.pk}/leave/")
    assert again.status_code == 400 and error_of(again)["code"] == "not_member"
    assert post(mentee, API + "spaces/999999/join/").status_code == 404


# --- Lists in a constant number of queries -------------------------------------------


@pytest.mark.parametrize("path", ["me/journeys/", "me/mentor-requests/"])
def test_new_lists_do_not_grow_with_rows(world, path, django_assert_max_num_queries):
    user = world.users[PARTNER]
    client = bearer(user)
    url = API + path
    client.get(url)  # warm caches
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    partner_mentor = world.program.enrollments.get(user=user, role="mentor")
    partner_mentor.capacity = 10
    partner_mentor.save(update_fields=["capacity"])
    for i in range(3):
        mentee = make_user(f"more{i}")
        enrollment = make_enrollment(
            mentee, world.program, status=EnrollmentStatus.APPROVED
        )
        MentorRequest.objects.create(
            program=world.program,
            mentee_enrollment=enrollment,
            mentor_enrollment=partner_mentor,
            rank=1,
            status=MentorRequestStatus.PENDING,
        )
        relationship = Relationship.objects.create(
            program=world.program, status=RelationshipStatus.ACTIVE
        )
        relationship.members.create(user=user, role="mentor")
        relationship.members.create(user=mentee, role="mentee")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.json()["count"] >= 4


def test_goal_edit_of_a_goal_i_do_not_own_in_a_list_stays(world):
    """The goals list still shows the goal after a refused edit (nothing lost)."""
    partner = bearer(world.users[PARTNER])
    post(partner, rel(world) + f"goals/{world.goal.pk}/", {"status": "dropped"})
    listing = partner.get(rel(world) + "goals/").json()["results"]
    assert Goal.objects.get(pk=world.goal.pk).status == GoalStatus.OPEN
    assert world.goal.pk in {g["id"] for g in listing}


# --- A step's quiz and goal -----------------------------------------------------------


def _with_a_quiz_step(world):
    """The world's journey, republished with a fourth step: a quiz to pass."""
    journey = world.journey
    journey.steps = three_steps() + [
        step(STEP_QUIZ, "Check yourself", [quiz("b-quiz")], completion="answer")
    ]
    journey.save_revision().publish()
    return rel(world) + f"journeys/{journey.pk}/steps/"


WRONG = {"q1": ["q1b"], "q2": ["q2a", "q2b"]}
RIGHT = {"q1": ["q1a"], "q2": ["q2a", "q2b"]}


def test_answer_a_steps_quiz_until_passed(world):
    steps = _with_a_quiz_step(world)
    mentee = world.users[MENTEE]
    client = bearer(mentee)
    url = steps + f"{STEP_QUIZ}/quiz/"
    response = post(client, url, {"block": "b-quiz", "answers": WRONG})
    assert response.status_code == 200, response.content
    assert response.json()["passed"] is False and response.json()["tries"] == 1
    attempt = QuizAttempt.objects.get(relationship=world.relationship, user=mentee)
    assert (attempt.passed, attempt.tries, attempt.answers) == (False, 1, WRONG)
    # A question left out: the service's refusal, nothing written.
    response = post(client, url, {"block": "b-quiz", "answers": {"q1": ["q1a"]}})
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "unanswered",
        "message": "Please answer every question.",
    }
    attempt.refresh_from_db()
    assert (attempt.tries, attempt.answers) == (1, WRONG)
    response = post(client, url, {"block": "b-quiz", "answers": RIGHT})
    assert response.status_code == 200
    assert response.json() == {
        "step": STEP_QUIZ,
        "block": "b-quiz",
        "answers": RIGHT,
        "score": 100,
        "passed": True,
        "tries": 2,
    }
    # An "answer" step is done once its quiz is passed.
    assert StepProgress.objects.get(user=mentee, step_id=STEP_QUIZ).is_completed
    again = post(client, url, {"block": "b-quiz", "answers": WRONG})
    assert again.status_code == 400 and error_of(again)["code"] == "passed"
    attempt.refresh_from_db()
    assert attempt.passed and attempt.tries == 2
    # Wrong shapes are refused before the service.
    for body in (
        {"block": "b-quiz", "answers": ["q1a"]},
        {"block": "b-quiz", "answers": {"q1": "q1a"}},
        {"block": "b-quiz", "answers": RIGHT, "score": 100},
    ):
        response = post(client, url, body)
        assert response.status_code == 400, body
        assert error_of(response)["code"] == "invalid"


def test_set_a_goal_from_a_step(world):
    partner = world.users[PARTNER]
    client = bearer(partner)
    url = rel(world) + f"journeys/{world.journey.pk}/steps/{STEP_GOAL}/goal/"
    target = (timezone.localdate() + timedelta(weeks=8)).isoformat()
    body = {"block": "b-goal", "title": "Give a talk", "target_date": target}
    response = post(client, url, {**body, "measure": "Talk given"})
    assert response.status_code == 201, response.content
    goal = Goal.objects.get(pk=response.json()["id"])
    assert (goal.relationship, goal.owner, goal.source_step_id) == (
        world.relationship,
        partner,
        STEP_GOAL,
    )
    assert goal.measure == "Talk given" and goal.target_date.isoformat() == target
    # It answered the step's only block: the step is done.
    assert StepProgress.objects.get(user=partner, step_id=STEP_GOAL).is_completed
    # One goal per step: the service says where to change it; nothing written.
    again = post(client, url, {**body, "title": "Another"})
    assert again.status_code == 400
    assert error_of(again) == {
        "code": "duplicate_goal",
        "message": "You already set a goal in this step; update it in your goals.",
    }
    assert Goal.objects.filter(owner=partner, source_step_id=STEP_GOAL).count() == 1
    response = post(client, url, {**body, "target_date": "soon"})
    assert response.status_code == 400
    assert "target_date" in error_of(response)["fields"]


def test_someone_elses_step_quiz_and_goal_are_not_found(world):
    steps = _with_a_quiz_step(world)
    target = (timezone.localdate() + timedelta(weeks=8)).isoformat()
    calls = [
        (f"{STEP_QUIZ}/quiz/", {"block": "b-quiz", "answers": RIGHT}),
        (
            f"{STEP_GOAL}/goal/",
            {"block": "b-goal", "title": "HACKED", "target_date": target},
        ),
    ]
    outsider = bearer(world.users[OTHER_PAIR])
    for suffix, body in calls:
        response = post(outsider, steps + suffix, body)
        assert response.status_code == 404, suffix
        assert error_of(response)["code"] == "not_found"
    # A step the journey does not have, through my own relationship: not found.
    mentee = bearer(world.users[MENTEE])
    assert post(mentee, steps + "nope/quiz/", calls[0][1]).status_code == 404
    assert not QuizAttempt.objects.exists()
    assert not Goal.objects.filter(title="HACKED").exists()


# --- A post of a discussion -----------------------------------------------------------


def posts_url(world, post_id=None) -> str:
    return API + f"spaces/{world.space.pk}/posts/{post_id or world.post.pk}/"


def test_edit_my_post(world):
    mentee = bearer(world.users[MENTEE])
    response = post(mentee, posts_url(world) + "edit/", {"body": "Pairing, revised"})
    assert response.status_code == 200, response.content
    world.post.refresh_from_db()
    assert world.post.body == "Pairing, revised"
    assert world.post.edited_by == world.users[MENTEE] and world.post.edited_at
    # Blank: the service's words; the post keeps its text.
    response = post(mentee, posts_url(world) + "edit/", {"body": "   "})
    assert response.status_code == 400
    assert error_of(response) == {"code": "empty", "message": "Write something first."}
    world.post.refresh_from_db()
    assert world.post.body == "Pairing, revised"
    # The partner reads the post but may not edit it: not found, as on the page.
    partner = bearer(world.users[PARTNER])
    response = post(partner, posts_url(world) + "edit/", {"body": "HACKED"})
    assert response.status_code == 404
    world.post.refresh_from_db()
    assert world.post.body == "Pairing, revised"


def test_report_a_post(world):
    mentee = bearer(world.users[MENTEE])
    response = post(mentee, posts_url(world) + "report/", {"reason": "Out of date"})
    assert response.status_code == 201, response.content
    report = PostReport.objects.get(pk=response.json()["id"])
    assert (report.post, report.reporter, report.reason) == (
        world.post,
        world.users[MENTEE],
        "Out of date",
    )
    # The partner reported it already (the world's report): refused, not doubled.
    partner = bearer(world.users[PARTNER])
    response = post(partner, posts_url(world) + "report/", {"reason": "Again"})
    assert response.status_code == 400
    assert error_of(response)["code"] == "duplicate"
    assert PostReport.objects.filter(reporter=world.users[PARTNER]).count() == 1
    response = post(mentee, posts_url(world) + "report/", {"reason": " "})
    assert response.status_code == 400 and error_of(response)["code"] == "empty"
    # A hidden post is not found for members (only its moderators see it).
    hidden = Post.objects.get(hidden=True, thread=world.thread)
    response = post(mentee, posts_url(world, hidden.pk) + "report/", {"reason": "x"})
    assert response.status_code == 404
    assert PostReport.objects.count() == 2


def test_find_a_post_helpful_and_take_it_back(world):
    partner = bearer(world.users[PARTNER])
    url = posts_url(world) + "helpful/"
    response = post(partner, url)
    assert response.status_code == 200, response.content
    assert response.json() == {"post": world.post.pk, "helpful": True, "count": 1}
    assert Reaction.objects.filter(post=world.post, user=world.users[PARTNER]).exists()
    response = post(partner, url)
    assert response.json() == {"post": world.post.pk, "helpful": False, "count": 0}
    assert not Reaction.objects.exists()
    # Not one's own post: the service's refusal, nothing written.
    response = post(bearer(world.users[MENTEE]), url)
    assert response.status_code == 403
    assert error_of(response) == {
        "code": "forbidden",
        "message": "You cannot find your own post helpful.",
    }
    assert not Reaction.objects.exists()


def test_who_asked_marks_the_answer(world):
    reply = community.reply(world.thread, world.users[PARTNER], "Try Tuesdays")
    url = posts_url(world, reply.pk) + "answer/"
    # The partner did not ask: the service's refusal, the thread unchanged.
    response = post(bearer(world.users[PARTNER]), url)
    assert response.status_code == 403
    assert error_of(response)["message"] == (
        "Only who asked, or a moderator, can mark the answer."
    )
    world.thread.refresh_from_db()
    assert world.thread.answered_post_id is None
    mentee = bearer(world.users[MENTEE])
    response = post(mentee, url)
    assert response.status_code == 200, response.content
    assert response.json() == {"thread": world.thread.pk, "answered_post": reply.pk}
    world.thread.refresh_from_db()
    assert world.thread.answered_post == reply and world.thread.is_question
    # The question cannot answer itself; the mark stays where it was.
    response = post(mentee, posts_url(world) + "answer/")
    assert response.status_code == 400
    assert error_of(response)["message"] == "The question itself cannot be its answer."
    world.thread.refresh_from_db()
    assert world.thread.answered_post == reply
    response = post(mentee, url, {"unmark": True})
    assert response.status_code == 200 and response.json()["answered_post"] is None
    world.thread.refresh_from_db()
    assert world.thread.answered_post_id is None


@pytest.mark.parametrize("role", [EMPLOYEE, OTHER_PAIR])
def test_posts_of_a_space_i_cannot_read_are_not_found(world, role):
    client = bearer(world.users[role])
    calls = [
        ("edit/", {"body": "HACKED"}),
        ("report/", {"reason": "HACKED"}),
        ("helpful/", {}),
        ("answer/", {}),
    ]
    for suffix, body in calls:
        response = post(client, posts_url(world) + suffix, body)
        assert response.status_code == 404, suffix
        assert error_of(response)["code"] == "not_found"
    # The right post under an address that is not its space: not found either.
    member = bearer(world.users[MENTEE])
    other_space = API + f"spaces/{world.program.pk}/posts/{world.post.pk}/edit/"
    assert post(member, other_space, {"body": "HACKED"}).status_code == 404
    world.post.refresh_from_db()
    world.thread.refresh_from_db()
    assert world.post.body == "SECRET-SPACE-POST"
    assert not Reaction.objects.exists() and world.thread.answered_post_id is None
    assert not PostReport.objects.filter(reason="HACKED").exists()
